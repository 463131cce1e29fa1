/**
 * What communications write into the war-room document: the drafts, seeded
 * from the templates, and a timeline entry per published update. Like the
 * incident mirror these run after the commit and only show the record.
 */
import type { Sql } from '../db/sql.ts';
import type { LiveDocuments, LiveMirror } from '../incidents/live.ts';
import type { Logger } from '../log.ts';
import { firstLine } from '../shared/update-template.ts';
import { FINAL_TEMPLATES, templatesFor } from './templates.ts';
import type { Audience } from '../shared/audiences.ts';
import type { PublishedUpdate } from './types.ts';

const AUDIENCE_WORDS: Record<Audience, string> = {
  responders: 'Responders',
  support: 'Support',
  leadership: 'Leadership',
  public: 'Public',
};

export const timelineEntryIdForUpdate = (update: Pick<PublishedUpdate, 'id'>) => `update-${update.id}`;

/** "Leadership update published by Ana: Checkout is failing" */
export function describeUpdate(update: Pick<PublishedUpdate, 'audience' | 'authorName' | 'bodyMarkdown'>): string {
  const line = firstLine(update.bodyMarkdown);
  return `${AUDIENCE_WORDS[update.audience]} update published by ${update.authorName}${line ? `: ${line}` : ''}`;
}

export interface CommsLive {
  /** Adds the update's timeline entry (once, whatever the retries). */
  published(docId: string, update: PublishedUpdate): Promise<void>;
  /** Creates the drafts the document lacks from the templates for `severity`. */
  seedDrafts(docId: string, severity: number): Promise<void>;
  /** Replaces the audience's draft with the final-update template; false when it already is that. */
  startFinalDraft(docId: string, audience: Audience): Promise<boolean>;
}

/** With no collaboration server (`docs` null) both are no-ops. */
export function createCommsLive(sql: Sql, docs: LiveDocuments | null, log: Logger): CommsLive {
  return {
    async published(docId, update) {
      if (!docs) return;
      try {
        await docs.runCommand(docId, update.authorId || null, {
          kind: 'add-timeline-entry',
          entry: {
            id: timelineEntryIdForUpdate(update),
            kind: 'communication',
            text: describeUpdate(update),
            at: update.publishedAt.toISOString(),
            author: update.authorId ? { id: update.authorId, name: update.authorName } : null,
            hypothesisId: null,
            auto: true,
          },
        });
      } catch (error) {
        // The update is published and delivered; only its line in the war room is missing.
        log.error({ err: error, incidentId: update.incidentId, userId: update.authorId, updateId: update.id }, 'could not add the published update to the timeline');
      }
    },
    async seedDrafts(docId, severity) {
      if (!docs) return;
      const templates = await templatesFor(sql, severity);
      await docs.runCommand(docId, null, { kind: 'seed-drafts', drafts: templates });
    },
    async startFinalDraft(docId, audience) {
      if (!docs) return false;
      // One writer, serialised by the room: a second click (or a second communicator) finds the final text there already.
      return docs.runCommand(docId, null, { kind: 'set-draft', audience, text: FINAL_TEMPLATES[audience] });
    },
  };
}

/**
 * Wraps the incident mirror so a newly declared incident gets its drafts in
 * the same breath as its first timeline entry. A failure is logged: the pane
 * asks for missing drafts again when it opens.
 */
export function withDraftSeeding(mirror: LiveMirror, comms: CommsLive, log: Logger): LiveMirror {
  return {
    async publish(incident, events) {
      await mirror.publish(incident, events);
      const declared = events.find((event) => event.kind === 'declared');
      if (!declared || declared.kind !== 'declared') return;
      try {
        await comms.seedDrafts(incident.docId, declared.data.severity);
      } catch (error) {
        log.error({ err: error, incidentId: incident.id, userId: declared.actor?.id }, 'could not seed the update drafts');
      }
    },
  };
}
