import { Hono } from 'hono';
import { z } from 'zod';
import { requireAdmin } from './auth-middleware.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { describe } from './openapi/describe.ts';
import { Process } from '../shared/api/components.ts';

const docs = {
  list: describe({
    tags: ['Administration'],
    scope: 'session-only',
    summary: 'The processes serving Warroom',
    description:
      'In cluster mode (REDIS_URL set), every process seen in the last few seconds, with its live rooms and open connections; a process that stopped or crashed drops out within six seconds. With one process, mode is "single" and the list is empty.',
    responses: { 200: { description: 'Mode and processes', schema: z.object({ mode: z.enum(['single', 'cluster']), processes: z.array(Process) }) } },
  }),
};

/** Admin: which processes are up, their rooms and connections. */
export function clusterRoutes({ cluster }: AppDeps) {
  return new Hono<AppEnv>().use(requireAdmin).get('/', docs.list, async (c) => {
    if (!cluster) return c.json({ mode: 'single' as const, processes: [] });
    return c.json({ mode: 'cluster' as const, processes: (await cluster.processes()) as z.infer<typeof Process>[] });
  });
}
