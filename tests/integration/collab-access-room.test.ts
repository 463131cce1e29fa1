/**
 * A change to an incident re-decides every open connection of its war room
 * together (one decision for the whole room, not one per socket). Many people
 * with two tabs each are in the room; one change must revoke, downgrade or
 * upgrade each of them exactly as deciding them one by one would, leave the
 * others alone, and show a new role in presence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { decideDocumentAuthorizations } from '../../server/wiring/document-policy.ts';
import { connectProvider, openRawSocket, waitFor, type RawSocket, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, type Person } from '../helpers/incidents.ts';
import { observedSql } from '../helpers/observed-sql.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

const PER_GROUP = 4;
const TABS = 2;

describe.each(backends)('re-deciding a whole war room at once (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let commander: Person;
  let responders: Person[];
  let observers: Person[];
  let outsiders: Person[];
  const sockets: RawSocket[] = [];
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { COLLAB_MAX_CONNECTIONS_PER_DOC: '200' } });
    const { member } = await withAdmin(server);
    const people = async (name: string) => {
      const group: Person[] = [];
      for (let i = 1; i <= PER_GROUP; i++) group.push(await member(`${name} ${i}`));
      return group;
    };
    commander = await member('Cora');
    responders = await people('Responder');
    observers = await people('Observer');
    outsiders = await people('Outsider');
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    for (const s of sockets) s.ws.terminate();
    await server?.close();
    await db?.close();
  });

  /** Every tab of every person in `group`, each a raw socket that does not reconnect. */
  async function openTabs(docId: string, group: Person[]): Promise<RawSocket[]> {
    const opened: RawSocket[] = [];
    for (const person of group) for (let tab = 0; tab < TABS; tab++) opened.push(await openRawSocket(server.url, docId, person.client.cookie));
    sockets.push(...opened);
    return opened;
  }

  /** Resolves with each socket's close code, once all of them closed. */
  const closeCodes = (tabs: RawSocket[]) => Promise.all(tabs.map((tab) => tab.closed.then(({ code }) => code)));

  /** What the server decided for each open connection of `group`, by user id. */
  function accessOf(docId: string, group: Person[]): string[] {
    const ids = new Set(group.map((person) => person.user.id));
    const room = server.collab.loadedRoom(docId);
    return [...(room?.connections ?? [])].filter((c) => !c.closed && ids.has(c.user.id)).map((c) => c.access);
  }

  async function command(path: string, body: unknown, method = 'POST') {
    const response = await commander.client.request(method, path, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  it('downgrades every writer when the incident closes, upgrades them on reopening, and revokes every outsider when it turns private', async () => {
    const incident = await declare(commander);
    const base = `/api/incidents/${incident.ref}`;
    for (const [group, kind] of [[responders, 'responder'], [observers, 'observer']] as const) {
      for (const person of group) await command(`${base}/participants`, { userId: person.user.id, kind });
    }
    const writerTabs = await openTabs(incident.docId, [commander, ...responders]);
    const readerTabs = await openTabs(incident.docId, [...observers, ...outsiders]);
    await waitFor(() => accessOf(incident.docId, [commander, ...responders, ...observers, ...outsiders]).length === writerTabs.length + readerTabs.length, 'every tab in the room');

    // Closing: every writer's tab is told to reconnect as a reader; the readers' tabs stay as they are.
    await command(`${base}/state`, { state: 'resolved' });
    await command(`${base}/state`, { state: 'closed' });
    expect(await closeCodes(writerTabs)).toEqual(writerTabs.map(() => CloseCode.ACCESS_CHANGED));
    expect(readerTabs.every((tab) => tab.ws.readyState === tab.ws.OPEN)).toBe(true);
    const reconnected = await openTabs(incident.docId, [commander, ...responders]);
    await waitFor(() => accessOf(incident.docId, [commander, ...responders]).length === reconnected.length, 'the writers back');
    expect(accessOf(incident.docId, [commander, ...responders]).every((access) => access === 'read')).toBe(true);

    // Reopening: the same people become writers again, together.
    await command(`${base}/state`, { state: 'investigating' });
    expect(await closeCodes(reconnected)).toEqual(reconnected.map(() => CloseCode.ACCESS_CHANGED));
    const writersAgain = await openTabs(incident.docId, [commander, ...responders]);
    await waitFor(() => accessOf(incident.docId, [commander, ...responders]).length === writersAgain.length, 'the writers back again');
    expect(accessOf(incident.docId, [commander, ...responders]).every((access) => access === 'write')).toBe(true);
    expect(accessOf(incident.docId, observers)).toEqual(observers.flatMap(() => Array(TABS).fill('read')));

    // Private: every outsider's tab is cut as if the incident never existed; participants stay, as they were.
    const outsiderTabs = readerTabs.slice(observers.length * TABS);
    const observerTabs = readerTabs.slice(0, observers.length * TABS);
    await command(base, { private: true }, 'PATCH');
    expect(await closeCodes(outsiderTabs)).toEqual(outsiderTabs.map(() => CloseCode.ACCESS_REVOKED));
    expect([...observerTabs, ...writersAgain].every((tab) => tab.ws.readyState === tab.ws.OPEN)).toBe(true);
    expect(accessOf(incident.docId, observers).every((access) => access === 'read')).toBe(true);
    expect(accessOf(incident.docId, [commander, ...responders]).every((access) => access === 'write')).toBe(true);
  });

  it('shows a new role holder’s badge to the room without closing anyone', async () => {
    const incident = await declare(commander);
    const base = `/api/incidents/${incident.ref}`;
    for (const person of responders) await command(`${base}/participants`, { userId: person.user.id, kind: 'responder' });
    const scribe = responders[1];
    const screens = [scribe, ...observers.slice(0, 2)].map((person) => {
      const screen = connectProvider(server.url, incident.docId, person.client.cookie);
      screen.provider.awareness.setLocalStateField('cursor', null);
      providers.push(screen);
      return screen;
    });
    const others = await openTabs(incident.docId, [...responders, ...outsiders]);
    await Promise.all(screens.map((screen) => screen.synced()));
    const roleSeen = (screen: TestProvider) => screen.provider.awareness.getStates().get(screens[0].doc.clientID)?.user?.role;
    await waitFor(() => screens.slice(1).every((screen) => roleSeen(screen) === null), 'the scribe-to-be in everyone’s presence');

    await command(`${base}/roles`, { role: 'scribe', userId: scribe.user.id });
    await waitFor(() => screens.slice(1).every((screen) => roleSeen(screen) === 'scribe'), 'the scribe badge on every screen');
    expect(screens.every((screen) => screen.closes.length === 0)).toBe(true);
    expect(others.every((tab) => tab.ws.readyState === tab.ws.OPEN)).toBe(true);
  });

  it('decides a room of many people with as many queries as a room of one', async () => {
    const incident = await declare(commander);
    for (const person of observers) await command(`/api/incidents/${incident.ref}/participants`, { userId: person.user.id, kind: 'observer' });
    const everyone = [commander, ...responders, ...observers, ...outsiders].map((person) => person.user.id);
    const counted = async (userIds: string[]) => {
      let queries = 0;
      const counting = observedSql(db.sql, () => queries++);
      const decided = await decideDocumentAuthorizations(counting, userIds, incident.docId);
      return { queries, decided };
    };
    const one = await counted([commander.user.id]);
    const all = await counted(everyone);
    expect(all.queries).toBe(one.queries);
    // And the decisions are the ones the rules give each person.
    expect(all.decided.get(commander.user.id)).toEqual({ access: 'write', role: 'commander' });
    for (const person of observers) expect(all.decided.get(person.user.id)).toEqual({ access: 'read', role: null });
    for (const person of [...responders, ...outsiders]) expect(all.decided.get(person.user.id)).toEqual({ access: 'read', role: null });
  });

  it('decides a war room in one round of queries: an upgrade waits for no query that waits for another', async () => {
    const incident = await declare(commander, { private: true });
    await command(`/api/incidents/${incident.ref}/participants`, { userId: observers[0].user.id, kind: 'observer' });
    // A round starts when a query is sent while none is in flight.
    let inFlight = 0;
    let rounds = 0;
    const tracking = observedSql(db.sql, (_strings, result) => {
      if (inFlight++ === 0) rounds++;
      const settled = () => void inFlight--;
      result.then(settled, settled);
    });
    const decided = await decideDocumentAuthorizations(tracking, [commander.user.id, observers[0].user.id, outsiders[0].user.id], incident.docId);
    expect(rounds).toBe(1);
    expect(decided.get(commander.user.id)).toEqual({ access: 'write', role: 'commander' });
    expect(decided.get(observers[0].user.id)).toEqual({ access: 'read', role: null });
    // Outsiders of a private incident: the document does not exist for them.
    expect(decided.get(outsiders[0].user.id)).toEqual({ access: 'missing', role: null });
  });
});
