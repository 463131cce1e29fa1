/**
 * The war room's live document: which Yjs types hold what, and small typed
 * helpers to read and write them. Shared by the server (automatic timeline
 * entries) and the browser, so it must not import anything from Node.
 *
 *   meta        Y.Map   rev: number — bumped by the server whenever the incident's
 *                       relational state (severity, state, roles…) changes, so
 *                       clients know to refetch it. Never authoritative.
 *   hypotheses  Y.Map<id, Y.Map>   one card each (fields: Hypothesis); evidence is a
 *                       nested Y.Array so two people adding evidence at once both land
 *   timeline    Y.Map<id, Y.Map>   one entry each (fields: TimelineEntry); keyed by
 *                       id rather than an array so concurrent edits and
 *                       deletes never shift each other; sorted by `at` on read.
 *   drafts      Y.Map<audience, Y.Text>   one stakeholder update draft per audience
 *                       (Markdown with {{placeholders}}); Y.Text so two people typing
 *                       at once merge. Seeded by the server from the templates, never
 *                       by clients, so no two seeds can race and replace each other.
 */
import * as Y from 'yjs';

export const HYPOTHESIS_STATUSES = ['open', 'investigating', 'confirmed', 'ruled_out'] as const;
export type HypothesisStatus = (typeof HYPOTHESIS_STATUSES)[number];

export const TIMELINE_KINDS = ['alert', 'discovery', 'action', 'decision', 'communication', 'mitigation', 'resolution', 'note'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface Person {
  id: string;
  name: string;
}

export interface Evidence {
  id: string;
  text: string;
  url: string | null;
  by: Person;
  at: string;
}

export interface Hypothesis {
  id: string;
  statement: string;
  status: HypothesisStatus;
  owner: Person | null;
  findings: string;
  evidence: Evidence[];
  createdBy: Person;
  createdAt: string;
  updatedBy: Person;
  updatedAt: string;
}

export interface TimelineEntry {
  id: string;
  /** When it happened (ISO, UTC); defaults to now, editable to backfill. */
  at: string;
  kind: TimelineKind;
  text: string;
  author: Person | null;
  hypothesisId: string | null;
  /** Written by the server from an incident event; not editable in the UI. */
  auto: boolean;
  eventId: number | null;
  createdAt: string;
}

export const meta = (doc: Y.Doc) => doc.getMap<number>('meta');
export const hypothesesMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('hypotheses');
export const timelineMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('timeline');
export const draftsMap = (doc: Y.Doc) => doc.getMap<Y.Text>('drafts');

export function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 16);
}

function toYMap(fields: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  return map;
}

// --- timeline ---------------------------------------------------------------

export function addTimelineEntry(
  doc: Y.Doc,
  entry: Omit<TimelineEntry, 'id' | 'createdAt' | 'auto' | 'eventId'> & Partial<Pick<TimelineEntry, 'id' | 'auto' | 'eventId'>>,
): string {
  const id = entry.id ?? newId();
  const full: TimelineEntry = { auto: false, eventId: null, ...entry, id, createdAt: new Date().toISOString() };
  timelineMap(doc).set(id, toYMap({ ...full }));
  return id;
}

export function updateTimelineEntry(doc: Y.Doc, id: string, changes: Partial<Pick<TimelineEntry, 'at' | 'kind' | 'text' | 'hypothesisId'>>): void {
  const entry = timelineMap(doc).get(id);
  if (!entry || entry.get('auto')) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) entry.set(key, value);
  });
}

export function removeTimelineEntry(doc: Y.Doc, id: string): void {
  const entry = timelineMap(doc).get(id);
  if (entry && !entry.get('auto')) timelineMap(doc).delete(id);
}

export function readTimeline(doc: Y.Doc): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const value of timelineMap(doc).values()) entries.push(value.toJSON() as TimelineEntry);
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt));
}

// --- hypotheses -------------------------------------------------------------

