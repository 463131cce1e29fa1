/**
 * The hypothesis board's history, read from the war room's change log: when
 * each card was written, and every statement and status it had, each with the
 * server time and the person of the change that made it.
 *
 * Why not the cards' own createdAt/updatedAt fields: browsers write them with
 * their own clocks, and updatedAt only remembers the last edit. The server's
 * change log (server/collab/history.ts) records, per accepted change, who
 * sent it, when, and which Yjs ids it inserted. The server never
 * garbage-collects, so a card's overwritten values are still in the document,
 * chained per key (each new value of a Y.Map key points `left` at the value it
 * replaced); looking up the change that inserted each value gives its time.
 * A value no change explains (written before attribution existed) falls back
 * to the card's own fields.
 */
import * as Y from 'yjs';
import { listChanges, type Change } from '../collab/history.ts';
import { sqlDocumentStore } from '../collab/storage.ts';
import type { Sql } from '../db/sql.ts';
import { hypothesesMap, HYPOTHESIS_STATUSES, type HypothesisStatus } from '../shared/war-room-doc.ts';

export interface ValueChange<T> {
  value: T;
  at: Date;
  /** Who sent the change; null for the server itself or an unexplained value. */
  userId: string | null;
}

export interface CardHistory {
  id: string;
  /** Current statement and status. */
  statement: string;
  status: HypothesisStatus;
  /** When the card was first written (server time). */
  createdAt: Date;
  createdBy: string | null;
  /** Oldest first; the first is the statement it was written with. */
  statements: ValueChange<string>[];
  statuses: ValueChange<HypothesisStatus>[];
}

type Lookup = (id: Y.ID) => Change | null;

/** Finds the change that inserted an id, by client then by clock range. */
export function changeLookup(changes: readonly Change[]): Lookup {
  const byClient = new Map<number, { from: number; to: number; change: Change }[]>();
  for (const change of changes) {
    for (const [client, [from, to]] of Object.entries(change.ids.i)) {
      const list = byClient.get(Number(client)) ?? [];
      list.push({ from, to, change });
      byClient.set(Number(client), list);
    }
  }
  for (const list of byClient.values()) list.sort((a, b) => a.from - b.from);
  return (id) => {
    const list = byClient.get(id.client);
    if (!list) return null;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const range = list[mid];
      if (id.clock < range.from) high = mid - 1;
      else if (id.clock >= range.to) low = mid + 1;
      else return range.change;
    }
    return null;
  };
}

/** Every value a Y.Map key held, oldest first, with the id of the item that wrote it. */
function keyHistory(map: Y.Map<unknown>, key: string): { value: unknown; id: Y.ID }[] {
  const values: { value: unknown; id: Y.ID }[] = [];
  for (let item: Y.Item | null = map._map.get(key) ?? null; item; item = item.left) {
    if (item.parentSub !== key) break;
    values.push({ value: item.content.getContent()[0], id: item.id });
  }
  return values.reverse();
}

function timed<T>(entries: { value: unknown; id: Y.ID }[], lookup: Lookup, fallback: Date, accept: (v: unknown) => v is T): ValueChange<T>[] {
  const out: ValueChange<T>[] = [];
  for (const entry of entries) {
    if (!accept(entry.value)) continue;
    const change = lookup(entry.id);
    out.push({ value: entry.value, at: change?.createdAt ?? fallback, userId: change?.userId ?? null });
  }
  return out;
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isStatus = (v: unknown): v is HypothesisStatus => typeof v === 'string' && (HYPOTHESIS_STATUSES as readonly string[]).includes(v);
const dateOr = (value: unknown, fallback: Date) => {
  const date = typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : fallback;
};

/** The board's history from a document loaded with gc off and its change list. */
export function boardHistoryOf(doc: Y.Doc, changes: readonly Change[]): CardHistory[] {
  const lookup = changeLookup(changes);
  const cards: CardHistory[] = [];
  for (const [id, card] of hypothesesMap(doc).entries()) {
    if (!(card instanceof Y.Map)) continue;
    const inserted = card._item ? lookup(card._item.id) : null;
    const createdAt = inserted?.createdAt ?? dateOr(card.get('createdAt'), new Date(0));
    const statements = timed(keyHistory(card, 'statement'), lookup, createdAt, isText);
    const statuses = timed(keyHistory(card, 'status'), lookup, createdAt, isStatus);
    const status = card.get('status');
    cards.push({
      id,
      statement: String(card.get('statement') ?? ''),
      status: isStatus(status) ? status : 'open',
      createdAt,
      createdBy: inserted?.userId ?? null,
      statements,
      statuses,
    });
  }
  return cards.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

/** Loads the war room's document with every overwritten value kept, and reads its board's history. */
export async function loadBoardHistory(sql: Sql, docId: string): Promise<CardHistory[]> {
  // Changes first, then the document: the document then explains at least every change listed.
  const changes = await listChanges(sql, docId);
  const loaded = await sqlDocumentStore(sql).load(docId);
  const doc = new Y.Doc({ gc: false });
  try {
    for (const update of loaded.updates) Y.applyUpdate(doc, update);
    return boardHistoryOf(doc, changes);
  } finally {
    doc.destroy();
  }
}

/** When a card last became confirmed and stayed so (null when it is not confirmed now). */
export function confirmedAt(card: CardHistory): ValueChange<HypothesisStatus> | null {
  if (card.status !== 'confirmed') return null;
  for (let i = card.statuses.length - 1; i >= 0; i--) {
    if (card.statuses[i].value !== 'confirmed') return card.statuses[i + 1] ?? null;
  }
  return card.statuses[0] ?? null;
}
