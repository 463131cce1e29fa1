import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { parseMessage } from '../../server/collab/protocol.ts';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import type { Sql } from '../../server/db/sql.ts';

/**
 * Same inserted ids and same deleted ids. Yjs content behind an id never
 * changes, so for documents with a common history this is "same content".
 */
export function sameDocument(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}

/** `count` timeline entries from one client, as one update. */
export function timelineEntries(clientID: number, from: number, count: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  doc.transact(() => {
    for (let i = from; i < from + count; i++) doc.getMap('timeline').set(`entry-${i}`, `Entry ${i}: checked the dashboards again`);
  });
  return Y.encodeStateAsUpdate(doc);
}

/** The updates in frames a server sent (updates and sync step 2 replies). */
export const updatesSent = (frames: Uint8Array[]) => frames.map(parseMessage).flatMap((m) => (m.type === 'update' || m.type === 'sync-step-2' ? [m.update] : []));

/** What a client holding nothing but the frames it was sent would have. */
export function receivedDocument(frames: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  for (const update of updatesSent(frames)) Y.applyUpdate(doc, update);
  return doc;
}

/** A room's document as a fresh copy: one on the document thread is not on this thread (room.doc throws). */
export async function documentOf(room: { encodeDiff(stateVector: Uint8Array): Uint8Array | Promise<Uint8Array> }): Promise<Y.Doc> {
  const doc = new Y.Doc({ gc: false });
  Y.applyUpdate(doc, await room.encodeDiff(Y.encodeStateVector(new Y.Doc())));
  return doc;
}

/** The document as a fresh server would load it from the database. */
export async function reloadDocument(sql: Sql, docId: string): Promise<Y.Doc> {
  const loaded = await sqlDocumentStore(sql).load(docId);
  const doc = new Y.Doc({ gc: false });
  for (const update of loaded.updates) Y.applyUpdate(doc, update);
  return doc;
}

/** A y-websocket sync message by hand: type 0, subtype, payload. */
export function syncFrame(subtype: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, subtype);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/**
 * Searches (deterministically, bounded) for an update that passes
 * Y.decodeUpdate yet throws half-way through Y.applyUpdate on a document in
 * state `base`, after changing it: the worst kind of corrupt update. `base`
 * must hold a Y.Map at m.nested, written by Yjs client 1: writes into nested
 * types reference their parent by id, and with small client ids a flipped
 * byte lands on an existing item instead of a missing one, which throws late.
 */
export function findHalfApplyingUpdate(base: Uint8Array): Uint8Array {
  const source = new Y.Doc();
  source.clientID = 2;
  Y.applyUpdate(source, base);
  const before = Y.encodeStateVector(source);
  source.getText('t').insert(0, 'XYZ');
  source.getMap('m').set('k', { nested: true });
  source.getArray('a').insert(0, [1, 2, 3]);
  source.getText('t').delete(3, 2);
  (source.getMap('m').get('nested') as Y.Map<unknown>).set('inner', new Y.Array());
  const update = Y.encodeStateAsUpdate(source, before);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let attempt = 0; attempt < 50_000; attempt++) {
    const candidate = Uint8Array.from(update);
    const flips = 1 + (random() % 3);
    for (let i = 0; i < flips; i++) candidate[random() % candidate.length] = random() % 256;
    try {
      Y.decodeUpdate(candidate);
    } catch {
      continue;
    }
    const target = new Y.Doc({ gc: false });
    Y.applyUpdate(target, base);
    let changed = false;
    target.on('update', () => (changed = true));
    try {
      Y.applyUpdate(target, candidate);
    } catch {
      if (changed) return candidate;
    }
  }
  throw new Error('no half-applying update found');
}

/**
 * Two updates by Yjs client 2 that claim the same id with different content,
 * on top of `base` ("safe" typed by client 1). `forged` hangs its "!" on an
 * item of a client nobody has (0), so a document holding `base` keeps it
 * pending; `honest` hangs "?" on the last letter of "safe" and applies.
 * Applied in that order the document reads "safe?".
 */
export function sameIdTwice(): { base: Uint8Array; forged: Uint8Array; honest: Uint8Array } {
  const source = new Y.Doc();
  source.clientID = 1;
  source.getText('t').insert(0, 'safe');
  const base = Y.encodeStateAsUpdate(source);
  const elsewhere = new Y.Doc();
  elsewhere.clientID = 0;
  elsewhere.getText('t').insert(0, 'abcd');
  const beforeForged = Y.encodeStateVector(elsewhere);
  elsewhere.clientID = 2;
  elsewhere.getText('t').insert(4, '!');
  const forged = Y.encodeStateAsUpdate(elsewhere, beforeForged);
  const writer = new Y.Doc();
  writer.clientID = 2;
  Y.applyUpdate(writer, base);
  const beforeHonest = Y.encodeStateVector(writer);
  writer.getText('t').insert(4, '?');
  return { base, forged, honest: Y.encodeStateAsUpdate(writer, beforeHonest) };
}

/** A y-websocket awareness message by hand: type 1, then (clientID, clock, JSON state) entries. */
export function awarenessFrame(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientId);
    encoding.writeVarUint(inner, entry.clock);
    encoding.writeVarString(inner, JSON.stringify(entry.state));
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

/** The Yjs update inside a sync step 2 or update frame. */
export function syncPayload(frame: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(frame);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}

/**
 * Two updates as one, `first`'s structs before `second`'s, byte for byte:
 * Y.mergeUpdates would re-encode them and drop a corrupt update's damage.
 * `first` must delete nothing; the result carries `second`'s deletions.
 */
export function spliceUpdates(first: Uint8Array, second: Uint8Array): Uint8Array {
  if (first[first.length - 1] !== 0) throw new Error('spliceUpdates: the first update must delete nothing');
  const a = decoding.createDecoder(first);
  const aClients = decoding.readVarUint(a);
  const b = decoding.createDecoder(second);
  const bClients = decoding.readVarUint(b);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, aClients + bClients);
  // Version 1 encodes each client's structs on their own, so the client blocks can be laid side by side.
  encoding.writeUint8Array(encoder, first.subarray(a.pos, first.length - 1));
  encoding.writeUint8Array(encoder, second.subarray(b.pos));
  return encoding.toUint8Array(encoder);
}
