/**
 * Mirrors committed incident events into the war-room document: an automatic
 * timeline entry for the changes responders care about, and `meta.rev` so open
 * war rooms refetch the incident. Runs after the commit: the relational record
 * is the truth, the document only shows it.
 */
import type * as Y from 'yjs';
import type { CommandResult, DocumentCommand } from '../documents/commands.ts';
import type { Logger } from '../log.ts';
import { addTimelineEntry, meta, timelineMap, type TimelineKind } from '../shared/war-room-doc.ts';
import { isMilestoneField, type IncidentEvent } from './events.ts';

/** What the collaboration server offers domain code (implemented by CollabServer). */
export interface LiveDocuments {
  /** Server-side write: runs `command` as one change by `actorId` (null: the system), persisted and sent like a client's edit. */
  runCommand<C extends DocumentCommand>(docId: string, actorId: string | null, command: C): Promise<CommandResult<C>>;
  /** Re-decides access of the document's open connections (someone became an observer, or was removed). */
  reauthorize(docId: string): Promise<void>;
}

export interface LiveMirror {
  publish(incident: { id: string; docId: string }, events: readonly IncidentEvent[]): Promise<void>;
}

/**
 * Which timeline kind an event shows as; null keeps it out of the timeline
 * (joins, summary and service edits). Kinds are what the timeline's filters
 * and the postmortem sort by, so each says what the entry is: the commander's
 * calls (declaring at a severity, changing it, the state they move to, who
 * commands) are decisions; mitigation and resolution are their own kinds;
 * taking the incident is an action; bookkeeping (claiming or filling the
 * scribe and communicator roles, renaming, closing, corrected times) is a
 * note. Nothing automatic is an alert: only real alerts are (server/alerts).
 */
export function timelineKindFor(event: IncidentEvent): TimelineKind | null {
  switch (event.kind) {
    case 'declared':
    case 'severity':
      return 'decision';
    case 'acknowledged':
      return 'action';
    case 'state': {
      const { to } = event.data;
      if (to === 'monitoring') return 'mitigation';
      if (to === 'resolved') return 'resolution';
      if (to === 'closed') return 'note';
      return 'decision';
    }
    case 'role':
      return event.data.role === 'commander' ? 'decision' : 'note';
    case 'title':
      return 'note';
    case 'details':
      // Corrected times stay visible in the record; summary and service edits are not events of the incident.
      return event.data.changes.some((change) => isMilestoneField(change.field)) ? 'note' : null;
    case 'status_page':
      return 'communication';
    default:
      return null;
  }
}

// Entry ids derive from event ids, so publishing the same event twice never duplicates it.
export const timelineEntryIdFor = (event: IncidentEvent) => `event-${event.id}`;

/** Writes events into a document; exported for tests and for re-publishing. */
export function applyEvents(doc: Y.Doc, events: readonly IncidentEvent[]): void {
  doc.transact(() => {
    for (const event of events) {
      const kind = timelineKindFor(event);
      const id = timelineEntryIdFor(event);
      if (!kind || timelineMap(doc).has(id)) continue;
      addTimelineEntry(doc, {
        id,
        kind,
        text: event.message,
        at: event.at.toISOString(),
        author: event.actor ? { id: event.actor.id, name: event.data.by?.name ?? event.actor.displayName } : null,
        hypothesisId: null,
        auto: true,
        eventId: event.id,
      });
    }
    // Event ids only grow, so the latest one is a revision number every client agrees on.
    const rev = Math.max(meta(doc).get('rev') ?? 0, ...events.map((e) => e.id));
    meta(doc).set('rev', rev);
  });
}

/**
 * Changes that can alter who may see or write an incident's live documents:
 * people, roles, privacy, and closing or reopening. The war room and the
 * postmortem both re-decide their open connections on these.
 */
export function changesAccess(event: IncidentEvent): boolean {
  if (event.kind === 'participant' || event.kind === 'role') return true;
  if (event.kind === 'details') return event.data.changes.some((change) => change.field === 'private');
  return event.kind === 'state' && (event.data.to === 'closed' || event.data.from === 'closed');
}

/** With no collaboration server (`docs` null) publishing is a no-op: the API still works. */
export function createLiveMirror(docs: LiveDocuments | null, log: Logger): LiveMirror {
  return {
    async publish(incident, events) {
      if (!docs || events.length === 0) return;
      const actorId = events[0].actor?.id ?? null;
      try {
        await docs.runCommand(incident.docId, actorId, { kind: 'apply-incident-events', events });
        if (events.some(changesAccess)) await docs.reauthorize(incident.docId);
      } catch (error) {
        // The change is committed; only its echo in the live document is missing until the next event.
        log.error({ err: error, incidentId: incident.id, userId: actorId, eventIds: events.map((e) => e.id) }, 'could not mirror incident events into the war room');
      }
    },
  };
}
