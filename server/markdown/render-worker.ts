/**
 * The Markdown worker thread: renders one source per request, in order. A
 * field at its size limit made of the worst Markdown still takes a few
 * hundred milliseconds in markdown-it (runs of "[" are its slowest case);
 * here that time is not taken from everyone else's requests.
 */
import { renderMarkdown } from '../shared/markdown.ts';
import { serveRequests } from '../threads/serve-requests.ts';

serveRequests((source: string) => ({ reply: renderMarkdown(source) }));
