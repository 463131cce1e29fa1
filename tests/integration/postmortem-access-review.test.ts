import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addActionItem, postmortemDocId } from '../../server/shared/postmortem-doc.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('postmortem access review (%s)', (backend) => {
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

  it('refuses to publish an action item owned by a service account', async () => {
    const serviceId = 'svcaccessreview';
    await db.sql`
      insert into users (id, email, display_name, password_hash, role, kind)
      values (${serviceId}, 'svcaccessreview@service.warroom.invalid', 'Grafana (service)', 'locked', 'member', 'service')`;
    const incident = await declare(cast.commander, { title: 'Queue backlog', services: ['queue'] });
    for (const state of ['resolved', 'closed']) {
      const moved = await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'What happened.');
      addActionItem(doc, { title: 'Drain the queue', owner: { id: serviceId, name: 'Grafana (service)' }, dueDate: '2099-01-01' });
    });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/submit`)).status).toBe(200);
    const published = await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(422);
    expect(published.body.error.code).toBe('not_ready');
    expect(published.body.error.problems.join(' ')).toContain('"Drain the queue" is owned by Grafana (service)');
    expect(await db.sql`select id from action_items where incident_id = ${incident.id}`).toHaveLength(0);
  });
});
