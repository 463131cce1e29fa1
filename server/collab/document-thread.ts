/**
 * The document thread: holds the Y.Docs of large rooms and does all of their
 * Yjs work (building them from storage, applying clients' and the server's
 * changes, encoding diffs), so a 100,000-entry war room being opened, written
 * to or closed never holds the event loop every other room waits on. The
 * event loop keeps the rest (sockets, commits, fan-out, presence) and asks
 * here for each change in order, one request at a time per room (see
 * hosted-document.ts); requests are answered in the order they came.
 *
 * A change that throws may leave its document half-changed: the document is
 * dropped here and the room loads it again, as a room on the event loop does.
 */
import * as Y from 'yjs';
import { workerData } from 'node:worker_threads';
import type { DocumentCommands } from './document-commands.ts';
import { createLogger } from '../log.ts';
import { lowerThisThreadsPriority } from '../threads/background-priority.ts';
import { serveRequests } from '../threads/serve-requests.ts';
import { ChangeCapture, type CapturedChange } from './change-capture.ts';
import { buildDocAtOnce, isPending, stateOf } from './segments.ts';

export type DocumentWork =
  | { kind: 'load'; docId: string; updates: Uint8Array[]; segmentCount: number }
  /** `committed`: a change another process already stored (cluster mode). */
  | { kind: 'apply'; docId: string; update: Uint8Array; committed: boolean }
  | { kind: 'command'; docId: string; command: unknown }
  | { kind: 'diff'; docId: string; stateVector: Uint8Array }
  | { kind: 'drop'; docId: string };

export interface Loaded {
  /** The state the stored segments give, and the state of everything stored (null: not known exactly, see stored-state.ts). */
  coverage: Map<number, number> | null;
  storedState: Map<number, number> | null;
  stateVector: Uint8Array;
}

/** What a change did: as a room on the event loop captures it (change-capture.ts), plus what the room mirrors. */
export type Outcome =
  | {
      change: CapturedChange | null;
      /** Some structs wait for others: the stored state is no longer known from ids. */
      pending: boolean;
      stateVector: Uint8Array;
      /** A command's result. */
      result?: unknown;
    }
  /** It threw: the document was dropped here, and the room must load it again. */
  | { failed: string };

export type DocumentReply = Loaded | Outcome | { diff: Uint8Array } | null;

interface Hosted {
  doc: Y.Doc;
  capture: ChangeCapture;
}

// Below the event loop's priority (see background-priority.ts): building a large document takes seconds of CPU, which
// at equal priority halved the core left for every other room's keystrokes. A change to a document already built is
// a millisecond or two, so a large room's own typists lose little when the event loop is busy.
lowerThisThreadsPriority();

const log = createLogger('error');
/** The server's named changes (see document-commands.ts), from the module the thread was started with. */
const { commandsModule } = (workerData ?? {}) as { commandsModule: string | null };
const runCommand: DocumentCommands['run'] | null = commandsModule ? (await import(commandsModule)).runDocumentCommand : null;
const documents = new Map<string, Hosted>();
const COMMITTED_ELSEWHERE = Symbol('committed elsewhere');

function hosted(docId: string): Hosted {
  const found = documents.get(docId);
  if (!found) throw new Error(`document ${docId} is not on the document thread`);
  return found;
}

function drop(docId: string): void {
  const found = documents.get(docId);
  if (!found) return;
  documents.delete(docId);
  found.capture.destroy();
  found.doc.destroy();
}

function change(docId: string, mutate: (doc: Y.Doc) => unknown, raw: Uint8Array | null): Outcome {
  const { doc, capture } = hosted(docId);
  let result: unknown;
  let change;
  try {
    change = capture.run(() => {
      result = mutate(doc);
    }, raw);
  } catch (error) {
    drop(docId);
    return { failed: error instanceof Error ? error.message : String(error) };
  }
  return { change, pending: isPending(doc), stateVector: Y.encodeStateVector(doc), result };
}

/** Buffers a reply may hand over instead of copying: each one once, and only those the reply's bytes own whole. */
function owned(...arrays: (Uint8Array | null | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) {
    if (array && array.byteOffset === 0 && array.byteLength === array.buffer.byteLength) buffers.add(array.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** Byte arrays among a command result's values, or in arrays there (see DocumentCommands.run). */
function resultBytes(result: unknown): Uint8Array[] {
  if (result instanceof Uint8Array) return [result];
  if (result === null || typeof result !== 'object') return [];
  return Object.values(result)
    .flat()
    .filter((value): value is Uint8Array => value instanceof Uint8Array);
}

/** A change's outcome, its bytes handed over (nothing here needs them once it is answered). */
function answer(outcome: Outcome): { reply: Outcome; transfer: ArrayBuffer[] } {
  if (!('change' in outcome)) return { reply: outcome, transfer: [] };
  return { reply: outcome, transfer: owned(outcome.change?.update, outcome.change?.broadcast, ...resultBytes(outcome.result)) };
}

serveRequests((work: DocumentWork): { reply: DocumentReply; transfer?: ArrayBuffer[] } => {
  switch (work.kind) {
    case 'load': {
      const { doc, coverage } = buildDocAtOnce(work.updates, work.segmentCount);
      documents.set(work.docId, { doc, capture: new ChangeCapture(doc, work.docId, log) });
      return { reply: { coverage, storedState: stateOf(doc), stateVector: Y.encodeStateVector(doc) } };
    }
    case 'apply': {
      const origin = work.committed ? COMMITTED_ELSEWHERE : null;
      return answer(change(work.docId, (doc) => Y.applyUpdate(doc, work.update, origin), work.update));
    }
    case 'command': {
      if (!runCommand) throw new Error('this server was started without document commands');
      return answer(change(work.docId, (doc) => doc.transact(() => runCommand(doc, work.command), null), null));
    }
    case 'diff': {
      const diff = Y.encodeStateAsUpdate(hosted(work.docId).doc, work.stateVector);
      return { reply: { diff }, transfer: owned(diff) };
    }
    case 'drop':
      drop(work.docId);
      return { reply: null };
  }
});
