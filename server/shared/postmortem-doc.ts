/**
 * The postmortem's live document ("postmortem-<incident id>"): which Yjs types
 * hold what, and small typed helpers. Shared by the server (generation at
 * close, publication) and the browser (the editor), so no Node imports.
 *
 *   meta         Y.Map    incidentId, generatedAt (ISO): written once by the server
 *   sections     Y.Map<SectionKey, Y.Text>   long-form Markdown, one Y.Text per
 *                         section so the editor binds each with y-codemirror.next
 *   timeline     Y.Map<id, Y.Map>   merged timeline (fields: PostmortemTimelineEntry);
 *                         `collapsed` lets the reviewer fold noise away without deleting it
 *   factors      Y.Map<id, Y.Map>   contributing factors: category + `description` Y.Text
 *   actionItems  Y.Map<id, Y.Map>   fields: ActionItemDraft; become database rows at publication
 *
 * Maps keyed by id rather than arrays, as in the war room: concurrent adds and
 * deletes never shift each other; order comes from `at` / `createdAt`.
 */
import * as Y from 'yjs';
import { newId, type Person } from './war-room-doc.ts';

export const postmortemDocId = (incidentId: string) => `postmortem-${incidentId}`;
export const isPostmortemDocId = (docId: string) => docId.startsWith('postmortem-');
export const incidentIdOfPostmortemDoc = (docId: string) => docId.slice('postmortem-'.length);

/** Long-form sections in reading order, with the headings the export and the editor use. */
export const SECTIONS = [
  { key: 'summary', heading: 'Summary' },
  { key: 'impact', heading: 'Impact' },
  { key: 'investigation', heading: 'Investigation' },
  { key: 'trigger', heading: 'Trigger' },
  { key: 'escalation', heading: 'What made escalation possible' },
  { key: 'detection', heading: 'Detection' },
  { key: 'response', heading: 'Response' },
  { key: 'containment', heading: 'Containment' },
  { key: 'recovery', heading: 'Recovery' },
  { key: 'went_well', heading: 'What went well' },
  { key: 'lucky', heading: 'Where we got lucky' },
] as const;
export type SectionKey = (typeof SECTIONS)[number]['key'];
export const SECTION_KEYS = SECTIONS.map((s) => s.key) as SectionKey[];

export const FACTOR_CATEGORIES = ['technical', 'process', 'human_factors', 'tooling'] as const;
export type FactorCategory = (typeof FACTOR_CATEGORIES)[number];

