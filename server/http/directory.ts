import { Hono } from 'hono';
import { requireUser } from './auth-middleware.ts';
import { listActivePeople } from '../auth/users.ts';
import { z } from 'zod';
import type { AppDeps, AppEnv } from './context.ts';
import { PersonRef } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';

const directory = describe({
  tags: ['Directory'],
  scope: 'incidents:read',
  summary: 'Active people, for role and participant pickers',
  description: 'Names only, no emails; service accounts are left out.',
  responses: { 200: { description: 'People by name', schema: z.object({ users: z.array(PersonRef) }) } },
});

/** Names of active people (no service accounts) for role and participant pickers; any signed-in user, no emails. */
export function directoryRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/directory', directory, async (c) => c.json({ users: await listActivePeople(sql) }));
}
