/**
 * The worst input one member, token or payload can send, item by item: each
 * test here failed on the build before the hardening and passes after. Timing
 * lives in bench/abuse.ts; these assert behaviour only.
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPurge } from '../../server/auth/session-purge.ts';
import { renderMissingVersionHtml } from '../../server/postmortem/version-html.ts';
import { renderMarkdown } from '../../server/shared/markdown.ts';
import { MARKDOWN_LIMITS } from '../../server/shared/markdown-limits.ts';
import { addActionItem, postmortemDocId, sectionsMap } from '../../server/shared/postmortem-doc.ts';
import { createLogger } from '../../server/log.ts';
import * as Y from 'yjs';
import { connectDoc, waitFor } from '../helpers/collab.ts';
import { createApiToken } from '../helpers/api-tokens.ts';
import { resolveAndClose } from './search-support.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

const root = new URL('../..', import.meta.url).pathname;

async function logIn(server: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const client = server.client();
  return client.request('POST', '/api/auth/login', { email, password }, headers);
}

describe.each(backends)('abuse: login and sessions (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let proxied: TestServer;
  let people: Awaited<ReturnType<typeof withAdmin>>;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { loginLimit: 10 });
    // The same database behind a proxy on this machine: requests from 127.0.0.1 carry the client's address.
    proxied = await startTestServer(db, { loginLimit: 10, env: { TRUSTED_PROXIES: '127.0.0.1, ::1' } });
    people = await withAdmin(server);
  });
  afterAll(async () => {
    await proxied?.close();
    await server?.close();
    await db?.close();
  });

  it('counts a login attempt before checking the password, so 40 at once cannot all be tried', async () => {
    const victim = await people.member();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => logIn(server, victim.user.email, `wrong guess ${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
  });

  it('does not lock other accounts out of an address where one account is being guessed', async () => {
    const guessed = await people.member();
    const neighbour = await people.member();
    for (let i = 0; i < 12; i++) await logIn(server, guessed.user.email, `wrong ${i}`);
    expect((await logIn(server, guessed.user.email, guessed.password)).status).toBe(429);
    expect((await logIn(server, neighbour.user.email, neighbour.password)).status).toBe(200);
  });

  it('behind a trusted proxy, limits per client address from X-Forwarded-For', async () => {
    const victim = await people.member();
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 12; i++) await logIn(proxied, victim.user.email, `wrong ${i}`, attacker);
    expect((await logIn(proxied, victim.user.email, victim.password, attacker)).status).toBe(429);
    // The victim, at another address behind the same proxy, still gets in.
    expect((await logIn(proxied, victim.user.email, victim.password, { 'x-forwarded-for': '198.51.100.20' })).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const victim = await people.member();
    for (let i = 0; i < 12; i++) await logIn(server, victim.user.email, `wrong ${i}`, { 'x-forwarded-for': `192.0.2.${i}` });
    expect((await logIn(server, victim.user.email, victim.password, { 'x-forwarded-for': '192.0.2.200' })).status).toBe(429);
  });

  it('purges expired sessions that nobody presents again, and keeps valid ones', async () => {
    const expired = await people.member();
    const valid = await people.member();
    const [{ id: expiredId }] = await db.sql<{ id: string }>`select id from sessions where user_id = ${expired.user.id}`;
    await db.sql`update sessions set expires_at = now() - interval '1 second' where id = ${expiredId}`;
    const purge = new SessionPurge({ sql: db.sql, log: createLogger('silent'), intervalMs: 20 });
    purge.start();
    try {
      await waitFor(async () => (await db.sql`select 1 from sessions where id = ${expiredId}`).length === 0, 'the expired session to be purged');
    } finally {
      await purge.stop();
    }
    expect((await valid.client.get('/api/auth/state')).body.user.id).toBe(valid.user.id);
  });
});

describe.each(backends)('abuse: side doors to a private incident (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let run = 0;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const service = () => `svc-${++run}-${Math.random().toString(36).slice(2, 6)}`;
  const alert = (name: string, svc: string) => ({ source: 'abuse', fingerprint: `${name}-${Math.random()}`, summary: `${name} is failing`, service: svc });
  const attachRule = async (svc: string) => {
    const created = await cast.admin.client.post('/api/admin/alert-rules', { name: `attach ${svc}`, matchers: [{ key: 'service', value: svc }], action: 'attach' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  };
  const serviceToken = async () => (await createApiToken(server, cast.admin.client, { name: 'monitoring', scopes: ['alerts:write'] }, { service: true })).client;

  it('answers a declare from an alert inside a private incident as if there were no such alert', async () => {
    const svc = service();
    const hidden = await privateIncident(cast, { title: 'Marker-alpha breach', services: [svc] });
    const posted = await cast.admin.client.post('/api/alerts', alert('login', svc));
    expect(posted.status).toBe(200);
    const [row] = await db.sql<{ id: string }>`select id from alerts where service = ${svc}`;
    await db.sql`update alerts set incident_id = ${hidden.id} where id = ${row.id}`;
    const refused = await cast.outsider.client.post(`/api/alerts/${row.id}/declare`, { severity: 2 });
    const missing = await cast.outsider.client.post(`/api/alerts/nosuchalert0000/declare`, { severity: 2 });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual(missing.body);
    expect(JSON.stringify(refused.body)).not.toContain(hidden.ref);
    // A participant still learns where the alert is.
    const participant = await cast.observer.client.post(`/api/alerts/${row.id}/declare`, { severity: 2 });
    expect(participant.status).toBe(409);
    expect(participant.body.error.message).toContain(hidden.ref);
  });

  it('never attaches an alert to a private incident by an attach rule, nor names one to the poster', async () => {
    const svc = service();
    await attachRule(svc);
    const hidden = await privateIncident(cast, { title: 'Marker-bravo breach', services: [svc] });
    const monitoring = await serviceToken();
    const posted = await monitoring.post('/api/alerts', alert('api', svc));
    expect(posted.status).toBe(200);
    expect(JSON.stringify(posted.body)).not.toContain(hidden.ref);
    expect(posted.body).toMatchObject({ attached: 0, inbox: 1, incidents: [] });
    expect((await cast.commander.client.get(`/api/incidents/${hidden.ref}/alerts`)).body.alerts).toEqual([]);
    // A public incident on the same service still collects it.
    const open = await declare(cast.commander, { title: 'API errors', services: [svc] });
    const again = await monitoring.post('/api/alerts', alert('api-2', svc));
    expect(again.body).toMatchObject({ attached: 1, incidents: [open.ref] });
  });

  it('lists in an ingestion answer only the incidents the poster may see', async () => {
    const svc = service();
    const monitoring = await createApiToken(server, cast.admin.client, { name: 'monitoring', scopes: ['alerts:write'] }, { service: true });
    const rule = await cast.admin.client.post('/api/admin/alert-rules', { name: `declare ${svc}`, matchers: [{ key: 'service', value: svc }], action: 'declare', severity: 2 });
    expect(rule.status).toBe(201);
    const first = await monitoring.client.post('/api/alerts', { ...alert('db', svc), fingerprint: 'group-1' });
    expect(first.body).toMatchObject({ declared: 1 });
    const ref = first.body.incidents[0];
    // The commander the service account got takes the incident private and hands it over.
    const incident = (await cast.admin.client.get(`/api/incidents/${ref}`)).body.incident;
    await cast.admin.client.request('PATCH', `/api/incidents/${ref}`, { private: true });
    await cast.admin.client.post(`/api/incidents/${ref}/roles`, { role: 'commander', userId: cast.commander.user.id });
    await db.sql`delete from incident_participants where incident_id = ${incident.id} and user_id = ${monitoring.apiToken.user.id}`;
    const repeat = await monitoring.client.post('/api/alerts', { source: 'abuse', fingerprint: 'group-2', summary: 'db again', service: svc });
    expect(repeat.status).toBe(200);
    expect(JSON.stringify(repeat.body)).not.toContain(ref);
  });

  it('leaves a private incident out of the runbook prefill, and warns before a runbook quotes it', async () => {
    const hidden = await privateIncident(cast, { title: 'Marker-charlie vault exposure', summary: 'Marker-delta keys were readable.', services: [service()] });
    expect((await cast.commander.client.post(`/api/incidents/${hidden.ref}/state`, { state: 'resolved' })).status).toBe(200);
    const panel = await cast.commander.client.get(`/api/incidents/${hidden.ref}/runbooks`);
    expect(panel.status).toBe(200);
    const draft = JSON.stringify(panel.body.prompt.draft);
    for (const marker of ['Marker-charlie', 'Marker-delta', hidden.ref]) expect(draft).not.toContain(marker);
    expect(panel.body.prompt.draft.private).toBe(true);

    const quoting = { title: 'Vault keys', body: '## Symptoms\n\n- marker-charlie   vault exposure\n', fromIncident: hidden.ref };
    const warned = await cast.commander.client.post('/api/runbooks', quoting);
    expect(warned.status).toBe(409);
    expect(warned.body.error.code).toBe('quotes_private_incident');
    expect((await cast.commander.client.get('/api/runbooks?q=vault')).body.runbooks).toEqual([]);
    const confirmed = await cast.commander.client.post('/api/runbooks', { ...quoting, quotePrivate: true });
    expect(confirmed.status).toBe(201);
    // Written without quoting it, nothing to confirm.
    expect((await cast.commander.client.post('/api/runbooks', { title: 'Vault rotation', body: 'Rotate the keys.', verifiedIn: hidden.ref })).status).toBe(201);
  });

  it('stops listing an incident as similar as soon as it turns private', async () => {
    const svc = service();
    const past = await declare(cast.commander, { title: 'Queue backlog on the ledger', services: [svc] });
    expect((await cast.commander.client.post(`/api/incidents/${past.ref}/state`, { state: 'resolved' })).status).toBe(200);
    const current = await declare(cast.responder, { title: 'Queue backlog on the ledger again', services: [svc] });
    const before = await cast.outsider.client.get(`/api/incidents/${current.ref}/similar`);
    expect(before.body.similar.map((s: { ref: string }) => s.ref)).toContain(past.ref);
    expect((await cast.commander.client.request('PATCH', `/api/incidents/${past.ref}`, { private: true })).status).toBe(200);
    const after = await cast.outsider.client.get(`/api/incidents/${current.ref}/similar`);
    expect(after.body.similar.map((s: { ref: string }) => s.ref)).not.toContain(past.ref);
  });
});

/** Sends `body` as is (a Buffer with Content-Length, or chunks without it) and reads the answer. */
function rawPost(server: TestServer, path: string, body: Buffer | Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, ...(chunked ? {} : { 'content-length': String(body.length) }), ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    // The server may answer and close before the whole body is sent: that is the point.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (chunked) {
      for (const chunk of body) request.write(chunk);
      request.end();
    } else request.end(body);
  });
}

