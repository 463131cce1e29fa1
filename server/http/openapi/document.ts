/**
 * Builds the OpenAPI 3.1 document from the Hono app's own route table: every
 * route carrying a `describe()` (./describe.ts) becomes an operation. Request
 * schemas are the very zod objects the handlers validate with; who may call a
 * route is read from the middleware in front of it (requireUser/requireAdmin)
 * and the token scope from its description, which the auth middleware
 * enforces, so the reference and the enforcement come from one place each.
 */
import type { RouterRoute } from 'hono/types';
import { z } from 'zod';
import { requireAdmin, requireUser } from '../auth-middleware.ts';
import { SCOPES } from '../../auth/scopes.ts';
import { SESSION_COOKIE } from '../../auth/sessions.ts';
import '../../shared/api/components.ts';
import { describedRoutes } from '../route-scope.ts';
import { ANY_TOKEN, SESSION_ONLY, type RouteSpec } from './describe.ts';

type JsonSchema = Record<string, unknown>;
export type Guard = 'public' | 'user' | 'admin';

export interface Operation {
  method: string;
  /** Hono form, `/api/incidents/:ref`. */
  path: string;
  spec: RouteSpec;
  guard: Guard;
  /** The scope a token needs here; null when tokens are refused or any token will do. */
  scope: string | null;
  /** Whether API tokens are accepted at all. */
  tokens: boolean;
}

/** Tags in reference order, with the sentence shown under each heading. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'Incidents', description: 'Declare incidents, change their state, severity, roles and people.' },
  { name: 'War room', description: 'The live war room: timeline entries, drafts, and its history (replay).' },
  { name: 'Communications', description: 'Stakeholder updates, their cadence and the public status page.' },
  { name: 'Alerts', description: 'Incoming alerts from monitoring, and the rules that turn them into incidents.' },
  { name: 'Postmortems', description: 'Postmortem drafts and their action items.' },
  { name: 'Runbooks', description: 'Runbooks per service: versions, verification stamps, and their use in incidents.' },
  { name: 'Metrics', description: 'Response metrics over time, and recurring patterns across incidents.' },
  { name: 'Practice', description: 'Practice between incidents: tabletop drills from scenarios, their debriefs, and process reviews of recent incidents.' },
  { name: 'Search', description: 'Search across incidents and what was written in them.' },
  { name: 'Directory', description: 'People and service names, for pickers.' },
  { name: 'Account', description: 'Signing up and in, and the signed-in user’s own profile, password and sessions.' },
  { name: 'API tokens', description: 'Tokens for scripts and integrations (Authorization: Bearer).' },
  { name: 'Administration', description: 'Admin only: users, invites, webhooks and update templates.' },
  { name: 'Reference', description: 'This document and its reference page.' },
];

/** Path parameters mean the same thing wherever they appear. */
const PATH_PARAMS: Record<string, string> = {
  ref: 'Incident reference: INC-42, inc-42 or 42. Private incidents the caller may not see answer 404, like missing ones.',
  id: 'The resource id (lowercase letters and digits).',
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input: `error.field` names the field and `error.message` says what is wrong.',
  401: 'Not signed in, or the API token is missing, invalid, expired or revoked.',
  403: 'Signed in but not allowed: not an admin, not a responder of this incident, a token without the scope, or a cross-site browser request.',
  404: 'No such resource, or a private incident the caller may not see.',
  409: 'The request conflicts with the current state (e.g. a transition that is not allowed).',
  410: 'Gone: the resource existed but can no longer be used.',
  413: 'The request or the document it changes is too large.',
  415: 'The body was not sent as application/json.',
  422: 'The request was understood but cannot be processed.',
  429: 'Too many attempts: wait for the seconds in the Retry-After header.',
  503: 'A dependency (the database, the live document) is unavailable; try again.',
};

const errorRef = { $ref: '#/components/schemas/ErrorResponse' };
const componentUri = (id: string) => `#/components/schemas/${id}`;

/** Same normalisation the completeness test uses: `:ref` → `{ref}`, a `{regex}` suffix dropped. */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

/** Does middleware registered at `pattern` (Hono form, maybe ending in `/*`) run for `path`? */
function covers(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === '/*') return true;
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return path === base || path.startsWith(`${base}/`);
  }
  return pattern === path;
}

/** requireAdmin or requireUser in front of the route: in its own chain, or mounted with `.use()` earlier on a covering path. */
function guardOf(routes: readonly RouterRoute[], index: number): Guard {
  const route = routes[index];
  let guard: Guard = 'public';
  for (let i = 0; i < routes.length; i++) {
    const other = routes[i];
    const handler = other.handler;
    if (handler !== requireUser && handler !== requireAdmin) continue;
    const applies =
      (other.method === route.method && other.path === route.path) || (other.method === 'ALL' && i < index && covers(other.path, route.path));
    if (!applies) continue;
    if (handler === requireAdmin) return 'admin';
    guard = 'user';
  }
  return guard;
}

/** The described operations of an app, in registration order. */
export function collectOperations(routes: readonly RouterRoute[]): Operation[] {
  return describedRoutes(routes).map(({ method, path, spec, index }) => {
    const scope = spec.scope === ANY_TOKEN || spec.scope === SESSION_ONLY ? null : spec.scope;
    // A route that needs a scope is for signed-in callers even when its own guard, not requireUser, checks it.
    const mounted = guardOf(routes, index);
    const guard = mounted === 'public' && scope ? 'user' : mounted;
    return { method, path, spec, guard, scope, tokens: spec.scope !== SESSION_ONLY };
  });
}

