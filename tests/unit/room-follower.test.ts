import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ClusterStore } from '../../server/cluster/cluster-store.ts';
import { RoomFollower } from '../../server/cluster/room-follower.ts';
import { createLogger } from '../../server/log.ts';

const u = (n: number) => new Uint8Array([n]);

/** The log as PostgreSQL holds it: numbered updates, some of them already compacted away. */
function logStore(rows: Map<number, Uint8Array>, compactedUpTo = 0): ClusterStore & { reads: number } {
  const store = {
    reads: 0,
    async head() {
      return Math.max(0, ...rows.keys());
    },
    async after(_docId: string, afterSeq: number) {
      store.reads++;
      if (afterSeq < compactedUpTo) return 'compacted' as const;
      const run: { seq: number; update: Uint8Array }[] = [];
      for (let seq = afterSeq + 1; rows.has(seq); seq++) run.push({ seq, update: rows.get(seq)! });
      return run;
    },
    async load() {
      return { updates: [...rows.values()], segmentCount: 0, lastSeq: 0, logCount: rows.size, logBytes: 0 };
    },
    append: async () => 0,
    compact: async () => undefined,
  };
  return store;
}

function room() {
  const applied: number[] = [];
  return { docId: 'd', applied, applyCommitted: (update: Uint8Array) => applied.push(...update) };
}

const log = createLogger('silent');

describe('following another process’s commits', () => {
  it('applies changes in sequence order even when they arrive out of order, skipping its own and repeats', () => {
    const r = room();
    const follower = new RoomFollower('d', { store: logStore(new Map()), log, gapWaitMs: 10_000 });
    follower.start(r, 2);
    follower.receive(5, [u(5), u(6)]);
    follower.own(3, 1);
    expect(r.applied).toEqual([]);
    follower.receive(4, [u(4)]);
    follower.receive(4, [u(4)]);
    expect(r.applied).toEqual([4, 5, 6]);
    expect(follower.last).toBe(6);
    follower.stop();
  });

  it('holds what arrives while the room loads, and drops what the loaded state already covers', () => {
    const r = room();
    const follower = new RoomFollower('d', { store: logStore(new Map()), log, gapWaitMs: 10_000 });
    follower.receive(1, [u(1)]);
    follower.receive(2, [u(2)]);
    follower.start(r, 1);
    expect(r.applied).toEqual([2]);
    follower.stop();
  });

  it('reads a change that never came from the log once the gap has lasted', async () => {
    const r = room();
    const store = logStore(new Map([[1, u(1)], [2, u(2)], [3, u(3)]]));
    const follower = new RoomFollower('d', { store, log, gapWaitMs: 5 });
    follower.start(r, 1);
    follower.receive(3, [u(3)]);
    expect(r.applied).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.applied).toEqual([2, 3]);
    expect(follower.counts.fromLog).toBe(2);
    follower.stop();
  });

  it('applies the whole stored document when the missing rows were compacted by another process', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    doc.getText('t').insert(0, 'one ');
    doc.getText('t').insert(4, 'two');
    const target = new Y.Doc();
    const r = { docId: 'd', applyCommitted: (update: Uint8Array) => Y.applyUpdate(target, update) };
    const store = logStore(new Map([[1, updates[0]], [2, updates[1]]]), 2);
    const follower = new RoomFollower('d', { store, log, gapWaitMs: 5 });
    follower.start(r, 0);
    await follower.catchUp();
    expect(follower.counts.reloads).toBe(1);
    expect(follower.last).toBe(2);
    expect(target.getText('t').toString()).toBe('one two');
    follower.stop();
  });
});
