import { describe, expect, it } from 'vitest';
import { durationText, impactSection } from '../../server/postmortem/draft-impact.ts';
import { generateDraft } from '../../server/postmortem/draft.ts';
import { addTimelineEntry, readHypotheses, readTimeline } from '../../server/shared/war-room-doc.ts';
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
    expect(durationText(new Date('2026-03-12T14:00:00Z'), new Date('2026-03-12T13:00:00Z'))).toBe('not recorded');
    expect(durationText(new Date('2026-03-10T14:00:00Z'), new Date('2026-03-12T15:30:00Z'))).toBe('2 d 1 h');
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
      ['14:38', 'scribe', 'Restarted the payments workers to drop stuck connections', 'Rey'],
      ['14:40', 'event', 'State identified → monitoring', 'Cora'],
      ['16:15', 'scribe', 'Error rate back to baseline for an hour', 'Cora'],
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
    // The declaration (filed as an alert by older war rooms) is not how it was detected.
    expect(draft.sections.detection).toBe('Detected at 12 Mar 2026, 14:02 UTC, 12 min after impact started.');
  });

  it('reads detection from the detection time alone, naming the alert it came from', () => {
    const doc = warRoomDocument();
    addTimelineEntry(doc, { id: 'alert-a1', kind: 'alert', text: 'Alert PaymentsErrors: 5xx above 5%', at: '2026-03-12T14:02:00.000Z', author: null, hypothesisId: null, auto: true });
    // A scribe's backfilled alert that disagrees with the record is put to the commander in the war room, never into the draft.
    addTimelineEntry(doc, { id: 's9', kind: 'alert', text: 'Pager went off', at: '2026-03-12T13:58:00.000Z', author: { id: 'rey', name: 'Rey' }, hypothesisId: null });
    const draft = (overrides: Partial<typeof incident>) =>
      generateDraft({ incident: { ...incident, ...overrides }, hypotheses: [], timeline: readTimeline(doc), updates: [], now: new Date() }).sections;
    expect(draft({}).detection).toBe('Detected at 12 Mar 2026, 14:02 UTC, 12 min after impact started.\n\nFirst alert: Alert PaymentsErrors: 5xx above 5%');
    // No detection time: Detection and Impact both say nothing was recorded, whatever the timeline holds.
    const missing = draft({ detectedAt: null });
    expect(missing.detection).toBe('');
    expect(missing.impact).toContain('- **Detected:** not recorded');
  });

  it('says how it ended: the times, the confirmed cause and the mitigation and resolution steps people wrote', () => {
    expect(draftFromFixture().sections.resolution).toBe(
      [
        'Mitigated 12 Mar 2026, 14:40 UTC, 50 min after the start. Resolved 12 Mar 2026, 16:20 UTC, 2 h 30 min after the start.',
        '',
        'Cause confirmed in the war room: The payments pool is exhausted',
        '',
        'Steps recorded:',
        '',
        '- 12 Mar 2026, 14:38 UTC: Restarted the payments workers to drop stuck connections (Rey)',
        '- 12 Mar 2026, 16:15 UTC: Error rate back to baseline for an hour (Cora)',
      ].join('\n'),
    );
    const unresolved = generateDraft({ incident: { ...incident, mitigatedAt: null, resolvedAt: null }, hypotheses: [], timeline: [], updates: [], now: new Date() });
    expect(unresolved.sections.resolution).toBe('');
  });

  it('seeds the response, containment and recovery gaps from the timeline where it holds evidence', () => {
    const { sections } = draftFromFixture();
    expect(sections.response).toBe(
      [
        '- Declared 12 Mar 2026, 14:05 UTC, 3 min after detection.',
        '- Acknowledged 12 Mar 2026, 14:05 UTC, 0 s after the declaration.',
        '- First action recorded 30 min after the declaration, 12 Mar 2026, 14:35 UTC: Raised the pool to 200 (Rey)',
        '- 3 hypotheses on the board: 1 confirmed, 1 ruled out, 1 left open.',
      ].join('\n'),
    );
    expect(sections.containment).toBe(
      [
        '- Mitigated 12 Mar 2026, 14:40 UTC, 38 min after detection, 50 min after the start.',
        '- First mitigation step recorded 12 Mar 2026, 14:38 UTC: Restarted the payments workers to drop stuck connections (Rey)',
      ].join('\n'),
    );
    expect(sections.recovery).toBe(
      ['- Resolved 12 Mar 2026, 16:20 UTC, 1 h 40 min after mitigation.', '- Recovery recorded 12 Mar 2026, 16:15 UTC: Error rate back to baseline for an hour (Cora)'].join('\n'),
    );
  });

  it('takes the first of two steps written at the same moment in the order the timeline holds them, whatever their kinds', () => {
    const doc = warRoomDocument();
    const at = '2026-03-12T14:10:00.000Z';
    const author = { id: 'rey', name: 'Rey' };
    const draft = (kinds: ('action' | 'mitigation')[]) => {
      const timeline = readTimeline(doc).filter((entry) => entry.auto);
      // Same time and creation time: only their place in the timeline orders them.
      kinds.forEach((kind, i) => timeline.push({ id: `tie-${i}`, at, createdAt: at, kind, text: `Step ${kind}`, author, hypothesisId: null, auto: false, eventId: null }));
      return generateDraft({ incident, hypotheses: [], timeline, updates: [], now: new Date() }).sections.response;
    };
    expect(draft(['mitigation', 'action'])).toContain('14:10 UTC: Step mitigation (Rey)');
    expect(draft(['action', 'mitigation'])).toContain('14:10 UTC: Step action (Rey)');
  });

  it('leaves a gap section empty when the record has nothing for it, and never invents a duration', () => {
    const bare = generateDraft({
      incident: { ...incident, detectedAt: null, acknowledgedAt: null, mitigatedAt: null, resolvedAt: null },
      hypotheses: [],
      timeline: [],
      updates: [],
      now: new Date(),
    });
    expect(bare.sections.response).toBe('');
    expect(bare.sections.containment).toBe('');
    expect(bare.sections.recovery).toBe('');
    // Resolved before it was mitigated (a backfill mistake): the time stands, the negative duration does not.
    const odd = generateDraft({ incident: { ...incident, mitigatedAt: new Date('2026-03-12T17:00:00Z') }, hypotheses: [], timeline: [], updates: [], now: new Date() });
    expect(odd.sections.recovery).toBe('- Resolved 12 Mar 2026, 16:20 UTC.');
  });

  it('holds facts only: the sections for people stay empty, with no prompts left in them', () => {
    const draft = draftFromFixture();
    for (const key of ['trigger', 'escalation', 'went_well', 'lucky'] as const) expect(draft.sections[key]).toBe('');
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
