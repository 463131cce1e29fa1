/**
 * Published versions carry their HTML, rendered once at publication. Versions
 * published before that was stored are rendered here, once: at start-up, and
 * by a read that finds one still missing.
 */
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import { renderMarkdown } from '../shared/markdown.ts';
import { setVersionHtml, versionsWithoutHtml, type PostmortemVersion } from './repo.ts';

const BATCH = 50;

/** Renders every stored version that has no HTML yet; returns how many. */
export async function renderMissingVersionHtml(sql: Sql, log: Logger): Promise<number> {
  let rendered = 0;
  for (;;) {
    const batch = await versionsWithoutHtml(sql, BATCH);
    for (const version of batch) await setVersionHtml(sql, version.incidentId, version.version, renderMarkdown(version.markdown));
    rendered += batch.length;
    if (batch.length < BATCH) break;
  }
  if (rendered > 0) log.info({ rendered }, 'rendered the HTML of postmortem versions published before it was stored');
  return rendered;
}

/** The version's HTML, rendering (and storing) it if it predates stored HTML. */
export async function versionHtml(sql: Sql, incidentId: string, version: Pick<PostmortemVersion, 'version' | 'markdown' | 'html'>): Promise<string> {
  if (version.html !== null) return version.html;
  const html = renderMarkdown(version.markdown);
  await setVersionHtml(sql, incidentId, version.version, html);
  return html;
}
