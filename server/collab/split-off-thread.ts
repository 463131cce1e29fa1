/**
 * Large updates cut into pieces on a worker thread, for a room loading a
 * large document: the pieces are applied one slice at a time on the main
 * thread (segments.ts) while the worker cuts the next ones. The worker
 * starts on first use, never keeps the process alive, and stops once it
 * has been idle for a moment, so its memory goes back after a large load.
 */
import { Worker } from 'node:worker_threads';
import type { SplitReply, SplitRequest } from './split-worker.ts';
import { SPLIT_ABOVE_BYTES } from './update-pieces.ts';

const IDLE_STOP_MS = 2000;

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (pieces: Uint8Array[]) => void; reject: (error: Error) => void }>();

function failAll(error: Error): void {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

function stopWhenIdle(started: Worker): void {
  started.unref();
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (worker !== started || pending.size > 0) return;
    worker = null;
    void started.terminate();
  }, IDLE_STOP_MS);
  idleTimer.unref();
}

function ensureWorker(): Worker {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (worker) return worker;
  const started = new Worker(new URL('./split-worker.ts', import.meta.url));
  started.unref();
  started.on('message', (reply: SplitReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) stopWhenIdle(started);
    if (reply.ok) waiting.resolve(reply.pieces);
    else waiting.reject(new Error(`update splitting worker: ${reply.error}`));
  });
  // The loads in flight fail (their rooms answer "document unavailable" and log it); the next load starts a new worker.
  started.on('error', (error) => {
    if (worker === started) worker = null;
    failAll(error);
  });
  started.on('exit', (code) => {
    if (worker !== started) return;
    worker = null;
    failAll(new Error(`the update splitting worker stopped (exit code ${code})`));
  });
  worker = started;
  return started;
}

/**
 * Each update as pieces that apply to the same result in order: small ones
 * as they are, large ones cut off the main thread. The returned promises
 * settle in order, each as soon as its own update is done.
 */
export function splitLargeUpdates(updates: readonly Uint8Array[]): Promise<Uint8Array[]>[] {
  return updates.map((update) => {
    if (update.byteLength < SPLIT_ABOVE_BYTES) return Promise.resolve([update]);
    const target = ensureWorker();
    const id = nextId++;
    return new Promise<Uint8Array[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Kept alive while it owes an answer, so a script awaiting a load does not exit under it.
      target.ref();
      // Copied, not transferred: the room keeps the stored bytes (to stream segments, to compact the log).
      const request: SplitRequest = { id, update };
      target.postMessage(request);
    });
  });
}