export function addHypothesis(doc: Y.Doc, input: { statement: string; owner: Person | null; by: Person }): string {
  const id = newId();
  const now = new Date().toISOString();
  const hypothesis: Hypothesis = {
    id,
    statement: input.statement,
    status: 'open',
    owner: input.owner,
    findings: '',
    evidence: [],
    createdBy: input.by,
    createdAt: now,
    updatedBy: input.by,
    updatedAt: now,
  };
  hypothesesMap(doc).set(id, toYMap({ ...hypothesis, evidence: new Y.Array<Evidence>() }));
  return id;
}

export function updateHypothesis(
  doc: Y.Doc,
  id: string,
  by: Person,
  changes: Partial<Pick<Hypothesis, 'statement' | 'status' | 'owner' | 'findings'>>,
): void {
  const card = hypothesesMap(doc).get(id);
  if (!card) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) card.set(key, value);
    card.set('updatedBy', by);
    card.set('updatedAt', new Date().toISOString());
  });
}

export function addEvidence(doc: Y.Doc, id: string, input: { text: string; url: string | null; by: Person }): void {
  const card = hypothesesMap(doc).get(id);
  const list = card?.get('evidence');
  if (!card || !(list instanceof Y.Array)) return;
  doc.transact(() => {
    list.push([{ id: newId(), text: input.text, url: input.url, by: input.by, at: new Date().toISOString() }]);
    card.set('updatedBy', input.by);
    card.set('updatedAt', new Date().toISOString());
  });
}

export function readHypotheses(doc: Y.Doc): Hypothesis[] {
  const cards: Hypothesis[] = [];
  for (const value of hypothesesMap(doc).values()) cards.push(value.toJSON() as Hypothesis);
  return cards.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

// --- drafts -----------------------------------------------------------------

/** The audience's draft, or undefined before the server seeded it. */
export function draftText(doc: Y.Doc, audience: string): Y.Text | undefined {
  const draft = draftsMap(doc).get(audience);
  return draft instanceof Y.Text ? draft : undefined;
}

export function readDraft(doc: Y.Doc, audience: string): string | null {
  return draftText(doc, audience)?.toString() ?? null;
}

/** Creates the drafts that are missing from `initial` (audience → text); existing ones are left alone. Returns the audiences seeded. */
export function seedDrafts(doc: Y.Doc, initial: Record<string, string>): string[] {
  const seeded: string[] = [];
  doc.transact(() => {
    for (const [audience, text] of Object.entries(initial)) {
      if (draftText(doc, audience)) continue;
      draftsMap(doc).set(audience, new Y.Text(text));
      seeded.push(audience);
    }
  });
  return seeded;
}

/**
 * Applies the edit that turns `from` into `to` as one minimal Y.Text change
 * (common prefix and suffix kept), so concurrent edits elsewhere in the draft
 * survive. `from` must be the text's current content.
 */
export function applyTextEdit(text: Y.Text, from: string, to: string): void {
  if (from === to) return;
  let start = 0;
  const max = Math.min(from.length, to.length);
  while (start < max && from[start] === to[start]) start++;
  let end = 0;
  while (end < max - start && from[from.length - 1 - end] === to[to.length - 1 - end]) end++;
  const apply = () => {
    if (from.length - start - end > 0) text.delete(start, from.length - start - end);
    if (to.length - start - end > 0) text.insert(start, to.slice(start, to.length - end));
  };
  if (text.doc) text.doc.transact(apply);
  else apply();
}

/** Where a caret at `index` ends up after a Y.Text change described by `delta` (a remote edit moving the text around it). */
export function shiftIndex(index: number, delta: readonly { insert?: unknown; delete?: number; retain?: number }[]): number {
  // `at` walks the old text; inserts add nothing to it, deletes consume it.
  let at = 0;
  let shifted = index;
  for (const op of delta) {
    if (at > index) break;
    if (op.retain) at += op.retain;
    else if (op.delete) {
      if (at < index) shifted -= Math.min(op.delete, index - at);
      at += op.delete;
    } else if (typeof op.insert === 'string') {
      // Text inserted exactly at the caret lands before it: the caret stays after what its owner typed.
      shifted += op.insert.length;
    }
  }
  return Math.max(0, shifted);
}
