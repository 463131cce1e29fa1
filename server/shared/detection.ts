/**
 * How the record says an incident was detected. One field is the truth:
 * `detected_at` (see the rule in server/metrics/definitions.ts). The war room,
 * the postmortem's Impact and Detection sections, /metrics and /patterns all
 * read it; timeline entries only explain it, or disagree with it and are put
 * to the commander. Shared with the browser: no Node imports.
 */
import { milestonesAfterAlert, type Milestones } from './milestones.ts';
import type { TimelineEntry } from './war-room-doc.ts';

/**
 * An alert in the timeline: one a monitoring system sent, or one a person
 * logged as an alert. Entries written for incident events (the declaration,
 * in older war rooms filed as an alert) are not alerts, nor removed entries.
 */
export const isAlertEntry = (entry: TimelineEntry) => entry.kind === 'alert' && (entry.eventId ?? null) === null && !entry.removed;

const sameSecond = (iso: string, date: Date) => Math.floor(new Date(iso).getTime() / 1000) === Math.floor(date.getTime() / 1000);

/** The alert entry the recorded detection time came from (same second), if any. */
export function detectionEntry(timeline: readonly TimelineEntry[], detectedAt: Date | null): TimelineEntry | null {
  if (!detectedAt) return null;
  return timeline.find((entry) => isAlertEntry(entry) && sameSecond(entry.at, detectedAt)) ?? null;
}

export interface DetectionQuestion {
  entry: TimelineEntry;
  /** What accepting the entry would correct. */
  moves: { startedAt?: Date; detectedAt?: Date };
}

/**
 * Alerts people logged that put detection earlier than recorded (or record
 * one where none is): the war room asks the commander to use each as the
 * detection time or to file it as a note. Alerts a system sent already moved
 * the times when they arrived; if the commander corrected them since, that
 * was a decision, not a contradiction.
 */
export function detectionQuestions(timeline: readonly TimelineEntry[], times: Pick<Milestones, 'startedAt' | 'detectedAt' | 'declaredAt'>): DetectionQuestion[] {
  return timeline
    .filter((entry) => isAlertEntry(entry) && !entry.auto)
    .map((entry) => ({ entry, moves: milestonesAfterAlert(times, new Date(entry.at)) }))
    .filter((question) => question.moves.detectedAt !== undefined)
    .sort((a, b) => a.entry.at.localeCompare(b.entry.at));
}
