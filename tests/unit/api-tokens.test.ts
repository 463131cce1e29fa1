import { describe, expect, it } from 'vitest';
import { formatApiToken, parseApiToken } from '../../server/auth/api-tokens.ts';
import { currentUser } from '../../server/auth/middleware.ts';
import { ANY_TOKEN, ROUTE_SCOPES, scopeForRoute } from '../../server/auth/route-scopes.ts';
import { SCOPES } from '../../server/auth/scopes.ts';
import { generateSecureRandomString } from '../../server/auth/tokens.ts';

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

describe('route scope table', () => {
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
    ['GET', '/api/incidents/', 'incidents:read'],
  ] as const)('%s %s needs %s', (method, path, scope) => {
    expect(scopeForRoute(method, path)).toBe(scope);
  });

  it.each([
    ['GET', '/api/me'],
    ['GET', '/api/me/tokens'],
    ['POST', '/api/auth/login'],
    ['GET', '/api/admin/users'],
    ['DELETE', '/api/admin/tokens/abc'],
    // Same paths, methods the table does not list.
    ['DELETE', '/api/incidents/INC-42'],
    ['OPTIONS', '/api/incidents'],
    ['PUT', '/api/incidents/INC-42/state'],
    // A parameter never matches an empty or extra segment.
    ['GET', '/api/incidents//events'],
    ['GET', '/api/incidents/INC-42/events/extra'],
    ['GET', '/api/incidentsx'],
    ['GET', '/incidents'],
    ['GET', '/api/not-yet-written'],
  ])('closes %s %s to tokens', (method, path) => {
    expect(scopeForRoute(method, path)).toBeNull();
  });

  it('lists each route once, under /api, with a known scope', () => {
    const keys = ROUTE_SCOPES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of ROUTE_SCOPES) {
      expect(route.path).toMatch(/^\/api\//);
      expect([...SCOPES, ANY_TOKEN]).toContain(route.scope);
    }
  });

  it('gives no token access to account, token or admin management', () => {
    const managed = ROUTE_SCOPES.filter((r) => /^\/api\/(auth|me|admin)(\/|$)/.test(r.path));
    expect(managed).toEqual([]);
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
