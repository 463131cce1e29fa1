/**
 * A first sync's storage and Yjs work, done once on a document that does not
 * exist, before a restarted server takes connections. Every client reconnects
 * at once after a restart, and the first one waited for each query plan, and
 * each function of the load and reply path, to be made for the first time
 * (with embedded PGlite, on the server's own thread).
 */
import * as Y from 'yjs';
import { buildDoc, mergeIntoSegments } from './segments.ts';
import type { DocumentStore } from './storage.ts';

export async function warmUpFirstSync(store: DocumentStore): Promise<void> {
  await store.load('warm-up');
  const writer = new Y.Doc();
  const rows: Uint8Array[] = [];
  writer.on('update', (update: Uint8Array) => rows.push(update));
  for (const char of 'warm') writer.getText('t').insert(writer.getText('t').length, char);
  const segments = await mergeIntoSegments(rows.slice(0, 2));
  const doc = await buildDoc([...segments, ...rows.slice(2)], segments.length, (d) => Y.encodeStateVector(d));
  Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc()));
  doc.destroy();
  writer.destroy();
}
