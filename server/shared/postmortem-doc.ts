/**
 * The postmortem's live document ("postmortem-<incident id>"): which Yjs types
 * hold what, and small typed helpers. Shared by the server (generation at
 * close, publication) and the browser (the editor), so no Node imports.
 *
 *   meta         Y.Map    incidentId, generatedAt (ISO): written once by the server;
 *                         rev (number): bumped by the server whenever the postmortem's
 *                         record changes (review state, due date, versions, action
 *                         items), so every open page refetches it. Never authoritative.
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
import { booleanOf, mapAt, mapEntries, oneOf, personOf, textOf, textOrNull, timeOf } from './doc-values.ts';
import { newId, type Person } from './war-room-doc.ts';

export const postmortemDocId = (incidentId: string) => `postmortem-${incidentId}`;
export const isPostmortemDocId = (docId: string) => docId.startsWith('postmortem-');
export const incidentIdOfPostmortemDoc = (docId: string) => docId.slice('postmortem-'.length);

/** Long-form sections in reading order, with the headings the export and the editor use. */
export const SECTIONS = [
  { key: 'summary', heading: 'Summary' },
  { key: 'impact', heading: 'Impact' },
  { key: 'investigation', heading: 'Investigation' },
  { key: 'resolution', heading: 'Resolution' },
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

/** Where an action item was found: a postmortem, a drill's debrief or a process review (with that run's or review's id). */
export const ACTION_ORIGINS = ['postmortem', 'debrief', 'review'] as const;
export type ActionOrigin = (typeof ACTION_ORIGINS)[number];

export const ACTION_KINDS = ['immediate', 'structural'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_PRIORITIES = ['p1', 'p2', 'p3'] as const;
export type ActionPriority = (typeof ACTION_PRIORITIES)[number];
export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** The postmortem's review: draft → in review → published (server/postmortem/review.ts moves it). */
export const POSTMORTEM_STATES = ['draft', 'in_review', 'published'] as const;
export type PostmortemState = (typeof POSTMORTEM_STATES)[number];

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

/** The record's revision as the document last heard it (0 before any change). */
export function recordRev(doc: Y.Doc): number {
  const rev = doc.getMap<unknown>('meta').get('rev');
  return typeof rev === 'number' && Number.isFinite(rev) ? rev : 0;
}

/** Server-side: says the record changed. The room applies server changes one at a time, so the count never skips or repeats. */
export function bumpRecordRev(doc: Y.Doc): void {
  doc.getMap<unknown>('meta').set('rev', recordRev(doc) + 1);
}

/** True once the server has written the generated draft. */
export const isGenerated = (doc: Y.Doc) => pmMeta(doc).has('generatedAt');

export function sectionText(doc: Y.Doc, key: SectionKey): Y.Text | undefined {
  const text = sectionsMap(doc).get(key);
  return text instanceof Y.Text ? text : undefined;
}

/** Timeline entries per piece of a generated draft: a few milliseconds of Yjs work each. */
const DRAFT_PIECE_ENTRIES = 200;

/**
 * A generated draft as changes to apply to an empty document one after
 * another, each in a change of its own: written as one, a 2,000-entry draft
 * was one Yjs transaction and one update that held the server's thread for
 * 200–280 ms while every war room waited. Each piece does nothing once the
 * draft is complete, and the last one completes it (`generatedAt`), so a
 * draft interrupted half-way is written again, whole, by the next attempt:
 * entries by id, sections replaced, and what the earlier attempt wrote that
 * the new content lacks removed. Only the server writes drafts (at close, or
 * when asked again through the API); two generations at once write the same
 * ids, and nobody can open the draft before it is complete (its postmortem
 * row is inserted after).
 *
 * Pieces are plain data (see server/documents/commands.ts), applied by
 * applyDraftPiece.
 */
export type DraftPiece =
  /** Sections, factors and action items, and the timeline ids the draft keeps (an earlier attempt's others go). */
  | { part: 'start'; sections: PostmortemContent['sections']; factors: PostmortemContent['factors']; actionItems: PostmortemContent['actionItems']; timelineIds: string[] }
  | { part: 'timeline'; entries: PostmortemContent['timeline'] }
  | { part: 'finish'; incidentId: string; generatedAt: string };

export function generatedDraftPieces(content: PostmortemContent): DraftPiece[] {
  const { sections, factors, actionItems } = content;
  const pieces: DraftPiece[] = [{ part: 'start', sections, factors, actionItems, timelineIds: content.timeline.map((entry) => entry.id) }];
  for (let from = 0; from < content.timeline.length; from += DRAFT_PIECE_ENTRIES) {
    pieces.push({ part: 'timeline', entries: content.timeline.slice(from, from + DRAFT_PIECE_ENTRIES) });
  }
  pieces.push({ part: 'finish', incidentId: content.incidentId, generatedAt: content.generatedAt });
  return pieces;
}

/**
 * Writes one piece of a generated draft, unless the draft is complete.
 * Returns the draft's generatedAt once it is complete (a draft an earlier
 * attempt completed keeps its own time), else null.
 */
export function applyDraftPiece(doc: Y.Doc, piece: DraftPiece): string | null {
  if (!isGenerated(doc)) doc.transact(() => writeDraftPiece(doc, piece));
  const generatedAt = pmMeta(doc).get('generatedAt');
  return typeof generatedAt === 'string' ? generatedAt : null;
}

function writeDraftPiece(doc: Y.Doc, piece: DraftPiece): void {
  switch (piece.part) {
    case 'start': {
      // What an interrupted earlier attempt wrote and this content does not hold (its war room changed since) goes.
      const removeAllBut = <T>(map: Y.Map<T>, ids: Set<string>) => [...map.keys()].filter((id) => !ids.has(id)).forEach((id) => map.delete(id));
      removeAllBut(pmTimelineMap(doc), new Set(piece.timelineIds));
      removeAllBut(factorsMap(doc), new Set(piece.factors.map((factor) => factor.id)));
      removeAllBut(actionItemsMap(doc), new Set(piece.actionItems.map((item) => item.id)));
      for (const key of SECTION_KEYS) sectionsMap(doc).set(key, new Y.Text(piece.sections[key] ?? ''));
      for (const factor of piece.factors) factorsMap(doc).set(factor.id, toYMap({ ...factor, description: new Y.Text(factor.description) }));
      for (const item of piece.actionItems) actionItemsMap(doc).set(item.id, toYMap({ ...item }));
      return;
    }
    case 'timeline':
      for (const entry of piece.entries) pmTimelineMap(doc).set(entry.id, toYMap({ ...entry }));
      return;
    case 'finish':
      pmMeta(doc).set('incidentId', piece.incidentId);
      pmMeta(doc).set('generatedAt', piece.generatedAt);
  }
}

/**
 * Gives a draft written before a section existed that section, empty, so
 * every section has its editor. Server-side only, like generation: two
 * clients adding the same section at once would each replace the other's text.
 */
export function addMissingSections(doc: Y.Doc): SectionKey[] {
  if (!isGenerated(doc)) return [];
  const missing = SECTION_KEYS.filter((key) => !sectionText(doc, key));
  if (missing.length > 0) doc.transact(() => missing.forEach((key) => sectionsMap(doc).set(key, new Y.Text(''))));
  return missing;
}

const EPOCH = new Date(0).toISOString();

function toTimelineEntry(id: string, entry: Y.Map<unknown>): PostmortemTimelineEntry | null {
  const at = timeOf(entry.get('at'));
  if (!at) return null;
  return {
    id,
    at,
    kind: textOf(entry.get('kind')) || 'note',
    source: oneOf(entry.get('source'), TIMELINE_SOURCES, 'review'),
    text: textOf(entry.get('text')),
    author: personOf(entry.get('author')),
    collapsed: booleanOf(entry.get('collapsed')),
  };
}

function toFactor(id: string, factor: Y.Map<unknown>): ContributingFactor {
  return {
    id,
    category: oneOf(factor.get('category'), FACTOR_CATEGORIES, 'technical'),
    description: textOf(factor.get('description')),
    hypothesisId: textOrNull(factor.get('hypothesisId')),
    createdAt: timeOf(factor.get('createdAt')) ?? EPOCH,
  };
}

/**
 * An action item as written. Enumerations that are not text become empty
 * (publication then names the problem) rather than being guessed; a title
 * written as a number is read as its digits.
 */
function toActionItem(id: string, item: Y.Map<unknown>): ActionItemDraft {
  const due = textOrNull(item.get('dueDate'));
  return {
    id,
    title: textOf(item.get('title')),
    owner: personOf(item.get('owner')),
    dueDate: due,
    kind: textOf(item.get('kind')) as ActionKind,
    priority: textOf(item.get('priority')) as ActionPriority,
    status: (textOf(item.get('status')) || 'open') as ActionStatus,
    problemCategory: textOf(item.get('problemCategory')),
    createdAt: timeOf(item.get('createdAt')) ?? EPOCH,
  };
}

/** The document as plain data. Malformed entries are skipped or coerced (see doc-values.ts); this never throws. */
export function readPostmortem(doc: Y.Doc): PostmortemContent {
  const sections = {} as Record<SectionKey, string>;
  for (const key of SECTION_KEYS) sections[key] = textOf(sectionText(doc, key));
  const timeline = mapEntries(pmTimelineMap(doc))
    .flatMap(([id, entry]) => toTimelineEntry(id, entry) ?? [])
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const factors = mapEntries(factorsMap(doc))
    .map(([id, factor]) => toFactor(id, factor))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const actionItems = mapEntries(actionItemsMap(doc))
    .map(([id, item]) => toActionItem(id, item))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return {
    incidentId: textOf(pmMeta(doc).get('incidentId')),
    generatedAt: textOf(pmMeta(doc).get('generatedAt')),
    sections,
    timeline,
    factors,
    actionItems,
  };
}

// --- timeline -------------------------------------------------------------

export function setTimelineCollapsed(doc: Y.Doc, id: string, collapsed: boolean): void {
  mapAt(pmTimelineMap(doc), id)?.set('collapsed', collapsed);
}

export function addReviewTimelineEntry(doc: Y.Doc, input: { at: string; kind: string; text: string; author: Person }): string {
  const id = newId();
  const entry: PostmortemTimelineEntry = { id, source: 'review', collapsed: false, ...input };
  pmTimelineMap(doc).set(id, toYMap({ ...entry }));
  return id;
}

export function removeReviewTimelineEntry(doc: Y.Doc, id: string): void {
  // Entries from the incident are history: they can be collapsed, not deleted.
  if (mapAt(pmTimelineMap(doc), id)?.get('source') === 'review') pmTimelineMap(doc).delete(id);
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
  const text = mapAt(factorsMap(doc), id)?.get('description');
  return text instanceof Y.Text ? text : undefined;
}

export function setFactorCategory(doc: Y.Doc, id: string, category: FactorCategory): void {
  mapAt(factorsMap(doc), id)?.set('category', category);
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
  const item = mapAt(actionItemsMap(doc), id);
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
