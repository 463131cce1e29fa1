/**
 * How a route documents itself in the OpenAPI document (/api/openapi.json,
 * rendered at /api/docs). A description is a no-op middleware placed in the
 * route's own handler list, so the method and path come from the router itself
 * and cannot drift from it:
 *
 *   const stateBody = z.object({ state });        // one schema: validates AND documents
 *   const docs = {
 *     state: describe({ tags: ['Incidents'], summary: 'Move to another state', body: stateBody,
 *                       responses: { 200: { description: 'The incident', schema: IncidentEnvelope } }, errors: [409] }),
 *   };
 *   .post('/:ref/state', docs.state, async (c) => { const body = await readJson(c, stateBody); ... })
 *
 * Adding a route: put its `describe({...})` first in the handler list, hoist an
 * inline zod body/query schema to a const that both use, and take response
 * schemas from ./components.ts (add a component there for a new resource).
 * Who may call it is not written here: the generator reads the requireUser /
 * requireAdmin middleware in front of the route and the token scope from
 * server/auth/route-scopes.ts. tests/integration/openapi.test.ts fails for any
 * /api route without a description, and openapi-responses.test.ts checks real
 * responses against what the document says.
 */
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../context.ts';

export interface ResponseSpec {
  description: string;
  /** JSON body; omit for an empty body (204) or when `contentType` is not JSON. */
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface RouteSpec {
  /** The group on the reference page; the first one is used. */
  tags: string[];
  summary: string;
  /** Longer Markdown-free prose: rules, side effects, who may call it. */
  description?: string;
  /** The JSON body schema the handler passes to readJson. */
  body?: z.ZodType;
  /** The query schema the handler passes to parse(); must be a z.object. */
  query?: z.ZodType;
  /** Successful responses by status. */
  responses: Record<number, ResponseSpec>;
  /**
   * Error statuses this route answers beyond the ones the generator derives: 401 behind login;
   * 403 for admin routes, token scopes and state-changing methods; 400/415 with a body; 400 with a
   * query; 404 with a path parameter.
   */
  errors?: number[];
}

const SPEC = Symbol('warroom.openapi');

type Described = MiddlewareHandler<AppEnv> & { [SPEC]: RouteSpec };

export function describe(spec: RouteSpec): MiddlewareHandler<AppEnv> {
  const middleware = (async (_c, next) => {
    await next();
  }) as Described;
  middleware[SPEC] = spec;
  return middleware;
}

/** The description carried by a handler in `app.routes`, if it is one. */
export function specOf(handler: unknown): RouteSpec | null {
  if (typeof handler !== 'function') return null;
  return (handler as Partial<Described>)[SPEC] ?? null;
}