/** `#/$defs/X` (zod's refs to registered components) → `#/components/schemas/X`; drops what OpenAPI does not want inside. */
function rebase(schema: JsonSchema): JsonSchema {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    const out: JsonSchema = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$schema' || key === '$defs' || key === '$id') continue;
      // z.number().int() states the safe-integer range; it is noise to a reader.
      if ((key === 'minimum' || key === 'maximum') && Math.abs(inner as number) === Number.MAX_SAFE_INTEGER) continue;
      out[key] = key === '$ref' && typeof inner === 'string' ? inner.replace(/^#\/\$defs\//, '#/components/schemas/') : walk(inner);
    }
    return out;
  };
  return walk(schema) as JsonSchema;
}

/**
 * A zod schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema; `input` for what clients send.
 * Registered components are referenced in their output form: they describe responses only.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id === 'string') return { $ref: componentUri(id) };
  return rebase(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema);
}

function parametersOf(operation: Operation): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [, name] of operation.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    parameters.push({ name, in: 'path', required: true, description: PATH_PARAMS[name], schema: { type: 'string' } });
  }
  if (operation.spec.query) {
    const query = jsonSchemaOf(operation.spec.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, description, schema: rest });
    }
  }
  return parameters;
}

/** Statuses every operation of this kind can answer, plus the ones the route lists. */
export function errorStatuses(operation: Operation): number[] {
  const statuses = new Set(operation.spec.errors ?? []);
  if (operation.guard !== 'public') statuses.add(401);
  // Scope refusals, admin-only routes, and cookie requests from another site on anything that changes state (origin-check.ts).
  if (operation.guard === 'admin' || operation.scope || operation.method !== 'GET') statuses.add(403);
  if (operation.spec.body) statuses.add(400).add(415);
  if (operation.spec.query) statuses.add(400);
  if (operation.path.includes(':')) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function securityOf(operation: Operation): JsonSchema[] {
  if (operation.guard === 'public') return [];
  const security: JsonSchema[] = [{ session: [] }];
  if (operation.tokens) security.push({ apiToken: operation.scope ? [operation.scope] : [] });
  return security;
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split(/[/\-.]/)
    .filter(Boolean)
    .map((word) => (word.startsWith(':') ? `by ${word.slice(1)}` : word))
    .join(' ')
    .split(' ');
  return [method.toLowerCase(), ...words].map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
}

function toOperation(operation: Operation): JsonSchema {
  const { spec } = operation;
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const type = response.contentType ?? 'application/json';
    responses[status] = {
      description: response.description,
      ...(response.schema || response.contentType
        ? { content: { [type]: response.schema ? { schema: jsonSchemaOf(response.schema, 'output') } : {} } }
        : {}),
    };
  }
  for (const status of errorStatuses(operation)) {
    responses[String(status)] ??= { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: errorRef } } };
  }
  const auth =
    operation.guard === 'admin'
      ? 'Admins only, signed in with the browser session.'
      : operation.guard === 'public'
        ? 'No sign-in needed.'
        : operation.scope
          ? `Signed-in session, or an API token with the \`${operation.scope}\` scope.`
          : operation.tokens
            ? 'Signed-in session, or any API token.'
            : 'Signed-in session only (API tokens are refused here).';
  return {
    operationId: operationId(operation.method, operation.path),
    tags: spec.tags.slice(0, 1),
    summary: spec.summary,
    description: [spec.description, auth].filter(Boolean).join('\n\n'),
    ...(operation.scope ? { 'x-required-scope': operation.scope } : {}),
    security: securityOf(operation),
    parameters: parametersOf(operation),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(spec.body, 'input') } } } } : {}),
    responses,
  };
}

/** The whole document for an app's routes (`app.routes` of the app that serves /api). */
export function buildOpenApiDocument(routes: readonly RouterRoute[], options: { serverUrl?: string } = {}) {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const operations = collectOperations(routes);
  for (const operation of operations) {
    const path = toOpenApiPath(operation.path);
    (paths[path] ??= {})[operation.method.toLowerCase()] = toOperation(operation);
  }
  const used = new Set(operations.map((o) => o.spec.tags[0]));
  const registry = z.toJSONSchema(z.globalRegistry, { uri: componentUri, io: 'output', unrepresentable: 'any' }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(Object.entries(registry.schemas).map(([id, schema]) => [id, rebase(schema)]));
  return {
    openapi: '3.1.1',
    info: {
      title: 'Warroom API',
      version: '1',
      description:
        'Real-time incident response. Every error answers `{"error": {"code", "message", "field?"}}`. ' +
        'Browsers authenticate with the session cookie; scripts send `Authorization: Bearer wr_…` with an API token whose scopes cover the route. ' +
        'State-changing requests with a cookie must come from Warroom’s own origin. ' +
        'Any route may also answer 500 (`internal`) on an unexpected failure, which the server logs.',
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: TAGS.filter((tag) => used.has(tag.name)).concat([...used].filter((name) => !TAGS.some((t) => t.name === name)).map((name) => ({ name, description: '' }))),
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The browser session, set by POST /api/auth/login or /api/auth/signup (HttpOnly, SameSite=Lax).',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: `An API token (wr_…) sent as Authorization: Bearer. Scopes: ${SCOPES.join(', ')}; each operation names the one it needs.`,
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
