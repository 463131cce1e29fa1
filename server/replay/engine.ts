/**
 * One war room's history, loaded once and kept: the full document (gc off,
 * so every item ever written is still there) and its changes, indexed by
 * server time with checkpoints. A moment's board is read out of the full
 * document at the version of the changes up to that moment (board.ts); the
 * last few answers are kept as JSON, since a slider asks for the same steps
 * again. Growing the history (new updates, new changes) is incremental.
 *
 * Runs inside the replay worker thread (worker.ts), where its CPU time blocks
 * no request; it knows nothing of threads or the database.
 */
import * as Y from 'yjs';
import { groupSteps, STEP_DEFAULTS } from '../shared/replay-steps.ts';
import { readBoardAt, type BoardLimits } from './board.ts';
import { VersionIndex, type IndexedChange } from './version-index.ts';

const KEPT_ANSWERS = 16;

/** The root type's name and the key under it that holds `item` ("drafts/public", "timeline/<id>"); '' when unknown. */
function targetOf(item: Y.Item): string {
  let current: Y.Item = item;
  for (let depth = 0; depth < 64; depth++) {
    const parent = current.parent;
    if (!(parent instanceof Y.AbstractType)) return '';
    if (parent._item === null) return `${Y.findRootTypeKey(parent)}/${current.parentSub ?? ''}`;
    current = parent._item;
  }
  return '';
}

export class ReplayDocument {
  readonly doc = new Y.Doc({ gc: false });
  readonly index = new VersionIndex();
  /** Board JSON (without `at`) by "changes:limits", least recently used first. */
  readonly #answers = new Map<string, string>();
  /** What each change edited, by seq (see targetOf). */
  readonly #targets = new Map<number, string>();
  #steps: string | null = null;

  /** One transaction per update, as the room does (Yjs's cleanup grows with the transaction). */
  applyUpdates(updates: readonly Uint8Array[]): void {
    for (const update of updates) Y.applyUpdate(this.doc, update);
    this.#answers.clear();
    this.#steps = null;
  }

  addChanges(changes: readonly IndexedChange[]): void {
    this.index.add(changes);
    this.#answers.clear();
    this.#steps = null;
  }

  /** The board as it stood at server time `at` (ms), as the JSON the replay route sends. */
  view(at: number, limits: BoardLimits): string {
    const count = this.index.countAt(at);
    const key = `${count}:${limits.timeline}:${limits.hypotheses}:${limits.drafts}:${limits.draftChars}`;
    let body = this.#answers.get(key);
    if (body === undefined) {
      const board = readBoardAt(this.doc, this.index.versionAfter(count), limits, (client, clock) => this.index.writtenAt(client, clock));
      body = JSON.stringify({ changes: count, ...board });
      while (this.#answers.size >= KEPT_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
    } else {
      this.#answers.delete(key);
    }
    this.#answers.set(key, body);
    return `{"at":${JSON.stringify(new Date(at).toISOString())},${body.slice(1)}`;
  }

  /** What a change edited, from the first item it inserted or deleted. */
  #target(change: IndexedChange): string {
    let target = this.#targets.get(change.seq);
    if (target !== undefined) return target;
    target = '';
    const first = Object.entries(change.ids.i).find(([, [from, to]]) => to > from) ?? Object.entries(change.ids.d).map(([client, ranges]) => [client, ranges[0]] as const).find(([, range]) => range);
    if (first) {
      try {
        target = targetOf(Y.getItem(this.doc.store, Y.createID(Number(first[0]), first[1][0])) as Y.Item);
      } catch {
        // An id the document does not hold (yet): the change counts as editing something unnamed.
      }
    }
    // Unknown stays unknown only until the document holds the item.
    if (target) this.#targets.set(change.seq, target);
    return target;
  }

  /** The slider's steps, as JSON: `{changes, steps: [{at, from, userId, changes}]}` with ISO times. */
  steps(): string {
    if (this.#steps === null) {
      const steps = groupSteps(
        this.index.changes.map((change) => ({ at: change.at, userId: change.userId, target: this.#target(change) })),
        STEP_DEFAULTS,
      );
      this.#steps = JSON.stringify({
        changes: this.index.size,
        steps: steps.map((s) => ({ at: new Date(s.at).toISOString(), from: new Date(s.from).toISOString(), userId: s.userId, changes: s.changes })),
      });
    }
    return this.#steps;
  }
}
