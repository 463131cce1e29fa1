/**
 * One worker thread that answers requests, from the main thread's side: the
 * thread starts on first use, never keeps the process alive while it owes
 * nothing, and (if asked) stops after being idle for a moment so its memory
 * goes back after a burst of large work. Requests in flight when the thread
 * dies fail; the next request starts a new thread.
 *
 * The thread's side is serve-requests.ts. Used for the CPU-heavy work that
 * would otherwise hold the event loop: Markdown rendering, cutting and
 * merging large Yjs updates.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './serve-requests.ts';

export class WorkerClient<Request, Reply> {
  readonly #url: URL;
  readonly #name: string;
  readonly #idleStopMs: number | null;
  readonly #workerData: unknown;
  #worker: Worker | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  /** `name` goes into error messages; `idleStopMs` null keeps the thread for the life of the process; `workerData` is handed to each thread started. */
  constructor(url: URL, options: { name: string; idleStopMs: number | null; workerData?: unknown }) {
    this.#url = url;
    this.#name = options.name;
    this.#idleStopMs = options.idleStopMs;
    this.#workerData = options.workerData;
  }

  /** Sends `request`; `transfer` lists buffers handed over instead of copied (the caller must not use them again). */
  request(request: Request, transfer: readonly TransferListItem[] = []): Promise<Reply> {
    const target = this.#ensure();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Kept alive while it owes an answer, so a script awaiting one does not exit under it.
      target.ref();
      const message: WorkerRequest<Request> = { id, request };
      target.postMessage(message, [...transfer]);
    });
  }

  /** Stops the thread now unless it owes replies (what it holds is let go); the next request starts a new one. */
  stop(): void {
    const running = this.#worker;
    if (!running || this.#pending.size > 0) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#worker = null;
    void running.terminate();
  }

  #ensure(): Worker {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    if (this.#worker) return this.#worker;
    const started = new Worker(this.#url, { workerData: this.#workerData });
    started.unref();
    started.on('message', (message: WorkerReply<Reply>) => {
      const waiting = this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id);
      if (this.#pending.size === 0) this.#becameIdle(started);
      if (message.ok) waiting.resolve(message.reply);
      else waiting.reject(new Error(`${this.#name}: ${message.error}`));
    });
    // The requests in flight fail (their callers decide what that means and log it).
    started.on('error', (error) => {
      if (this.#worker === started) this.#worker = null;
      this.#failAll(error);
    });
    started.on('exit', (code) => {
      if (this.#worker !== started) return;
      this.#worker = null;
      this.#failAll(new Error(`${this.#name} stopped (exit code ${code})`));
    });
    this.#worker = started;
    return started;
  }

  #becameIdle(started: Worker): void {
    started.unref();
    if (this.#idleStopMs === null) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#worker !== started || this.#pending.size > 0) return;
      this.#worker = null;
      void started.terminate();
    }, this.#idleStopMs);
    this.#idleTimer.unref();
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}
