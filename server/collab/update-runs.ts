/**
 * Updates with their runs of typing written as one struct each, as Yjs
 * itself writes a document. Y.mergeUpdates joins updates but keeps every
 * struct it was given: a segment of 500 keystrokes holds 500 one-character
 * items, and applying them one by one was most of a restarted server's first
 * sync (10,000 items: ~40 ms, where the same text as one item takes well
 * under one). The live document merges them as it goes (Yjs's cleanup after
 * each transaction), and Y.encodeStateAsUpdate writes the merged items; this
 * does the same to an encoded update, without a document.
 *
 * Two items merge when the second continues the first exactly as Yjs's own
 * Item.mergeWith requires of neighbours: same client, next clock, its left
 * origin the first one's last character, the same right origin, and content
 * of a kind that concatenates. Integrating the merged item is integrating the
 * two one after the other (that is how Yjs reads any item longer than one),
 * and anything inserted between them later splits it back, so every document
 * it is applied to ends the same. Deletions are merged as Yjs merges them.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { writeDeletions, type DeleteSet } from './update-pieces.ts';

type Struct = Y.Item | Y.GC | Y.Skip;

const sameId = (a: Y.ID | null, b: Y.ID | null) => a === b || (a !== null && b !== null && a.client === b.client && a.clock === b.clock);

/** Whether `right` continues `left` (and then merges it into `left`). */
function absorb(left: Struct, right: Struct): boolean {
  if (left.id.client !== right.id.client || left.id.clock + left.length !== right.id.clock) return false;
  if (left instanceof Y.GC && right instanceof Y.GC) {
    left.length += right.length;
    return true;
  }
  if (!(left instanceof Y.Item && right instanceof Y.Item)) return false;
  const origin = right.origin;
  if (origin === null || origin.client !== left.id.client || origin.clock !== left.id.clock + left.length - 1) return false;
  if (!sameId(left.rightOrigin, right.rightOrigin) || left.content.constructor !== right.content.constructor) return false;
  // Strings, plain values, JSON and deleted content concatenate; types, formats, embeds and sub-documents never do.
  if (!left.content.mergeWith(right.content as never)) return false;
  left.length += right.length;
  return true;
}

/**
 * Updates that claim disjoint ids (see claimed-ids.ts) as one, written as
 * runs; a single update comes back as itself when nothing in it merges.
 * For updates that claim the same ids it gives what Y.mergeUpdates gives.
 * Done in one pass: Y.mergeUpdates re-sorts its inputs for every struct it
 * writes, so merging a log of 500 keystrokes cost more than applying them.
 */
export function mergeRuns(updates: Uint8Array[]): Uint8Array {
  const byClient = new Map<number, Struct[]>();
  const deletions: DeleteSet[] = [];
  for (const update of updates) {
    const { structs, ds } = Y.decodeUpdate(update) as unknown as { structs: Struct[]; ds: DeleteSet };
    for (const struct of structs) {
      if (struct instanceof Y.Skip) continue;
      const list = byClient.get(struct.id.client);
      if (list) list.push(struct);
      else byClient.set(struct.id.client, [struct]);
    }
    deletions.push(ds);
  }
  let merged = false;
  const runs = new Map<number, Struct[]>();
  for (const client of [...byClient.keys()].sort((a, b) => b - a)) {
    const structs = byClient.get(client)!;
    if (updates.length > 1) structs.sort((a, b) => a.id.clock - b.id.clock);
    const list: Struct[] = [structs[0]];
    for (const struct of structs.slice(1)) {
      const last = list[list.length - 1];
      const end = last.id.clock + last.length;
      if (struct.id.clock < end) return runsOf(Y.mergeUpdates(updates));
      if (struct.id.clock > end) list.push(new Y.Skip(Y.createID(client, end), struct.id.clock - end), struct);
      else if (absorb(last, struct)) merged = true;
      else list.push(struct);
    }
    runs.set(client, list);
  }
  if (!merged && updates.length === 1) return updates[0];
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, runs.size);
  for (const [client, list] of runs) {
    encoding.writeVarUint(encoder.restEncoder, list.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, list[0].id.clock);
    for (const struct of list) struct.write(encoder, 0);
  }
  writeDeletions(encoder, updates.length === 1 ? deletions[0].clients : (Y.mergeDeleteSets(deletions as never) as unknown as DeleteSet).clients);
  return encoder.toUint8Array();
}

/** Overlapping updates, merged by Yjs (which keeps the first copy of an id), then as runs. */
const runsOf = (update: Uint8Array) => mergeRuns([update]);
