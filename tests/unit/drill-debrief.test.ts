import { describe, expect, it } from 'vitest';
import { computeDebrief, type DebriefFacts } from '../../server/drills/debrief.ts';
import { debriefMarkdown } from '../../server/drills/debrief-markdown.ts';
import type { CardHistory } from '../../server/hypotheses/board-history.ts';
import type { Scenario } from '../../server/shared/drill-scenario.ts';

/*
 * One drill, worked out by hand. The facilitator Fay starts it at 10:00:00 and
 * holds the clock from 10:20 to 10:30 (10 min), then ends it at 11:00. Every
 * time after 10:30 therefore reads 10 minutes less on the drill clock:
 *
 *   10:01:30 Ana acknowledges                         +1 min 30 s
 *   10:04    Ben takes the scribe role                 +4 min
 *   10:12    first update to responders (Ana)          +12 min
 *   10:35    first update to support                   +25 min   (35 − 10 paused)
 *   10:03    card c1 "Database is slow", ruled out 10:15          → a path tried
 *   10:06    card c2 "Deploy broke something", reworded at 10:33 to
 *            "Deploy exhausted the connection pool" (matches "connection pool"),
 *            confirmed 10:40                            appeared +23 min, confirmed +30 min
 *   10:08    card c3 "Network partition", still open  → also on the board
 *   10:45    mitigated +35 min; 10:50 resolved by Ana +40 min
 *   10:25    Fay releases the graph while paused      +20 min (the clock is held at 20)
 *   10:36    Ben opens the expected runbook           +26 min; marked used 10:41 +31 min
 *   Drill clock at the end: 60 − 10 = 50 min.
 */
const t = (hhmmss: string) => new Date(`2026-05-05T${hhmmss.length === 5 ? `${hhmmss}:00` : hhmmss}Z`);
const MIN = 60_000;
const ana = { id: 'ana', displayName: 'Ana' };
const ben = { id: 'ben', displayName: 'Ben' };
const fay = { id: 'fay', displayName: 'Fay' };

const scenario: Scenario = {
  title: 'Checkout pool',
  services: ['checkout'],
  severity: 2,
  impactBeganMs: 4 * MIN,
  runbook: 'checkout-db-pool',
  hypothesis: 'The deploy exhausted the connection pool',
  match: ['connection pool'],
  briefing: 'It is 10:00.',
  answer: 'The receipts worker opens **20** connections per pod.',
  facilitatorNotes: '',
  injects: [
    { key: '1', kind: 'alert', title: 'CheckoutLatencyHigh', from: null, atMs: 0, body: '', alert: { labels: { service: 'checkout' }, summary: 's', url: null } },
    { key: '2', kind: 'message', title: 'Customers cannot pay', from: 'Support', atMs: 3 * MIN, body: '', alert: null },
    { key: '3', kind: 'graph', title: 'Connections', from: null, atMs: null, body: '', alert: null },
    { key: '4', kind: 'twist', title: 'Rollback fails', from: null, atMs: 30 * MIN, body: '', alert: null },
  ],
};

function card(id: string, statements: [string, string][], statuses: [string, string][], by = 'ben'): CardHistory {
  return {
    id,
    statement: statements.at(-1)![1],
    status: statuses.at(-1)![1] as CardHistory['status'],
    createdAt: t(statements[0][0]),
    createdBy: by,
    statements: statements.map(([at, value]) => ({ value, at: t(at), userId: by })),
    statuses: statuses.map(([at, value]) => ({ value: value as CardHistory['status'], at: t(at), userId: by })),
  };
}

const cards = [
  card('c1', [['10:03', 'Database is slow']], [['10:03', 'open'], ['10:05', 'investigating'], ['10:15', 'ruled_out']]),
  card('c2', [['10:06', 'Deploy broke something'], ['10:33', 'Deploy exhausted the Connection Pool']], [['10:06', 'open'], ['10:34', 'investigating'], ['10:40', 'confirmed']], 'ana'),
  card('c3', [['10:08', 'Network partition']], [['10:08', 'open']]),
];

