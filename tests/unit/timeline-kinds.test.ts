import { describe, expect, it } from 'vitest';
import { describeEvent, type EventChange, type IncidentEvent, type Named } from '../../server/incidents/events.ts';
import { timelineKindFor } from '../../server/incidents/live.ts';
import { hypothesisReference } from '../../src/lib/war-room/timeline.ts';

const ana: Named = { id: 'ana', name: 'Ana' };
const ben: Named = { id: 'ben', name: 'Ben' };

const event = (change: EventChange, by: Named | null = ana): IncidentEvent => {
  const { kind, ...data } = change;
  return { id: 1, incidentId: 'i', kind, actor: by && { id: by.id, displayName: by.name }, at: new Date(), data: { ...data, by }, message: describeEvent({ ...change, by }) } as IncidentEvent;
};

describe('automatic timeline entries get kinds the filters can trust', () => {
  it.each<[string, EventChange, string | null]>([
    ['declaring is the commander’s call, not an alert', { kind: 'declared', title: 'Down', severity: 1, commander: ana, private: false, drill: false }, 'decision'],
    ['taking the incident is an action', { kind: 'acknowledged' }, 'action'],
    ['a severity change is a decision', { kind: 'severity', from: 2, to: 1 }, 'decision'],
    ['moving to identified is a decision, not a discovery', { kind: 'state', from: 'investigating', to: 'identified' }, 'decision'],
    ['moving to monitoring is the mitigation', { kind: 'state', from: 'identified', to: 'monitoring' }, 'mitigation'],
    ['resolving is the resolution', { kind: 'state', from: 'monitoring', to: 'resolved' }, 'resolution'],
    ['closing is bookkeeping', { kind: 'state', from: 'resolved', to: 'closed' }, 'note'],
    ['reopening is a decision', { kind: 'state', from: 'closed', to: 'investigating' }, 'decision'],
    ['handing command over is a decision', { kind: 'role', role: 'commander', from: ana, to: ben, claimed: false }, 'decision'],
    ['claiming the scribe role is not a decision', { kind: 'role', role: 'scribe', from: null, to: ben, claimed: true }, 'note'],
    ['giving someone the communicator role is not a decision', { kind: 'role', role: 'communicator', from: null, to: ben, claimed: false }, 'note'],
    ['a corrected time stays visible', { kind: 'details', changes: [{ field: 'resolvedAt', from: '2026-03-01T10:00:00Z', to: '2026-03-01T09:50:00Z' }] }, 'note'],
    ['a summary edit stays out', { kind: 'details', changes: [{ field: 'summary', from: '', to: 'x' }] }, null],
    ['joining stays out', { kind: 'participant', user: ben, from: null, to: 'responder' }, null],
  ])('%s', (_, change, kind) => {
    expect(timelineKindFor(event(change))).toBe(kind);
  });

  it('never files anything automatic as an alert', () => {
    for (const to of ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const) {
      expect(timelineKindFor(event({ kind: 'state', from: 'investigating', to }))).not.toBe('alert');
    }
  });
});

describe('an entry linked to a hypothesis', () => {
  it('does not repeat the statement its text already holds', () => {
    expect(hypothesisReference('Confirmed: The 14:02 deploy exhausted the pool', 'The 14:02 deploy exhausted the pool')).toBeNull();
    expect(hypothesisReference('Pool at 100/100', 'The 14:02 deploy exhausted the pool')).toBe('The 14:02 deploy exhausted the pool');
    expect(hypothesisReference('anything', undefined)).toBeNull();
  });
});
