import { ApiError } from '../http/errors.ts';

/**
 * What an API token may do. A browser session may do everything its user may;
 * a token is limited to its scopes on top of that (issue 8).
 */
export const SCOPES = ['incidents:read', 'incidents:write', 'alerts:write', 'updates:publish'] as const;
export type Scope = (typeof SCOPES)[number];

export const insufficientScope = (scope: Scope) =>
  new ApiError(403, 'insufficient_scope', `This API token lacks the ${scope} scope. Create a token with it.`);
