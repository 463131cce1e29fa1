/**
 * The words of practice between incidents, shared so the API's schemas, the
 * rules in server/drills/ and server/process-review/ and the browser spell
 * them from one list.
 */

/** What a released alert inject would have done in a real outage, by the alert rules. */
export const DRILL_ROUTING_OUTCOMES = ['attached', 'declared', 'inbox'] as const;
export type DrillRoutingOutcome = (typeof DRILL_ROUTING_OUTCOMES)[number];

/** Whether the scenario's runbook helped, as the facilitator judged it. */
export const RUNBOOK_VERDICTS = ['yes', 'partly', 'no'] as const;
export type RunbookVerdict = (typeof RUNBOOK_VERDICTS)[number];

/** Where a process review says the delay between the right hypothesis and resolution sat. */
export const DELAY_KINDS = ['escalation', 'diagnostic_step', 'knowledge', 'approval', 'other', 'none'] as const;
export type DelayKind = (typeof DELAY_KINDS)[number];
