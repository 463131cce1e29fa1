/**
 * A large room's document, kept on the document thread (document-thread.ts)
 * instead of the event loop: building a 100,000-entry war room took seconds
 * of slices whose garbage collections (30–60 ms each, every 100–200 ms)
 * delayed every keystroke in every other room, and its Y.Doc held hundreds
 * of MB on the event loop's heap.
 *
 * The room asks for one change at a time and holds its other work meanwhile,
 * as it does while applying a large update in pieces (room.ts), so changes
 * are applied, committed and sent in the order they came. The thread answers
 * in the order it was asked, so a diff holds exactly the changes whose
 * answers came before it (see sync-replies.ts).
 *
 * The thread starts with the first large room and stops a moment after the
 * last one is gone, giving its memory back. If it dies, every request of its
 * rooms fails and each room loads its document again.
 */
import { slicer } from '../threads/slices.ts';
import { WorkerClient } from '../threads/worker-client.ts';
import type { DocumentReply, DocumentWork, Loaded, Outcome } from './document-thread.ts';
import type { LoadedDocument } from './storage.ts';

export type { Outcome } from './document-thread.ts';

type Thread = WorkerClient<DocumentWork, DocumentReply>;

/** The document thread, started with the module of the server's commands (one per module: in practice one). */
const threads = new Map<string, Thread>();

function threadFor(commandsModule: string | null): Thread {
  const key = commandsModule ?? '';
  let thread = threads.get(key);
  if (!thread) {
    thread = new WorkerClient(new URL('./document-thread.ts', import.meta.url), { name: 'document thread', idleStopMs: null, workerData: { commandsModule } });
    threads.set(key, thread);
  }
  return thread;
}

/** How long the thread is kept once it holds no document: a room unloaded and opened again soon finds it warm. */
const STOP_AFTER_MS = 2_000;
const hostedDocuments = new Set<HostedDocument>();
let stopTimer: NodeJS.Timeout | null = null;

function hosting(document: HostedDocument): void {
  hostedDocuments.add(document);
  if (stopTimer) clearTimeout(stopTimer);
  stopTimer = null;
}

function released(document: HostedDocument): void {
  if (!hostedDocuments.delete(document) || hostedDocuments.size > 0) return;
  stopTimer = setTimeout(() => {
    stopTimer = null;
    if (hostedDocuments.size === 0) for (const thread of threads.values()) thread.stop();
  }, STOP_AFTER_MS);
  stopTimer.unref();
}

/** Each hosted copy has a key of its own: a room reloading its document drops the old copy after the new one is built. */
let nextKey = 1;

/**
 * Each update in a buffer of its own, with turns of the event loop between
 * slices of the work. `new Uint8Array(update)` copies; `slice` would not on
 * a Node Buffer (postgres.js returns bytea as Buffers, views of one read
 * buffer), and handing over that buffer would take it from everyone else.
 */
async function copiesInSlices(updates: readonly Uint8Array[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const pause = slicer();
  const copies: Uint8Array<ArrayBuffer>[] = [];
  for (const update of updates) {
    copies.push(new Uint8Array(update));
    await pause();
  }
  return copies;
}

export class HostedDocument {
  readonly #key: string;
  readonly #thread: Thread;
  /** The document's state vector after the last answer (what a sync step 1 and a backlog's catch-up start from). */
  stateVector: Uint8Array;
  #dropped = false;

  private constructor(key: string, thread: Thread, stateVector: Uint8Array) {
    this.#key = key;
    this.#thread = thread;
    this.stateVector = stateVector;
  }

  /**
   * Builds the document on the thread from what storage holds. The room
   * keeps its segments to stream them, so the thread gets copies, made a
   * slice at a time and handed over rather than cloned: one structured
   * clone of a 50,000-entry room's 16 MB held the event loop for 99 ms.
   * `commandsModule`: the URL of the server's commands (see
   * document-commands.ts), or null.
   */
  static async load(
    docId: string,
    loaded: LoadedDocument,
    commandsModule: string | null,
  ): Promise<{ document: HostedDocument; coverage: Loaded['coverage']; storedState: Loaded['storedState'] }> {
    const key = `${docId}#${nextKey++}`;
    const thread = threadFor(commandsModule);
    const updates = await copiesInSlices(loaded.updates);
    const reply = (await thread.request({ kind: 'load', docId: key, updates, segmentCount: loaded.segmentCount }, updates.map((update) => update.buffer))) as Loaded;
    const document = new HostedDocument(key, thread, reply.stateVector);
    hosting(document);
    return { document, coverage: reply.coverage, storedState: reply.storedState };
  }

  /** A client's update, or (`committed`) one another process already stored. The update is copied: the room keeps it to store. */
  async apply(update: Uint8Array, committed: boolean): Promise<Outcome> {
    return this.#mirror((await this.#thread.request({ kind: 'apply', docId: this.#key, update, committed })) as Outcome);
  }

  async command(command: unknown): Promise<Outcome> {
    return this.#mirror((await this.#thread.request({ kind: 'command', docId: this.#key, command })) as Outcome);
  }

  /** What the document holds beyond `stateVector`, as one update. */
  async diff(stateVector: Uint8Array): Promise<Uint8Array> {
    return ((await this.#thread.request({ kind: 'diff', docId: this.#key, stateVector })) as { diff: Uint8Array }).diff;
  }

  /** Lets the document go on the thread (once). */
  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#thread.request({ kind: 'drop', docId: this.#key }).catch(() => {
      // The thread is gone, and the document with it.
    });
    released(this);
  }

  #mirror(outcome: Outcome): Outcome {
    if ('stateVector' in outcome) this.stateVector = outcome.stateVector;
    return outcome;
  }
}
