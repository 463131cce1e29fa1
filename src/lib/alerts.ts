/** Alert shapes the API returns (server/http/alerts.ts, alert-rules.ts), and the rule form's matcher text. */
export type AlertStatus = 'firing' | 'resolved';
export type RuleAction = 'attach' | 'declare' | 'inbox';

export interface AlertView {
  id: string;
  source: string;
  fingerprint: string;
  status: AlertStatus;
  name: string;
  summary: string;
  severity: string | null;
  service: string | null;
  labels: Record<string, string>;
  url: string | null;
  startsAt: string;
  endsAt: string | null;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  incidentRef: string | null;
  attachedAt: string | null;
}

export interface Matcher {
  key: string;
  value: string;
}

export interface AlertRuleView {
  id: string;
  name: string;
  position: number;
  matchers: Matcher[];
  action: RuleAction;
  severity: number | null;
  createdAt: string;
  updatedAt: string;
}

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
