import type * as Y from 'yjs';
import type { LiveDocuments } from '../incidents/live.ts';

/** Reads a live document without changing it: an empty change writes and sends nothing (Room.change). */
export async function readLive<T>(live: LiveDocuments, docId: string, read: (doc: Y.Doc) => T): Promise<T> {
  const box: { value?: T } = {};
  await live.changeDocument(docId, null, (doc) => {
    box.value = read(doc);
  });
  return box.value as T;
}
