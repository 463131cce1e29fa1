/**
 * How a route documents itself in the OpenAPI document (/api/openapi.json,
 * rendered at /api/docs) and what an API token needs to call it. A
 * description is a no-op middleware placed in the route's own handler list, so
 * the method and path come from the router itself and cannot drift from it:
 *
 *   const stateBody = z.object({ state });        // one schema: validates AND documents
 *   const docs = {
 *     state: describe({ tags: ['Incidents'], scope: 'incidents:write', summary: 'Move to another state', body: stateBody,
 *                       responses: { 200: { description: 'The incident', schema: IncidentEnvelope } }, errors: [409] }),
 *   };
 *   .post('/:ref/state', docs.state, async (c) => { const body = await readJson(c, stateBody); ... })
 *
 * Adding a route: put its `describe({...})` first in the handler list, hoist an
 * inline zod body/query schema to a const that both use, and take response
 * schemas from server/shared/api/ (add a component there for a new resource).
 * Whether a caller must be signed in is not written here: the generator reads
 * the requireUser / requireAdmin middleware in front of the route. The token
 * `scope` is, and the auth middleware enforces that very value
 * (../route-scope.ts), so the reference and the enforcement cannot disagree.
 * tests/integration/openapi.test.ts fails for any /api route without a
 * description, api-token-scopes.test.ts for one without a scope, and
 * openapi-responses.test.ts checks real responses against the document.
 *
 * Descriptions are found in the app's public route list (`app.routes`, and
 * `matchedRoutes` for one request), handler by handler. A router mounted with
 * an `onError` of its own would have Hono wrap its handlers and hide them:
 * errors are handled once, in `app.onError`, and the tests above fail (and
 * tokens are refused) if a description goes missing.
 */
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Scope } from '../../auth/scopes.ts';
import type { AppEnv } from '../context.ts';

/** Any valid token may call the route, whatever its scopes: only for routes that describe the API, never its data. */
export const ANY_TOKEN = 'any';
/** No token may: signing in, one's own account and tokens, and administration stay behind a browser session. */
export const SESSION_ONLY = 'session-only';

/** What an API token needs to call a route. */
export type TokenAccess = Scope | typeof ANY_TOKEN | typeof SESSION_ONLY;

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
  /** What an API token needs here: required, so every route's is decided when it is written. */
  scope: TokenAccess;
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
