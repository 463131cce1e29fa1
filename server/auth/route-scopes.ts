import type { Scope } from './scopes.ts';

/** For routes open without signing in: any valid token may call them, whatever its scopes. */
export const ANY_TOKEN = 'any';

/**
 * The one table of what an API token needs for each /api route. A route that
 * is not here cannot be used with a token at all: account, token and admin
 * management stay behind a browser session, and a route added later is closed
 * to tokens until someone decides its scope here (fail closed).
 * `:name` matches one path segment. HEAD counts as GET.
 */
export const ROUTE_SCOPES: readonly { method: string; path: string; scope: Scope | typeof ANY_TOKEN }[] = [
  // Describes routes, never data: a script sending its token everywhere may read it with any scope.
  { method: 'GET', path: '/api/openapi.json', scope: 'any' },
  { method: 'GET', path: '/api/docs', scope: 'any' },

  // Reading incidents and everything shown about them.
  { method: 'GET', path: '/api/incidents', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/meta', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/events', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/updates', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/cadence', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/status-page', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/replay', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/replay/moments', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/alerts', scope: 'incidents:read' },
  { method: 'GET', path: '/api/alerts', scope: 'incidents:read' },
  { method: 'GET', path: '/api/services', scope: 'incidents:read' },
  { method: 'GET', path: '/api/users/directory', scope: 'incidents:read' },
  { method: 'GET', path: '/api/search', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/similar', scope: 'incidents:read' },
  { method: 'GET', path: '/api/metrics', scope: 'incidents:read' },
  { method: 'GET', path: '/api/metrics/export.csv', scope: 'incidents:read' },
  { method: 'GET', path: '/api/patterns', scope: 'incidents:read' },
  // Learning from incidents: postmortems, their action items, runbooks.
  { method: 'GET', path: '/api/incidents/:ref/postmortem', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/postmortem/versions/:version', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/postmortem/export.md', scope: 'incidents:read' },
  { method: 'GET', path: '/api/postmortems/overdue', scope: 'incidents:read' },
  { method: 'GET', path: '/api/action-items', scope: 'incidents:read' },
  { method: 'GET', path: '/api/incidents/:ref/runbooks', scope: 'incidents:read' },
  { method: 'GET', path: '/api/runbooks', scope: 'incidents:read' },
  { method: 'GET', path: '/api/runbooks/:id', scope: 'incidents:read' },
  { method: 'GET', path: '/api/runbooks/:id/versions', scope: 'incidents:read' },
  { method: 'GET', path: '/api/runbooks/:id/versions/:version', scope: 'incidents:read' },
  { method: 'GET', path: '/api/runbooks/:id/diff', scope: 'incidents:read' },

  // Changing incidents: declare, details, lifecycle, roles, people, war-room drafts.
  { method: 'POST', path: '/api/incidents', scope: 'incidents:write' },
  { method: 'PATCH', path: '/api/incidents/:ref', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/join', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/state', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/severity', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/roles', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/roles/claim', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/participants', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/drafts', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/timeline', scope: 'incidents:write' },
  { method: 'POST', path: '/api/alerts/:id/declare', scope: 'incidents:write' },
  // The postmortem record and its review are internal, so they change under incidents:write, publishing included.
  { method: 'POST', path: '/api/incidents/:ref/postmortem', scope: 'incidents:write' },
  { method: 'PATCH', path: '/api/incidents/:ref/postmortem', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/postmortem/submit', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/postmortem/send-back', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/postmortem/publish', scope: 'incidents:write' },
  { method: 'POST', path: '/api/incidents/:ref/postmortem/revise', scope: 'incidents:write' },
  { method: 'PATCH', path: '/api/action-items/:id', scope: 'incidents:write' },
  { method: 'POST', path: '/api/runbooks', scope: 'incidents:write' },
  { method: 'PUT', path: '/api/runbooks/:id', scope: 'incidents:write' },
  { method: 'POST', path: '/api/runbooks/:id/stamps', scope: 'incidents:write' },

  // Talking to people outside the war room: stakeholder updates, their cadence, the public status page.
  { method: 'POST', path: '/api/incidents/:ref/updates', scope: 'updates:publish' },
  { method: 'PUT', path: '/api/incidents/:ref/cadence', scope: 'updates:publish' },
  { method: 'POST', path: '/api/incidents/:ref/status-page', scope: 'updates:publish' },

  // Alert ingestion (server/http/alerts.ts adds: sessions and personal tokens of admins only).
  { method: 'POST', path: '/api/alerts', scope: 'alerts:write' },
  { method: 'POST', path: '/api/alerts/alertmanager', scope: 'alerts:write' },
];

const segments = (path: string) => path.replace(/\/+$/, '').split('/');

const compiled = ROUTE_SCOPES.map((route) => ({ ...route, segments: segments(route.path) }));

/** The scope a token needs for this request, 'any' for open routes, or null when tokens may not be used here. */
export function scopeForRoute(method: string, path: string): Scope | typeof ANY_TOKEN | null {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const parts = segments(path);
  const route = compiled.find(
    (r) =>
      r.method === wanted &&
      r.segments.length === parts.length &&
      r.segments.every((s, i) => (s.startsWith(':') ? parts[i] !== '' : s === parts[i])),
  );
  return route?.scope ?? null;
}
