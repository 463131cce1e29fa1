/** Alert shapes the API returns, read from the API's own schemas (server/shared/api/components.ts), and the rule form's matcher text. */
import type { z } from 'zod';
import type * as api from '$shared/api/components';

export type AlertView = z.infer<typeof api.Alert>;
export type AlertStatus = AlertView['status'];
export type AlertRuleView = z.infer<typeof api.AlertRule>;
export type RuleAction = AlertRuleView['action'];
export type Matcher = AlertRuleView['matchers'][number];

export const ACTION_LABEL: Record<RuleAction, string> = {
  attach: 'Attach to the open incident on its service',
  declare: 'Declare an incident',
  inbox: 'Leave in the alert inbox',
};

export const formatMatchers = (matchers: Matcher[]) => matchers.map((m) => `${m.key}=${m.value}`).join(', ');

/** "severity=critical, service=payments" → matchers, or the message for the first part that is not key=value. */
export function parseMatchers(text: string): { matchers: Matcher[] } | { error: string } {
  const matchers: Matcher[] = [];
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) return { error: `"${part}" is not label=value` };
    matchers.push({ key: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() });
  }
  return { matchers };
}
