/**
 * The process review: the last few incidents read side by side, asking
 * at what point the team had the correct hypothesis, how long from there to
 * mitigation and resolution, and what the timeline shows happening in
 * between. Pure: facts in, review out (facts.ts loads them).
 *
 * The correct hypothesis and its times are defined once, with the metric
 * "time from correct hypothesis to resolution" (server/metrics/definitions.ts),
 * so /review and /metrics always agree. Where the delay sat is the reviewers'
 * judgement, one of DELAY_KINDS per incident, tallied across the review; the
 * longest quiet stretch of the timeline after the hypothesis is offered as a
 * place to look, not as an answer.
 */
import { percentile } from '../metrics/definitions.ts';
import type { TimelineEntry } from '../shared/war-room-doc.ts';
import type { DelayKind } from '../shared/practice-vocabulary.ts';

export { DELAY_KINDS, type DelayKind } from '../shared/practice-vocabulary.ts';

/** What each kind means, shown on /review next to the choice. */
export const DELAY_DEFINITIONS: readonly { id: DelayKind; name: string; definition: string }[] = [
  { id: 'escalation', name: 'Escalation', definition: 'Waiting for someone to be paged, to answer, or to join: the right person was not in the room yet.' },
  { id: 'diagnostic_step', name: 'A diagnostic step', definition: 'The hypothesis needed proving and the check took long: a slow query, missing dashboards, logs that had to be fetched by hand.' },
  { id: 'knowledge', name: 'One person’s knowledge', definition: 'Only one person knew how to do the fix or where to look, and the team waited for them or worked it out again.' },
  { id: 'approval', name: 'An approval', definition: 'The fix was known but needed someone’s sign-off: a change freeze, a deploy approval, a vendor, a budget.' },
  { id: 'other', name: 'Something else', definition: 'A delay that fits none of the above; say what in the note.' },
  { id: 'none', name: 'No real delay', definition: 'The fix followed the hypothesis as fast as it reasonably could.' },
];

export interface ReviewIncidentFacts {
  id: string;
  number: number;
  title: string;
  severity: number;
  services: readonly string[];
  startedAt: Date;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  /** The hypothesis that stands confirmed (server/hypotheses/times.ts); null when none does. */
  hypothesis: { statement: string; firstWrittenAt: Date; confirmedAt: Date } | null;
  timeline: readonly TimelineEntry[];
  /** The reviewers' call, once made. */
  delay: { kind: DelayKind; note: string } | null;
}

export interface EvidenceEntry {
  id: string;
  at: string;
  kind: string;
  text: string;
  author: string | null;
  /** Time since the previous entry shown (or since the hypothesis, for the first). */
  gapMs: number;
}

export interface ReviewedIncident {
  id: string;
  ref: string;
  title: string;
  severity: number;
  services: string[];
  startedAt: string;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  hypothesis: { statement: string; firstWrittenAt: string; confirmedAt: string } | null;
  /** From the start of impact to the hypothesis being written: how long diagnosis took. */
  startToHypothesisMs: number | null;
  hypothesisToConfirmedMs: number | null;
  hypothesisToMitigatedMs: number | null;
  hypothesisToResolvedMs: number | null;
  /** Timeline entries from the hypothesis to resolution: the evidence of the delay. */
  evidence: EvidenceEntry[];
  /** The longest quiet stretch between the hypothesis and resolution, where to look first. */
  longestGap: { afterText: string; beforeText: string; ms: number } | null;
  delay: { kind: DelayKind; note: string } | null;
}

export interface ReviewSummary {
  incidents: number;
  /** Median time from correct hypothesis to resolution (nearest rank, like /metrics). */
  hypothesisToResolved: { median: number | null; measured: number; notRecorded: number };
  startToHypothesis: { median: number | null; measured: number };
  delays: { kind: DelayKind; name: string; count: number }[];
  undecided: number;
}

const MAX_EVIDENCE = 200;

const between = (from: Date | null | undefined, to: Date | null | undefined) => {
  if (!from || !to) return null;
  const ms = to.getTime() - from.getTime();
  return ms >= 0 ? ms : null;
};

export function reviewIncident(f: ReviewIncidentFacts): ReviewedIncident {
  const written = f.hypothesis?.firstWrittenAt ?? null;
  const end = f.resolvedAt;
  const evidence: EvidenceEntry[] = [];
  let longestGap: ReviewedIncident['longestGap'] = null;
  if (written && end) {
    const inWindow = f.timeline
      .filter((e) => !e.removed)
      .map((e) => ({ entry: e, at: new Date(e.at) }))
      .filter(({ at }) => at.getTime() >= written.getTime() && at.getTime() <= end.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    let previous = { at: written, text: `Hypothesis written: ${f.hypothesis!.statement}` };
    for (const { entry, at } of inWindow.slice(0, MAX_EVIDENCE)) {
      const gapMs = at.getTime() - previous.at.getTime();
      evidence.push({ id: entry.id, at: entry.at, kind: entry.kind, text: entry.text, author: entry.author?.name ?? null, gapMs });
      if (!longestGap || gapMs > longestGap.ms) longestGap = { afterText: previous.text, beforeText: entry.text, ms: gapMs };
      previous = { at, text: entry.text };
    }
    const tail = end.getTime() - previous.at.getTime();
    if (!longestGap || tail > longestGap.ms) longestGap = { afterText: previous.text, beforeText: 'Resolved', ms: tail };
  }
  return {
    id: f.id,
    ref: `INC-${f.number}`,
    title: f.title,
    severity: f.severity,
    services: [...f.services],
    startedAt: f.startedAt.toISOString(),
    mitigatedAt: f.mitigatedAt?.toISOString() ?? null,
    resolvedAt: f.resolvedAt?.toISOString() ?? null,
    hypothesis: f.hypothesis
      ? { statement: f.hypothesis.statement, firstWrittenAt: f.hypothesis.firstWrittenAt.toISOString(), confirmedAt: f.hypothesis.confirmedAt.toISOString() }
      : null,
    startToHypothesisMs: between(f.startedAt, written),
    hypothesisToConfirmedMs: between(written, f.hypothesis?.confirmedAt),
    hypothesisToMitigatedMs: between(written, f.mitigatedAt),
    hypothesisToResolvedMs: between(written, f.resolvedAt),
    evidence,
    longestGap: longestGap && longestGap.ms > 0 ? longestGap : null,
    delay: f.delay,
  };
}

export function summarizeReview(incidents: readonly ReviewedIncident[]): ReviewSummary {
  const toResolve = incidents.map((i) => i.hypothesisToResolvedMs).filter((v): v is number => v !== null);
  const toHypothesis = incidents.map((i) => i.startToHypothesisMs).filter((v): v is number => v !== null);
  return {
    incidents: incidents.length,
    hypothesisToResolved: { median: percentile(toResolve, 50), measured: toResolve.length, notRecorded: incidents.length - toResolve.length },
    startToHypothesis: { median: percentile(toHypothesis, 50), measured: toHypothesis.length },
    delays: DELAY_DEFINITIONS.map((d) => ({ kind: d.id, name: d.name, count: incidents.filter((i) => i.delay?.kind === d.id).length })).filter((d) => d.count > 0).sort((a, b) => b.count - a.count),
    undecided: incidents.filter((i) => !i.delay).length,
  };
}
