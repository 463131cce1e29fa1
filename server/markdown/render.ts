/**
 * Markdown → HTML for the server, off the main thread: what people publish
 * (updates, postmortems) is rendered in one worker thread (see
 * threads/worker-client.ts). Short sources, which render in
 * well under a millisecond, are rendered in place; the output is identical
 * either way (the same renderMarkdown, shared with the browser's preview).
 *
 * Render before opening a transaction: with embedded PGlite a transaction
 * holds the only connection, and every live document's commit would wait
 * for the render as well.
 */
import { renderMarkdown } from '../shared/markdown.ts';
import { WorkerClient } from '../threads/worker-client.ts';

/** Below this many characters rendering costs less than a message to the worker. */
const IN_PLACE_BELOW = 2_000;

// Stopped when idle: rendering a large source grows the thread's heap, which goes back only with the thread.
const worker = new WorkerClient<string, string>(new URL('./render-worker.ts', import.meta.url), { name: 'markdown worker', idleStopMs: 2000 });

/** Markdown → HTML that is safe to insert into a page as is, rendered off the main thread when it is long. */
export function renderMarkdownOffThread(source: string): Promise<string> {
  if (source.length < IN_PLACE_BELOW) return Promise.resolve(renderMarkdown(source));
  return worker.request(source);
}
