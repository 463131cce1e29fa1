import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../helpers/api-tokens.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { scenarioText } from '../helpers/drills.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type JsonResponse, type TestClient, type TestServer } from '../helpers/server.ts';

/**
 * The reference must not lie: real responses, validated against the response
 * schema the served document gives for that operation and status. A field a
 * view adds without updating server/shared/api/components.ts fails here
 * (the component objects are closed: additionalProperties false).
 */
describe.each(backends)('OpenAPI responses match the server (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let doc: { paths: Record<string, Record<string, any>>; components: Record<string, unknown> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    doc = (await server.client().get('/api/openapi.json')).body;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  /** Sends the request and checks the body against the documented schema for its status. */
  async function checked(client: TestClient, method: string, path: string, documentedPath: string, body?: unknown): Promise<JsonResponse> {
    const response = await client.request(method, path, body);
    const operation = doc.paths[documentedPath]?.[method.toLowerCase()];
    expect(operation, `${method} ${documentedPath} is documented`).toBeDefined();
    const documented = operation.responses[String(response.status)];
    expect(documented, `${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}, which is not documented`).toBeDefined();
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) {
      expect(response.body, `${method} ${path}: documented without a body`).toBeNull();
      return response;
    }
    // Local refs (#/components/schemas/X) resolve against the document's own components.
    const validate = ajv.compile({ ...schema, components: doc.components });
    const valid = validate(response.body);
    expect(valid ? [] : validate.errors, `${method} ${path} → ${response.status}: ${JSON.stringify(response.body).slice(0, 400)}`).toEqual([]);
    return response;
  }

  it('incidents: list, declare, get, events, meta, state change and the error shapes', async () => {
    const { commander, outsider, anonymous } = cast;
    const created = await checked(commander.client, 'POST', '/api/incidents', '/api/incidents', { title: 'Checkout is failing', severity: 2, services: ['checkout'] });
    expect(created.status).toBe(201);
    const ref = created.body.incident.ref;
    await checked(commander.client, 'GET', '/api/incidents?state=active&limit=5', '/api/incidents');
    await checked(commander.client, 'GET', '/api/incidents/meta', '/api/incidents/meta');
    await checked(commander.client, 'GET', `/api/incidents/${ref}`, '/api/incidents/{ref}');
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/state`, '/api/incidents/{ref}/state', { state: 'identified' })).status).toBe(200);
    await checked(commander.client, 'GET', `/api/incidents/${ref}/events`, '/api/incidents/{ref}/events');
    await checked(commander.client, 'PATCH', `/api/incidents/${ref}`, '/api/incidents/{ref}', { summary: 'Payments time out' });
    // Errors: the one shape, under statuses the document lists.
    expect((await checked(commander.client, 'POST', '/api/incidents', '/api/incidents', { title: '' })).status).toBe(400);
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/state`, '/api/incidents/{ref}/state', { state: 'closed' })).status).toBe(409);
    expect((await checked(outsider.client, 'POST', `/api/incidents/${ref}/severity`, '/api/incidents/{ref}/severity', { severity: 1 })).status).toBe(403);
    expect((await checked(anonymous, 'GET', '/api/incidents', '/api/incidents')).status).toBe(401);
    const secret = await privateIncident(cast);
    expect((await checked(outsider.client, 'GET', `/api/incidents/${secret.ref}`, '/api/incidents/{ref}')).status).toBe(404);
  });

  it('war room and communications: timeline, updates, cadence, status page, replay, drafts', async () => {
    const { commander } = cast;
    const incident = await declare(commander);
    const ref = incident.ref;
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/timeline`, '/api/incidents/{ref}/timeline', { kind: 'note', text: 'Looking at the dashboards' })).status).toBe(201);
    const update = { audience: 'responders', body: 'We are on it.', idempotencyKey: 'openapi-check-1' };
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/updates`, '/api/incidents/{ref}/updates', update)).status).toBe(201);
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/updates`, '/api/incidents/{ref}/updates', update)).status).toBe(200);
    await checked(commander.client, 'GET', `/api/incidents/${ref}/updates`, '/api/incidents/{ref}/updates');
    await checked(commander.client, 'GET', `/api/incidents/${ref}/cadence`, '/api/incidents/{ref}/cadence');
    await checked(commander.client, 'PUT', `/api/incidents/${ref}/cadence`, '/api/incidents/{ref}/cadence', { audience: 'support', intervalMinutes: 45 });
    await checked(commander.client, 'GET', `/api/incidents/${ref}/status-page`, '/api/incidents/{ref}/status-page');
    await checked(commander.client, 'POST', `/api/incidents/${ref}/status-page`, '/api/incidents/{ref}/status-page', { public: true });
    await checked(commander.client, 'GET', `/api/incidents/${ref}/replay/moments`, '/api/incidents/{ref}/replay/moments');
    await checked(commander.client, 'GET', `/api/incidents/${ref}/replay?at=${encodeURIComponent(new Date().toISOString())}`, '/api/incidents/{ref}/replay');
    expect((await checked(commander.client, 'POST', `/api/incidents/${ref}/drafts`, '/api/incidents/{ref}/drafts', {})).status).toBe(204);
    await checked(commander.client, 'GET', '/api/services?q=check', '/api/services');
    await checked(commander.client, 'GET', '/api/users/directory', '/api/users/directory');
  });

  it('account, tokens and administration', async () => {
    const { admin, commander, anonymous } = cast;
    await checked(anonymous, 'GET', '/api/auth/state', '/api/auth/state');
    await checked(commander.client, 'GET', '/api/auth/state', '/api/auth/state');
    await checked(commander.client, 'GET', '/api/me', '/api/me');
    await checked(commander.client, 'GET', '/api/me/sessions', '/api/me/sessions');
    expect((await checked(commander.client, 'POST', '/api/me/tokens', '/api/me/tokens', { name: 'deploy bot', scopes: ['incidents:write'] })).status).toBe(201);
    await checked(commander.client, 'GET', '/api/me/tokens', '/api/me/tokens');
    expect((await checked(commander.client, 'GET', '/api/admin/users', '/api/admin/users')).status).toBe(403);
    await checked(admin.client, 'GET', '/api/admin/users', '/api/admin/users');
    const invite = await checked(admin.client, 'POST', '/api/admin/invites', '/api/admin/invites', {});
    expect(invite.status).toBe(201);
    await checked(admin.client, 'GET', '/api/admin/invites', '/api/admin/invites');
    await checked(anonymous, 'GET', `/api/auth/invite?token=${new URL(invite.body.url).searchParams.get('invite')}`, '/api/auth/invite');
    await checked(admin.client, 'GET', '/api/admin/templates', '/api/admin/templates');
    const hook = await checked(admin.client, 'POST', '/api/admin/webhooks', '/api/admin/webhooks', { name: 'Chat', url: 'http://127.0.0.1:9/hook', audiences: ['support'], format: 'json' });
    expect(hook.status).toBe(201);
    await checked(admin.client, 'GET', '/api/admin/webhooks', '/api/admin/webhooks');
    await checked(admin.client, 'GET', `/api/admin/webhooks/${hook.body.endpoint.id}/deliveries`, '/api/admin/webhooks/{id}/deliveries');
    await checked(admin.client, 'GET', '/api/admin/tokens', '/api/admin/tokens');
  });

  it('alerts: ingestion with a token, the inbox, rules and an incident’s alerts', async () => {
    const { admin } = cast;
    const monitor = await createApiToken(server, admin.client, { scopes: ['alerts:write'] });
    const rule = await checked(admin.client, 'POST', '/api/admin/alert-rules', '/api/admin/alert-rules', { name: 'Everything to the inbox', matchers: [], action: 'inbox' });
    expect(rule.status).toBe(201);
    await checked(admin.client, 'GET', '/api/admin/alert-rules', '/api/admin/alert-rules');
    const alert = { source: 'grafana', fingerprint: `disk-${Math.random().toString(36).slice(2)}`, summary: 'Disk almost full', service: 'db' };
    expect((await checked(monitor.client as unknown as TestClient, 'POST', '/api/alerts', '/api/alerts', alert)).status).toBe(200);
    const inbox = await checked(admin.client, 'GET', '/api/alerts', '/api/alerts');
    const waiting = inbox.body.alerts.find((a: { fingerprint: string }) => a.fingerprint === alert.fingerprint);
    const declared = await checked(admin.client, 'POST', `/api/alerts/${waiting.id}/declare`, '/api/alerts/{id}/declare', { severity: 3 });
    expect(declared.status).toBe(201);
    await checked(admin.client, 'GET', `/api/incidents/${declared.body.incident.ref}/alerts`, '/api/incidents/{ref}/alerts');
    expect((await checked(cast.commander.client, 'POST', '/api/alerts', '/api/alerts', alert)).status).toBe(403);
  });

  it('practice: scenarios, a drill’s console, the team’s view, its debrief, and process reviews', async () => {
    const { commander, responder, observer: facilitator, outsider } = cast;
    const scenario = await checked(facilitator.client, 'POST', '/api/drills/scenarios', '/api/drills/scenarios', { body: scenarioText() });
    expect(scenario.status).toBe(201);
    const id = scenario.body.scenario.id;
    const invalid = await checked(facilitator.client, 'POST', '/api/drills/scenarios', '/api/drills/scenarios', { body: '# no front matter' });
    expect(invalid.status).toBe(400);
    expect((await checked(facilitator.client, 'PUT', `/api/drills/scenarios/${id}`, '/api/drills/scenarios/{id}', { baseVersion: 1, body: scenarioText({ title: 'Renamed' }) })).status).toBe(200);
    expect((await checked(facilitator.client, 'PUT', `/api/drills/scenarios/${id}`, '/api/drills/scenarios/{id}', { baseVersion: 1, body: scenarioText() })).status).toBe(409);
    await checked(facilitator.client, 'GET', '/api/drills/scenarios', '/api/drills/scenarios');
    await checked(facilitator.client, 'GET', `/api/drills/scenarios/${id}`, '/api/drills/scenarios/{id}');
    await checked(facilitator.client, 'GET', `/api/drills/scenarios/${id}/versions`, '/api/drills/scenarios/{id}/versions');
    await checked(facilitator.client, 'GET', `/api/drills/scenarios/${id}/versions/1`, '/api/drills/scenarios/{id}/versions/{version}');
    await checked(facilitator.client, 'GET', `/api/drills/scenarios/${id}/diff?from=1&to=2`, '/api/drills/scenarios/{id}/diff');
    const started = await checked(facilitator.client, 'POST', '/api/drills/runs', '/api/drills/runs', { scenarioId: id, responderIds: [commander.user.id, responder.user.id], commanderId: commander.user.id });
    expect(started.status).toBe(201);
    const run = started.body.drill;
    await checked(facilitator.client, 'GET', '/api/drills/runs', '/api/drills/runs');
    expect((await checked(responder.client, 'GET', `/api/drills/runs/${run.id}`, '/api/drills/runs/{id}')).status).toBe(404);
    await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/injects/3/release`, '/api/drills/runs/{id}/injects/{key}/release');
    await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/clock`, '/api/drills/runs/{id}/clock', { paused: true });
    expect((await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/observations`, '/api/drills/runs/{id}/observations', { text: 'Quiet start' })).status).toBe(201);
    await checked(facilitator.client, 'PATCH', `/api/drills/runs/${run.id}/debrief`, '/api/drills/runs/{id}/debrief', { runbookHelped: 'no' });
    await checked(responder.client, 'GET', `/api/incidents/${run.incident.ref}/drill`, '/api/incidents/{ref}/drill');
    await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/end`, '/api/drills/runs/{id}/end');
    expect((await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/injects/4/release`, '/api/drills/runs/{id}/injects/{key}/release')).status).toBe(409);
    expect((await checked(facilitator.client, 'POST', `/api/drills/runs/${run.id}/findings`, '/api/drills/runs/{id}/findings', { title: 'Write the pool runbook', ownerId: responder.user.id, dueDate: '2030-01-01' })).status).toBe(201);
    expect((await checked(responder.client, 'POST', `/api/drills/runs/${run.id}/findings`, '/api/drills/runs/{id}/findings', { title: 'x', ownerId: responder.user.id, dueDate: '2030-01-01' })).status).toBe(403);
    await checked(responder.client, 'GET', `/api/drills/runs/${run.id}/debrief`, '/api/drills/runs/{id}/debrief');
    await checked(responder.client, 'GET', '/api/action-items?origin=debrief', '/api/action-items');

    const incident = await declare(commander, { services: ['reviewed'] });
    await commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'resolved' });
    await checked(outsider.client, 'GET', '/api/reviews/preview?count=3&service=reviewed', '/api/reviews/preview');
    const saved = await checked(commander.client, 'POST', '/api/reviews', '/api/reviews', { title: 'Review', service: 'reviewed' });
    expect(saved.status).toBe(201);
    const reviewId = saved.body.review.id;
    await checked(commander.client, 'PATCH', `/api/reviews/${reviewId}`, '/api/reviews/{id}', { delays: { [incident.id]: { kind: 'knowledge', note: 'Only Ana knew' } } });
    expect((await checked(commander.client, 'POST', `/api/reviews/${reviewId}/findings`, '/api/reviews/{id}/findings', { title: 'Pair on the failover', incidentId: incident.id, ownerId: responder.user.id, dueDate: '2030-01-01' })).status).toBe(201);
    await checked(outsider.client, 'GET', `/api/reviews/${reviewId}`, '/api/reviews/{id}');
    await checked(outsider.client, 'GET', '/api/reviews', '/api/reviews');
    expect((await checked(outsider.client, 'GET', '/api/reviews/nosuchreview', '/api/reviews/{id}')).status).toBe(404);
  });

  it('a token request answers like a session one, including its refusals', async () => {
    const incident = await declare(cast.commander);
    const reader = await createApiToken(server, cast.commander.client, { scopes: ['incidents:read'] });
    const asToken = (method: string, path: string, body?: unknown) => reader.client.request(method, path, body);
    const read = await asToken('GET', `/api/incidents/${incident.ref}`);
    expect(read.status).toBe(200);
    const operation = doc.paths['/api/incidents/{ref}/timeline'].post;
    const refused = await asToken('POST', `/api/incidents/${incident.ref}/timeline`, { kind: 'note', text: 'x' });
    expect(refused.status).toBe(403);
    expect(operation.responses['403']).toBeDefined();
    expect(operation.security).toContainEqual({ apiToken: ['incidents:write'] });
  });
});
