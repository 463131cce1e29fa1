/**
 * Keeping an incident's search entry up to date with its published
 * postmortem. The entry is derived data: a version is indexed right after its
 * publishing transaction commits (inside the transaction, on embedded PGlite,
 * the indexing held every war room's commits for the length of one long
 * statement), its text stemmed a piece per statement and kept with the
 * version, so later refreshes (an action item renamed, the incident's summary
 * edited) only combine it with the incident's own short fields. At start-up
 * any newest version not stemmed yet, or whose entry is behind it, is indexed
 * again, for a process that stopped in between.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';

export async function refreshIncidentSearch(sql: Sql, incidentId: string): Promise<void> {
  await sql`select incident_search_refresh(${incidentId})`;
}

/**
 * For a transaction whose caller refreshes the entry once it has committed
 * (a publication): until it ends, action items' rows leave the entry alone
 * instead of each refreshing it (see migration 025).
 */
export async function deferSearchRefresh(tx: Sql): Promise<void> {
  await tx`select set_config('warroom.search_after_commit', 'on', true)`;
}

/**
 * A statement stems at most this many characters: about 3 ms of prose on
 * embedded PGlite, where every war room's commits wait for the statement
 * running (the whole 80,000 characters took 38 ms in one).
 */
const PIECE_CHARS = 8_000;

/** `text` in pieces of at most `size` characters, cut at whitespace where there is some. */
export function textPieces(text: string, size = PIECE_CHARS): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    if (end < text.length) {
      const space = text.slice(at, end).search(/\s\S*$/);
      if (space > 0) end = at + space + 1;
    }
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}

/**
 * Stems a published version's searchable text a piece per statement, marks
 * it ready and refreshes the incident's entry from it (see migration 024).
 * Until it is ready, a refresh stems the version whole, as before.
 */
export async function indexPublishedVersion(sql: Sql, incidentId: string, version: number): Promise<void> {
  const [texts] = await sql<{ about: string | null; detail: string | null }>`
    update postmortem_versions v
    set search_about_text = t.about, search_detail_text = t.detail, search_categories = t.categories,
        search_about = ''::tsvector, search_detail = ''::tsvector, search_ready = false
    from postmortem_version_search_texts((select snapshot from postmortem_versions where incident_id = ${incidentId} and version = ${version})) t
    where v.incident_id = ${incidentId} and v.version = ${version}
    returning t.about, t.detail`;
  if (!texts) return;
  for (const piece of textPieces(texts.about ?? '')) {
    await sql`update postmortem_versions set search_about = search_about || setweight(to_tsvector('english'::regconfig, ${piece}::text), 'B')
      where incident_id = ${incidentId} and version = ${version}`;
  }
  for (const piece of textPieces(texts.detail ?? '')) {
    await sql`update postmortem_versions set search_detail = search_detail || setweight(to_tsvector('english'::regconfig, ${piece}::text), 'C')
      where incident_id = ${incidentId} and version = ${version}`;
  }
  await sql`update postmortem_versions set search_ready = true where incident_id = ${incidentId} and version = ${version}`;
  await refreshIncidentSearch(sql, incidentId);
}

/** After a publication: a failure is logged, and the start-up check indexes the version later. */
export async function refreshAfterPublishing(sql: Sql, log: Logger, incidentId: string, version: number): Promise<void> {
  try {
    await indexPublishedVersion(sql, incidentId, version);
  } catch (error) {
    log.error({ err: error, incidentId, version }, 'the published postmortem is not in search yet; it is indexed at the next start');
  }
}

/**
 * Indexes every incident's newest published version that is not ready, or
 * whose search entry is behind it (a process that stopped in between, or
 * versions published before they were stemmed in pieces); returns how many.
 */
export async function refreshSearchBehindVersions(sql: Sql): Promise<number> {
  const behind = await sql<{ incident_id: string; version: number }>`
    select v.incident_id, v.version
    from postmortem_versions v
    left join incident_search s on s.incident_id = v.incident_id
    where v.version = (select max(w.version) from postmortem_versions w where w.incident_id = v.incident_id)
      and (not v.search_ready or s.published_version is distinct from v.version)`;
  for (const { incident_id, version } of behind) await indexPublishedVersion(sql, incident_id, version);
  return behind.length;
}
