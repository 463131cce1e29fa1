/**
 * What an API token needs for a request, read from the `scope` in the
 * `describe({ … })` of the route Hono matched: the same router that dispatches
 * the request decides it, so a path can never be scoped by one rule and
 * answered by another. A request no described route matches (a path that does
 * not exist, or a route added without a description) is closed to tokens:
 * fail closed.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { RouterRoute } from 'hono/types';
import { specOf, type RouteSpec, type TokenAccess } from './openapi/describe.ts';

/** The first description among the routes matched for a request: the route whose handler answers it (HEAD is matched as GET). */
export function tokenAccessOf(c: Context): TokenAccess | null {
  for (const route of matchedRoutes(c)) {
    const spec = specOf(route.handler);
    if (spec) return spec.scope;
  }
  return null;
}

/** Every described route of an app, from its public route list (`app.routes`) in registration order: what the reference and the tests read. */
export function describedRoutes(routes: readonly RouterRoute[]): { method: string; path: string; spec: RouteSpec; index: number }[] {
  const found: { method: string; path: string; spec: RouteSpec; index: number }[] = [];
  routes.forEach((route, index) => {
    const spec = specOf(route.handler);
    if (spec) found.push({ method: route.method, path: route.path, spec, index });
  });
  return found;
}