describe.each(backends)('abuse: bad input (%s)', (backend) => {
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

  const bigJson = (bytes: number) => Buffer.from(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(bytes) }));

  it('refuses a body over 1 MiB on the anonymous login route with 413, before reading it', async () => {
    const answer = await rawPost(server, '/api/auth/login', bigJson(3 * 1024 * 1024));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
  });

  it('refuses a chunked body once it passes 1 MiB, on any route', async () => {
    const chunks = Array.from({ length: 48 }, () => Buffer.alloc(64 * 1024, 0x20));
    const answer = await rawPost(server, '/api/incidents', chunks, { cookie: cast.commander.client.cookie! });
    expect(answer.status).toBe(413);
  });

  it('answers JSON nested 20,000 deep with 400, on login and elsewhere', async () => {
    const deep = `{"email":${'['.repeat(20_000)}${']'.repeat(20_000)},"password":"x"}`;
    for (const [path, headers] of [['/api/auth/login', {}], ['/api/incidents', { cookie: cast.commander.client.cookie! }]] as const) {
      const answer = await rawPost(server, path, Buffer.from(deep), headers);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.message).toMatch(/nested deeper than 64 levels/);
    }
  });

  it('answers a lone surrogate in a text field with 400 naming the field', async () => {
    const answer = await cast.commander.client.post('/api/incidents', { title: 'Checkout \ud800 down', severity: 2 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('title');
    const entry = await cast.commander.client.post('/api/incidents', { title: 'Fine', severity: 2, services: ['ok', 'bad\udfff'] });
    expect(entry.body.error.field).toBe('services.1');
  });
});

