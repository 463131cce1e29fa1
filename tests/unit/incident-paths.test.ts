import { describe, expect, it } from 'vitest';
import { canonicalIncidentPath, incidentPath, postmortemPath } from '../../server/shared/incident-paths.ts';

describe('incident page addresses', () => {
  it('builds the one spelling of the war room and the postmortem', () => {
    expect(incidentPath(42)).toBe('/incidents/INC-42');
    expect(postmortemPath(42)).toBe('/incidents/INC-42/postmortem');
  });

  it.each([
    ['/incidents/42', '/incidents/INC-42'],
    ['/incidents/42/postmortem', '/incidents/INC-42/postmortem'],
    ['/incidents/inc-42/postmortem', '/incidents/INC-42/postmortem'],
    ['/incidents/Inc-42', '/incidents/INC-42'],
    ['/incidents/42/', '/incidents/INC-42'],
    ['/incidents/INC-42/', '/incidents/INC-42'],
  ])('sends %s to %s', (path, canonical) => {
    expect(canonicalIncidentPath(path)).toBe(canonical);
  });

  it.each(['/incidents/INC-42', '/incidents/INC-42/postmortem', '/incidents', '/incidents/INC-42/replay', '/incidents/abc', '/follow-ups'])(
    'leaves %s alone',
    (path) => expect(canonicalIncidentPath(path)).toBeNull(),
  );
});
