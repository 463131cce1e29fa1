import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addHypothesis,
  addTimelineEntry,
  applyTextEdit,
  draftsMap,
  draftText,
  readDraft,
  readHypotheses,
  readTimeline,
  removeTimelineEntry,
  seedDrafts,
  updateHypothesis,
} from '../../server/shared/war-room-doc.ts';
import { createLogger } from '../../server/log.ts';
import { ReplayService } from '../../server/replay/service.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const HOUR = 3_600_000;

interface Board {
  at: string;
  changes: number;
  timeline: { id: string; text: string; at: string; createdAt: string; writtenAt: string | null; removed?: unknown }[];
  timelineTotal: number;
  hypotheses: { id: string; status: string; createdAt: string }[];
  hypothesesTotal: number;
  drafts: Record<string, string>;
  draftsTruncated: string[];
}

/** The board as the live readers show it; ties in time ordered by id, writtenAt (replay's own) left out. */
const comparable = (board: { timeline: any[]; hypotheses: any[]; drafts: Record<string, string | null> }) => ({
  timeline: board.timeline
    .map(({ writtenAt: _writtenAt, ...entry }) => entry)
    .sort((a, b) => a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  hypotheses: [...board.hypotheses].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  drafts: board.drafts,
});

describe.each(backends)('war-room replay (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const maxSeq = async (docId: string) => {
    const [row] = await db.sql<{ seq: number | null }>`select max(seq) as seq from document_updates where doc_id = ${docId}`;
    return Number(row.seq ?? 0);
  };

  /** Applies `mutate` as `userId` through the collab server, then dates the rows it wrote at `at`. */
  async function changeAt(docId: string, userId: string, at: Date, mutate: (doc: Y.Doc) => void): Promise<void> {
    const after = await maxSeq(docId);
    await server.collab.changeDocument(docId, userId, mutate);
    const written = await db.sql`update document_updates set created_at = ${at} where doc_id = ${docId} and seq > ${after} returning seq`;
    expect(written.length).toBeGreaterThan(0);
  }

  /**
   * A private incident whose war room changes hour by hour from `base`:
   *   +1h hypothesis H (open), entry "Paged on-call", draft seeded
   *   +2h H confirmed, entry "Rolled back deploy", draft gains a line
   *   +3h "Paged on-call" removed
   */
  async function scriptedIncident() {
    const incident = await privateIncident(cast);
    const base = new Date(Date.now() + 60_000);
    const by = { id: cast.commander.user.id, name: 'Cora' };
    let hypothesisId = '';
    let pagedId = '';
    await changeAt(incident.docId, cast.commander.user.id, new Date(base.getTime() + HOUR), (doc) => {
      hypothesisId = addHypothesis(doc, { statement: 'Bad deploy of payments', owner: null, by });
      pagedId = addTimelineEntry(doc, { at: base.toISOString(), kind: 'action', text: 'Paged on-call', author: by, hypothesisId: null });
      if (!draftText(doc, 'responders')) seedDrafts(doc, { responders: 'Investigating.' });
    });
    await changeAt(incident.docId, cast.responder.user.id, new Date(base.getTime() + 2 * HOUR), (doc) => {
      updateHypothesis(doc, hypothesisId, by, { status: 'confirmed' });
      addTimelineEntry(doc, { at: base.toISOString(), kind: 'mitigation', text: 'Rolled back deploy', author: by, hypothesisId });
      const draft = draftText(doc, 'responders')!;
      applyTextEdit(draft, draft.toString(), `${draft.toString()}\nRolled back.`);
    });
    await changeAt(incident.docId, cast.commander.user.id, new Date(base.getTime() + 3 * HOUR), (doc) => removeTimelineEntry(doc, pagedId, by));
    const at = (hours: number) => new Date(base.getTime() + hours * HOUR);
    return { incident, hypothesisId, at };
  }

  const boardAt = async (ref: string, at: Date) => {
    const response = await cast.commander.client.get(`/api/incidents/${ref}/replay?at=${encodeURIComponent(at.toISOString())}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as Board;
  };

  it('shows the board, timeline and drafts as they were at each moment', async () => {
    const { incident, hypothesisId, at } = await scriptedIncident();
    const texts = (board: { timeline: { text: string }[] }) => board.timeline.map((e) => e.text);

    const t1 = await boardAt(incident.ref, at(1.5));
    expect(t1.at).toBe(at(1.5).toISOString());
    expect(t1.hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('open');
    expect(texts(t1)).toContain('Paged on-call');
    expect(texts(t1)).not.toContain('Rolled back deploy');
    expect(t1.drafts.responders).not.toContain('Rolled back.');

    const t2 = await boardAt(incident.ref, at(2.5));
    expect(t2.hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('confirmed');
    expect(texts(t2)).toEqual(expect.arrayContaining(['Paged on-call', 'Rolled back deploy']));
    expect(t2.drafts.responders).toMatch(/\nRolled back\.$/);

    const t3 = await boardAt(incident.ref, at(3.5));
    // Removed, as the timeline shows it: marked by whoever removed it.
    expect(t3.timeline.find((e) => e.text === 'Paged on-call')).toMatchObject({ removed: { by: { name: 'Cora' } } });
    expect(t2.timeline.find((e) => e.text === 'Paged on-call')).not.toHaveProperty('removed');
    expect(texts(t3)).toContain('Rolled back deploy');

    // Before our changes the hypothesis did not exist yet.
    expect((await boardAt(incident.ref, at(0.5))).hypotheses.map((h) => h.id)).not.toContain(hypothesisId);
  });

  it('matches replaying the raw log up to each moment, and gives the same answers after compaction and a fresh load', async () => {
    const { incident, at } = await scriptedIncident();
    const docId = incident.docId;
    const view = (doc: Y.Doc) =>
      comparable({
        timeline: readTimeline(doc),
        hypotheses: readHypotheses(doc),
        drafts: Object.fromEntries([...draftsMap(doc).keys()].sort().map((audience) => [audience, readDraft(doc, audience)])),
      });
    const rows = await db.sql<{ update: Uint8Array; created_at: Date }>`select update, created_at from document_updates where doc_id = ${docId} order by seq`;
    const moments = [...rows.map((r) => new Date(r.created_at)), at(0.5), at(1.5), at(2.5), at(3.5)];

    const before = new Map<number, unknown>();
    for (const moment of moments) {
      const naive = new Y.Doc();
      for (const row of rows) if (new Date(row.created_at) <= moment) Y.applyUpdate(naive, row.update);
      const replayed = comparable(await boardAt(incident.ref, moment));
      expect(replayed, moment.toISOString()).toEqual(view(naive));
      before.set(moment.getTime(), replayed);
    }

    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    await room.compact();
    const [{ count }] = await db.sql<{ count: number }>`select count(*)::int as count from document_updates where doc_id = ${docId}`;
    expect(count).toBe(0);
    for (const moment of moments) expect(comparable(await boardAt(incident.ref, moment)), moment.toISOString()).toEqual(before.get(moment.getTime()));

    // A fresh worker loads the compacted history (snapshot + history rows) and answers the same.
    await server.replay.close();
    for (const moment of moments) expect(comparable(await boardAt(incident.ref, moment)), moment.toISOString()).toEqual(before.get(moment.getTime()));
  });

  it('lists the moments the war room changed, and a later change shows up despite the cache', async () => {
    const { incident, hypothesisId, at } = await scriptedIncident();
    const listed = await cast.observer.client.get(`/api/incidents/${incident.ref}/replay/moments`);
    expect(listed.status).toBe(200);
    const moments = listed.body.moments as { at: string; userId: string | null }[];
    expect(moments.map((m) => m.at)).toEqual([...moments.map((m) => m.at)].sort());
    expect(moments.slice(-3)).toEqual([
      { at: at(1).toISOString(), from: at(1).toISOString(), userId: cast.commander.user.id, changes: 1 },
      { at: at(2).toISOString(), from: at(2).toISOString(), userId: cast.responder.user.id, changes: 1 },
      { at: at(3).toISOString(), from: at(3).toISOString(), userId: cast.commander.user.id, changes: 1 },
    ]);
    expect(listed.body.changes).toBeGreaterThanOrEqual(3);
    expect(listed.body.startedAt).toBe(incident.startedAt);
    expect(listed.body.endedAt).toBeNull();

    expect((await boardAt(incident.ref, at(4.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('confirmed');
    await changeAt(incident.docId, cast.commander.user.id, at(4), (doc) =>
      updateHypothesis(doc, hypothesisId, { id: cast.commander.user.id, name: 'Cora' }, { status: 'ruled_out' }),
    );
    expect((await boardAt(incident.ref, at(4.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('ruled_out');
    expect((await boardAt(incident.ref, at(3.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('confirmed');
  });

  it('steps the slider by a person’s edits, not by keystrokes', async () => {
    const { incident, at } = await scriptedIncident();
    const rey = cast.responder.user.id;
    // Rey types "Rolled back" into the responders draft, one keystroke per stored change, 400 ms apart.
    for (const [i, char] of [...' Rolled back'].entries()) {
      await changeAt(incident.docId, rey, new Date(at(5).getTime() + i * 400), (doc) => {
        const draft = draftText(doc, 'responders')!;
        draft.insert(draft.length, char);
      });
    }
    // Straight after, a timeline entry: something else, so a step of its own.
    const entryAt = new Date(at(5).getTime() + 12 * 400);
    await changeAt(incident.docId, rey, entryAt, (doc) =>
      addTimelineEntry(doc, { at: entryAt.toISOString(), kind: 'action', text: 'Rolled back the deploy', author: { id: rey, name: 'Rey' }, hypothesisId: null }),
    );
    const moments = (await cast.observer.client.get(`/api/incidents/${incident.ref}/replay/moments`)).body.moments;
    expect(moments.slice(-2)).toEqual([
      { at: new Date(at(5).getTime() + 11 * 400).toISOString(), from: at(5).toISOString(), userId: rey, changes: 12 },
      { at: entryAt.toISOString(), from: entryAt.toISOString(), userId: rey, changes: 1 },
    ]);
    const typed = await boardAt(incident.ref, new Date(moments.at(-2).at));
    expect(typed.drafts.responders).toMatch(/ Rolled back$/);
    expect(typed.timeline.map((e) => e.text)).not.toContain('Rolled back the deploy');
  });

  it('jumps to when an entry was written, even when it was backfilled to hours before', async () => {
    const { incident, at } = await scriptedIncident();
    const cora = { id: cast.commander.user.id, name: 'Cora' };
    const backfilled = new Date(at(0).getTime() - 2 * HOUR).toISOString();
    let entryId = '';
    await changeAt(incident.docId, cora.id, at(4), (doc) => {
      entryId = addTimelineEntry(doc, { at: backfilled, kind: 'alert', text: 'Disk alert fired (found later in the pager log)', author: cora, hypothesisId: null });
    });
    const now = await boardAt(incident.ref, at(6));
    const entry = now.timeline.find((e) => e.id === entryId)!;
    expect(entry).toMatchObject({ at: backfilled, writtenAt: at(4).toISOString() });
    // Jumping there shows the board with the entry, a moment earlier without it; its own time would show neither.
    expect((await boardAt(incident.ref, new Date(entry.writtenAt!))).timeline.map((e) => e.id)).toContain(entryId);
    expect((await boardAt(incident.ref, new Date(at(4).getTime() - 1))).timeline.map((e) => e.id)).not.toContain(entryId);
    expect((await boardAt(incident.ref, new Date(backfilled))).timeline.map((e) => e.id)).not.toContain(entryId);
  });

  it('keeps up with a live document whose new changes were compacted before anyone replayed them', async () => {
    const { incident, at } = await scriptedIncident();
    expect((await boardAt(incident.ref, at(6))).timeline.map((e) => e.text)).not.toContain('Cache warmed');
    await changeAt(incident.docId, cast.commander.user.id, at(5), (doc) =>
      addTimelineEntry(doc, { at: at(5).toISOString(), kind: 'resolution', text: 'Cache warmed', author: { id: cast.commander.user.id, name: 'Cora' }, hypothesisId: null }),
    );
    const room = server.collab.loadedRoom(incident.docId)!;
    await room.flush();
    await room.compact();
    const board = await boardAt(incident.ref, at(6));
    expect(board.timeline.map((e) => e.text)).toContain('Cache warmed');
    expect(board.timeline.find((e) => e.text === 'Cache warmed')?.writtenAt).toBe(at(5).toISOString());
  });

  it('bounds the answer: the newest entries up to `limit`, with the total', async () => {
    const { incident, at } = await scriptedIncident();
    const all = await boardAt(incident.ref, at(6));
    const response = await cast.commander.client.get(`/api/incidents/${incident.ref}/replay?at=${encodeURIComponent(at(6).toISOString())}&limit=1`);
    expect(response.status).toBe(200);
    expect(response.body.timeline).toEqual(all.timeline.slice(-1));
    expect(response.body.timelineTotal).toBe(all.timeline.length);
    for (const limit of ['0', '2001', 'many']) {
      const bad = await cast.commander.client.get(`/api/incidents/${incident.ref}/replay?at=${encodeURIComponent(at(6).toISOString())}&limit=${limit}`);
      expect(bad.status, limit).toBe(400);
      expect(bad.body.error.field).toBe('limit');
    }
  });

  it('keeps a few histories loaded and loads an evicted one again, with the same answers', async () => {
    const first = await scriptedIncident();
    const second = await scriptedIncident();
    const service = new ReplayService({ sql: db.sql, log: createLogger('silent'), maxDocuments: 1 });
    const loads: string[] = [];
    service.on('loading', ({ docId }) => loads.push(docId));
    const limits = { timeline: 500, hypotheses: 500, drafts: 16, draftChars: 100_000 };
    const board = async (docId: string, at: Date) => comparable(JSON.parse(await service.view(docId, at, limits)));
    try {
      const a = await board(first.incident.docId, first.at(2.5));
      await board(first.incident.docId, first.at(3.5));
      const b = await board(second.incident.docId, second.at(2.5));
      expect(await board(first.incident.docId, first.at(2.5))).toEqual(a);
      expect(loads).toEqual([first.incident.docId, second.incident.docId, first.incident.docId]);
      expect(b).toEqual(comparable(await boardAt(second.incident.ref, second.at(2.5))));
    } finally {
      await service.close();
    }
  });

  it('stops its worker once idle, giving its memory back, and a later request loads the history again with the same answer', async () => {
    const { incident, at } = await scriptedIncident();
    const service = new ReplayService({ sql: db.sql, log: createLogger('silent'), idleMs: 1000 });
    const loads: string[] = [];
    service.on('loading', ({ docId }) => loads.push(docId));
    const limits = { timeline: 500, hypotheses: 500, drafts: 16, draftChars: 100_000 };
    const board = async () => comparable(JSON.parse(await service.view(incident.docId, at(2.5), limits)));
    try {
      const before = await board();
      expect(service.running).toBe(true);
      // Requests a little apart keep it: each starts the idle time again.
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await board()).toEqual(before);
      }
      expect(loads).toHaveLength(1);
      expect(service.running).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(service.running).toBe(false);
      expect(await board()).toEqual(before);
      expect(loads).toHaveLength(2);
    } finally {
      await service.close();
    }
  });

  it('follows the incident rules: 401 anonymous, 404 outsiders of a private incident, open to participants, admins and anyone on a public one', async () => {
    const incident = await privateIncident(cast);
    const at = encodeURIComponent(new Date().toISOString());
    for (const path of [`/api/incidents/${incident.ref}/replay?at=${at}`, `/api/incidents/${incident.ref}/replay/moments`]) {
      expect((await cast.anonymous.get(path)).status, path).toBe(401);
      expect((await cast.outsider.client.get(path)).status, path).toBe(404);
      for (const who of ['observer', 'responder', 'commander', 'admin'] as const) expect((await cast[who].client.get(path)).status, `${who} ${path}`).toBe(200);
    }
    const open = await declare(cast.commander);
    expect((await cast.outsider.client.get(`/api/incidents/${open.ref}/replay?at=${at}`)).status).toBe(200);
    expect((await cast.outsider.client.get(`/api/incidents/${open.ref}/replay/moments`)).status).toBe(200);
    expect((await cast.commander.client.get(`/api/incidents/INC-999999/replay/moments`)).status).toBe(404);

    const bad = await cast.commander.client.get(`/api/incidents/${incident.ref}/replay?at=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('at');
    expect((await cast.commander.client.get(`/api/incidents/${incident.ref}/replay`)).status).toBe(400);
  });
});
