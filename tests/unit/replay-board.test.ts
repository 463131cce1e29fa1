import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { describeUpdate } from '../../server/collab/history.ts';
import { readBoardAt } from '../../server/replay/board.ts';
import { ReplayDocument } from '../../server/replay/engine.ts';
import { versionAt } from '../../server/replay/version-at.ts';
import { VersionIndex, type IndexedChange } from '../../server/replay/version-index.ts';
import {
  addEvidence,
  addHypothesis,
  addTimelineEntry,
  applyTextEdit,
  draftsMap,
  draftText,
  HYPOTHESIS_STATUSES,
  hypothesesMap,
  readDraft,
  readHypotheses,
  readTimeline,
  removeTimelineEntry,
  seedDrafts,
  TIMELINE_KINDS,
  timelineMap,
  updateHypothesis,
  updateTimelineEntry,
} from '../../server/shared/war-room-doc.ts';

const LIMITS = { timeline: 10_000, hypotheses: 10_000, drafts: 16, draftChars: 1_000_000 };
const base = Date.UTC(2026, 2, 1, 14, 0);

/**
 * Three editors in sync through a gc-off "server" copy, making `count`
 * random war-room edits; every change is kept as the server stores it (bytes,
 * ids, time). Seeded, so a failure repeats.
 */
function warRoomHistory(count: number, seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const server = new Y.Doc({ gc: false });
  const editors = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
  const people = [{ id: 'ana', name: 'Ana' }, { id: 'ben', name: 'Ben' }, { id: 'cy', name: 'Cy' }];
  const log: { update: Uint8Array; change: IndexedChange }[] = [];
  const record = (who: number, change: (doc: Y.Doc) => void) => {
    const editor = editors[who];
    const captured: Uint8Array[] = [];
    const capture = (u: Uint8Array) => captured.push(u);
    editor.on('update', capture);
    editor.transact(() => change(editor));
    editor.off('update', capture);
    if (captured.length === 0) return;
    const update = Y.mergeUpdates(captured);
    Y.applyUpdate(server, update);
    for (const other of editors) if (other !== editor) Y.applyUpdate(other, update);
    // Several changes share a millisecond now and then, as a busy room's do.
    const at = base + log.length * 1000 - (random() < 0.2 ? 1000 : 0);
    log.push({ update, change: { seq: log.length + 1, userId: people[who].id, at, ids: describeUpdate(update) } });
  };
  record(0, (doc) => seedDrafts(doc, { responders: 'Investigating.\n', public: 'We are looking into it.\n' }));
  for (let n = 0; n < count; n++) {
    const who = Math.floor(random() * 3);
    const by = people[who];
    const roll = random();
    record(who, (doc) => {
      const entries = [...timelineMap(doc).keys()];
      const cards = [...hypothesesMap(doc).keys()];
      if (roll < 0.35) {
        const text = draftText(doc, pick(['responders', 'public']))!;
        const position = Math.floor(random() * (text.length + 1));
        if (random() < 0.3 && text.length > 6) text.delete(Math.min(position, text.length - 4), 4);
        // Editors never put the caret inside a surrogate pair; Yjs would replace both halves with U+FFFD for good.
        else text.insert(position, pick(['db ', 'rollback ', 'é', '\n']));
      } else if (roll < 0.6) {
        if (entries.length < 3 || random() < 0.6) addTimelineEntry(doc, { at: new Date(base + Math.floor(random() * 3_600_000)).toISOString(), kind: pick(TIMELINE_KINDS), text: `Entry ${n}`, author: by, hypothesisId: null });
        else if (random() < 0.5) updateTimelineEntry(doc, pick(entries), { text: `Edited ${n}`, at: new Date(base + n).toISOString() });
        else removeTimelineEntry(doc, pick(entries), by);
      } else if (roll < 0.8 && cards.length > 0) {
        updateHypothesis(doc, pick(cards), by, { status: pick(HYPOTHESIS_STATUSES), findings: `Finding ${n}` });
      } else if (roll < 0.9 || cards.length === 0) {
        addHypothesis(doc, { statement: `Hypothesis ${n}`, owner: random() < 0.5 ? by : null, by });
      } else {
        addEvidence(doc, pick(cards), { text: `Evidence ${n}`, url: random() < 0.5 ? 'https://example.com/e' : null, by });
      }
    });
  }
  return { server, log };
}

