/**
 * Which Yjs ids a group of updates claims, so that updates claiming the same
 * ids are never merged into one. Merging keeps the first copy of an id;
 * applying one update after another keeps whichever copy integrated first.
 * Those agree, except when the first copy was still waiting for a missing
 * dependency (pending) as the second arrived: then the document holds the
 * second, and a merged row would hold the first, so a reload would not give
 * what everyone was sent. Honest clients only ever resend identical copies,
 * but a forged or corrupt update can claim an id with other content; kept
 * apart and in order, the log replays to exactly the document that served it.
 * Ranges are per client, from the lowest to the highest clock claimed, so a
 * gap only makes the check more careful.
 */
import * as Y from 'yjs';

/** Inserted clock ranges [from, to) per Yjs client id, as in UpdateIds.i. */
export type ClockRanges = Record<string, [number, number]>;

export class ClaimedIds {
  #claimed = new Map<string, [number, number]>();

  /** Whether any of `ranges` was already claimed by the group. */
  overlaps(ranges: ClockRanges): boolean {
    for (const [client, [from, to]] of Object.entries(ranges)) {
      const known = this.#claimed.get(client);
      if (known && from < known[1] && known[0] < to) return true;
    }
    return false;
  }

  add(ranges: ClockRanges): void {
    for (const [client, [from, to]] of Object.entries(ranges)) {
      if (to <= from) continue;
      const known = this.#claimed.get(client);
      this.#claimed.set(client, known ? [Math.min(known[0], from), Math.max(known[1], to)] : [from, to]);
    }
  }

  clear(): void {
    this.#claimed.clear();
  }
}

/** The ranges an encoded update claims (decodes it, without applying). */
export function claimedBy(update: Uint8Array): ClockRanges {
  const { from, to } = Y.parseUpdateMeta(update);
  const ranges: ClockRanges = {};
  for (const [client, clock] of from) ranges[client] = [clock, to.get(client) ?? clock];
  return ranges;
}