describe.each(backends)('abuse: malformed values in the live documents (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: { destroy(): void }[] = [];
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    for (const provider of providers) provider.destroy();
    await server?.close();
    await db?.close();
  });

  /** A responder's stock provider on the document, writing whatever it likes. */
  async function writeAsResponder(docId: string, write: (doc: Y.Doc) => void) {
    const { doc, provider } = await connectDoc(server, cast.responder.client, docId);
    providers.push(provider);
    doc.transact(() => write(doc));
    await waitFor(async () => {
      let seen = false;
      await server.collab.changeDocument(docId, null, (live) => {
        seen = Y.encodeStateVector(live).toString() === Y.encodeStateVector(doc).toString();
      });
      return seen;
    }, 'the server to have the responder’s writes');
  }

  // As deep as Yjs's own encoder goes in one client (lib0 recurses; it overflows near 10,000).
  let deep: unknown = 'bottom';
  for (let i = 0; i < 2_000; i++) deep = { deep };

  it('keeps replay, postmortem generation and publication working whatever a member wrote into the war room', async () => {
    const incident = await declare(cast.commander, { title: 'Malformed' });
    expect((await cast.responder.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' })).status).toBe(200);
    const at = new Date().toISOString();
    await writeAsResponder(incident.docId, (doc) => {
      const timeline = doc.getMap<unknown>('timeline');
      timeline.set('a-string', 'not an entry');
      timeline.set('a-number', 42);
      const entry = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({ at, kind: 'rm -rf', text: 12345, author: 'nobody', auto: 'yes', eventId: 'x', createdAt: 7 })) entry.set(key, value);
      timeline.set('wrong-types', entry);
      const nul = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({ at, kind: 'action', text: 'rolled\u0000back \ud800', author: { id: cast.responder.user.id, name: 'Rey' } })) nul.set(key, value);
      timeline.set('nul', nul);
      const deepEntry = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({ at, kind: 'note', text: deep, author: deep })) deepEntry.set(key, value);
      timeline.set('deep', deepEntry);
      const hypotheses = doc.getMap<unknown>('hypotheses');
      hypotheses.set('h-string', 'not a card');
      const card = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({ statement: 99, status: 'maybe', createdAt: at, evidence: 'not a list', owner: [1, 2] })) card.set(key, value);
      hypotheses.set('h-wrong', card);
      doc.getMap<unknown>('drafts').set('public', 17);
    });

    const replay = await cast.commander.client.get(`/api/incidents/${incident.ref}/replay?at=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    const texts = replay.body.timeline.map((e: { text: string }) => e.text);
    expect(texts).toContain('12345');
    expect(texts).toContain('rolledback \ufffd');
    expect(replay.body.timeline.find((e: { id: string }) => e.id === 'wrong-types')).toMatchObject({ kind: 'note', author: null, auto: false, eventId: null });
    expect(replay.body.timeline.find((e: { id: string }) => e.id === 'deep')).toMatchObject({ text: '', author: null });
    expect(replay.body.hypotheses).toEqual([expect.objectContaining({ id: 'h-wrong', statement: '99', status: 'open', evidence: [], owner: null })]);

    await resolveAndClose(cast.commander, incident.ref);
    const postmortem = await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`);
    expect(postmortem.status).toBe(200);
    expect(postmortem.body.postmortem, 'the draft was generated').not.toBeNull();

    const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await writeAsResponder(postmortemDocId(incident.id), (doc) => {
      const summary = sectionsMap(doc).get('summary')!;
      summary.insert(0, 'Sum\u0000mary \udfff. ');
      const items = doc.getMap<unknown>('actionItems');
      items.set('an-item-string', 'not an item');
      const item = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({ title: 404, owner: { id: cast.commander.user.id, name: 'Cora' }, dueDate, kind: 'structural', priority: 'p2', status: 'open', createdAt: at })) item.set(key, value);
      items.set('numbered', item);
      doc.getMap<unknown>('timeline').set('pm-string', 'x');
      doc.getMap<unknown>('factors').set('f-string', 3);
    });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/submit`)).status).toBe(200);
    const published = await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const version = await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem/versions/1`);
    expect(version.body.snapshot.actionItems.map((i: { title: string }) => i.title)).toEqual(['404']);
    expect(version.body.snapshot.sections.summary).toMatch(/^Summary \ufffd\. /);
  });
});

