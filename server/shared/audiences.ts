/** Who a stakeholder update is written for; each has its own drafts, cadence, templates and webhooks. */
export const AUDIENCES = ['responders', 'support', 'leadership', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];
