import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import { suggestServices } from '../incidents/search.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { describe } from './openapi/describe.ts';
import { parse } from './validate.ts';

const servicesQuery = z.object({ q: z.string().max(60, 'must be at most 60 characters').default('').meta({ description: 'Part of a service name' }) });

const suggest = describe({
  tags: ['Directory'],
  scope: 'incidents:read',
  summary: 'Suggest service names',
  description: 'Service tags used on incidents the caller can see, most used first; for the service picker.',
  query: servicesQuery,
  responses: { 200: { description: 'Up to 20 names', schema: z.object({ services: z.array(z.string()) }) } },
});

/** Autocomplete for the free service tags, from incidents the user can see. */
export function serviceRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/', suggest, async (c) => {
    const { q } = parse(servicesQuery, c.req.query());
    const { user } = currentUser(c);
    return c.json({ services: await suggestServices(sql, { id: user.id, isAdmin: user.role === 'admin' }, q) });
  });
}