describe.each(backends)('abuse: Markdown (%s)', (backend) => {
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

  /** A closed incident whose postmortem draft holds `sections`, submitted for review. */
  async function draftedPostmortem(sections: Record<string, string>) {
    const incident = await declare(cast.commander, { title: 'Ledger lag' });
    await resolveAndClose(cast.commander, incident.ref);
    const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      for (const [key, text] of Object.entries(sections)) {
        const section = sectionsMap(doc).get(key)!;
        section.delete(0, section.length);
        section.insert(0, text);
      }
      addActionItem(doc, { title: 'Follow up', owner: { id: cast.commander.user.id, name: cast.commander.user.displayName }, dueDate, kind: 'structural', priority: 'p2' });
    });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/submit`)).status).toBe(200);
    return incident;
  }

  it('refuses to publish a postmortem section over its size limit with a 413 naming it', async () => {
    const incident = await draftedPostmortem({ summary: 'Short.', investigation: 'x'.repeat(MARKDOWN_LIMITS.postmortemSection + 1) });
    const refused = await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`);
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('too_large');
    expect(refused.body.error.problems.join(' ')).toMatch(/Investigation is too long: 50,001 characters, the limit is 50,000/);
  });

  it('renders a published postmortem once, when it is published, and serves the stored HTML', async () => {
    const incident = await draftedPostmortem({ summary: 'See [the runbook](javascript:alert(1)) and [docs](https://docs.example/a_(b)).\n\n- a\n  - nested' });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`)).status).toBe(200);
    const [row] = await db.sql<{ html: string | null }>`select html from postmortem_versions where incident_id = ${incident.id} and version = 1`;
    expect(row.html).toContain('<a href="https://docs.example/a_(b)"');
    expect(row.html).toContain('[the runbook](javascript:alert(1))');
    expect(row.html).toMatch(/<li>a\n<ul>\n<li>nested<\/li>/);
    // What the page gets is what was stored; editing the stored HTML shows it was not rendered again.
    await db.sql`update postmortem_versions set html = ${row.html + '<!-- stored -->'} where incident_id = ${incident.id}`;
    const served = await cast.outsider.client.get(`/api/incidents/${incident.ref}/postmortem/versions/1`);
    expect(served.body.html).toBe(row.html + '<!-- stored -->');
  });

  it('renders versions published before HTML was stored once, at start-up', async () => {
    const incident = await draftedPostmortem({ summary: '**Old** version' });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`)).status).toBe(200);
    await db.sql`update postmortem_versions set html = null where incident_id = ${incident.id}`;
    expect(await renderMissingVersionHtml(db.sql, createLogger('silent'))).toBeGreaterThanOrEqual(1);
    const [row] = await db.sql<{ html: string | null; markdown: string }>`select html, markdown from postmortem_versions where incident_id = ${incident.id}`;
    expect(row.html).toBe(renderMarkdown(row.markdown));
    expect(row.html).toContain('<strong>Old</strong> version');
  });

  it('publishes an update and a postmortem at their size limits, made of the worst Markdown, as the preview renders them', async () => {
    const bomb = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const incident = await declare(cast.commander, { title: 'Bracket storm' });
    const body = `{{ref}} ${bomb('[', MARKDOWN_LIMITS.update - 8)}`;
    const published = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'responders', body, idempotencyKey: 'abuse-markdown-bomb' });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.update.bodyMarkdown.startsWith(`${incident.ref} [[[`)).toBe(true);
    expect(published.body.update.bodyHtml).toBe(renderMarkdown(published.body.update.bodyMarkdown));

    const closed = await draftedPostmortem({ summary: bomb('![a', MARKDOWN_LIMITS.postmortemSection), investigation: bomb('*a **b ', MARKDOWN_LIMITS.postmortemSection) });
    expect((await cast.commander.client.post(`/api/incidents/${closed.ref}/postmortem/publish`)).status).toBe(200);
    const version = await cast.outsider.client.get(`/api/incidents/${closed.ref}/postmortem/versions/1`);
    expect(version.status).toBe(200);
    expect(version.body.html).toBe(renderMarkdown(version.body.markdown));
    expect(version.body.markdown).toContain('![a![a');
  });

  it('publishes updates whose refused links leave the text as written, without stray brackets', async () => {
    const incident = await declare(cast.commander, { title: 'Card payments' });
    const published = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, {
      audience: 'responders',
      body: 'Check [this](javascript:alert(1)) and **bold *it***',
      idempotencyKey: 'abuse-markdown-1',
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.update.bodyHtml).toBe('<p>Check [this](javascript:alert(1)) and <strong>bold <em>it</em></strong></p>\n');
  });

  it('refuses Markdown fields over their limits with a 400 naming the field', async () => {
    const incident = await declare(cast.commander, { title: 'Big bodies' });
    const update = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'responders', body: 'x'.repeat(MARKDOWN_LIMITS.update + 1), idempotencyKey: 'abuse-big-1' });
    expect(update.status).toBe(400);
    expect(update.body.error.field).toBe('body');
    const runbook = await cast.commander.client.post('/api/runbooks', { title: 'Huge', body: 'x'.repeat(MARKDOWN_LIMITS.runbook + 1) });
    expect(runbook.status).toBe(400);
    expect(runbook.body.error.field).toBe('body');
  });
});

