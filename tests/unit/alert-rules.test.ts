import { describe, expect, it } from 'vitest';
import { matchRule, ruleMatches } from '../../server/alerts/rules.ts';

const rule = (position: number, matchers: Record<string, string>, name = `rule ${position}`) => ({
  name,
  position,
  matchers: Object.entries(matchers).map(([key, value]) => ({ key, value })),
});

describe('alert routing rules', () => {
  const labels = { alertname: 'HighErrorRate', severity: 'critical', service: 'payments' };

  it('matches only when every matcher equals the label exactly', () => {
    expect(ruleMatches(rule(1, { severity: 'critical' }), labels)).toBe(true);
    expect(ruleMatches(rule(1, { severity: 'critical', service: 'payments' }), labels)).toBe(true);
    expect(ruleMatches(rule(1, { severity: 'critical', service: 'search' }), labels)).toBe(false);
    expect(ruleMatches(rule(1, { severity: 'Critical' }), labels)).toBe(false);
    expect(ruleMatches(rule(1, { team: 'storage' }), labels)).toBe(false);
    // Inherited object keys are not labels.
    expect(ruleMatches(rule(1, { toString: 'x' }), labels)).toBe(false);
  });

  it('treats a rule without matchers as a catch-all', () => {
    expect(ruleMatches(rule(1, {}), {})).toBe(true);
  });

  it('takes the first matching rule by position, whatever the list order', () => {
    const rules = [rule(3, {}, 'catch-all'), rule(2, { severity: 'critical' }, 'critical'), rule(1, { service: 'search' }, 'search')];
    expect(matchRule(rules, labels)?.name).toBe('critical');
    expect(matchRule(rules, { service: 'search', severity: 'critical' })?.name).toBe('search');
    expect(matchRule(rules, { severity: 'warning' })?.name).toBe('catch-all');
  });

  it('sends an alert no rule matches to the inbox (null)', () => {
    expect(matchRule([rule(1, { severity: 'critical' })], { severity: 'warning' })).toBeNull();
    expect(matchRule([], labels)).toBeNull();
  });
});
