/**
 * A busy war room with the stock y-websocket provider: every stock client
 * re-sends each presence update it receives, so presence traffic grows with
 * the square of the room. Nobody may lose their connection to it, and when
 * a client is closed for going over the rate it comes back by itself with
 * everything it typed. BUSY_ROOM_SECONDS shortens the busy room for
 * development (60 by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKLOG_PATIENCE_MS } from '../../server/collab/connection.ts';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';
import { sameDocument } from '../helpers/yjs.ts';

const SECONDS = Number(process.env.BUSY_ROOM_SECONDS ?? 60);
const CLIENTS = 40;
const TYPISTS = 25;

describe.each(backends)('a busy room (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cookies: string[];
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    const { admin, member } = await withAdmin(server);
    cookies = [admin.client.cookie!];
    for (let i = 0; i < 9; i++) cookies.push((await member(`Responder ${i}`)).client.cookie!);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it(`keeps ${CLIENTS} clients connected while ${TYPISTS} type and move their cursors 10 times a second for ${SECONDS} s`, { timeout: 60_000 + SECONDS * 2000 }, async () => {
    const docId = await newDocument(db.sql);
    const clients = Array.from({ length: CLIENTS }, (_, i) => {
      const client = connectProvider(server.url, docId, cookies[i % cookies.length]);
      client.provider.awareness.setLocalStateField('user', { name: `tab ${i}` });
      providers.push(client);
      return client;
    });
    await Promise.all(clients.map((c) => c.synced()));

    const typed: string[] = [];
    const timers: NodeJS.Timeout[] = [];
    clients.slice(0, TYPISTS).forEach((client, i) => {
      let moves = 0;
      timers.push(
        setInterval(() => {
          moves++;
          client.provider.awareness.setLocalStateField('cursor', { anchor: { item: { client: i, clock: moves }, assoc: 0 }, head: { item: { client: i, clock: moves }, assoc: 0 } });
          client.provider.awareness.setLocalStateField('editing', `line ${moves % 7}`);
          // Someone typing: a new timeline line every second, a keystroke otherwise.
          if (moves % 10 === 0) {
            const line = `typist ${i} line ${moves / 10}`;
            client.doc.getArray<string>('timeline').push([line]);
            typed.push(line);
          } else client.doc.getText('notes').insert(0, String.fromCharCode(97 + (moves % 26)));
        }, 100),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    for (const timer of timers) clearInterval(timer);

    const room = server.collab.loadedRoom(docId)!;
    await waitFor(async () => {
      await room.flush();
      return clients.every((c) => sameDocument(c.doc, room.doc));
    }, 'every client to converge with the server', 30_000);
    expect(clients.map((c) => c.closes)).toEqual(clients.map(() => []));
    expect(clients.every((c) => c.provider.wsconnected)).toBe(true);
    const stored = new Set(room.doc.getArray<string>('timeline').toArray());
    expect(typed.filter((line) => !stored.has(line))).toEqual([]);
    expect(typed.length).toBeGreaterThan(0);
    // Everyone sees everyone: presence survived the traffic too.
    await waitFor(() => clients.every((c) => c.provider.awareness.getStates().size === CLIENTS), 'every client to see all presences', 10_000);
  });

  it('a client closed for ignoring the rate limit reconnects by itself and loses nothing', async () => {
    const strict = await startTestServer(db, { env: { COLLAB_MESSAGES_PER_SECOND: '5', COLLAB_MAX_MESSAGE_BYTES: '8192' } });
    try {
      // Same database, so the first server's session cookie works here too.
      const docId = await newDocument(db.sql);
      const flooder = connectProvider(strict.url, docId, cookies[0]);
      const reader = connectProvider(strict.url, docId, cookies[1]);
      providers.push(flooder, reader);
      await Promise.all([flooder.synced(), reader.synced()]);
      // One frame per push: far past what a paused socket may still hold (4 × 8 KiB); small numbers keep the resync under 8 KiB.
      for (let i = 0; i < 3000; i++) flooder.doc.getArray<number>('burst').push([i % 50]);
      await waitFor(() => flooder.closes.includes(CloseCode.RATE_LIMITED), 'the rate-limit close', BACKLOG_PATIENCE_MS + 15_000);
      await waitFor(() => reader.doc.getArray('burst').length === 3000, 'every item to reach the other client', 20_000);
      expect(flooder.provider.shouldConnect).toBe(true);
      await waitFor(() => flooder.provider.wsconnected, 'the flooder to be back');
      expect(reader.doc.getArray<number>('burst').toArray()).toEqual(flooder.doc.getArray<number>('burst').toArray());
    } finally {
      await strict.close();
    }
  });
});