describe.each(backends)('abuse: headers and configuration (%s)', (backend) => {
  let db: TestDatabase;
  let plain: TestServer;
  let configured: TestServer;
  let slug: string;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    plain = await startTestServer(db);
    configured = await startTestServer(db, { env: { ORIGIN: 'https://status.example.com' } });
    const cast = await incidentCast(plain);
    const incident = await declare(cast.commander, { title: 'Checkout errors' });
    const made = await cast.commander.client.post(`/api/incidents/${incident.ref}/status-page`, { public: true, publicTitle: 'Payments degraded' });
    expect(made.status).toBe(200);
    slug = made.body.statusPage.slug;
  });
  afterAll(async () => {
    await configured?.close();
    await plain?.close();
    await db?.close();
  });

  /** GET with a Host header of the caller's choosing, as a cache poisoner would send it. */
  function getWithHost(server: TestServer, path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: url.hostname, port: url.port, path, headers: { host } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      request.on('error', reject);
      request.end();
    });
  }

  it('sends nosniff, no referrer and a no-script, no-framing policy with every API answer', async () => {
    const answer = await plain.client().get('/api/auth/state');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    // Errors and plain-text answers too, with their bodies intact.
    const missing = await fetch(`${plain.url}/api/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    expect(missing.headers.get('x-frame-options')).toBe('DENY');
    expect(await missing.json()).toHaveProperty('error');
    const health = await fetch(`${plain.url}/healthz`);
    expect(health.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await health.text()).not.toBe('');
    // The status pages keep their own stricter policy (their one inline style, by hash).
    const status = await fetch(`${plain.url}/status/${slug}`);
    expect(status.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
  });

  it('never lets a shared cache keep an Atom feed built from the Host header', async () => {
    const reflected = await getWithHost(plain, `/status/${slug}/feed.atom`, 'evil.example');
    expect(reflected.status).toBe(200);
    expect(reflected.body).toContain('http://evil.example/');
    expect(reflected.headers['cache-control']).toBe('no-store');
    expect(String(reflected.headers.vary)).toMatch(/host/i);
    // With ORIGIN set, the Host header does not matter and the feed may be cached.
    const fixed = await getWithHost(configured, `/status/${slug}/feed.atom`, 'evil.example');
    expect(fixed.body).not.toContain('evil.example');
    expect(fixed.body).toContain('https://status.example.com/status/');
    expect(fixed.headers['cache-control']).toBe('public, max-age=30');
  });
});

describe('abuse: start-up', () => {
  const old = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' });
  const [major, minor] = (old.stdout ?? '').trim().split('.').map(Number);
  const oldNode = old.status === 0 && (major < 22 || (major === 22 && minor < 12));

  it.skipIf(!oldNode)('npm start on an old Node says in one line which version is needed, before building', () => {
    const started = spawnSync('npm', ['start'], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH}` }, timeout: 120_000 });
    expect(started.status).not.toBe(0);
    expect(started.stderr).toMatch(/needs Node\.js 22\.12\.0 or newer \(found \d+\.\d+\.\d+\): install Node 24/);
    // npm echoes the script line; what must not appear is vite itself starting.
    expect(started.stdout).not.toMatch(/vite v\d|transforming|built in/);
  });
});
