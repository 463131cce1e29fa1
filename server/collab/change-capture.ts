/**
 * What one change did to a room's Y.Doc: the updates the document emitted
 * while the change ran (what others must receive), and the update to store.
 * Anything the document emits outside of a captured change is a bug (it
 * would never be stored), so it is logged.
 */
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import { describeTransaction, describeUpdate, type UpdateIds } from './history.ts';

export interface CapturedChange {
  /** What goes into the log. */
  update: Uint8Array;
  /** What others receive: only what this change added to the document (null: nothing yet). */
  broadcast: Uint8Array | null;
  /** Which Yjs ids the stored update inserted and deleted (see history.ts). */
  ids: UpdateIds;
}

export class ChangeCapture {
  #doc: Y.Doc;
  readonly #log: Logger;
  readonly #docId: string;
  #captured: Uint8Array[] | null = null;
  #ids: UpdateIds | null = null;
  #version = 0;

  constructor(doc: Y.Doc, docId: string, log: Logger) {
    this.#doc = doc;
    this.#docId = docId;
    this.#log = log;
    doc.on('update', this.#onUpdate);
  }

  /**
   * Moves on whenever the document may have changed (a change ran, the
   * document emitted an update, or it was replaced): equal versions mean
   * the same document, deletions and structs waiting for others included.
   */
  get version(): number {
    return this.#version;
  }

  /** Follows a reloaded document. */
  replace(doc: Y.Doc): void {
    this.#version++;
    this.#doc.off('update', this.#onUpdate);
    this.#doc = doc;
    doc.on('update', this.#onUpdate);
  }

  /**
   * Runs `mutate` and returns what it changed, or null when nothing changed.
   * `raw` is the client's update when there is one. Rethrows what `mutate`
   * throws (the document may then be half-changed: the caller reloads it).
   */
  run(mutate: () => void, raw: Uint8Array | null): CapturedChange | null {
    const pendingBefore = this.#begin();
    let captured;
    try {
      mutate();
    } finally {
      captured = this.#end();
    }
    const { emitted, ids } = captured;
    const newlyPending = raw !== null && this.#newlyPending(pendingBefore);
    if (emitted.length === 0 && !newlyPending) return null;
    const broadcast = emitted.length === 0 ? null : emitted.length === 1 ? emitted[0] : Y.mergeUpdates(emitted);
    return newlyPending ? { update: raw, broadcast, ids: describeUpdate(raw) } : { update: broadcast!, broadcast, ids };
  }

  /**
   * The same for a client's update applied over several turns (a large one,
   * in pieces). Nothing else may change the document until it resolves: the
   * caller holds all other work. `raw.ids` is what the whole update claims,
   * and `merge` joins what the pieces emitted; both are given so that no
   * step decodes or encodes the whole update on this thread.
   */
  async runInTurns(mutate: () => Promise<void>, raw: { update: Uint8Array; ids: UpdateIds }, merge: (updates: Uint8Array[]) => Promise<Uint8Array>): Promise<CapturedChange | null> {
    const pendingBefore = this.#begin();
    let captured;
    try {
      await mutate();
    } finally {
      captured = this.#end();
    }
    const { emitted, ids } = captured;
    const newlyPending = this.#newlyPending(pendingBefore);
    if (emitted.length === 0 && !newlyPending) return null;
    const broadcast = emitted.length === 0 ? null : emitted.length === 1 ? emitted[0] : await merge(emitted);
    return newlyPending ? { update: raw.update, broadcast, ids: raw.ids } : { update: broadcast!, broadcast, ids };
  }

  #begin(): [unknown, unknown] {
    const { store } = this.#doc;
    this.#version++;
    this.#captured = [];
    this.#ids = { i: {}, d: {} };
    return [store.pendingStructs, store.pendingDs];
  }

  #end(): { emitted: Uint8Array[]; ids: UpdateIds } {
    const captured = { emitted: this.#captured!, ids: this.#ids! };
    this.#captured = null;
    this.#ids = null;
    return captured;
  }

  /**
   * Structs waiting for missing dependencies are not in the emitted update but
   * are in the state we serve to others, so the raw update is stored as well.
   */
  #newlyPending([structsBefore, dsBefore]: [unknown, unknown]): boolean {
    const { store } = this.#doc;
    return (store.pendingStructs !== null && store.pendingStructs !== structsBefore) || (store.pendingDs !== null && store.pendingDs !== dsBefore);
  }

  destroy(): void {
    this.#doc.off('update', this.#onUpdate);
  }

  #onUpdate = (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    this.#version++;
    if (this.#captured) {
      this.#captured.push(update);
      describeTransaction(transaction, this.#ids!);
    }
    else this.#log.error({ docId: this.#docId }, 'document changed outside of a room apply; the change is not persisted');
  };
}

/** Whether an update carries nothing (no structs, no deletions); throws for one that does not decode. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const decoded = Y.decodeUpdate(update);
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0;
}
