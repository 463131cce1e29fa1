import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './context.ts';

/** Liveness says the process answers; readiness says it can reach its database. */
export function healthRoutes({ sql, log }: AppDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      try {
        await sql`select 1`;
        return c.json({ ok: true });
      } catch (error) {
        log.error({ err: error }, 'readiness check: database unreachable');
        return c.json({ ok: false, error: { code: 'database_unavailable', message: 'The database is not reachable.' } }, 503);
      }
    });
}
