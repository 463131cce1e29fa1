/**
 * A version's large texts, written before its publishing transaction into
 * the row that becomes the version, numbered below zero meanwhile, so that
 * readers (the postmortem_versions view) do not see it; the transaction
 * gives the row its number (why: the comment of migration
 * 027_postmortem_version_staged_in_place.sql). Nothing is encoded, sent,
 * parsed or copied while the transaction holds the database.
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

/** A staged row: its incident and the number below zero it has until it is published. */
export interface StagedVersion {
  incidentId: string;
  number: number;
}

/**
 * Writes the texts and returns the staged row: one statement per text, each
 * holding the database only while it runs (a postmortem at its size limits
 * has up to 1.3 MB in each). The HTML is written last: a row without it was
 * not staged completely and is never published.
 */
export async function stageVersionTexts(sql: Sql, texts: VersionTexts): Promise<StagedVersion> {
  const [row] = await sql<{ number: number }>`
    insert into postmortem_version_rows (incident_id, version, snapshot, markdown, published_by_name)
    values (${texts.incidentId}, -nextval('postmortem_version_staged')::int, ${texts.snapshot}::text::jsonb, '', '')
    returning version as number`;
  const staged = { incidentId: texts.incidentId, number: row.number };
  try {
    await sql`update postmortem_version_rows set markdown = ${texts.markdown} where incident_id = ${staged.incidentId} and version = ${staged.number}`;
    await sql`update postmortem_version_rows set html = ${texts.html} where incident_id = ${staged.incidentId} and version = ${staged.number}`;
  } catch (error) {
    await discardStagedVersion(sql, staged).catch(() => undefined);
    throw error;
  }
  return staged;
}

/**
 * Publishes the staged row as `version` of the incident's postmortem: its
 * number and who published it when, in one small update that leaves the
 * stored texts where they are. False when there is no such staged row for
 * this incident (nothing was published).
 */
export async function publishStagedVersion(
  sql: Sql,
  staged: StagedVersion,
  facts: { incidentId: string; version: number; publishedAt: Date; publishedBy: PersonName },
): Promise<boolean> {
  if (staged.incidentId !== facts.incidentId) return false;
  const rows = await sql`
    update postmortem_version_rows
    set version = ${facts.version}, published_at = ${facts.publishedAt}, published_by = ${facts.publishedBy.id}, published_by_name = ${facts.publishedBy.displayName}
    where incident_id = ${staged.incidentId} and version = ${staged.number} and version < 0 and html is not null
    returning version`;
  return rows.length === 1;
}

/** Removes a staged row its publication did not use (refused, or its facts changed meanwhile). */
export async function discardStagedVersion(sql: Sql, staged: StagedVersion): Promise<void> {
  await sql`delete from postmortem_version_rows where incident_id = ${staged.incidentId} and version = ${staged.number} and version < 0`;
}

/**
 * Removes rows left by publications that never finished (the server stopped
 * between staging and its transaction). Only old ones: with several servers
 * on one database, another may be publishing a young one right now.
 */
export async function discardAbandonedStagedVersions(sql: Sql, olderThanMinutes = 60): Promise<number> {
  const rows = await sql`
    delete from postmortem_version_rows where version < 0 and published_at < now() - make_interval(mins => ${olderThanMinutes}::int) returning version`;
  return rows.length;
}
