import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';
import { childNamed, childrenNamed, parseXml } from '../helpers/xml.ts';

// Distinctive strings in every internal field; none may reach a public response.
const SECRETS = {
  title: 'Zq7 internal title: primary OOM on db-eu-1',
  summary: 'Zq7 secret summary about customer Acme',
  service: 'zq7-secret-service',
  commander: 'Zq7 Commanderson',
  responder: 'Zq7 Responderly',
  leadership: 'Zq7 leadership-only update',
  support: 'Zq7 support-only update',
  responders: 'Zq7 responders-only update',
};

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

describe.each(backends)('public status pages (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let people: { commander: Awaited<ReturnType<Awaited<ReturnType<typeof withAdmin>>['member']>>; responderId: string };

  /** A browser with no session: no cookie, no Origin. */
  const visit = async (path: string, headers: Record<string, string> = {}): Promise<Page> => {
    const response = await fetch(server.url + path, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  let publishCounter = 0;
  async function publish(incidentId: string, audience: string, bodyHtml: string, minutesAgo: number, state = 'investigating') {
    const id = `pub${++publishCounter}${Math.random().toString(36).slice(2, 8)}`;
    await db.sql`
      insert into published_updates (id, incident_id, audience, body_markdown, body_html, author_id, author_name, published_at,
                                     incident_state, incident_title, severity, idempotency_key)
      values (${id}, ${incidentId}, ${audience}, ${bodyHtml}, ${bodyHtml}, ${people.commander.user.id}, ${SECRETS.commander},
              ${new Date(Date.now() - minutesAgo * 60_000)}, ${state}, ${SECRETS.title}, 1, ${`key-${id}`})`;
    return id;
  }

  /** A private SEV1 full of secrets, with a public page titled `publicTitle`. */
  async function publicIncident(publicTitle = 'Checkout errors') {
    const { client } = people.commander;
    const declared = await client.post('/api/incidents', {
      title: SECRETS.title,
      severity: 1,
      summary: SECRETS.summary,
      services: [SECRETS.service],
      private: true,
    });
    expect(declared.status).toBe(201);
    const incident = declared.body.incident;
    await client.post(`/api/incidents/${incident.ref}/participants`, { userId: people.responderId, kind: 'responder' });
    const made = await client.post(`/api/incidents/${incident.ref}/status-page`, { public: true, publicTitle });
    expect(made.status).toBe(200);
    return { ...incident, slug: made.body.statusPage.slug as string, publicSince: new Date(made.body.statusPage.publicSince) };
  }

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    const { member } = await withAdmin(server);
    const commander = await member(SECRETS.commander);
    const responder = await member(SECRETS.responder);
    people = { commander, responderId: responder.user.id };
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('shows the page with no login: public title, state and only public updates, newest first', async () => {
    const incident = await publicIncident();
    await publish(incident.id, 'public', '<p>We are investigating errors at checkout.</p>', 20);
    await publish(incident.id, 'leadership', `<p>${SECRETS.leadership}</p>`, 15);
    await publish(incident.id, 'public', '<p>We found the cause &amp; are fixing it.</p>', 10, 'identified');
    await publish(incident.id, 'support', `<p>${SECRETS.support}</p>`, 5);
    await publish(incident.id, 'responders', `<p>${SECRETS.responders}</p>`, 1);

    const page = await visit(`/status/${incident.slug}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/i);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.text).toContain('<h1>Checkout errors</h1>');
    expect(page.text).toContain('<span class="state investigating">Investigating</span>');
    const first = page.text.indexOf('We found the cause &amp; are fixing it.');
    const second = page.text.indexOf('We are investigating errors at checkout.');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(page.text).not.toMatch(/leadership-only|support-only|responders-only/);
  });

  it('never shows an internal field on the list, the page or the feed', async () => {
    const incident = await publicIncident('Checkout errors');
    await publish(incident.id, 'public', '<p>Public words.</p>', 3);
    for (const audience of ['leadership', 'support', 'responders'] as const) await publish(incident.id, audience, `<p>${SECRETS[audience]}</p>`, 2);
    const pages = await Promise.all([visit('/status'), visit(`/status/${incident.slug}`), visit(`/status/${incident.slug}/feed.atom`)]);
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.text).toContain('Checkout errors');
      for (const secret of Object.values(SECRETS)) expect(page.text).not.toContain(secret);
      // Also no fragments: the internal title's words, severity, the reference, the private flag, ids.
      expect(page.text).not.toMatch(/Zq7|zq7|OOM|SEV\s?1|INC-\d|private|Acme/i);
      expect(page.text).not.toContain(incident.id);
      expect(page.text).not.toContain(incident.docId);
      expect(page.text).not.toContain(people.commander.user.id);
    }
  });

  it('lists public incidents with the last public update time, and not others', async () => {
    const listed = await publicIncident('Listed errors');
    const updateId = await publish(listed.id, 'public', '<p>x</p>', 7);
    await publish(listed.id, 'leadership', '<p>y</p>', 1);
    const [row] = await db.sql<{ published_at: Date }>`select published_at from published_updates where id = ${updateId}`;
    const hidden = await publicIncident('Taken down errors');
    await people.commander.client.post(`/api/incidents/${hidden.ref}/status-page`, { public: false });

    const list = await visit('/status');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`<a href="/status/${listed.slug}">Listed errors</a>`);
    const item = list.text.slice(list.text.indexOf(`/status/${listed.slug}`));
    expect(item.slice(0, item.indexOf('</li>'))).toContain(`Last update <time datetime="${row.published_at.toISOString()}">`);
    expect(list.text).not.toContain('Taken down errors');
    expect(list.text).not.toContain(hidden.slug);
  });

  it('answers unknown, malformed and no-longer-public slugs with the same friendly 404', async () => {
    const incident = await publicIncident();
    expect((await visit(`/status/${incident.slug}`)).status).toBe(200);
    await people.commander.client.post(`/api/incidents/${incident.ref}/status-page`, { public: false });
    const taken = await visit(`/status/${incident.slug}`);
    const unknown = await visit('/status/no-such-page-zzzz');
    const malformed = await visit('/status/..%2F..%2Fetc');
    for (const page of [taken, unknown, malformed, await visit(`/status/${incident.slug}/feed.atom`)]) {
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.text).toContain('There is no public status page here');
    }
    expect(taken.text).toBe(unknown.text);

    await people.commander.client.post(`/api/incidents/${incident.ref}/status-page`, { public: true });
    expect((await visit(`/status/${incident.slug}`)).status).toBe(200);
  });

  it('is cacheable for 30 s and answers If-None-Match with 304 until something public changes', async () => {
    const incident = await publicIncident();
    const path = `/status/${incident.slug}`;
    const first = await visit(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");

    const cached = await visit(path, { 'if-none-match': etag! });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    expect(cached.headers.get('etag')).toBe(etag);
    expect(cached.headers.get('cache-control')).toBe('public, max-age=30');
    expect((await visit(path, { 'if-none-match': `"other", ${etag}` })).status).toBe(304);

    // Internal changes do not touch the public representation.
    await people.commander.client.post(`/api/incidents/${incident.ref}/severity`, { severity: 2 });
    await people.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { summary: 'new internal summary' });
    expect((await visit(path, { 'if-none-match': etag! })).status).toBe(304);

    // Public ones do: a state change, then a public update.
    await people.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified' });
    const changed = await visit(path, { 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('Identified');
    const etag2 = changed.headers.get('etag')!;
    expect(etag2).not.toBe(etag);
    await publish(incident.id, 'public', '<p>Fix rolling out.</p>', 0, 'identified');
    const updated = await visit(path, { 'if-none-match': etag2 });
    expect(updated.status).toBe(200);
    expect(updated.text).toContain('Fix rolling out.');

    const list = await visit('/status');
    expect(list.headers.get('cache-control')).toBe('public, max-age=30');
    expect((await visit('/status', { 'if-none-match': list.headers.get('etag')! })).status).toBe(304);
  });

  it('shows when a resolved incident was resolved', async () => {
    const incident = await publicIncident();
    await people.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'resolved' });
    const page = await visit(`/status/${incident.slug}`);
    expect(page.text).toContain('<span class="state resolved">Resolved</span>');
    expect(page.text).toMatch(/Resolved <time datetime="[^"]+">/);
    const list = await visit('/status');
    expect(list.text.indexOf(incident.slug)).toBeGreaterThan(list.text.indexOf('Resolved incidents'));
  });

  it('serves a well-formed Atom feed of the public updates only', async () => {
    const incident = await publicIncident('Feed <errors> & "more"');
    await publish(incident.id, 'public', '<p>First &amp; <b>bold</b>.</p>', 30);
    await publish(incident.id, 'leadership', `<p>${SECRETS.leadership}</p>`, 20);
    await publish(incident.id, 'public', '<p>Second.</p>', 10, 'monitoring');

    const response = await visit(`/status/${incident.slug}/feed.atom`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    // No ORIGIN on this server: the links come from the Host header, so nothing may cache the feed.
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('vary')).toMatch(/host/i);
    expect(response.headers.get('etag')).toBeTruthy();
    const feed = parseXml(response.text);
    expect(feed.name).toBe('feed');
    expect(feed.attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(childNamed(feed, 'title')!.text).toBe('Feed <errors> & "more"');
    expect(childNamed(feed, 'id')!.text).toMatch(/^urn:uuid:/);
    const self = childrenNamed(feed, 'link').find((l) => l.attributes.rel === 'self')!;
    expect(self.attributes.href).toBe(`${server.url}/status/${incident.slug}/feed.atom`);

    const entries = childrenNamed(feed, 'entry');
    expect(entries).toHaveLength(2);
    // The updates were backdated, so the latest public change is the page going public.
    const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(childNamed(feed, 'updated')!.text).toBe(stamp(incident.publicSince));
    const latest = await publish(incident.id, 'public', '<p>Third.</p>', -1, 'monitoring');
    const [row] = await db.sql<{ published_at: Date }>`select published_at from published_updates where id = ${latest}`;
    const refreshed = parseXml((await visit(`/status/${incident.slug}/feed.atom`)).text);
    expect(childNamed(refreshed, 'updated')!.text).toBe(stamp(row.published_at));
    expect(childrenNamed(refreshed, 'entry')).toHaveLength(3);
    expect(entries.map((e) => childNamed(e, 'content')!.text)).toEqual(['<p>Second.</p>', '<p>First &amp; <b>bold</b>.</p>']);
    expect(entries.map((e) => childNamed(e, 'content')!.attributes.type)).toEqual(['html', 'html']);
    expect(entries.map((e) => childNamed(e, 'title')!.text)).toEqual(['Monitoring: Feed <errors> & "more"', 'Investigating: Feed <errors> & "more"']);
    for (const entry of entries) {
      expect(childNamed(entry, 'id')!.text).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(childNamed(entry, 'updated')!.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(new Set(entries.map((e) => childNamed(e, 'id')!.text)).size).toBe(2);
    expect(response.text).not.toContain(SECRETS.leadership);
  });

  it('shows what the commander publishes for the public through the comms API, inert and without internal words', async () => {
    const incident = await publicIncident('Checkout errors');
    const publish = (audience: string, body: string) =>
      people.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience, body, idempotencyKey: `key-${audience}-${Math.random().toString(36).slice(2)}` });
    expect((await publish('public', 'Card payments fail for some customers. <script>alert(1)</script> **Fix** under way.')).status).toBe(201);
    expect((await publish('leadership', `${SECRETS.leadership} {{title}} {{severity}}`)).status).toBe(201);

    for (const path of [`/status/${incident.slug}`, `/status/${incident.slug}/feed.atom`]) {
      const page = await visit(path);
      expect(page.text).toContain('Card payments fail for some customers.');
      expect(page.text).not.toMatch(/<script/i);
      expect(page.text).not.toMatch(/Zq7|SEV\s?1/);
    }
    const feed = parseXml((await visit(`/status/${incident.slug}/feed.atom`)).text);
    expect(childNamed(childNamed(feed, 'entry')!, 'content')!.text).toContain('<strong>Fix</strong>');
  });

  it('answers HEAD without a body', async () => {
    const incident = await publicIncident();
    const response = await fetch(`${server.url}/status/${incident.slug}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeTruthy();
    expect(await response.text()).toBe('');
  });
});