function facts(over: Partial<DebriefFacts> = {}): DebriefFacts {
  return {
    scenario,
    clock: { startedAt: t('10:00'), pauses: [{ from: t('10:20'), to: t('10:30') }], endedAt: t('11:00') },
    facilitator: fay,
    incident: { ref: 'INC-7', startedAt: t('09:56'), declaredAt: t('10:00'), acknowledgedAt: t('10:01:30'), mitigatedAt: t('10:45'), resolvedAt: t('10:50') },
    resolvedBy: 'ana',
    roles: [
      { role: 'commander', to: ana, at: t('10:00') },
      { role: 'scribe', to: ben, at: t('10:04') },
    ],
    updates: [
      { audience: 'support', at: t('10:35'), author: 'Ana' },
      { audience: 'responders', at: t('10:12'), author: 'Ana' },
      { audience: 'responders', at: t('10:40'), author: 'Ben' },
    ],
    cards,
    correctHypothesisId: null,
    releases: [
      { injectKey: '1', at: t('10:00'), by: null, routing: { outcome: 'declared', rule: null, explanation: 'Rule “checkout critical” declares a SEV2 incident from it; the drill stands in for that incident.' } },
      { injectKey: '2', at: t('10:03'), by: null, routing: null },
      { injectKey: '3', at: t('10:25'), by: fay, routing: null },
    ],
    expectedRunbook: { id: 'rb1', slug: 'checkout-db-pool', title: 'Checkout: database pool' },
    runbookOpens: [
      { runbookId: 'rb1', slug: 'checkout-db-pool', title: 'Checkout: database pool', user: ana, at: t('10:38') },
      { runbookId: 'rb1', slug: 'checkout-db-pool', title: 'Checkout: database pool', user: ben, at: t('10:36') },
      { runbookId: 'other', slug: 'other', title: 'Other', user: ben, at: t('10:02') },
    ],
    runbookStamps: [{ runbookId: 'rb1', at: t('10:41'), by: ana }],
    runbookHelped: 'partly',
    runbookNote: 'The pg_stat_activity query was there; the flag was not.',
    observations: [{ at: t('10:10'), author: fay, text: 'Nobody checked the deploy log' }],
    findings: [{ id: 'a1', title: 'Add the receipts flag to the runbook', owner: ben, dueDate: '2026-05-20', kind: 'immediate', status: 'open' }],
    people: { ana: 'Ana', ben: 'Ben' },
    ...over,
  };
}

const byId = (d: ReturnType<typeof computeDebrief>) => Object.fromEntries(d.times.map((x) => [x.id, x]));

