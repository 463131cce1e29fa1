/**
 * Presence across access changes. Closing an incident (or any change of who
 * may write) closes the war room's sockets with a code the stock provider
 * reconnects after; everyone must come back with their presence, on every
 * screen, without anyone having to move their cursor first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { connectProvider, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('presence after an access change (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('everyone reappears in everyone’s presence after the incident is closed', async () => {
    const incident = await declare(cast.commander);
    for (const person of [cast.responder, cast.observer]) {
      const kind = person === cast.observer ? 'observer' : 'responder';
      expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/participants`, { userId: person.user.id, kind })).status).toBe(200);
    }
    const people = [cast.commander, cast.responder, cast.observer];
    const screens = people.map((person) => {
      const screen = connectProvider(server.url, incident.docId, person.client.cookie);
      screen.provider.awareness.setLocalStateField('user', { name: person.user.displayName });
      providers.push(screen);
      return screen;
    });
    await Promise.all(screens.map((s) => s.synced()));
    const everyoneSeesEveryone = () =>
      screens.every((s) => screens.every((other) => other === s || s.provider.awareness.getStates().get(other.doc.clientID)?.user?.id === people[screens.indexOf(other)].user.id));
    await waitFor(everyoneSeesEveryone, 'presence before the close');

    for (const state of ['resolved', 'closed']) {
      expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state })).status).toBe(200);
    }
    // Writers became readers: their sockets were closed for the access change and reconnected.
    await waitFor(() => screens.filter((s) => s.closes.includes(CloseCode.ACCESS_CHANGED)).length >= 2, 'the access-change closes');
    await waitFor(() => screens.every((s) => s.provider.synced), 'everyone to be back');
    // Within the stock client's 15 s presence renewal: nobody moves, nobody has to.
    await waitFor(everyoneSeesEveryone, 'everyone’s presence after the close', 5000);
    const header = [...screens[0].provider.awareness.getStates()].filter(([id]) => id !== screens[0].doc.clientID);
    expect(new Set(header.map(([, state]) => state.user.id))).toEqual(new Set([cast.responder.user.id, cast.observer.user.id]));
  });
});
