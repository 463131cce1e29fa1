import { describe, expect, it } from 'vitest';
import { durationBetween, impactSection } from '../../server/postmortem/draft-impact.ts';
import { generateDraft } from '../../server/postmortem/draft.ts';
import { readHypotheses, readTimeline } from '../../server/shared/war-room-doc.ts';
import { hypothesisIds, incident, updates, warRoomDocument } from '../fixtures/postmortem/checkout-outage.ts';

function draftFromFixture(overrides: Partial<typeof incident> = {}) {
  const doc = warRoomDocument();
  return generateDraft({
    incident: { ...incident, ...overrides },
    hypotheses: readHypotheses(doc),
    timeline: readTimeline(doc),
    updates,
    now: new Date('2026-03-12T17:00:05.000Z'),
  });
}

describe('generateDraft', () => {
  it('summarises with the incident summary and the last public or leadership update, quoted', () => {
    const { sections } = draftFromFixture();
    expect(sections.summary).toBe('Card payments failed for EU customers.\n\nLast public update (12 Mar 2026, 16:25 UTC, Rey):\n\n> **Resolved.** Payments work again.');
  });

  it('states the impact facts: severity, services, every time and the durations from the start', () => {
    expect(draftFromFixture().sections.impact).toBe(
      [
        '- **Severity:** SEV2',
        '- **Affected services:** checkout, payments',
        '- **Started:** 12 Mar 2026, 13:50 UTC',
        '- **Detected:** 12 Mar 2026, 14:02 UTC',
        '- **Acknowledged:** 12 Mar 2026, 14:05 UTC',
        '- **Mitigated:** 12 Mar 2026, 14:40 UTC',
        '- **Resolved:** 12 Mar 2026, 16:20 UTC',
        '- **Time to detect:** 12 min',
        '- **Time to mitigate:** 50 min',
        '- **Time to resolve:** 2 h 30 min',
        '',
        '**Customer impact:** ',
      ].join('\n'),
    );
  });

  it('says "not recorded" for missing times instead of guessing', () => {
    const impact = draftFromFixture({ detectedAt: null, mitigatedAt: null, services: [] }).sections.impact;
    expect(impact).toContain('- **Detected:** not recorded');
    expect(impact).toContain('- **Time to detect:** not recorded');
    expect(impact).toContain('- **Time to mitigate:** not recorded');
    expect(impact).toContain('- **Affected services:** not recorded');
    expect(durationBetween(new Date('2026-03-12T14:00:00Z'), new Date('2026-03-12T13:00:00Z'))).toBe('not recorded');
    expect(durationBetween(new Date('2026-03-10T14:00:00Z'), new Date('2026-03-12T15:30:00Z'))).toBe('2 d 1 h');
    expect(impactSection({ ...incident, resolvedAt: null })).toContain('- **Resolved:** not recorded');
  });

  it('lists confirmed hypotheses with findings and evidence, then the excluded, then those left open', () => {
    expect(draftFromFixture().sections.investigation).toBe(
      [
        '### Confirmed',
        '',
        '#### The payments pool is exhausted',
        '',
        'Pool at 100/100 from 14:02',
        '',
        'Evidence:',
        '',
        '- [Pool dashboard](https://grafana.example.com/d/pool)',
        '- pg_stat_activity dump in the channel',
        '',
        '### Investigated and excluded',
        '',
        '- A bad deploy of checkout — No deploy since Monday',
        '',
        '### Left open',
        '',
        '- DNS flakiness',
      ].join('\n'),
    );
  });

  it('merges war-room entries and published updates in time order, each update once, with authors', () => {
    const { timeline } = draftFromFixture();
    expect(timeline.map((e) => [e.at.slice(11, 16), e.source, e.text, e.author?.name ?? null])).toEqual([
      ['14:05', 'event', 'Cora declared a SEV2: Checkout is failing', 'Cora'],
      ['14:15', 'scribe', 'Pool saturated on payments-db', 'Rey'],
      ['14:20', 'update', 'Published the leadership update: Checkout fails for EU cards.', 'Cora'],
      ['14:30', 'update', 'Published the responders update: Pool exhausted, raising it.', 'Cora'],
      ['14:35', 'scribe', 'Raised the pool to 200', 'Rey'],
      ['14:40', 'event', 'State identified → monitoring', 'Cora'],
      ['16:20', 'event', 'State monitoring → resolved', 'Cora'],
      ['16:25', 'update', 'Published the public update: Resolved. Payments work again.', 'Rey'],
    ]);
    expect(timeline.every((e) => e.collapsed === false)).toBe(true);
  });

  it('seeds one technical factor per confirmed hypothesis, and prefills detection when known', () => {
    const draft = draftFromFixture();
    expect(draft.factors).toEqual([
      {
        id: `factor-${hypothesisIds.pool}`,
        category: 'technical',
        description: 'The payments pool is exhausted\n\nPool at 100/100 from 14:02',
        hypothesisId: hypothesisIds.pool,
        createdAt: '2026-03-12T14:12:00.000Z',
      },
    ]);
    expect(draft.sections.detection).toBe('Detected at 12 Mar 2026, 14:02 UTC.\n\nFirst alert (12 Mar 2026, 14:05 UTC): Cora declared a SEV2: Checkout is failing');
    expect(draftFromFixture({ detectedAt: null }).sections.detection).toBe('First alert (12 Mar 2026, 14:05 UTC): Cora declared a SEV2: Checkout is failing');
  });

  it('holds facts only: the sections for people stay empty, with no prompts left in them', () => {
    const draft = draftFromFixture();
    for (const key of ['trigger', 'escalation', 'response', 'containment', 'recovery', 'went_well', 'lucky'] as const) expect(draft.sections[key]).toBe('');
    expect(draft.actionItems).toEqual([]);
    expect(draft).toMatchObject({ incidentId: 'inc1', generatedAt: '2026-03-12T17:00:05.000Z' });
    expect(Object.values(draft.sections).join('\n')).not.toMatch(/\?/);
  });

  it('leaves summary and investigation empty when the war room has nothing to say', () => {
    const draft = generateDraft({ incident: { ...incident, summary: '' }, hypotheses: [], timeline: [], updates: [], now: new Date() });
    expect(draft.sections.summary).toBe('');
    expect(draft.sections.investigation).toBe('');
    expect(draft.factors).toEqual([]);
    expect(draft.timeline).toEqual([]);
  });
});
