import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayCache, replayDocumentAt } from '../../server/postmortem/replay.ts';
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
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const HOUR = 3_600_000;

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
    await changeAt(incident.docId, cast.commander.user.id, new Date(base.getTime() + 3 * HOUR), (doc) => removeTimelineEntry(doc, pagedId));
    const at = (hours: number) => new Date(base.getTime() + hours * HOUR);
    return { incident, hypothesisId, at };
  }

  const boardAt = async (ref: string, at: Date) => {
    const response = await cast.commander.client.get(`/api/incidents/${ref}/replay?at=${encodeURIComponent(at.toISOString())}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { at: string; timeline: { text: string }[]; hypotheses: { id: string; status: string }[]; drafts: Record<string, string> };
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
    expect(texts(t3)).not.toContain('Paged on-call');
    expect(texts(t3)).toContain('Rolled back deploy');

    // Before our changes the hypothesis did not exist yet.
    expect((await boardAt(incident.ref, at(0.5))).hypotheses.map((h) => h.id)).not.toContain(hypothesisId);
  });

  it('matches replaying the raw log up to each moment, and gives the same answers after compaction', async () => {
    const { incident, at } = await scriptedIncident();
    const docId = incident.docId;
    const view = (doc: Y.Doc) => ({
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
      const replayed = await replayDocumentAt(db.sql, docId, moment, { cache: new ReplayCache() });
      expect(view(replayed), moment.toISOString()).toEqual(view(naive));
      before.set(moment.getTime(), view(replayed));
    }

    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    await room.compact();
    const [{ count }] = await db.sql<{ count: number }>`select count(*)::int as count from document_updates where doc_id = ${docId}`;
    expect(count).toBe(0);

    const cache = new ReplayCache();
    for (const moment of moments) {
      expect(view(await replayDocumentAt(db.sql, docId, moment, { cache })), moment.toISOString()).toEqual(before.get(moment.getTime()));
    }
  });

  it('lists the moments the war room changed, and a later change shows up despite the cache', async () => {
    const { incident, hypothesisId, at } = await scriptedIncident();
    const listed = await cast.observer.client.get(`/api/incidents/${incident.ref}/replay/moments`);
    expect(listed.status).toBe(200);
    const moments = listed.body.moments as { at: string; userId: string | null }[];
    expect(moments.map((m) => m.at)).toEqual([...moments.map((m) => m.at)].sort());
    expect(moments.slice(-3)).toEqual([
      { at: at(1).toISOString(), userId: cast.commander.user.id },
      { at: at(2).toISOString(), userId: cast.responder.user.id },
      { at: at(3).toISOString(), userId: cast.commander.user.id },
    ]);
    expect(listed.body.startedAt).toBe(incident.startedAt);
    expect(listed.body.endedAt).toBeNull();

    expect((await boardAt(incident.ref, at(4.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('confirmed');
    await changeAt(incident.docId, cast.commander.user.id, at(4), (doc) =>
      updateHypothesis(doc, hypothesisId, { id: cast.commander.user.id, name: 'Cora' }, { status: 'ruled_out' }),
    );
    expect((await boardAt(incident.ref, at(4.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('ruled_out');
    expect((await boardAt(incident.ref, at(3.5))).hypotheses.find((h) => h.id === hypothesisId)?.status).toBe('confirmed');
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
