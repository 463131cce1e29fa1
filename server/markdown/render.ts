/**
 * Markdown → HTML for the server, off the main thread: what people publish
 * (updates, postmortems) is rendered in one worker thread, started on first
 * use and never keeping the process alive. Short sources, which render in
 * well under a millisecond, are rendered in place; the output is identical
 * either way (the same renderMarkdown, shared with the browser's preview).
 *
 * Render before opening a transaction: with embedded PGlite a transaction
 * holds the only connection, and every live document's commit would wait
 * for the render as well.
 */
import { Worker } from 'node:worker_threads';
import { renderMarkdown } from '../shared/markdown.ts';
import type { RenderReply, RenderRequest } from './render-worker.ts';

/** Below this many characters rendering costs less than a message to the worker. */
const IN_PLACE_BELOW = 2_000;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (html: string) => void; reject: (error: Error) => void }>();

function failAll(error: Error): void {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./render-worker.ts', import.meta.url));
  started.unref();
  started.on('message', (reply: RenderReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    if (reply.ok) waiting.resolve(reply.html);
    else waiting.reject(new Error(`markdown worker: ${reply.error}`));
  });
  // The requests in flight fail (their callers answer 5xx and log it); the next render starts a new worker.
  started.on('error', (error) => {
    if (worker === started) worker = null;
    failAll(error);
  });
  started.on('exit', (code) => {
    if (worker !== started) return;
    worker = null;
    failAll(new Error(`the markdown worker stopped (exit code ${code})`));
  });
  worker = started;
  return started;
}

/** Markdown → HTML that is safe to insert into a page as is, rendered off the main thread when it is long. */
export function renderMarkdownOffThread(source: string): Promise<string> {
  if (source.length < IN_PLACE_BELOW) return Promise.resolve(renderMarkdown(source));
  const target = ensureWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Kept alive while it owes an answer, so a script awaiting a render does not exit under it.
    target.ref();
    const request: RenderRequest = { id, source };
    target.postMessage(request);
  });
}
