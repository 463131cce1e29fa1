import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elapsedAt, isPaused, pausedFor, toggled } from '../../server/shared/drill-clock.ts';
import { dueInjects, MAX_SCENARIO_CHARS, parseLabels, parseOffset, parseScenario } from '../../server/shared/drill-scenario.ts';

const SCENARIO = `---
title: Checkout pool
services: [Checkout, payments, checkout]
severity: SEV2
impact_began: 6m
runbook: checkout-db-pool
hypothesis: The deploy exhausted the pool
match: [connection pool, "Too many connections"]
---

# Briefing
It is 14:10.

# Answer
The worker opens **20** connections per pod.

# Facilitator notes
Release the graph at +10m.

# Injects

## +0m Alert: CheckoutLatencyHigh
labels: severity=critical, service=checkout
summary: p99 above 2 s
url: https://grafana.example.com/d/checkout

Latency went up.

## +1h2m30s Message from Support lead: Customers cannot pay
Dana: "What do we say?"

## Graph: Connections
\`\`\`text
# not a heading: inside a fence
## not an inject either
\`\`\`

## +90s twist: The rollback fails
`;

describe('parseScenario', () => {
  it('reads the front matter, the sections and every inject in order', () => {
    const parsed = parseScenario(SCENARIO);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (!parsed.ok) return;
    const s = parsed.scenario;
    expect(s).toMatchObject({
      title: 'Checkout pool',
      // Lowercased and deduplicated, as incident services are.
      services: ['checkout', 'payments'],
      severity: 2,
      impactBeganMs: 6 * 60_000,
      runbook: 'checkout-db-pool',
      hypothesis: 'The deploy exhausted the pool',
      match: ['connection pool', 'too many connections'],
      briefing: 'It is 14:10.',
      answer: 'The worker opens **20** connections per pod.',
      facilitatorNotes: 'Release the graph at +10m.',
    });
    expect(s.injects.map((i) => [i.key, i.kind, i.title, i.from, i.atMs])).toEqual([
      ['1', 'alert', 'CheckoutLatencyHigh', null, 0],
      // 1 h 2 min 30 s = 3,750 s
      ['2', 'message', 'Customers cannot pay', 'Support lead', 3_750_000],
      ['3', 'graph', 'Connections', null, null],
      ['4', 'twist', 'The rollback fails', null, 90_000],
    ]);
    // The alert's field lines feed routing; the rest is what the team reads.
    expect(s.injects[0].alert).toEqual({
      labels: { alertname: 'CheckoutLatencyHigh', severity: 'critical', service: 'checkout' },
      summary: 'p99 above 2 s',
      url: 'https://grafana.example.com/d/checkout',
    });
    expect(s.injects[0].body).toBe('Latency went up.');
    // Headings inside a fenced block are text, not sections or injects.
    expect(s.injects[2].body).toContain('## not an inject either');
    expect(s.injects[1].alert).toBeNull();
  });

  it('defaults severity to 3, no impact lead time, and matches on the hypothesis itself', () => {
    const minimal = '---\ntitle: T\nhypothesis: Disk full\n---\n# Briefing\nB\n# Answer\nA\n# Injects\n## Log: df\n/ 100%\n';
    const parsed = parseScenario(minimal);
    expect(parsed.ok && parsed.scenario).toMatchObject({ severity: 3, impactBeganMs: 0, runbook: null, services: [], match: ['disk full'] });
  });

  it('names every problem with its line, so an author can fix them all at once', () => {
    const broken = [
      '---', //                                   1
      'title: ', //                               2
      'severity: 7', //                           3
      'colour: red', //                           4
      'hypothesis: x', //                         5
      '---', //                                   6
      '# Briefing', //                            7
      'B', //                                     8
      '# Injects', //                             9
      '## +5 minutes Alert: X', //               10
      '## Message: nobody sent it', //           11
      '## Rumour: not a kind', //                12
      '## Alert: bad labels', //                 13
      'labels: severity critical', //            14
    ].join('\n');
    const parsed = parseScenario(broken);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4, 7, 10, 11, 12, 13]);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'title: every scenario needs a title',
      'severity: must be 1 to 4 (or SEV1 to SEV4)',
      'colour: not a scenario field (known: title, services, severity, impact_began, runbook, hypothesis, match)',
      // A missing section is reported where the body starts.
      '# Answer: the cause (only the facilitator sees it) is missing',
      expect.stringContaining('an inject heading reads like “## +5m Message from Support'),
      'a message says who it is from: “## Message from Support: …”',
      '“Rumour” is not a kind of inject: use alert, message, graph, log, twist',
      expect.stringContaining('labels: “severity critical” is not name=value'),
    ]);
  });

  it('refuses a document without front matter, an unclosed one, and one over the size cap', () => {
    expect(parseScenario('# Briefing\nhi')).toMatchObject({ ok: false, problems: [{ line: 1, message: expect.stringContaining('must start with front matter') }] });
    expect(parseScenario('---\ntitle: x\n# Briefing')).toMatchObject({ ok: false, problems: [{ line: 1, message: expect.stringContaining('not closed') }] });
    expect(parseScenario(`---\ntitle: x\n---\n${'a'.repeat(MAX_SCENARIO_CHARS)}`)).toMatchObject({ ok: false, problems: [{ message: expect.stringContaining(`longer than ${MAX_SCENARIO_CHARS}`) }] });
  });

  it('parses the four shipped scenarios, each with an alert for routing, a message and a twist', () => {
    const dir = join(import.meta.dirname, '../../server/drills/scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
    expect(files).toEqual(['alert-storm.md', 'connection-pool.md', 'dependency-outage.md', 'expiring-certificate.md']);
    for (const file of files) {
      const parsed = parseScenario(readFileSync(join(dir, file), 'utf8'));
      expect(parsed.ok, `${file}: ${JSON.stringify(!parsed.ok && parsed.problems)}`).toBe(true);
      if (!parsed.ok) continue;
      const kinds = new Set(parsed.scenario.injects.map((i) => i.kind));
      expect([file, kinds.has('alert') && kinds.has('message') && kinds.has('twist')]).toEqual([file, true]);
      expect(parsed.scenario.injects.filter((i) => i.alert).every((i) => i.alert!.labels.service)).toBe(true);
    }
  });
});

