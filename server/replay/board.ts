/**
 * Reads the war room as it was at a version straight out of the full
 * document, without building a copy of it. The full document keeps every
 * item ever written (gc off), each with its Yjs id; an item (or the part of
 * one) belongs to the version when its clock is below the version's state
 * vector for its client and no deletion of the version covers it. This is
 * the rule Y.createDocFromSnapshot applies, but it touches only what the
 * board shows, and never changes the document (no splitting, no transaction),
 * so one loaded document serves every moment.
 *
 * The document is shared and anyone who can write it can put anything in
 * it: values of the wrong shape are coerced or skipped, never thrown on.
 */
import * as Y from 'yjs';
import { booleanOf, integerOrNull, oneOf, personOf, textOf, textOrNull, timeOf } from '../shared/doc-values.ts';
import { HYPOTHESIS_STATUSES, TIMELINE_KINDS, type Evidence, type Hypothesis, type Person, type TimelineEntry } from '../shared/war-room-doc.ts';
import type { Version } from './version-at.ts';

export interface BoardLimits {
  /** Newest timeline entries returned (by their time, then creation). */
  timeline: number;
  hypotheses: number;
  /** Audiences (the app has four; the document itself accepts any key). */
  drafts: number;
  /** Characters per update draft. */
  draftChars: number;
}

export interface ReplayedEntry extends TimelineEntry {
  /** Server time the entry was written (ISO): where "jump to entry" goes. Null when no recorded change wrote it. */
  writtenAt: string | null;
}

export interface Board {
  timeline: ReplayedEntry[];
  timelineTotal: number;
  hypotheses: Hypothesis[];
  hypothesesTotal: number;
  drafts: Record<string, string>;
  /** Audiences whose draft was cut at `draftChars`. */
  draftsTruncated: string[];
}

/** Which part of an item is in the version: [start, end) offsets within it, none when it is not. */
function visibleParts(item: Y.Item, version: Version): [number, number][] {
  const { client, clock } = item.id;
  const end = Math.min(clock + item.length, version.stateVector.get(client) ?? 0);
  if (end <= clock) return [];
  const deleted = version.deleted.get(client);
  if (!deleted) return [[0, end - clock]];
  // First deletion ending after the item's start (the list is sorted and merged).
  let low = 0;
  let high = deleted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (deleted[mid][0] + deleted[mid][1] <= clock) low = mid + 1;
    else high = mid;
  }
  const parts: [number, number][] = [];
  let at = clock;
  for (let i = low; i < deleted.length && at < end; i++) {
    const [from, len] = deleted[i];
    if (from >= end) break;
    if (from > at) parts.push([at - clock, from - clock]);
    at = Math.max(at, from + len);
  }
  if (at < end) parts.push([at - clock, end - clock]);
  return parts;
}

const isWhole = (item: Y.Item, version: Version) => {
  const parts = visibleParts(item, version);
  return parts.length === 1 && parts[0][0] === 0 && parts[0][1] === item.length;
};

// Maps are typed AbstractType<any>: Yjs's event typing makes Y.Map<T> unassignable to AbstractType<unknown>.

/** A map key's value in the version: the newest write to it the version holds, unless the version deleted it. */
function mapItemAt(map: Y.AbstractType<any>, key: string, version: Version): Y.Item | null {
  let item: Y.Item | null = map._map.get(key) ?? null;
  while (item && item.id.clock >= (version.stateVector.get(item.id.client) ?? 0)) item = item.left;
  return item && isWhole(item, version) ? item : null;
}

function valueOf(item: Y.Item): unknown {
  const content = item.content.getContent();
  return content[content.length - 1];
}

/** The text in the version, read no further than `max` characters (the caller learns it was cut by getting more than it keeps). */
function textAt(text: Y.Text, version: Version, max = Infinity): string {
  let out = '';
  for (let item = text._start; item && out.length <= max; item = item.right) {
    if (!(item.content instanceof Y.ContentString)) continue;
    for (const [from, to] of visibleParts(item, version)) out += item.content.str.slice(from, to);
  }
  return out;
}

function arrayAt(array: Y.Array<unknown>, version: Version): unknown[] {
  const out: unknown[] = [];
  for (let item = array._start; item; item = item.right) {
    if (!item.countable) continue;
    const content = item.content.getContent();
    for (const [from, to] of visibleParts(item, version)) out.push(...content.slice(from, to));
  }
  return out;
}

/** Every key of a map with its value in the version; nested types read at the version too. */
function mapAt(map: Y.AbstractType<any>, version: Version): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of map._map.keys()) {
    const item = mapItemAt(map, key, version);
    if (!item) continue;
    const value = valueOf(item);
    if (value instanceof Y.Text) fields[key] = textAt(value, version);
    else if (value instanceof Y.Array) fields[key] = arrayAt(value, version);
    else if (value instanceof Y.Map) fields[key] = mapAt(value, version);
    else fields[key] = value;
  }
  return fields;
}

