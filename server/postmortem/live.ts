/**
 * Keeps every open postmortem page current: after a change to the
 * postmortem's record commits (review state, due date, a published version,
 * an action item), the server bumps `meta.rev` in its live document and each
 * open page refetches. The relational record stays the truth; the document
 * only carries the nudge, as the war room's does for its incident.
 */
import type { LiveDocuments } from '../incidents/live.ts';
import type { Logger } from '../log.ts';
import { postmortemDocId } from '../shared/postmortem-doc.ts';

/** Never throws: the change is committed, and a page that misses the nudge catches up on its next load. */
export async function announcePostmortemChange(
  live: LiveDocuments | undefined,
  log: Logger,
  change: { incidentId: string; userId: string | null },
): Promise<void> {
  if (!live) return;
  try {
    await live.runCommand(postmortemDocId(change.incidentId), change.userId, { kind: 'bump-record-rev' });
  } catch (error) {
    log.error({ err: error, incidentId: change.incidentId, userId: change.userId }, 'could not tell open postmortem pages about a change');
  }
}