describe('offsets and labels', () => {
  it('reads durations the way people write them', () => {
    expect(parseOffset('+0m')).toBe(0);
    expect(parseOffset('90s')).toBe(90_000);
    expect(parseOffset('+1h15m')).toBe(75 * 60_000);
    expect(parseOffset('5')).toBeNull();
    expect(parseOffset('+')).toBeNull();
  });
  it('reads alert labels as name=value pairs', () => {
    expect(parseLabels('severity=critical, service="checkout"')).toEqual({ ok: true, labels: { severity: 'critical', service: 'checkout' } });
    expect(parseLabels('severity')).toEqual({ ok: false, bad: 'severity' });
  });
});

describe('drill clock', () => {
  // Started 10:00. Paused 10:05–10:15 (10 min) and again from 10:30, still paused.
  const t = (hhmm: string) => new Date(`2026-05-05T${hhmm}:00Z`);
  const clock = {
    startedAt: t('10:00'),
    pauses: [
      { from: t('10:05'), to: t('10:15') },
      { from: t('10:30'), to: null },
    ],
    endedAt: null,
  };
  const MIN = 60_000;

  it('runs only while not paused', () => {
    expect(elapsedAt(clock, t('10:04'))).toBe(4 * MIN);
    expect(elapsedAt(clock, t('10:10'))).toBe(5 * MIN); // held at 5 during the pause
    expect(elapsedAt(clock, t('10:20'))).toBe(10 * MIN); // 20 min wall clock − 10 paused
    expect(elapsedAt(clock, t('11:00'))).toBe(20 * MIN); // paused since 10:30 at 20 min
    expect(pausedFor(clock, t('11:00'))).toBe(40 * MIN); // 10 + 30
    expect(isPaused(clock)).toBe(true);
  });

  it('stops at the end of the drill', () => {
    const ended = { ...clock, pauses: clock.pauses.slice(0, 1), endedAt: t('10:40') };
    expect(elapsedAt(ended, t('12:00'))).toBe(30 * MIN); // 40 − 10
  });

  it('pauses and resumes idempotently', () => {
    const paused = toggled([], true, t('10:05'));
    expect(toggled(paused, true, t('10:06'))).toEqual(paused);
    expect(toggled(paused, false, t('10:15'))).toEqual([{ from: t('10:05'), to: t('10:15') }]);
  });

  it('releases scheduled injects once their time on the drill clock has come', () => {
    const parsed = parseScenario(SCENARIO);
    if (!parsed.ok) throw new Error('fixture');
    // At 2 min: the +0m alert and the +90s twist; the +1h2m30s message waits, the graph is the facilitator's.
    expect(dueInjects(parsed.scenario.injects, new Set(), 2 * MIN).map((i) => i.key)).toEqual(['1', '4']);
    expect(dueInjects(parsed.scenario.injects, new Set(['1']), 2 * MIN).map((i) => i.key)).toEqual(['4']);
  });
});
