/**
 * One large Yjs update as many small ones. Applying an update is one
 * synchronous call whose cost grows with the structs it holds: a stored row
 * of 1,000 timeline entries (one big paste, or one segment of a large
 * document) kept the server from answering anyone for 50 ms to over a
 * second. Cut into pieces of a few hundred structs, the same work can be
 * done a piece at a time with the event loop free in between.
 *
 * A piece is a run of one client's consecutive structs, written exactly as
 * Yjs writes them (lazily read structs keep their parent as a root name or
 * an id, which `write` handles); the deletions go last, in pieces of their
 * own. Applied in order the pieces give the same document as the update.
 * A piece may need another client's structs from a later piece of the same
 * update; Yjs keeps it pending until they arrive, so the order is only a
 * matter of speed, and by the last piece nothing is pending.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** Structs per piece: applying this many stays far below a slice of work (see segments.ts). */
export const PIECE_STRUCTS = 250;
/** Updates smaller than this are applied whole: splitting them costs more than it saves. */
export const SPLIT_ABOVE_BYTES = 32 * 1024;

type Struct = Y.Item | Y.GC | Y.Skip;
type Ranges = Map<number, { clock: number; len: number }[]>;
export type DeleteSet = { clients: Ranges };

function encodeRun(run: Struct[]): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, 1);
  encoding.writeVarUint(encoder.restEncoder, run.length);
  encoder.writeClient(run[0].id.client);
  encoding.writeVarUint(encoder.restEncoder, run[0].id.clock);
  for (const struct of run) struct.write(encoder, 0);
  // An empty delete set.
  encoding.writeVarUint(encoder.restEncoder, 0);
  return encoder.toUint8Array();
}

/** The delete set part of an update, as Yjs writes it. */
export function writeDeletions(encoder: Y.UpdateEncoderV1, clients: Ranges): void {
  encoding.writeVarUint(encoder.restEncoder, clients.size);
  for (const [client, ranges] of clients) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const range of ranges) {
      encoder.writeDsClock(range.clock);
      encoder.writeDsLen(range.len);
    }
  }
}

/** Deleted ranges as updates of at most `maxRanges` ranges each (deleting a range costs about as much as applying a struct). */
function encodeDeletions(ds: DeleteSet, maxRanges: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let part: Ranges = new Map();
  let count = 0;
  const flush = () => {
    if (count === 0) return;
    const encoder = new Y.UpdateEncoderV1();
    encoding.writeVarUint(encoder.restEncoder, 0);
    writeDeletions(encoder, part);
    pieces.push(encoder.toUint8Array());
    part = new Map();
    count = 0;
  };
  for (const [client, ranges] of ds.clients) {
    for (const range of ranges) {
      const forClient = part.get(client) ?? [];
      if (forClient.length === 0) part.set(client, forClient);
      forClient.push(range);
      if (++count >= maxRanges) flush();
    }
  }
  flush();
  return pieces;
}

/** `update` (Yjs v1 encoding) as pieces of at most `maxStructs` structs each, or itself when it is small. */
export function splitUpdate(update: Uint8Array, maxStructs = PIECE_STRUCTS, decoded = Y.decodeUpdate(update)): Uint8Array[] {
  const { structs, ds } = decoded as unknown as { structs: Struct[]; ds: DeleteSet };
  const ranges = [...ds.clients.values()].reduce((sum, list) => sum + list.length, 0);
  if (structs.length <= maxStructs && ranges <= maxStructs) return [update];
  const pieces: Uint8Array[] = [];
  let run: Struct[] = [];
  const flush = () => {
    if (run.length) pieces.push(encodeRun(run));
    run = [];
  };
  for (const struct of structs) {
    // A Skip marks a gap in a merged update: nothing to apply, and the run after it starts at a new clock.
    if (struct instanceof Y.Skip) {
      flush();
      continue;
    }
    const last = run[run.length - 1];
    if (last && (last.id.client !== struct.id.client || last.id.clock + last.length !== struct.id.clock)) flush();
    run.push(struct);
    if (run.length >= maxStructs) flush();
  }
  flush();
  pieces.push(...encodeDeletions(ds, maxStructs));
  return pieces;
}
