import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { suggestServices } from '../incidents/search.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { parse } from './validate.ts';

/** Autocomplete for the free service tags, from incidents the user can see. */
export function serviceRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/', async (c) => {
    const { q } = parse(z.object({ q: z.string().max(60, 'must be at most 60 characters').default('') }), c.req.query());
    const { user } = currentUser(c);
    return c.json({ services: await suggestServices(sql, { id: user.id, isAdmin: user.role === 'admin' }, q) });
  });
}