// --- coercion: what the board shows, whatever was written (the rules the live readers use) ---

const someone: Person = { id: '', name: 'Someone' };

function toEntry(id: string, raw: Record<string, unknown>, writtenAt: number | null): ReplayedEntry {
  const removedBy = personOf((raw.removed as Record<string, unknown> | null)?.by);
  return {
    id,
    at: timeOf(raw.at) ?? '',
    kind: oneOf(raw.kind, TIMELINE_KINDS, 'note'),
    text: textOf(raw.text),
    author: personOf(raw.author),
    hypothesisId: textOrNull(raw.hypothesisId),
    auto: booleanOf(raw.auto),
    eventId: integerOrNull(raw.eventId),
    createdAt: timeOf(raw.createdAt) ?? '',
    ...(removedBy ? { removed: { by: removedBy, at: timeOf((raw.removed as Record<string, unknown>).at) ?? '' } } : {}),
    writtenAt: writtenAt === null ? null : new Date(writtenAt).toISOString(),
  };
}

function toEvidence(raw: unknown): Evidence | null {
  if (!raw || typeof raw !== 'object') return null;
  const value = raw as Record<string, unknown>;
  return { id: textOf(value.id), text: textOf(value.text), url: textOrNull(value.url), by: personOf(value.by) ?? someone, at: timeOf(value.at) ?? '' };
}

function toHypothesis(id: string, raw: Record<string, unknown>): Hypothesis {
  return {
    id,
    statement: textOf(raw.statement),
    status: oneOf(raw.status, HYPOTHESIS_STATUSES, 'open'),
    owner: personOf(raw.owner),
    findings: textOf(raw.findings),
    evidence: (Array.isArray(raw.evidence) ? raw.evidence : []).map(toEvidence).filter((e): e is Evidence => e !== null),
    createdBy: personOf(raw.createdBy) ?? someone,
    createdAt: timeOf(raw.createdAt) ?? '',
    updatedBy: personOf(raw.updatedBy) ?? someone,
    updatedAt: timeOf(raw.updatedAt) ?? '',
  };
}

/** Y.Map children of a top-level map present in the version, with the item that holds each. */
function childMapsAt(map: Y.Map<unknown>, version: Version): { key: string; item: Y.Item; value: Y.Map<unknown> }[] {
  const out: { key: string; item: Y.Item; value: Y.Map<unknown> }[] = [];
  for (const key of map._map.keys()) {
    const item = mapItemAt(map, key, version);
    const value = item ? valueOf(item) : null;
    if (item && value instanceof Y.Map) out.push({ key, item, value });
  }
  return out;
}

/** A field of a child map at the version, as a string for ordering. */
const sortField = (map: Y.Map<unknown>, key: string, version: Version) => {
  const item = mapItemAt(map, key, version);
  return item ? textOf(valueOf(item)) : '';
};

/**
 * The board at `version`: the newest `limits.timeline` timeline entries (by
 * their time), the newest hypotheses, and every draft, with the totals so a
 * reader knows what was left out. `writtenAt` maps an item id to the server
 * time of the change that wrote it.
 */
export function readBoardAt(doc: Y.Doc, version: Version, limits: BoardLimits, writtenAt: (client: number, clock: number) => number | null): Board {
  const timelineMap = doc.getMap<unknown>('timeline');
  const entries = childMapsAt(timelineMap, version).map((child) => ({
    ...child,
    at: sortField(child.value, 'at', version),
    createdAt: sortField(child.value, 'createdAt', version),
  }));
  entries.sort((a, b) => a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  const timeline = entries
    .slice(Math.max(0, entries.length - limits.timeline))
    .map(({ key, item, value }) => toEntry(key, mapAt(value, version), writtenAt(item.id.client, item.id.clock)));

  const cards = childMapsAt(doc.getMap<unknown>('hypotheses'), version).map((child) => ({ ...child, createdAt: sortField(child.value, 'createdAt', version) }));
  cards.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  const hypotheses = cards.slice(Math.max(0, cards.length - limits.hypotheses)).map(({ key, value }) => toHypothesis(key, mapAt(value, version)));

  const drafts: Record<string, string> = {};
  const draftsTruncated: string[] = [];
  const draftsMap = doc.getMap<unknown>('drafts');
  for (const audience of [...draftsMap._map.keys()].sort()) {
    if (Object.keys(drafts).length >= limits.drafts) break;
    const item = mapItemAt(draftsMap, audience, version);
    const value = item ? valueOf(item) : null;
    if (!(value instanceof Y.Text)) continue;
    const read = textAt(value, version, limits.draftChars);
    drafts[audience] = read.slice(0, limits.draftChars);
    if (read.length > limits.draftChars) draftsTruncated.push(audience);
  }
  return { timeline, timelineTotal: entries.length, hypotheses, hypothesesTotal: cards.length, drafts, draftsTruncated };
}
