import { describe, expect, it } from 'vitest';
import { formatApiToken, parseApiToken } from '../../server/auth/api-tokens.ts';
import { currentUser } from '../../server/http/auth-middleware.ts';
import { ANY_TOKEN, SESSION_ONLY } from '../../server/http/openapi/describe.ts';
import { SCOPES } from '../../server/auth/scopes.ts';
import { generateSecureRandomString } from '../../server/auth/tokens.ts';
import { routeScopes, tokenAccessProbe } from '../helpers/route-scopes.ts';

describe('API token format', () => {
  it('round-trips wr_<id>_<secret>', () => {
    const id = generateSecureRandomString(12);
    const secret = generateSecureRandomString(32);
    const token = formatApiToken(id, secret);
    expect(token).toMatch(/^wr_[a-z0-9]{12}_[a-z0-9]{32}$/);
    expect(parseApiToken(token)).toEqual({ id, secret });
  });

  it.each([
    ['empty', ''],
    ['a session token', 'abcdefgh.ijklmnop'],
    ['no prefix', 'abc_def'],
    ['another prefix', 'ghp_abc_def'],
    ['missing secret', 'wr_abc_'],
    ['missing id', 'wr__def'],
    ['an extra part', 'wr_abc_def_ghi'],
    ['upper case', 'wr_ABC_def'],
    ['whitespace', 'wr_abc_def '],
    ['a too long secret', `wr_abc_${'a'.repeat(65)}`],
  ])('refuses %s', (_, token) => {
    expect(parseApiToken(token)).toBeNull();
  });
});

describe('route scopes, from each route’s description', () => {
  const accessOf = tokenAccessProbe();
  const ROUTE_SCOPES = routeScopes();

  it.each([
    ['GET', '/api/incidents', 'incidents:read'],
    ['GET', '/api/incidents/INC-42', 'incidents:read'],
    ['HEAD', '/api/incidents/INC-42', 'incidents:read'],
    ['GET', '/api/incidents/42/events', 'incidents:read'],
    ['GET', '/api/users/directory', 'incidents:read'],
    ['POST', '/api/incidents', 'incidents:write'],
    ['PATCH', '/api/incidents/INC-42', 'incidents:write'],
    ['POST', '/api/incidents/INC-42/state', 'incidents:write'],
    ['POST', '/api/incidents/INC-42/updates', 'updates:publish'],
    ['POST', '/api/alerts', 'alerts:write'],
    ['POST', '/api/alerts/alertmanager', 'alerts:write'],
    ['GET', '/api/openapi.json', ANY_TOKEN],
  ] as const)('%s %s needs %s', async (method, path, scope) => {
    expect(await accessOf(method, path)).toBe(scope);
  });

  it.each([
    ['GET', '/api/me'],
    ['GET', '/api/me/tokens'],
    ['POST', '/api/auth/login'],
    ['GET', '/api/admin/users'],
    ['DELETE', '/api/admin/tokens/abc'],
  ])('keeps %s %s to the browser session', async (method, path) => {
    expect(await accessOf(method, path)).toBe(SESSION_ONLY);
  });

  it.each([
    // Same paths, methods no route answers.
    ['DELETE', '/api/incidents/INC-42'],
    ['OPTIONS', '/api/incidents'],
    ['PUT', '/api/incidents/INC-42/state'],
    // A parameter never matches an empty or extra segment, and a trailing slash is another path.
    ['GET', '/api/incidents//events'],
    ['GET', '/api/incidents/INC-42/events/extra'],
    ['GET', '/api/incidents/'],
    ['GET', '/api/incidentsx'],
    ['GET', '/incidents'],
    ['GET', '/api/not-yet-written'],
  ])('closes %s %s to tokens: no described route answers it', async (method, path) => {
    expect(await accessOf(method, path)).toBeNull();
  });

  it('lists each route once, under /api, with a known scope', () => {
    const keys = ROUTE_SCOPES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThan(100);
    for (const route of ROUTE_SCOPES) expect([...SCOPES, ANY_TOKEN, SESSION_ONLY]).toContain(route.scope);
  });

  it('gives no token access to account, token or admin management', () => {
    const managed = ROUTE_SCOPES.filter((r) => /^\/api\/(auth|me|admin)(\/|$)/.test(r.path));
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.filter((r) => r.scope !== SESSION_ONLY)).toEqual([]);
  });
});

describe('currentUser on a token request', () => {
  const user = { id: 'u1', email: 'a@example.com', displayName: 'A', role: 'member' as const, active: true, createdAt: new Date() };
  const vars = { user, session: null, scopes: ['incidents:read' as const] } as unknown as Parameters<typeof currentUser>[0]['var'];

  it('gives the user, but refuses the session that session-only routes need', () => {
    const current = currentUser({ var: vars });
    expect(current.user).toBe(user);
    expect(() => current.session).toThrow(expect.objectContaining({ status: 403, code: 'session_required' }));
  });
});
