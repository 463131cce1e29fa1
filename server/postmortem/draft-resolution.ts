/**
 * The draft's account of how the incident ended (Resolution) and the facts
 * the response, containment and recovery gaps are judged on. Pure. Each line
 * is written only when the record holds its evidence: a section with none
 * stays empty and the editor shows its question instead, so a reviewer never
 * has to tell a seeded fact from a guess.
 *
 * Automatic entries are left out of the step lists: they echo the state
 * changes whose times the incident already records.
 */
import type { Incident } from '../incidents/repo.ts';
import { formatDuration } from '../shared/duration.ts';
import { compareText, isCanonicalTime } from '../shared/text-order.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { Hypothesis, TimelineEntry, TimelineKind } from '../shared/war-room-doc.ts';

export type ResolutionFacts = Pick<Incident, 'startedAt' | 'detectedAt' | 'declaredAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt'>;

/** `a.at.localeCompare(b.at) || a.createdAt.localeCompare(b.createdAt)`, collating only what needs it (see text-order.ts). */
const byTime = (a: TimelineEntry, b: TimelineEntry) =>
  compareText(a.at, b.at, isCanonicalTime(a.at) && isCanonicalTime(b.at)) ||
  compareText(a.createdAt, b.createdAt, isCanonicalTime(a.createdAt) && isCanonicalTime(b.createdAt));

/**
 * What people wrote in the war room, by kind, in the timeline's order. Made
 * once per timeline: four sections each filtering a 50,000-entry war room
 * took ~50 ms of the server's thread when the incident closed.
 */
const writtenByKind = new WeakMap<readonly TimelineEntry[], Map<TimelineKind, Written[]>>();

/** An entry and its place in the timeline, which breaks ties as a stable sort of the whole timeline would. */
interface Written {
  entry: TimelineEntry;
  index: number;
}

function byKind(timeline: readonly TimelineEntry[]): Map<TimelineKind, Written[]> {
  let kinds = writtenByKind.get(timeline);
  if (!kinds) {
    kinds = new Map();
    timeline.forEach((entry, index) => {
      if (entry.auto || !entry.text.trim()) return;
      const ofKind = kinds!.get(entry.kind);
      if (ofKind) ofKind.push({ entry, index });
      else kinds!.set(entry.kind, [{ entry, index }]);
    });
    writtenByKind.set(timeline, kinds);
  }
  return kinds;
}

/** What people wrote in the war room, of these kinds, oldest first. */
function written(timeline: readonly TimelineEntry[], kinds: readonly TimelineKind[]): TimelineEntry[] {
  const found = byKind(timeline);
  return kinds
    .flatMap((kind) => found.get(kind) ?? [])
    .sort((a, b) => byTime(a.entry, b.entry) || a.index - b.index)
    .map((written) => written.entry);
}

const when = (date: Date) => formatUtcDateTime(date);

function step(entry: TimelineEntry): string {
  const text = entry.text.trim().replace(/\s*\n\s*/g, ' ');
  return `${when(new Date(entry.at))}: ${text}${entry.author ? ` (${entry.author.name})` : ''}`;
}

/** "50 min after the start", or null when either end is missing or out of order. */
function after(from: Date | null, to: Date | null, what: string): string | null {
  if (!from || !to || to.getTime() < from.getTime()) return null;
  return `${formatDuration(to.getTime() - from.getTime())} after ${what}`;
}

const joined = (parts: (string | null)[]) => parts.filter((p): p is string => p !== null).join(', ');

