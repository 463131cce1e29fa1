/**
 * The server's own changes to live documents, as named data instead of
 * closures over a Y.Doc: an automatic timeline entry, incident events
 * mirrored into the war room, drafts seeded or replaced, the postmortem's
 * nudge and its generated draft written piece by piece. A command says what
 * it does in a log line or a test, and, being plain data that can be copied
 * to another thread, can run wherever a room keeps its document.
 *
 * Each command runs inside one room change (one transaction, committed and
 * sent like a client's edit) and is safe to repeat: entries are keyed by ids
 * derived from what caused them, so a retried command writes nothing twice.
 * Reads are commands too: they run where the document is, in its turn, and
 * return plain data.
 */
import type * as Y from 'yjs';
import { applyEvents } from '../incidents/live.ts';
import type { IncidentEvent } from '../incidents/events.ts';
import { addMissingSections, applyDraftPiece, bumpRecordRev, readPostmortem, type DraftPiece, type PostmortemContent, type SectionKey } from '../shared/postmortem-doc.ts';
import {
  addTimelineEntry,
  applyTextEdit,
  draftText,
  readHypotheses,
  readTimeline,
  seedDrafts,
  timelineMap,
  type Hypothesis,
  type NewTimelineEntry,
  type TimelineEntry,
} from '../shared/war-room-doc.ts';

export type DocumentCommand =
  /** Adds the entry unless one with its id is there already; returns the entry written, or null. */
  | { kind: 'add-timeline-entry'; entry: NewTimelineEntry }
  /** Mirrors committed incident events: their timeline entries and the record's revision. */
  | { kind: 'apply-incident-events'; events: readonly IncidentEvent[] }
  /** Gives each audience without a draft its template; returns the audiences seeded. */
  | { kind: 'seed-drafts'; drafts: Readonly<Record<string, string>> }
  /** Makes an audience's draft exactly `text` (as an edit, so cursors survive); returns whether it changed. */
  | { kind: 'set-draft'; audience: string; text: string }
  /** Tells open postmortem pages that the record behind them changed. */
  | { kind: 'bump-record-rev' }
  /** Gives a generated postmortem every section it lacks; returns the sections added. */
  | { kind: 'add-missing-sections' }
  /** One piece of a generated postmortem draft; returns the draft's generatedAt once complete, else null. */
  | { kind: 'write-draft-piece'; piece: DraftPiece }
  /** Reads (they change nothing): what a postmortem draft is made from, and a postmortem's content. */
  | { kind: 'read-war-room' }
  | { kind: 'read-postmortem' };

export interface CommandResults {
  'add-timeline-entry': TimelineEntry | null;
  'apply-incident-events': null;
  'seed-drafts': string[];
  'set-draft': boolean;
  'bump-record-rev': null;
  'add-missing-sections': SectionKey[];
  'write-draft-piece': string | null;
  'read-war-room': WarRoomRead;
  'read-postmortem': PostmortemContent;
}

export type CommandResult<C extends DocumentCommand> = CommandResults[C['kind']];

/**
 * What a postmortem draft is made from. The timeline comes as pages of JSON
 * in readTimeline's order, for the reader to decode and parse a page per
 * turn: 100,000 entries handed over as objects from the document thread took
 * the event loop 90 ms to receive in one piece, and 50,000 as JSON text still
 * 70 ms (25 MB of strings copied out of the message); as UTF-8 bytes the
 * pages are handed over, not copied.
 */
export interface WarRoomRead {
  hypotheses: Hypothesis[];
  /** UTF-8 JSON, an array of TimelineEntry per page. */
  timelinePages: Uint8Array[];
}

const utf8 = new TextEncoder();

/** Timeline entries per page of a WarRoomRead (a few milliseconds to parse). */
const TIMELINE_PAGE = 2_000;

/** Runs `command` against `doc`; the caller wraps it in one room change. */
export function runDocumentCommand<C extends DocumentCommand>(doc: Y.Doc, command: C): CommandResult<C> {
  return run(doc, command) as CommandResult<C>;
}

function run(doc: Y.Doc, command: DocumentCommand): CommandResults[DocumentCommand['kind']] {
  switch (command.kind) {
    case 'add-timeline-entry': {
      const { entry } = command;
      if (entry.id !== undefined && timelineMap(doc).has(entry.id)) return null;
      const id = addTimelineEntry(doc, entry);
      return timelineMap(doc).get(id)!.toJSON() as TimelineEntry;
    }
    case 'apply-incident-events':
      applyEvents(doc, command.events);
      return null;
    case 'seed-drafts':
      return seedDrafts(doc, command.drafts);
    case 'set-draft': {
      const text = draftText(doc, command.audience);
      if (!text) return seedDrafts(doc, { [command.audience]: command.text }).length > 0;
      if (text.toString() === command.text) return false;
      applyTextEdit(text, text.toString(), command.text);
      return true;
    }
    case 'bump-record-rev':
      bumpRecordRev(doc);
      return null;
    case 'add-missing-sections':
      return addMissingSections(doc);
    case 'write-draft-piece':
      return applyDraftPiece(doc, command.piece);
    case 'read-war-room': {
      const timeline = readTimeline(doc);
      const timelinePages: Uint8Array[] = [];
      for (let from = 0; from < timeline.length; from += TIMELINE_PAGE) timelinePages.push(utf8.encode(JSON.stringify(timeline.slice(from, from + TIMELINE_PAGE))));
      return { hypotheses: readHypotheses(doc), timelinePages };
    }
    case 'read-postmortem':
      return readPostmortem(doc);
  }
}
