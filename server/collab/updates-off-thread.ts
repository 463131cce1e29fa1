/**
 * Yjs work on large updates, on a worker thread (update-worker.ts): for a
 * room loading a large document, the stored updates are cut into pieces
 * that are applied one slice at a time on the main thread (segments.ts)
 * while the worker cuts the next ones; for a client's large update, it is
 * checked and cut the same way, and what applying it emitted is merged
 * there (room.ts). Requests copy what they send: the callers keep their
 * bytes, to store them or stream them. The thread stops once it has been idle for a moment, so
 * its memory goes back after a large load.
 */
import { WorkerClient } from '../threads/worker-client.ts';
import type { Inspected, UpdateWork, UpdateWorkReply } from './update-worker.ts';
import { SPLIT_ABOVE_BYTES } from './update-pieces.ts';

export type { Inspected } from './update-worker.ts';

const worker = new WorkerClient<UpdateWork, UpdateWorkReply>(new URL('./update-worker.ts', import.meta.url), { name: 'update worker', idleStopMs: 2000 });

/** Whether an update is large enough that decoding or applying it in one go would hold the event loop. */
export const isLarge = (update: Uint8Array) => update.byteLength >= SPLIT_ABOVE_BYTES;

/**
 * Each update as pieces that apply to the same result in order: small ones
 * as they are, large ones cut off the main thread. The returned promises
 * settle in order, each as soon as its own update is done.
 */
export function splitLargeUpdates(updates: readonly Uint8Array[]): Promise<Uint8Array[]>[] {
  return updates.map(async (update) => {
    if (!isLarge(update)) return [update];
    const reply = (await worker.request({ kind: 'split', update })) as { pieces: Uint8Array[] };
    return reply.pieces;
  });
}

/** A client's update checked and cut into pieces; rejects only when the worker fails. */
export async function inspectOffThread(update: Uint8Array): Promise<Inspected> {
  return (await worker.request({ kind: 'inspect', update })) as Inspected;
}

export async function mergeOffThread(updates: Uint8Array[]): Promise<Uint8Array> {
  const reply = (await worker.request({ kind: 'merge', updates })) as { merged: Uint8Array };
  return reply.merged;
}

export async function mergeOffThreadIntoSegments(rows: Uint8Array[]): Promise<Uint8Array[]> {
  const reply = (await worker.request({ kind: 'segments', rows })) as { segments: Uint8Array[] };
  return reply.segments;
}
