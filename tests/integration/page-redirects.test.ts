import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('incident pages have one address', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const get = (path: string, method = 'GET') => fetch(server.url + path, { method, redirect: 'manual' });

  it('redirects the number-only and lower-case spellings permanently, keeping the query', async () => {
    for (const [path, location] of [
      ['/incidents/7/postmortem', '/incidents/INC-7/postmortem'],
      ['/incidents/7?tab=timeline', '/incidents/INC-7?tab=timeline'],
      ['/incidents/inc-7/postmortem', '/incidents/INC-7/postmortem'],
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(308);
      expect(response.headers.get('location'), path).toBe(location);
    }
    expect((await get('/incidents/7', 'HEAD')).status).toBe(308);
  });

  it('leaves the canonical pages, the API and other methods alone', async () => {
    expect((await get('/incidents/INC-7/postmortem')).status).not.toBe(308);
    expect((await get('/incidents/INC-7')).status).not.toBe(308);
    expect((await get('/api/incidents/7')).status).toBe(401);
    expect((await get('/incidents/7', 'POST')).status).not.toBe(308);
  });
});
