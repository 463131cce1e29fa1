import { describe, expect, it } from 'vitest';
import { describeEvent, type EventChange, type Named } from '../../server/incidents/events.ts';

const ana: Named = { id: 'ana', name: 'Ana' };
const ben: Named = { id: 'ben', name: 'Ben' };
const cy: Named = { id: 'cy', name: 'Cy' };

const role = (by: Named, from: Named | null, to: Named | null, r: 'commander' | 'scribe' = 'commander', claimed = false) =>
  ({ kind: 'role', role: r, from, to, claimed, by }) as EventChange & { by: Named };

describe('event messages', () => {
  it.each([
    [role(ana, ana, ben), 'Ana handed command to Ben'],
    [role(cy, ana, ben), 'Cy moved command from Ana to Ben'],
    [role(cy, ana, cy), 'Cy took command from Ana'],
    [role(ben, null, ben, 'scribe', true), 'Ben claimed the scribe role'],
    [role(ana, null, ben, 'scribe'), 'Ana gave the scribe role to Ben'],
    [role(ben, ben, null, 'scribe'), 'Ben stepped down from the scribe role'],
    [role(ana, ben, null, 'scribe'), 'Ana removed Ben from the scribe role'],
    [{ kind: 'state', from: 'investigating', to: 'identified', by: ana }, 'State investigating → identified'],
    [{ kind: 'severity', from: 2, to: 1, by: ana }, 'Severity SEV2 → SEV1'],
    [{ kind: 'title', from: 'Slow', to: 'Down', by: ana }, 'Title "Slow" → "Down"'],
    [{ kind: 'participant', user: ben, from: null, to: 'observer', by: ben }, 'Ben joined as observer'],
    [{ kind: 'participant', user: ben, from: 'observer', to: 'responder', by: ben }, 'Ben switched from observer to responder'],
    [{ kind: 'participant', user: ben, from: null, to: 'responder', by: ana }, 'Ana added Ben as responder'],
    [
      { kind: 'declared', title: 'Checkout down', severity: 1, commander: ben, private: false, drill: true, by: ana },
      'Ana declared a SEV1 drill: Checkout down with Ben in command',
    ],
    [
      { kind: 'details', changes: [{ field: 'summary', from: '', to: 'x' }, { field: 'services', from: [], to: ['db'] }, { field: 'private', from: false, to: true }], by: ana },
      'Ana updated the summary and the affected services; made the incident private',
    ],
  ] as [EventChange & { by: Named | null }, string][])('%#: %s', (event, message) => {
    expect(describeEvent(event)).toBe(message);
  });
});
