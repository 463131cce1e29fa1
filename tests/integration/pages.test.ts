import { Agent, request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PagesHandler } from '../../server/http/pages.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Answers like SvelteKit's adapter-node handler: straight onto the Node response.
const html = '<!doctype html><p>Hi</p>';
const pages: PagesHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(html)) });
  res.end(req.method === 'HEAD' ? undefined : html);
};

describe('pages served by the web app', () => {
  let db: TestDatabase;
  let server: TestServer;
  const errors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    server = await startTestServer(db, { pages });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });
  afterEach(() => errors.mockClear());

  /** Requests over one kept-alive connection: a dropped connection shows as the next request not reusing it. */
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());
  const send = (method: string, path: string) =>
    new Promise<{ status: number; reusedSocket: boolean }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({ host: url.hostname, port: url.port, path, method, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers HEAD for a page like GET, with no error in the log and the connection kept', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
    for (const method of ['GET', 'HEAD']) {
      expect((await send(method, '/incidents')).status, method).toBe(200);
      // The marker: the same connection answers the next request. A failed second write of the headers
      // is logged as soon as the handler returns, before the server reads anything more from the connection.
      expect(await send('GET', '/healthz'), `after ${method}`).toEqual({ status: 200, reusedSocket: true });
    }
    expect(errors).not.toHaveBeenCalled();
  });
});
