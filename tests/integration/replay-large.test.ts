import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { fillTimeline, LARGE_DOCUMENT_COLLAB } from '../helpers/large-timeline.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ENTRIES = 100_000;
const HOUR = 3_600_000;

/**
 * A war room whose timeline holds 100,000 entries, replayed by a reader: the
 * server must keep answering everyone else while it loads that history, and
 * the answer must stay small. The replay is open to any reader of the
 * incident, so this is what one curious member can make the server do.
 */
describe.each(backends)('replaying a 100,000-entry war room (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let incident: Awaited<ReturnType<typeof declare>>;
  const start = new Date(Date.now() - 6 * HOUR);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    // Compacting a growing 100,000-entry document after every megabyte would be most of the setup: once, at the end.
    server = await startTestServer(db, { collab: LARGE_DOCUMENT_COLLAB });
    cast = await incidentCast(server);
    incident = await declare(cast.commander, { title: 'Disk pressure everywhere' });
    await fillTimeline(server, db.sql, incident.docId, {
      entries: ENTRIES,
      perChange: 1_000,
      start,
      spanMs: 4 * HOUR,
      author: { id: cast.responder.user.id, name: 'Rey' },
    });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const replayAt = (at: Date, limit?: number) =>
    cast.outsider.client.get(`/api/incidents/${incident.ref}/replay?at=${encodeURIComponent(at.toISOString())}${limit ? `&limit=${limit}` : ''}`);

  it('answers /healthz while the history is read and while it is built, and sends a bounded board', async () => {
    const events: string[] = [];
    const reading = once(server.replay, 'reading');
    const building = once(server.replay, 'loading').then(() => events.push('history read'));
    const built = once(server.replay, 'loaded').then(() => events.push('history built'));
    const replayed = replayAt(new Date()).then((response) => {
      events.push('replay answered');
      return response;
    });

    // Reading the stored document (a snapshot of tens of MB, in slices): requests get in between the slices.
    await reading;
    events.push(`healthz ${(await fetch(`${server.url}/healthz`)).status}`);
    // The worker has the document now and is applying it: the main thread must be free.
    await building;
    events.push(`healthz ${(await fetch(`${server.url}/healthz`)).status}`);
    const response = await replayed;
    await built;

    expect(events).toEqual(['healthz 200', 'history read', 'healthz 200', 'history built', 'replay answered']);
    expect(response.status).toBe(200);
    const board = response.body;
    expect(board.timeline).toHaveLength(500);
    expect(board.timelineTotal).toBeGreaterThanOrEqual(ENTRIES);
    // The newest by their time: the declaration and its acknowledgement by the declarer (now), then the last entries written.
    expect(board.timeline.slice(-2).map((e: { text: string }) => e.text)).toEqual([expect.stringMatching(/declared a SEV2/), expect.stringMatching(/acknowledged/)]);
    expect(board.timeline.at(-3).text).toBe(`Entry ${ENTRIES - 1}: disk pressure on node-${(ENTRIES - 1) % 97}`);
    expect(JSON.stringify(board).length).toBeLessThan(512 * 1024);
  });

  it('answers later moments from the loaded history, without loading it again', async () => {
    let reloaded = false;
    const onLoading = () => (reloaded = true);
    server.replay.on('loading', onLoading);
    try {
      const halfway = new Date(start.getTime() + 2 * HOUR + 60_000);
      const board = (await replayAt(halfway, 10)).body;
      expect(board.timeline).toHaveLength(10);
      // Changes are spread evenly over four hours: about half the entries were written by then.
      expect(board.timelineTotal).toBeGreaterThan(ENTRIES * 0.45);
      expect(board.timelineTotal).toBeLessThan(ENTRIES * 0.55);
      const moments = (await cast.outsider.client.get(`/api/incidents/${incident.ref}/replay/moments`)).body;
      expect(moments.moments.length).toBeLessThanOrEqual(2_000);
      expect(moments.changes).toBeGreaterThanOrEqual(100);
      // Jumping to an entry: the moment it was written, with it on the board.
      const entry = board.timeline.at(-1);
      expect((await replayAt(new Date(entry.writtenAt), 2_000)).body.timeline.map((e: { id: string }) => e.id)).toContain(entry.id);
    } finally {
      server.replay.off('loading', onLoading);
    }
    expect(reloaded).toBe(false);
  });
});
