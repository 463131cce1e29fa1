import { Hono } from 'hono';
import { withDeadline } from '../db/availability.ts';
import type { AppDeps, AppEnv } from './context.ts';

/** How long readiness waits for the database: a load balancer needs an answer, not a hang. */
const READY_DEADLINE_MS = 1000;

/** Liveness says the process answers; readiness says it can reach its database (503 within a second when not). */
export function healthRoutes({ sql, log, cluster }: AppDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      try {
        await withDeadline(sql`select 1`, READY_DEADLINE_MS, 'the readiness query');
        // Redis down is not unready: documents fall back to the PostgreSQL log; the detail says so.
        return c.json(cluster ? { ok: true, cluster: cluster.readiness() } : { ok: true });
      } catch (error) {
        log.error({ err: error }, 'readiness check: database unreachable');
        c.header('Retry-After', '2');
        return c.json({ ok: false, error: { code: 'database_unavailable', message: 'The database is not reachable.' } }, 503);
      }
    });
}
