/**
 * Keeping an incident's search entry up to date with its published
 * postmortem. The entry is derived data: a version is indexed right after its
 * publishing transaction commits, as a statement of its own (inside the
 * transaction, on embedded PGlite, the indexing held every war room's commits
 * for the length of one long statement), and at start-up any entry behind its
 * incident's newest version is indexed again, for a process that stopped in
 * between.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';

export async function refreshIncidentSearch(sql: Sql, incidentId: string): Promise<void> {
  await sql`select incident_search_refresh(${incidentId})`;
}

/** After a publication: a failure is logged, and the start-up check indexes the version later. */
export async function refreshAfterPublishing(sql: Sql, log: Logger, incidentId: string): Promise<void> {
  try {
    await refreshIncidentSearch(sql, incidentId);
  } catch (error) {
    log.error({ err: error, incidentId }, 'the published postmortem is not in search yet; it is indexed at the next start');
  }
}

/** Indexes every incident whose search entry is behind its newest published version; returns how many. */
export async function refreshSearchBehindVersions(sql: Sql): Promise<number> {
  const behind = await sql<{ incident_id: string }>`
    select v.incident_id
    from (select incident_id, max(version) as version from postmortem_versions group by incident_id) v
    left join incident_search s on s.incident_id = v.incident_id
    where s.published_version is distinct from v.version`;
  for (const { incident_id } of behind) await refreshIncidentSearch(sql, incident_id);
  return behind.length;
}