/** What the replay shows, as the live readers show it; ties in time ordered by id on both sides. */
const plain = (board: { timeline: { id: string; at: string; createdAt: string }[]; hypotheses: { id: string; createdAt: string }[]; drafts: Record<string, string | null> }) => ({
  timeline: [...board.timeline]
    .map(({ writtenAt: _writtenAt, ...entry }: any) => entry)
    .sort((a, b) => a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  hypotheses: [...board.hypotheses].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  drafts: board.drafts,
});

const naiveBoard = (doc: Y.Doc) =>
  plain({
    timeline: readTimeline(doc),
    hypotheses: readHypotheses(doc),
    drafts: Object.fromEntries([...draftsMap(doc).keys()].sort().map((audience) => [audience, readDraft(doc, audience)])),
  });

describe('reading the board at a version, straight from the full document', () => {
  const { server, log } = warRoomHistory(400, 7);
  const index = new VersionIndex(16);
  index.add(log.map((l) => l.change));
  const byTime = [...log].sort((a, b) => a.change.at - b.change.at || a.change.seq - b.change.seq);

  it('equals applying the raw updates made up to each moment, before, across and after checkpoints', () => {
    for (let count = 0; count <= byTime.length; count += count < 40 ? 1 : 7) {
      const naive = new Y.Doc();
      for (const { update } of byTime.slice(0, count)) Y.applyUpdate(naive, update);
      const board = readBoardAt(server, index.versionAfter(count), LIMITS, () => null);
      expect(plain(board), `after ${count} changes`).toEqual(naiveBoard(naive));
      naive.destroy();
    }
  });

  it('builds each version from a checkpoint exactly as from every change', () => {
    const sorted = (v: ReturnType<typeof versionAt>) => ({ sv: [...v.stateVector].sort(), deleted: [...v.deleted].sort() });
    for (const count of [0, 1, 15, 16, 17, 200, byTime.length]) {
      const at = count === 0 ? base - 1_000_000 : byTime[count - 1].change.at;
      // Changes sharing the moment's millisecond all belong to it.
      const wanted = index.countAt(at);
      const all = versionAt(byTime.map((l) => ({ createdAt: new Date(l.change.at), ids: l.change.ids })), new Date(at));
      expect(sorted(index.versionAfter(wanted)), `${count}`).toEqual(sorted(all));
    }
  });

  it('keeps answering right when an older change arrives late (checkpoints after it are rebuilt)', () => {
    const late = new VersionIndex(16);
    const [first, ...rest] = log.map((l) => l.change);
    late.add(rest);
    for (const count of [1, 17, 100]) late.versionAfter(count);
    expect(late.versionAfter(1)).not.toEqual(index.versionAfter(1));
    late.add([first]);
    for (const count of [1, 17, 100, late.size]) expect(late.versionAfter(count)).toEqual(index.versionAfter(count));
  });

  it('says when each entry was written, whatever time it carries', () => {
    const document = new ReplayDocument();
    document.applyUpdates(log.map((l) => l.update));
    document.addChanges(log.map((l) => l.change));
    const board = JSON.parse(document.view(base + 10_000_000, LIMITS));
    expect(board.timeline.length).toBeGreaterThan(10);
    for (const entry of board.timeline) {
      // The first change that holds the entry is the one that wrote it.
      const written = Date.parse(entry.writtenAt);
      const before = JSON.parse(document.view(written - 1, LIMITS)).timeline.map((e: { id: string }) => e.id);
      const after = JSON.parse(document.view(written, LIMITS)).timeline.map((e: { id: string }) => e.id);
      expect(before).not.toContain(entry.id);
      expect(after).toContain(entry.id);
    }
  });

  it('returns the newest entries up to the limit, with the total', () => {
    const document = new ReplayDocument();
    document.applyUpdates(log.map((l) => l.update));
    document.addChanges(log.map((l) => l.change));
    const all = JSON.parse(document.view(base + 10_000_000, LIMITS));
    const some = JSON.parse(document.view(base + 10_000_000, { ...LIMITS, timeline: 5, draftChars: 10 }));
    expect(some.timelineTotal).toBe(all.timeline.length);
    expect(some.timeline).toEqual(all.timeline.slice(-5));
    expect(some.drafts.responders).toBe(all.drafts.responders.slice(0, 10));
    expect(some.draftsTruncated).toEqual(['public', 'responders']);
  });
});

describe('a document written by anyone', () => {
  it('skips and coerces values of the wrong shape instead of failing', () => {
    const doc = new Y.Doc({ gc: false });
    const index = new VersionIndex();
    const record = (change: (doc: Y.Doc) => void) => {
      const before = Y.encodeStateVector(doc);
      doc.transact(() => change(doc));
      const update = Y.encodeStateAsUpdate(doc, before);
      index.add([{ seq: index.size + 1, userId: null, at: base + index.size, ids: describeUpdate(update) }]);
    };
    record((d) => {
      d.getMap('timeline').set('bad', 'a string where an entry belongs');
      const entry = new Y.Map<unknown>();
      d.getMap('timeline').set('odd', entry);
      entry.set('text', 42);
      entry.set('kind', 'gossip');
      entry.set('author', 'Ana');
      d.getMap('hypotheses').set('h', new Y.Map());
      d.getMap('drafts').set('public', 7);
      d.getMap('drafts').set('support', new Y.Text('Fine.'));
    });
    const board = readBoardAt(doc, index.versionAfter(index.size), LIMITS, () => null);
    // The live readers' rule: a number where text belongs is read as its digits.
    expect(board.timeline).toEqual([{ id: 'odd', at: '', kind: 'note', text: '42', author: null, hypothesisId: null, auto: false, eventId: null, createdAt: '', writtenAt: null }]);
    expect(board.hypotheses).toMatchObject([{ id: 'h', statement: '', status: 'open', evidence: [] }]);
    expect(board.drafts).toEqual({ support: 'Fine.' });
  });
});
