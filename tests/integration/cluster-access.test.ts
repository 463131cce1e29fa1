import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { connectProvider, eventually, type TestProvider } from '../helpers/collab.ts';
import { clusterSkipReason, startNode, uniquePrefix, type TestNode } from '../helpers/cluster.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';

describe.skipIf(clusterSkipReason)(`access decided on one process, enforced on all ${clusterSkipReason ?? ''}`, () => {
  let db: TestDatabase;
  let nodes: TestNode[] = [];
  let cast: Cast;
  const providers: TestProvider[] = [];
  const connect = (node: TestNode, cookie: string | null, docId: string) => {
    const provider = connectProvider(node.server.url, docId, cookie);
    providers.push(provider);
    return provider;
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const prefix = uniquePrefix();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(db, { prefix, name, server: { collab: { sessionCheckMs: 200 } } })));
    cast = await incidentCast(nodes[0].server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(nodes.map((n) => n.close()));
    await db?.close();
  });

  it('making an incident private through process A cuts the outsider connected to process C', async () => {
    const incident = await declare(cast.commander);
    const outsider = connect(nodes[2], cast.outsider.client.cookie, incident.docId);
    await outsider.synced();
    const response = await cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { private: true });
    expect(response.status).toBe(200);
    await eventually(() => expect(outsider.closes).toContain(CloseCode.ACCESS_REVOKED));
  });

  it('a session ended through process A closes its connection on process B (4408)', async () => {
    const incident = await declare(cast.commander);
    const onB = connect(nodes[1], cast.observer.client.cookie, incident.docId);
    await onB.synced();
    expect((await cast.observer.client.post('/api/auth/logout')).status).toBe(200);
    await eventually(() => expect(onB.closes).toContain(CloseCode.SESSION_ENDED));
  });

  it('login attempts are counted across processes: ten failures spread over three processes block the eleventh anywhere', async () => {
    const email = (await db.sql<{ email: string }>`select email from users where id = ${cast.outsider.user.id}`)[0].email;
    for (let i = 0; i < 10; i++) {
      const response = await nodes[i % 3].server.client().post('/api/auth/login', { email, password: `wrong guess ${i}` });
      expect(response.status).toBe(401);
    }
    for (const node of nodes) {
      const blocked = await node.server.client().post('/api/auth/login', { email, password: 'wrong again' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
