/** Routing rules, and the pure decision of which one an alert falls under. */
import type { Severity } from '../shared/severity.ts';

export const RULE_ACTIONS = ['attach', 'declare', 'inbox'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export interface Matcher {
  key: string;
  value: string;
}

export interface AlertRule {
  id: string;
  name: string;
  position: number;
  /** All must equal the alert's labels; none matches everything. */
  matchers: Matcher[];
  action: RuleAction;
  /** Only for `declare`. */
  severity: Severity | null;
  createdAt: Date;
  updatedAt: Date;
}

export function ruleMatches(rule: Pick<AlertRule, 'matchers'>, labels: Record<string, string>): boolean {
  return rule.matchers.every((m) => Object.hasOwn(labels, m.key) && labels[m.key] === m.value);
}

/** First matching rule by position; null sends the alert to the inbox. */
export function matchRule<R extends Pick<AlertRule, 'matchers' | 'position'>>(rules: readonly R[], labels: Record<string, string>): R | null {
  const ordered = [...rules].sort((a, b) => a.position - b.position);
  return ordered.find((rule) => ruleMatches(rule, labels)) ?? null;
}
