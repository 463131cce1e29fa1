import { Hono } from 'hono';
import { requireUser } from '../auth/middleware.ts';
import { listActiveUsers } from '../incidents/repo.ts';
import type { AppDeps, AppEnv } from './context.ts';

/** Names of active users for role and participant pickers; any signed-in user, no emails. */
export function directoryRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/directory', async (c) => c.json({ users: await listActiveUsers(sql) }));
}
