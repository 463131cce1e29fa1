/**
 * A version's large texts, written before its publishing transaction and
 * moved into postmortem_versions inside it (why: the comment of migration
 * 026_postmortem_version_staging.sql). Moving copies stored values; nothing
 * is encoded, sent or parsed again while the transaction holds the database.
 */
import type { Sql } from '../db/sql.ts';
import type { PersonName } from './repo.ts';

export interface VersionTexts {
  incidentId: string;
  /** The snapshot as JSON. */
  snapshot: string;
  markdown: string;
  html: string;
}

/**
 * Writes the texts and returns the staged row's id: one statement per text,
 * each holding the database only while it runs (a postmortem at its size
 * limits has 1.3 MB in each).
 */
export async function stageVersionTexts(sql: Sql, texts: VersionTexts): Promise<string> {
  const [row] = await sql<{ id: string }>`
    insert into postmortem_version_staging (incident_id, snapshot) values (${texts.incidentId}, ${texts.snapshot}::text::jsonb)
    returning id::text as id`;
  try {
    await sql`update postmortem_version_staging set markdown = ${texts.markdown} where id = ${row.id}::bigint`;
    await sql`update postmortem_version_staging set html = ${texts.html} where id = ${row.id}::bigint`;
  } catch (error) {
    await discardStagedVersion(sql, row.id).catch(() => undefined);
    throw error;
  }
  return row.id;
}

/**
 * Publishes the staged texts as `version` of the incident's postmortem and
 * removes the staged row, in one statement. False when there is no such
 * staged row for this incident (nothing was inserted).
 */
export async function publishStagedVersion(
  sql: Sql,
  staged: string,
  facts: { incidentId: string; version: number; publishedAt: Date; publishedBy: PersonName },
): Promise<boolean> {
  const rows = await sql`
    with moved as (
      delete from postmortem_version_staging
      where id = ${staged}::bigint and incident_id = ${facts.incidentId} and markdown is not null and html is not null
      returning snapshot, markdown, html
    )
    insert into postmortem_versions (incident_id, version, snapshot, markdown, html, published_at, published_by, published_by_name)
    select ${facts.incidentId}, ${facts.version}, snapshot, markdown, html, ${facts.publishedAt}, ${facts.publishedBy.id}, ${facts.publishedBy.displayName}
    from moved
    returning version`;
  return rows.length === 1;
}

/** Removes a staged row its publication did not use (refused, or its facts changed meanwhile). */
export async function discardStagedVersion(sql: Sql, staged: string): Promise<void> {
  await sql`delete from postmortem_version_staging where id = ${staged}::bigint`;
}

/**
 * Removes rows left by publications that never finished (the server stopped
 * between staging and its transaction). Only old ones: with several servers
 * on one database, another may be publishing a young one right now.
 */
export async function discardAbandonedStagedVersions(sql: Sql, olderThanMinutes = 60): Promise<number> {
  const rows = await sql`
    delete from postmortem_version_staging where created_at < now() - make_interval(mins => ${olderThanMinutes}::int) returning id`;
  return rows.length;
}
