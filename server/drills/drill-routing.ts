/**
 * What the alert routing rules would have done with a drill's alert. The rule
 * is picked by the same matcher as real alerts (server/alerts/rules.ts) over
 * the same rules, so a drill tests the routing a team really has; but the
 * outcome lands in the drill, never in a real incident, a new incident or the
 * real inbox: the drill incident stands in for the incident the rule would
 * have attached to or declared, and an alert that would have waited in the
 * inbox is still shown to the team with that said plainly (a routing gap found
 * on a game day is a finding, not a reason to stall the exercise). Pure.
 */
import type { AlertRule } from '../alerts/rules.ts';
import type { DrillRoutingOutcome } from '../shared/practice-vocabulary.ts';

export { DRILL_ROUTING_OUTCOMES, type DrillRoutingOutcome } from '../shared/practice-vocabulary.ts';

export interface DrillRouting {
  /** What would have happened in a real outage. */
  outcome: DrillRoutingOutcome;
  rule: { id: string; name: string; action: AlertRule['action']; severity: number | null } | null;
  /** One sentence for the facilitator's console and the debrief. */
  explanation: string;
}

export function drillRouting(rule: AlertRule | null, alert: { service: string | null }, drillServices: readonly string[]): DrillRouting {
  const named = rule ? { id: rule.id, name: rule.name, action: rule.action, severity: rule.severity } : null;
  const waits = 'in a real outage it would wait in the alert inbox until someone declared from it';
  if (!rule) return { outcome: 'inbox', rule: null, explanation: `No routing rule matched: ${waits}.` };
  if (rule.action === 'inbox') return { outcome: 'inbox', rule: named, explanation: `Rule “${rule.name}” leaves it in the alert inbox: ${waits}.` };
  if (rule.action === 'declare') {
    return { outcome: 'declared', rule: named, explanation: `Rule “${rule.name}” declares a SEV${rule.severity ?? 3} incident from it; the drill stands in for that incident.` };
  }
  if (!alert.service) {
    return { outcome: 'inbox', rule: named, explanation: `Rule “${rule.name}” attaches alerts to an open incident on their service, but this alert has no service label: ${waits}.` };
  }
  if (!drillServices.includes(alert.service)) {
    return { outcome: 'inbox', rule: named, explanation: `Rule “${rule.name}” attaches it to an open incident on ${alert.service}; the drill is not on ${alert.service}, so ${waits}.` };
  }
  return { outcome: 'attached', rule: named, explanation: `Rule “${rule.name}” attaches it to the open incident on ${alert.service}.` };
}
