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
 *                       Removing an entry marks it (`removed`) rather than
 *                       deleting it: the record shows who removed what and
 *                       when, and an undo puts it back.
 *   drafts      Y.Map<audience, Y.Text>   one stakeholder update draft per audience
 *                       (Markdown with {{placeholders}}); Y.Text so two people typing
 *                       at once merge. Seeded by the server from the templates, never
 *                       by clients, so no two seeds can race and replace each other.
 */
import * as Y from 'yjs';
import { booleanOf, cleanText, integerOrNull, mapAt, mapEntries, oneOf, personOf, textOf, textOrNull, timeOf } from './doc-values.ts';

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
  /** Who removed the entry, and when; absent (or null) while it stands. */
  removed?: Removal | null;
}

export interface Removal {
  by: Person;
  at: string;
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

/** An entry to add: its id (derived from what caused it, for entries written once) and flags are optional. */
export type NewTimelineEntry = Omit<TimelineEntry, 'id' | 'createdAt' | 'auto' | 'eventId'> & Partial<Pick<TimelineEntry, 'id' | 'auto' | 'eventId'>>;

export function addTimelineEntry(doc: Y.Doc, entry: NewTimelineEntry): string {
  const id = entry.id ?? newId();
  const full: TimelineEntry = { auto: false, eventId: null, ...entry, id, createdAt: new Date().toISOString() };
  timelineMap(doc).set(id, toYMap({ ...full }));
  return id;
}

export function updateTimelineEntry(doc: Y.Doc, id: string, changes: Partial<Pick<TimelineEntry, 'at' | 'kind' | 'text' | 'hypothesisId'>>): void {
  const entry = mapAt(timelineMap(doc), id);
  if (!entry || entry.get('auto') || entry.get('removed')) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) entry.set(key, value);
  });
}

/** Marks the entry removed by `by`; it stays in the document, shown as a marker, until restored. */
export function removeTimelineEntry(doc: Y.Doc, id: string, by: Person): void {
  const entry = mapAt(timelineMap(doc), id);
  // A malformed value written under the id has nothing to mark: it goes.
  if (!entry) {
    if (timelineMap(doc).has(id)) timelineMap(doc).delete(id);
    return;
  }
  if (entry.get('auto') || entry.get('removed')) return;
  entry.set('removed', { by, at: new Date().toISOString() } satisfies Removal);
}

/** Undoes a removal. */
export function restoreTimelineEntry(doc: Y.Doc, id: string): void {
  const entry = mapAt(timelineMap(doc), id);
  if (entry?.get('removed')) entry.delete('removed');
}

/** One entry as written, coerced; null (skipped) when it has no usable time. */
export function toTimelineEntry(id: string, entry: Y.Map<unknown>): TimelineEntry | null {
  const at = timeOf(entry.get('at'));
  if (!at) return null;
  return {
    id,
    at,
    kind: oneOf(entry.get('kind'), TIMELINE_KINDS, 'note'),
    text: textOf(entry.get('text')),
    author: personOf(entry.get('author')),
    hypothesisId: textOrNull(entry.get('hypothesisId')),
    auto: booleanOf(entry.get('auto')),
    eventId: integerOrNull(entry.get('eventId')),
    createdAt: timeOf(entry.get('createdAt')) ?? at,
    ...removalOf(entry.get('removed')),
  };
}

/** The removal marker, kept only when it names who removed the entry. */
function removalOf(value: unknown): { removed?: Removal } {
  if (!value || typeof value !== 'object') return {};
  const by = personOf((value as Record<string, unknown>).by);
  return by ? { removed: { by, at: timeOf((value as Record<string, unknown>).at) ?? '' } } : {};
}

/** The timeline's order: by time, then by when it was written (a backfilled entry after those written at that time). */
export const timelineOrder = (a: TimelineEntry, b: TimelineEntry) => a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt);

/** Every well-formed entry, oldest first; whatever else clients wrote there is skipped or coerced, never thrown on. */
export function readTimeline(doc: Y.Doc): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const [id, value] of mapEntries(timelineMap(doc))) {
    const entry = toTimelineEntry(id, value);
    if (entry) entries.push(entry);
  }
  return entries.sort(timelineOrder);
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
  const card = mapAt(hypothesesMap(doc), id);
  if (!card) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) card.set(key, value);
    card.set('updatedBy', by);
    card.set('updatedAt', new Date().toISOString());
  });
}

export function addEvidence(doc: Y.Doc, id: string, input: { text: string; url: string | null; by: Person }): void {
  const card = mapAt(hypothesesMap(doc), id);
  const list = card?.get('evidence');
  if (!card || !(list instanceof Y.Array)) return;
  doc.transact(() => {
    list.push([{ id: newId(), text: input.text, url: input.url, by: input.by, at: new Date().toISOString() }]);
    card.set('updatedBy', input.by);
    card.set('updatedAt', new Date().toISOString());
  });
}

const NOBODY: Person = { id: '', name: 'Unknown' };

function toEvidence(value: unknown): Evidence | null {
  if (value === null || typeof value !== 'object' || value instanceof Y.AbstractType) return null;
  const item = value as Record<string, unknown>;
  const at = timeOf(item.at);
  if (!at) return null;
  return { id: textOf(item.id), text: textOf(item.text), url: textOrNull(item.url), by: personOf(item.by) ?? NOBODY, at };
}

function toHypothesis(id: string, card: Y.Map<unknown>): Hypothesis | null {
  const createdAt = timeOf(card.get('createdAt'));
  if (!createdAt) return null;
  const evidence = card.get('evidence');
  const createdBy = personOf(card.get('createdBy')) ?? NOBODY;
  return {
    id,
    statement: textOf(card.get('statement')),
    status: oneOf(card.get('status'), HYPOTHESIS_STATUSES, 'open'),
    owner: personOf(card.get('owner')),
    findings: textOf(card.get('findings')),
    evidence: evidence instanceof Y.Array ? evidence.toArray().flatMap((item) => toEvidence(item) ?? []) : [],
    createdBy,
    createdAt,
    updatedBy: personOf(card.get('updatedBy')) ?? createdBy,
    updatedAt: timeOf(card.get('updatedAt')) ?? createdAt,
  };
}

/** Every well-formed card, oldest first; malformed values are skipped or coerced, never thrown on. */
export function readHypotheses(doc: Y.Doc): Hypothesis[] {
  const cards: Hypothesis[] = [];
  for (const [id, value] of mapEntries(hypothesesMap(doc))) {
    const card = toHypothesis(id, value);
    if (card) cards.push(card);
  }
  return cards.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

// --- drafts -----------------------------------------------------------------

/** The audience's draft, or undefined before the server seeded it. */
export function draftText(doc: Y.Doc, audience: string): Y.Text | undefined {
  const draft = draftsMap(doc).get(audience);
  return draft instanceof Y.Text ? draft : undefined;
}

export function readDraft(doc: Y.Doc, audience: string): string | null {
  const text = draftText(doc, audience);
  return text ? cleanText(text.toString()) : null;
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