/** How it was mitigated and resolved: the times, the confirmed cause, and the mitigation and resolution steps people recorded. */
export function resolutionSection(incident: ResolutionFacts, hypotheses: readonly Hypothesis[], timeline: readonly TimelineEntry[]): string {
  const blocks: string[] = [];
  const times: string[] = [];
  if (incident.mitigatedAt) times.push(`Mitigated ${joined([when(incident.mitigatedAt), after(incident.startedAt, incident.mitigatedAt, 'the start')])}.`);
  if (incident.resolvedAt) times.push(`Resolved ${joined([when(incident.resolvedAt), after(incident.startedAt, incident.resolvedAt, 'the start')])}.`);
  if (times.length > 0) blocks.push(times.join(' '));

  const causes = hypotheses
    .filter((h) => h.status === 'confirmed' && h.statement.trim())
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((h) => h.statement.trim());
  if (causes.length === 1) blocks.push(`Cause confirmed in the war room: ${causes[0]}`);
  else if (causes.length > 1) blocks.push(['Causes confirmed in the war room:', '', ...causes.map((c) => `- ${c}`)].join('\n'));

  const steps = written(timeline, ['mitigation', 'resolution']);
  if (steps.length > 0) blocks.push(['Steps recorded:', '', ...steps.map((e) => `- ${step(e)}`)].join('\n'));
  return blocks.join('\n\n');
}

/** From detection to people working on it: declaration, acknowledgement, the first recorded action, the board. */
export function responseSection(incident: ResolutionFacts, hypotheses: readonly Hypothesis[], timeline: readonly TimelineEntry[]): string {
  const lines: string[] = [];
  lines.push(`- Declared ${joined([when(incident.declaredAt), after(incident.detectedAt, incident.declaredAt, 'detection')])}.`);
  if (incident.acknowledgedAt) {
    lines.push(`- Acknowledged ${joined([when(incident.acknowledgedAt), after(incident.declaredAt, incident.acknowledgedAt, 'the declaration')])}.`);
  }
  const firstAction = written(timeline, ['action', 'mitigation']).find((e) => new Date(e.at).getTime() >= incident.declaredAt.getTime());
  if (firstAction) {
    const lag = after(incident.declaredAt, new Date(firstAction.at), 'the declaration');
    lines.push(`- First action recorded${lag ? ` ${lag}` : ''}, ${step(firstAction)}`);
  }
  if (hypotheses.length > 0) {
    const count = (status: Hypothesis['status']) => hypotheses.filter((h) => h.status === status).length;
    const open = count('open') + count('investigating');
    const parts = [`${count('confirmed')} confirmed`, `${count('ruled_out')} ruled out`, ...(open > 0 ? [`${open} left open`] : [])];
    lines.push(`- ${hypotheses.length} ${hypotheses.length === 1 ? 'hypothesis' : 'hypotheses'} on the board: ${parts.join(', ')}.`);
  }
  // A declaration alone says nothing about the response: seed only when there is more.
  return lines.length > 1 ? lines.join('\n') : '';
}

/** Stopping the harm: when it was mitigated, measured from detection and start, and the first mitigation step. */
export function containmentSection(incident: ResolutionFacts, timeline: readonly TimelineEntry[]): string {
  const lines: string[] = [];
  if (incident.mitigatedAt) {
    lines.push(`- Mitigated ${joined([when(incident.mitigatedAt), after(incident.detectedAt, incident.mitigatedAt, 'detection'), after(incident.startedAt, incident.mitigatedAt, 'the start')])}.`);
  }
  const first = written(timeline, ['mitigation'])[0];
  if (first) lines.push(`- First mitigation step recorded ${step(first)}`);
  return lines.join('\n');
}

/** Back to normal: from mitigation to resolution, and how the recovery was confirmed. */
export function recoverySection(incident: ResolutionFacts, timeline: readonly TimelineEntry[]): string {
  const lines: string[] = [];
  if (incident.resolvedAt) {
    lines.push(`- Resolved ${joined([when(incident.resolvedAt), after(incident.mitigatedAt, incident.resolvedAt, 'mitigation')])}.`);
  }
  const confirmations = written(timeline, ['resolution']);
  const last = confirmations[confirmations.length - 1];
  if (last) lines.push(`- Recovery recorded ${step(last)}`);
  return lines.join('\n');
}
