import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';

/**
 * What an API token may do. A browser session may do everything its user may;
 * a token is limited to its scopes on top of that (issue 8).
 */
export const SCOPES = ['incidents:read', 'incidents:write', 'alerts:write', 'updates:publish'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/**
 * Guards a route by scope. Sessions pass (the user's own permissions still
 * apply in the handler); token-authenticated requests need the scope.
 * The auth middleware fills `c.var.scopes` for token requests and already
 * refuses them per server/auth/route-scopes.ts; this is the same check,
 * stated where the route is declared. `null` means "a session, no scope limit".
 */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.user) throw new ApiError(401, 'unauthenticated', 'Log in or send an API token to continue.');
    const scopes = c.var.scopes ?? null;
    if (scopes !== null && !scopes.includes(scope)) throw insufficientScope(scope);
    await next();
  };
}

export const insufficientScope = (scope: Scope) =>
  new ApiError(403, 'insufficient_scope', `This API token lacks the ${scope} scope. Create a token with it.`);
