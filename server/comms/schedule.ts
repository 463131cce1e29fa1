/** The cadence of one incident, per audience, from its overrides and its published updates. */
import type { Sql } from '../db/sql.ts';
import type { Incident } from '../incidents/repo.ts';
import { cadenceFor, dueState, type Cadence, type DueState } from '../shared/cadence.ts';
import { AUDIENCES, type Audience } from '../shared/audiences.ts';
import { cadenceOverrides, lastPublishedAt, lastStateChangeAt } from './updates.ts';

export interface AudienceCadence extends Cadence {
  audience: Audience;
  state: DueState;
}

export async function incidentCadence(sql: Sql, incident: Incident, now = new Date()): Promise<AudienceCadence[]> {
  const [overrides, published, stateChangedAt] = [
    await cadenceOverrides(sql, incident.id),
    await lastPublishedAt(sql, incident.id),
    await lastStateChangeAt(sql, incident.id),
  ];
  return AUDIENCES.map((audience) => {
    const cadence = cadenceFor(
      {
        severity: incident.severity,
        state: incident.state,
        declaredAt: incident.declaredAt,
        override: overrides[audience],
        lastPublishedAt: published[audience] ?? null,
        lastStateChangeAt: stateChangedAt,
      },
      audience,
    );
    return { audience, ...cadence, state: dueState(cadence, now) };
  });
}
