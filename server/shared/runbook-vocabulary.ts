/** How a runbook is marked in an incident, shared so the API's schema, server/runbooks/ and the browser spell it from one list. */
export const STAMP_KINDS = ['used', 'verified'] as const;
export type StampKind = (typeof STAMP_KINDS)[number];
