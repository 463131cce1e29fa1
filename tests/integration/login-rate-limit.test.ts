import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('login rate limit (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { loginLimit: 10 });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('blocks an account after 10 failures with 429 and Retry-After, even for the right password', async () => {
    const { user, password } = await signUpUser(server);
    const client = server.client();
    for (let i = 0; i < 10; i++) {
      const response = await client.post('/api/auth/login', { email: user.email, password: `wrong guess ${i}` });
      expect(response.status).toBe(401);
    }
    const blocked = await client.post('/api/auth/login', { email: user.email, password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(blocked.body.error.message).toMatch(/Try again in 1 minute/);
  });

  it('gives the same answers for an unknown email, so the limit reveals nothing', async () => {
    const client = server.client();
    for (let i = 0; i < 10; i++) {
      const response = await client.post('/api/auth/login', { email: 'nobody-here@example.com', password: `whatever it is ${i}` });
      expect(response.status).toBe(401);
    }
    const blocked = await client.post('/api/auth/login', { email: 'nobody-here@example.com', password: 'whatever it is' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/Try again in 1 minute/);
  });
});