export const ACTION_KINDS = ['immediate', 'structural'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_PRIORITIES = ['p1', 'p2', 'p3'] as const;
export type ActionPriority = (typeof ACTION_PRIORITIES)[number];
export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const TIMELINE_SOURCES = ['scribe', 'event', 'update', 'review'] as const;
/** scribe = war-room entry, event = automatic entry, update = published stakeholder update, review = added while reviewing. */
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

export interface PostmortemTimelineEntry {
  id: string;
  at: string;
  kind: string;
  source: TimelineSource;
  text: string;
  author: Person | null;
  collapsed: boolean;
}

export interface ContributingFactor {
  id: string;
  category: FactorCategory;
  description: string;
  /** The confirmed hypothesis it was seeded from, if any. */
  hypothesisId: string | null;
  createdAt: string;
}

export interface ActionItemDraft {
  id: string;
  title: string;
  owner: Person | null;
  /** YYYY-MM-DD */
  dueDate: string | null;
  kind: ActionKind;
  priority: ActionPriority;
  status: ActionStatus;
  /** Structural items: what category of problem does this expose? */
  problemCategory: string;
  createdAt: string;
}

/** The whole document as plain data: what publication freezes and the export renders. */
export interface PostmortemContent {
  incidentId: string;
  generatedAt: string;
  sections: Record<SectionKey, string>;
  timeline: PostmortemTimelineEntry[];
  factors: ContributingFactor[];
  actionItems: ActionItemDraft[];
}

export const pmMeta = (doc: Y.Doc) => doc.getMap<string>('meta');
export const sectionsMap = (doc: Y.Doc) => doc.getMap<Y.Text>('sections');
export const pmTimelineMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('timeline');
export const factorsMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('factors');
export const actionItemsMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('actionItems');

function toYMap(fields: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  return map;
}

/** True once the server has written the generated draft. */
export const isGenerated = (doc: Y.Doc) => pmMeta(doc).has('generatedAt');

export function sectionText(doc: Y.Doc, key: SectionKey): Y.Text | undefined {
  const text = sectionsMap(doc).get(key);
  return text instanceof Y.Text ? text : undefined;
}

/**
 * Writes a generated draft into an empty document, once. Only the server calls
 * this (at close), so no two generations can race and interleave.
 */
export function writeGeneratedDraft(doc: Y.Doc, content: PostmortemContent): boolean {
  if (isGenerated(doc)) return false;
  doc.transact(() => {
    for (const key of SECTION_KEYS) sectionsMap(doc).set(key, new Y.Text(content.sections[key] ?? ''));
    for (const entry of content.timeline) pmTimelineMap(doc).set(entry.id, toYMap({ ...entry }));
    for (const factor of content.factors) {
      factorsMap(doc).set(factor.id, toYMap({ ...factor, description: new Y.Text(factor.description) }));
    }
    for (const item of content.actionItems) actionItemsMap(doc).set(item.id, toYMap({ ...item }));
    pmMeta(doc).set('incidentId', content.incidentId);
    pmMeta(doc).set('generatedAt', content.generatedAt);
  });
  return true;
}

export function readPostmortem(doc: Y.Doc): PostmortemContent {
  const sections = {} as Record<SectionKey, string>;
  for (const key of SECTION_KEYS) sections[key] = sectionText(doc, key)?.toString() ?? '';
  const timeline = [...pmTimelineMap(doc).values()]
    .map((m) => m.toJSON() as PostmortemTimelineEntry)
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const factors = [...factorsMap(doc).values()]
    .map((m) => m.toJSON() as ContributingFactor)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const actionItems = [...actionItemsMap(doc).values()]
    .map((m) => m.toJSON() as ActionItemDraft)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return {
    incidentId: pmMeta(doc).get('incidentId') ?? '',
    generatedAt: pmMeta(doc).get('generatedAt') ?? '',
    sections,
    timeline,
    factors,
    actionItems,
  };
}

// --- timeline -------------------------------------------------------------

export function setTimelineCollapsed(doc: Y.Doc, id: string, collapsed: boolean): void {
  pmTimelineMap(doc).get(id)?.set('collapsed', collapsed);
}

export function addReviewTimelineEntry(doc: Y.Doc, input: { at: string; kind: string; text: string; author: Person }): string {
  const id = newId();
  const entry: PostmortemTimelineEntry = { id, source: 'review', collapsed: false, ...input };
  pmTimelineMap(doc).set(id, toYMap({ ...entry }));
  return id;
}

export function removeReviewTimelineEntry(doc: Y.Doc, id: string): void {
  // Entries from the incident are history: they can be collapsed, not deleted.
  if (pmTimelineMap(doc).get(id)?.get('source') === 'review') pmTimelineMap(doc).delete(id);
}

// --- contributing factors -------------------------------------------------

export function addFactor(doc: Y.Doc, input: { category: FactorCategory; description?: string }): string {
  const id = newId();
  factorsMap(doc).set(
    id,
    toYMap({ id, category: input.category, description: new Y.Text(input.description ?? ''), hypothesisId: null, createdAt: new Date().toISOString() }),
  );
  return id;
}

export function factorDescription(doc: Y.Doc, id: string): Y.Text | undefined {
  const text = factorsMap(doc).get(id)?.get('description');
  return text instanceof Y.Text ? text : undefined;
}

export function setFactorCategory(doc: Y.Doc, id: string, category: FactorCategory): void {
  factorsMap(doc).get(id)?.set('category', category);
}

export function removeFactor(doc: Y.Doc, id: string): void {
  factorsMap(doc).delete(id);
}

// --- action items ---------------------------------------------------------

export function addActionItem(doc: Y.Doc, input: Partial<Omit<ActionItemDraft, 'id' | 'createdAt'>> & { title: string }): string {
  const id = newId();
  const item: ActionItemDraft = {
    id,
    owner: null,
    dueDate: null,
    kind: 'immediate',
    priority: 'p2',
    status: 'open',
    problemCategory: '',
    ...input,
    createdAt: new Date().toISOString(),
  };
  actionItemsMap(doc).set(id, toYMap({ ...item }));
  return id;
}

export function updateActionItem(doc: Y.Doc, id: string, changes: Partial<Omit<ActionItemDraft, 'id' | 'createdAt'>>): void {
  const item = actionItemsMap(doc).get(id);
  if (!item) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) item.set(key, value);
  });
}

export function removeActionItem(doc: Y.Doc, id: string): void {
  actionItemsMap(doc).delete(id);
}

/** What stops publication: action items without an owner or a due date never happen. */
export function publicationProblems(content: PostmortemContent): string[] {
  const problems: string[] = [];
  if (!content.sections.summary.trim()) problems.push('The summary is empty.');
  if (content.actionItems.length === 0) problems.push('Add at least one action item.');
  for (const item of content.actionItems) {
    const name = item.title.trim() || 'An untitled action item';
    if (!item.title.trim()) problems.push('An action item has no title.');
    if (!item.owner) problems.push(`"${name}" has no owner.`);
    if (!item.dueDate) problems.push(`"${name}" has no due date.`);
  }
  return problems;
}
