/**
 * The worker thread for Yjs work on large updates that needs no document:
 * cutting them into pieces (see update-pieces.ts), checking a client's
 * update before it is applied, merging what applying one emitted, and
 * merging log rows into segments.
 * Decoding and re-encoding a thousand timeline entries takes tens to
 * hundreds of milliseconds; here it is taken from nobody.
 */
import * as Y from 'yjs';
import { serveRequests } from '../threads/serve-requests.ts';
import { describeDecoded, type UpdateIds } from './history.ts';
import { segmentsOf } from './segment-merge.ts';
import { splitUpdate } from './update-pieces.ts';

export type UpdateWork =
  /** A stored update, as pieces that apply to the same result in order. */
  | { kind: 'split'; update: Uint8Array }
  /** A client's update: whether it decodes, whether it carries anything, its pieces and the ids it claims. */
  | { kind: 'inspect'; update: Uint8Array }
  | { kind: 'merge'; updates: Uint8Array[] }
  /** Log rows merged into snapshot segments (compaction). */
  | { kind: 'segments'; rows: Uint8Array[] };

export type Inspected = { malformed: string } | { empty: boolean; pieces: Uint8Array[]; ids: UpdateIds };

export type UpdateWorkReply = { pieces: Uint8Array[] } | Inspected | { merged: Uint8Array } | { segments: Uint8Array[] };

function inspect(update: Uint8Array): Inspected {
  let decoded;
  try {
    decoded = Y.decodeUpdate(update);
  } catch (error) {
    return { malformed: error instanceof Error ? error.message : String(error) };
  }
  const empty = decoded.structs.length === 0 && decoded.ds.clients.size === 0;
  return { empty, pieces: splitUpdate(update, undefined, decoded), ids: describeDecoded(decoded) };
}

const buffers = (pieces: Uint8Array[]) => pieces.map((piece) => piece.buffer as ArrayBuffer);

serveRequests((work: UpdateWork): { reply: UpdateWorkReply; transfer?: ArrayBuffer[] } => {
  switch (work.kind) {
    case 'split': {
      const pieces = splitUpdate(work.update);
      return { reply: { pieces }, transfer: buffers(pieces) };
    }
    case 'inspect': {
      const inspected = inspect(work.update);
      return { reply: inspected, transfer: 'pieces' in inspected ? buffers(inspected.pieces) : [] };
    }
    case 'merge': {
      const merged = Y.mergeUpdates(work.updates);
      return { reply: { merged }, transfer: [merged.buffer as ArrayBuffer] };
    }
    case 'segments': {
      // Copied back, not transferred: a segment that is a row as it came may share its buffer with other rows.
      return { reply: { segments: segmentsOf(work.rows) } };
    }
  }
});
