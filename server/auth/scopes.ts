/**
 * What an API token may do. A browser session may do everything its user may;
 * a token is limited to its scopes on top of that.
 */
export const SCOPES = ['incidents:read', 'incidents:write', 'alerts:write', 'updates:publish'] as const;
export type Scope = (typeof SCOPES)[number];
