/**
 * The worker thread that cuts large stored updates into pieces (see
 * update-pieces.ts). Decoding and re-encoding a row of a thousand timeline
 * entries takes tens of milliseconds; here it is taken from nobody.
 */
import { parentPort } from 'node:worker_threads';
import { splitUpdate } from './update-pieces.ts';

export type SplitRequest = { id: number; update: Uint8Array };
export type SplitReply = { id: number; ok: true; pieces: Uint8Array[] } | { id: number; ok: false; error: string };

parentPort!.on('message', ({ id, update }: SplitRequest) => {
  let reply: SplitReply;
  try {
    reply = { id, ok: true, pieces: splitUpdate(update) };
  } catch (error) {
    reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply, reply.ok ? reply.pieces.map((piece) => piece.buffer as ArrayBuffer) : []);
});
