/**
 * An update with its runs of typing written as one struct each, as Yjs
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
 * it is applied to ends the same. The deletions are written unchanged.
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

/** `update` (Yjs v1 encoding) with consecutive items merged into runs; the update itself when nothing merges. */
export function mergeRuns(update: Uint8Array): Uint8Array {
  const { structs, ds } = Y.decodeUpdate(update) as unknown as { structs: Struct[]; ds: DeleteSet };
  const byClient = new Map<number, Struct[]>();
  let merged = false;
  for (const struct of structs) {
    const list = byClient.get(struct.id.client);
    if (!list) {
      byClient.set(struct.id.client, [struct]);
      continue;
    }
    const last = list[list.length - 1];
    if (!(struct instanceof Y.Skip) && !(last instanceof Y.Skip) && absorb(last, struct)) merged = true;
    else list.push(struct);
  }
  if (!merged) return update;
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, list] of byClient) {
    encoding.writeVarUint(encoder.restEncoder, list.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, list[0].id.clock);
    for (const struct of list) struct.write(encoder, 0);
  }
  writeDeletions(encoder, ds.clients);
  return encoder.toUint8Array();
}
