import { describe, expect, it } from 'vitest';
import { checkTransition, INCIDENT_STATES, timestampsAfter, type IncidentState, type LifecycleTimestamps } from '../../server/incidents/lifecycle.ts';

// Written out by hand from the product rules, so a change to the state machine has to change this grid too.
// Rows are "from", columns are "to"; y = allowed.
const GRID = `
                investigating identified monitoring resolved closed
  investigating       -           y          y         y       n
  identified          y           -          y         y       n
  monitoring          y           y          -         y       n
  resolved            y           y          y         -       y
  closed              y           n          n         n       -
`;

function parseGrid(grid: string): { from: IncidentState; to: IncidentState; allowed: boolean }[] {
  const [header, ...rows] = grid.trim().split('\n').map((line) => line.trim().split(/\s+/));
  return rows.flatMap(([from, ...cells]) =>
    cells.map((cell, i) => ({ from: from as IncidentState, to: header[i] as IncidentState, allowed: cell === 'y' })),
  );
}

const cases = parseGrid(GRID);

describe('incident lifecycle', () => {
  it('covers every pair of states', () => {
    expect(cases).toHaveLength(INCIDENT_STATES.length ** 2);
  });

  it.each(cases)('$from → $to allowed: $allowed', ({ from, to, allowed }) => {
    const check = checkTransition(from, to);
    expect(check.ok).toBe(allowed);
    if (!check.ok) {
      // The 409 message says what is wrong and what is allowed instead.
      expect(check.message).toMatch(from === to ? `already ${from}` : `from ${from} to ${to}`);
      const options = cases.filter((c) => c.from === from && c.allowed).map((c) => c.to);
      expect(check.message).toContain(from === 'closed' ? 'can only be reopened' : options.join(', '));
    }
  });
});

describe('lifecycle timestamps', () => {
  const t0 = new Date('2026-03-01T10:00:00Z');
  const t1 = new Date('2026-03-01T11:00:00Z');
  const none: LifecycleTimestamps = { mitigatedAt: null, resolvedAt: null, closedAt: null };

  it.each([
    { name: 'investigating leaves everything unset', before: none, to: 'identified', after: none },
    { name: 'first move to monitoring marks mitigation', before: none, to: 'monitoring', after: { ...none, mitigatedAt: t1 } },
    { name: 'resolving straight away is also mitigation', before: none, to: 'resolved', after: { mitigatedAt: t1, resolvedAt: t1, closedAt: null } },
    { name: 'mitigation keeps its first time', before: { ...none, mitigatedAt: t0 }, to: 'resolved', after: { mitigatedAt: t0, resolvedAt: t1, closedAt: null } },
    { name: 'reopening clears the resolution, keeps mitigation', before: { mitigatedAt: t0, resolvedAt: t0, closedAt: null }, to: 'investigating', after: { mitigatedAt: t0, resolvedAt: null, closedAt: null } },
    { name: 'back to monitoring clears the resolution', before: { mitigatedAt: t0, resolvedAt: t0, closedAt: null }, to: 'monitoring', after: { mitigatedAt: t0, resolvedAt: null, closedAt: null } },
    { name: 'reopening a closed incident clears closed and resolved', before: { mitigatedAt: t0, resolvedAt: t0, closedAt: t0 }, to: 'investigating', after: { mitigatedAt: t0, resolvedAt: null, closedAt: null } },
    { name: 'closing keeps the resolution time', before: { mitigatedAt: t0, resolvedAt: t0, closedAt: null }, to: 'closed', after: { mitigatedAt: t0, resolvedAt: t0, closedAt: t1 } },
  ] as { name: string; before: LifecycleTimestamps; to: IncidentState; after: LifecycleTimestamps }[])('$name', ({ before, to, after }) => {
    expect(timestampsAfter(before, to, t1)).toEqual(after);
  });

  it('returns only the lifecycle timestamps, whatever else the record holds', () => {
    const record = { ...none, title: 'x', state: 'investigating' };
    expect(Object.keys(timestampsAfter(record, 'monitoring', t1)).sort()).toEqual(['closedAt', 'mitigatedAt', 'resolvedAt']);
  });
});
