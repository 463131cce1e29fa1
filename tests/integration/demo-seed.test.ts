import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password.ts';
import { DEMO_PASSWORD } from '../../server/demo/catalog.ts';
import { seedDemo, type SeedSummary } from '../../server/demo/seed.ts';
import { connectDoc } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const OPTIONS = { seed: 42, incidents: 150, now: NOW };

/** Every seeded table as comparable rows, in a stable order. */
async function dump(db: TestDatabase) {
  const tables = {
    users: db.sql`select id, email, display_name, role, created_at from users order by id`,
    incidents: db.sql`select * from incidents order by number`,
    events: db.sql`select incident_id, actor_id, kind, data, at from incident_events order by incident_id, at, kind`,
    participants: db.sql`select * from incident_participants order by incident_id, user_id`,
    postmortems: db.sql`select * from postmortems order by incident_id`,
    versions: db.sql`select * from postmortem_versions order by incident_id`,
    actionItems: db.sql`select * from action_items order by id`,
    runbooks: db.sql`select * from runbooks order by id`,
    runbookVersions: db.sql`select * from runbook_versions order by runbook_id, version`,
    runbookUses: db.sql`select runbook_id, incident_id, kind, by_id, at from runbook_uses order by runbook_id, incident_id, kind`,
  };
  return Object.fromEntries(await Promise.all(Object.entries(tables).map(async ([name, rows]) => [name, await rows])));
}

describe.each(backends)('demo seed (%s)', (backend) => {
  let db: TestDatabase;
  let twin: TestDatabase;
  let server: TestServer;
  let summary: SeedSummary;

  beforeAll(async () => {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    [db, twin] = await Promise.all([openTestDatabase(backend), openTestDatabase(backend)]);
    summary = await seedDemo(db.sql, { ...OPTIONS, passwordHash });
    await seedDemo(twin.sql, { ...OPTIONS, passwordHash });
    server = await startTestServer(db);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
    await twin?.close();
  });

  it('gives the same data for the same seed', async () => {
    const [a, b] = await Promise.all([dump(db), dump(twin)]);
    expect(a.incidents.length).toBe(150);
    expect(a).toEqual(b);
  });

  it('fills a realistic year: skewed severities, drills, private, reopened, postmortems, action items, stale runbooks', async () => {
    expect(summary).toMatchObject({ users: 30, incidents: 150, firstNumber: 1, lastNumber: 150, runbooks: 17 });
    const [counts] = await db.sql<Record<string, number>>`
      select count(*)::int as total,
        count(*) filter (where severity >= 3)::int as minor,
        count(*) filter (where drill)::int as drills,
        count(*) filter (where private)::int as private,
        count(*) filter (where state = 'closed')::int as closed,
        count(*) filter (where state in ('investigating', 'identified', 'monitoring'))::int as open,
        count(*) filter (where detected_at is null)::int as undetected,
        min(started_at) >= ${new Date(NOW.getTime() - 366 * 86_400_000)} as within_year,
        max(greatest(declared_at, acknowledged_at, coalesce(resolved_at, declared_at), coalesce(closed_at, declared_at))) <= ${NOW} as none_in_future
      from incidents`;
    expect(counts.minor / counts.total).toBeGreaterThan(0.6);
    expect(counts.drills).toBeGreaterThan(0);
    expect(counts.private).toBeGreaterThan(0);
    expect(counts.closed).toBeGreaterThan(100);
    expect(counts.open).toBeGreaterThan(0);
    expect(counts).toMatchObject({ within_year: true, none_in_future: true });
    const [reopened] = await db.sql<{ n: number }>`select count(distinct incident_id)::int as n from incident_events where kind = 'state' and data->>'from' = 'resolved' and data->>'to' = 'investigating'`;
    expect(reopened.n).toBeGreaterThan(0);
    const [pm] = await db.sql<{ published: number; versions: number; factors: number }>`
      select (select count(*)::int from postmortems where state = 'published') as published,
        (select count(*)::int from postmortem_versions) as versions,
        (select count(*)::int from postmortem_versions v, jsonb_array_elements(v.snapshot->'factors') f where f->>'category' in ('technical', 'process', 'human_factors', 'tooling')) as factors`;
    expect(pm.published).toBe(summary.postmortems);
    expect(pm.versions).toBe(summary.postmortems);
    // One or two factors each (server/demo/postmortems.ts: a repeat tends to name a different gap than the last one).
    const perVersion = await db.sql<{ n: number }>`select jsonb_array_length(snapshot->'factors')::int as n from postmortem_versions`;
    expect(perVersion.every((v) => v.n === 1 || v.n === 2)).toBe(true);
    expect(perVersion.filter((v) => v.n === 2).length).toBeGreaterThan(pm.published / 5);
    expect(pm.factors).toBe(perVersion.reduce((sum, v) => sum + v.n, 0));
    const items = await db.sql<{ kind: string; status: string; overdue: boolean }>`select kind, status, (status in ('open', 'in_progress') and due_date < ${NOW}::date) as overdue from action_items`;
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['immediate', 'structural']));
    expect(items.some((i) => i.status === 'done')).toBe(true);
    expect(items.some((i) => i.overdue)).toBe(true);
    // A few services carry most of the incidents: the recurrence the pattern review should see.
    const [top] = await db.sql<{ service: string; n: number }>`select s as service, count(*)::int as n from incidents, unnest(services) s group by s order by n desc limit 1`;
    expect(top.n).toBeGreaterThan(150 / 8);
  });

  it('is read by the app without errors: list, war room, events, postmortem, runbooks, metrics, patterns, search', async () => {
    const admin = server.client();
    const login = await admin.post('/api/auth/login', { email: summary.adminEmail, password: DEMO_PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const list = await admin.get('/api/incidents?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(150);
    const [published] = await db.sql<{ number: number }>`select i.number from incidents i join postmortems p on p.incident_id = i.id where p.state = 'published' order by i.number desc limit 1`;
    for (const path of [
      `/api/incidents/INC-${published.number}`,
      `/api/incidents/INC-${published.number}/events`,
      `/api/incidents/INC-${published.number}/postmortem`,
      `/api/incidents/INC-${published.number}/runbooks`,
      `/api/incidents/INC-${published.number}/similar`,
      '/api/runbooks',
      '/api/metrics',
      '/api/patterns',
      '/api/search?q=connection+pool',
    ]) {
      const response = await admin.get(path);
      expect(response.status, `${path}: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(200);
    }
    const runbooks = (await admin.get('/api/runbooks')).body.runbooks;
    expect(runbooks.some((r: any) => r.stale)).toBe(true);
    expect(runbooks.some((r: any) => r.lastVerified?.incidentRef)).toBe(true);
    // The war room opens: its document exists and syncs.
    const [open] = await db.sql<{ doc_id: string }>`select doc_id from incidents where state = 'investigating' or state = 'identified' or state = 'monitoring' limit 1`;
    const { doc, provider } = await connectDoc(server, admin, open.doc_id);
    provider.destroy();
    doc.destroy();
    // Declaring after the seed continues the numbering.
    const declared = await admin.post('/api/incidents', { title: 'After the demo', severity: 4 });
    expect(declared.body.incident.number).toBe(151);
  });
});