describe('computeDebrief', () => {
  const d = computeDebrief(facts(), t('12:00'));
  const times = byId(d);

  it('reads every key time on the drill clock, pauses excluded', () => {
    // The scenario starts impact 4 minutes before the drill: 09:56.
    expect(times.impact.moment?.elapsedMs).toBe(-4 * MIN);
    expect(times.declared.moment?.elapsedMs).toBe(0);
    expect(times.acknowledged.moment?.elapsedMs).toBe(1.5 * MIN);
    expect(times['role-commander']).toMatchObject({ moment: { elapsedMs: 0 }, note: 'Ana, named when the drill started' });
    expect(times['role-scribe']).toMatchObject({ moment: { elapsedMs: 4 * MIN }, note: 'Ben' });
    expect(times['role-communicator']).toMatchObject({ moment: null, note: 'never filled' });
    expect(times['update-responders']).toMatchObject({ moment: { elapsedMs: 12 * MIN }, note: 'by Ana' });
    expect(times['update-support'].moment?.elapsedMs).toBe(25 * MIN);
    expect(times['update-leadership']).toMatchObject({ moment: null, note: 'none published' });
    expect(times.mitigated.moment?.elapsedMs).toBe(35 * MIN);
    expect(times.resolved.moment?.elapsedMs).toBe(40 * MIN);
    expect(d.durationMs).toBe(50 * MIN);
    expect(d.pausedMs).toBe(10 * MIN);
  });

  it('finds the correct hypothesis by the scenario’s phrases, from the first wording that says so', () => {
    expect(d.correctHypothesis).toEqual({
      statement: 'Deploy exhausted the Connection Pool',
      matchedBy: 'phrase',
      appeared: { at: t('10:33').toISOString(), elapsedMs: 23 * MIN },
      confirmed: { at: t('10:40').toISOString(), elapsedMs: 30 * MIN },
    });
    expect(times['hypothesis-appeared'].moment?.elapsedMs).toBe(23 * MIN);
    expect(times['hypothesis-confirmed'].moment?.elapsedMs).toBe(30 * MIN);
  });

  it('lists the paths ruled out apart from what else was on the board', () => {
    expect(d.ruledOut.map((h) => [h.statement, h.written.elapsedMs, h.writtenBy, h.ruledOut?.elapsedMs])).toEqual([['Database is slow', 3 * MIN, 'Ben', 15 * MIN]]);
    expect(d.otherHypotheses.map((h) => [h.statement, h.status])).toEqual([['Network partition', 'open']]);
  });

  it('says who released each inject, when, and what routing did with the alert', () => {
    expect(d.injects.map((i) => [i.key, i.released?.elapsedMs ?? null, i.releasedBy])).toEqual([
      ['1', 0, 'the schedule'],
      ['2', 3 * MIN, 'the schedule'],
      ['3', 20 * MIN, 'Fay'],
      ['4', null, null],
    ]);
    expect(d.injects[0].routing).toContain('declares a SEV2 incident');
  });

  it('tells whether the expected runbook was found, by whom, and whether it helped', () => {
    // Opens of other runbooks do not count; the first open of the expected one is Ben's at 10:36.
    expect(d.runbook).toEqual({
      expected: 'checkout-db-pool',
      exists: true,
      title: 'Checkout: database pool',
      firstOpened: { at: t('10:36').toISOString(), elapsedMs: 26 * MIN },
      openedBy: ['Ana', 'Ben'],
      markedUsed: { at: t('10:41').toISOString(), elapsedMs: 31 * MIN },
      helped: 'partly',
      note: 'The pg_stat_activity query was there; the flag was not.',
    });
  });

  it('lets the facilitator point at the card when the team words it differently', () => {
    const picked = computeDebrief(facts({ correctHypothesisId: 'c3' }), t('12:00'));
    expect(picked.correctHypothesis).toMatchObject({ statement: 'Network partition', matchedBy: 'facilitator', appeared: { elapsedMs: 8 * MIN }, confirmed: null });
    expect(byId(picked)['hypothesis-confirmed'].note).toBe('written but never confirmed');
  });

  it('does not credit the team with a resolution the facilitator made by ending the drill', () => {
    const ended = computeDebrief(facts({ resolvedBy: 'fay' }), t('12:00'));
    expect(byId(ended).resolved).toMatchObject({ moment: null, note: 'not resolved: the facilitator ended the drill' });
  });

  it('without a matching card, says the hypothesis was never written', () => {
    const none = computeDebrief(facts({ cards: [cards[0]] }), t('12:00'));
    expect(none.correctHypothesis).toBeNull();
    expect(byId(none)['hypothesis-appeared']).toMatchObject({ moment: null, note: 'never written' });
  });

  it('exports Markdown with the times, the answer and typed text escaped', () => {
    const markdown = debriefMarkdown(computeDebrief(facts({ observations: [{ at: t('10:10'), author: fay, text: '# not a heading | nor a cell' }] }), t('12:00')));
    expect(markdown).toContain('# Drill debrief: Checkout pool');
    expect(markdown).toContain('50 min on the drill clock (10 min paused, not counted)');
    expect(markdown).toContain('| Correct hypothesis confirmed | +30 min |');
    expect(markdown).toContain('| Impact began (scripted) | −4 min |');
    expect(markdown).toContain('The receipts worker opens **20** connections per pod.');
    expect(markdown).toContain('- +10 min \\# not a heading | nor a cell');
    expect(markdown).toContain('| Add the receipts flag to the runbook | Ben | 2026-05-20 | immediate | open |');
  });
});
