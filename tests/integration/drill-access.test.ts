/**
 * The facilitator's private view: while a drill runs, nothing the team can
 * reach (the API as a responder, the war room's websocket, the scenario
 * library) holds the hidden answer, the facilitator's notes, unreleased
 * injects or the observations; the console is 404 to everyone but the
 * facilitator. The debrief opens to the team when the drill ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedShippedScenarios } from '../../server/drills/scenario-commands.ts';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { connectProvider, upgradeStatus, waitFor, wsUrl, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createScenario, FACILITATOR_NOTE, HIDDEN_INJECT, SECRET_ANSWER, startDrill } from '../helpers/drills.ts';
import { incidentCast, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const OBSERVATION = 'Rey went straight for the database (SECRET-OBSERVATION-2b8)';
const HYPOTHESIS = 'The deploy exhausted the database connection pool';
const SECRETS = [SECRET_ANSWER, FACILITATOR_NOTE, HIDDEN_INJECT, OBSERVATION, HYPOTHESIS];

/** Which secrets a response (or a document) gives away. */
const leaked = (value: unknown) => SECRETS.filter((secret) => JSON.stringify(value).includes(secret));

describe.each(backends)('a drill’s secrets stay with its facilitator (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let facilitator: Person;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    facilitator = cast.observer;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('shows the team the briefing and released injects only, by API and by websocket; the console is 404 to them', async () => {
    const scenario = await createScenario(facilitator);
    const drill = await startDrill(facilitator, scenario.id, [cast.commander, cast.responder]);
    const ref = drill.incident.ref;
    expect(drill.script.answer).toBe(SECRET_ANSWER);
    const observed = await facilitator.client.post(`/api/drills/runs/${drill.id}/observations`, { text: OBSERVATION });
    expect(observed.status, JSON.stringify(observed.body)).toBe(201);
    expect(observed.body.drill.observations.map((o: { text: string }) => o.text)).toEqual([OBSERVATION]);

    // The console and its controls: the facilitator only. Responders, an admin and outsiders all get 404.
    for (const person of [cast.commander, cast.responder, cast.admin, cast.outsider]) {
      expect((await person.client.get(`/api/drills/runs/${drill.id}`)).status).toBe(404);
      expect((await person.client.post(`/api/drills/runs/${drill.id}/observations`, { text: 'x' })).status).toBe(404);
      expect((await person.client.post(`/api/drills/runs/${drill.id}/injects/3/release`)).status).toBe(404);
      expect((await person.client.post(`/api/drills/runs/${drill.id}/clock`, { paused: true })).status).toBe(404);
      expect((await person.client.post(`/api/drills/runs/${drill.id}/end`)).status).toBe(404);
      expect((await person.client.get(`/api/drills/runs/${drill.id}/debrief`)).status).toBe(404);
      expect((await person.client.get(`/api/drills/runs/${drill.id}/debrief/export.md`)).status).toBe(404);
    }

    // What a responder reads through the API: the drill panel, the incident, its events and alerts.
    const team = await cast.responder.client.get(`/api/incidents/${ref}/drill`);
    expect(team.status).toBe(200);
    expect(team.body.drill).toMatchObject({ scenarioTitle: 'Checkout pool drill', briefing: 'Checkout is slow since 14:02.', youFacilitate: false, debriefReady: false });
    expect(team.body.drill.injects.map((i: { key: string }) => i.key)).toEqual(['1']);
    for (const path of [`/api/incidents/${ref}/drill`, `/api/incidents/${ref}`, `/api/incidents/${ref}/events`, `/api/incidents/${ref}/alerts`, '/api/drills/runs', '/api/drills/scenarios']) {
      const response = await cast.responder.client.get(path);
      expect([path, response.status, leaked(response.body)]).toEqual([path, 200, []]);
    }
    // The library keeps the scenario's text from its players while the drill runs.
    expect((await cast.responder.client.get('/api/drills/scenarios')).body.scenarios.find((s: { id: string }) => s.id === scenario.id).hidden).toBe(true);
    for (const path of ['', '/versions', '/versions/1', '/diff?from=1&to=1']) {
      expect((await cast.responder.client.get(`/api/drills/scenarios/${scenario.id}${path}`)).status).toBe(404);
    }
    expect((await cast.responder.client.get(`/api/drills/scenarios/${scenario.slug}`)).status).toBe(404);
    expect((await cast.admin.client.get(`/api/drills/scenarios/${scenario.id}`)).body.scenario.body).toContain(SECRET_ANSWER);

    // The war room over the stock y-websocket client: the released graph arrives, nothing secret does.
    const live = connectProvider(server.url, (await cast.responder.client.get(`/api/incidents/${ref}`)).body.incident.docId, cast.responder.client.cookie);
    providers.push(live);
    await live.synced();
    const released = await facilitator.client.post(`/api/drills/runs/${drill.id}/injects/3/release`);
    expect(released.status).toBe(200);
    await waitFor(() => readTimeline(live.doc).some((e) => e.text.startsWith('Graph: Database connections')), 'the released graph in the war room');
    expect(leaked(live.doc.toJSON())).toEqual([]);
    // The console has no live document of its own to guess at.
    expect((await upgradeStatus(`${wsUrl(server.url)}/drill-${drill.id}`, { origin: server.url, cookie: cast.responder.client.cookie! })).status).toBe(404);

    // Ending opens the debrief to the team: the answer and the observations are what a debrief is for.
    expect((await facilitator.client.post(`/api/drills/runs/${drill.id}/end`)).status).toBe(200);
    const debrief = await cast.responder.client.get(`/api/drills/runs/${drill.id}/debrief`);
    expect(debrief.status).toBe(200);
    expect(debrief.body.debrief.scenario.answer).toBe(SECRET_ANSWER);
    expect(debrief.body.debrief.observations.map((o: { text: string }) => o.text)).toEqual([OBSERVATION]);
    expect(debrief.body.can).toEqual({ answer: false, writeFindings: false });
    expect((await cast.responder.client.get(`/api/drills/scenarios/${scenario.id}`)).status).toBe(200);
    // The console stays the facilitator's.
    expect((await cast.responder.client.get(`/api/drills/runs/${drill.id}`)).status).toBe(404);
  });

  it('keeps a private drill’s debrief from outsiders even after it ended', async () => {
    const scenario = await createScenario(facilitator, undefined);
    const drill = await startDrill(facilitator, scenario.id, [cast.commander], { private: true });
    expect((await cast.outsider.client.get(`/api/incidents/${drill.incident.ref}/drill`)).status).toBe(404);
    await facilitator.client.post(`/api/drills/runs/${drill.id}/end`);
    expect((await cast.outsider.client.get(`/api/drills/runs/${drill.id}/debrief`)).status).toBe(404);
    expect((await cast.commander.client.get(`/api/drills/runs/${drill.id}/debrief`)).status).toBe(200);
    expect((await cast.outsider.client.get('/api/drills/runs')).body.drills.map((d: { id: string }) => d.id)).not.toContain(drill.id);
  });

  it('refuses a facilitator who would also respond, and a commander outside the team', async () => {
    const [shipped] = await seedShippedScenarios(db.sql).then(async () => (await facilitator.client.get('/api/drills/scenarios')).body.scenarios.filter((s: { shipped: boolean }) => s.shipped));
    const plays = await facilitator.client.post('/api/drills/runs', { scenarioId: shipped.id, responderIds: [facilitator.user.id, cast.responder.user.id], commanderId: cast.responder.user.id });
    expect(plays.status).toBe(400);
    expect(plays.body.error).toMatchObject({ code: 'facilitator_responds', field: 'responderIds' });
    const outside = await facilitator.client.post('/api/drills/runs', { scenarioId: shipped.id, responderIds: [cast.responder.user.id], commanderId: cast.commander.user.id });
    expect(outside.body.error).toMatchObject({ code: 'invalid_input', field: 'commanderId' });
    expect((await facilitator.client.post('/api/drills/runs', { scenarioId: 'nosuchscenario', responderIds: [cast.responder.user.id], commanderId: cast.responder.user.id })).status).toBe(404);
  });
});
