/**
 * The replay worker thread: holds the loaded war-room histories and does all
 * their Yjs work (applying a large snapshot takes seconds), so the main
 * thread keeps answering everyone else. Messages are handled one at a time,
 * in order; the main thread (service.ts) decides what is loaded and when.
 */
import { parentPort } from 'node:worker_threads';
import { ReplayDocument } from './engine.ts';
import { lowerThisThreadsPriority } from '../threads/background-priority.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

lowerThisThreadsPriority();

const documents = new Map<string, ReplayDocument>();

function loaded(docId: string): ReplayDocument {
  const document = documents.get(docId);
  if (!document) throw new Error(`not_loaded: ${docId}`);
  return document;
}

function handle(request: WorkerRequest): string | null {
  switch (request.type) {
    case 'reset':
      documents.set(request.docId, new ReplayDocument());
      return null;
    case 'changes':
      loaded(request.docId).addChanges(request.changes);
      return null;
    case 'updates':
      loaded(request.docId).applyUpdates(request.updates);
      return null;
    case 'view':
      return loaded(request.docId).view(request.at, request.limits);
    case 'steps':
      return loaded(request.docId).steps();
    case 'drop':
      documents.get(request.docId)?.doc.destroy();
      documents.delete(request.docId);
      return null;
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, ok: true, result: handle(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
