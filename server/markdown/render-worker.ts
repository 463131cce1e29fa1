/**
 * The Markdown worker thread: renders one source per message, in order. A
 * field at its size limit made of the worst Markdown still takes a few
 * hundred milliseconds in markdown-it (runs of "[" are its slowest case);
 * here that time is not taken from everyone else's requests.
 */
import { parentPort } from 'node:worker_threads';
import { renderMarkdown } from '../shared/markdown.ts';

export type RenderRequest = { id: number; source: string };
export type RenderReply = { id: number; ok: true; html: string } | { id: number; ok: false; error: string };

parentPort!.on('message', ({ id, source }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, ok: true, html: renderMarkdown(source) };
  } catch (error) {
    reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
