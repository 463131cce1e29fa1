/**
 * Generates the postmortem draft from what the incident left behind: the
 * incident row, the war room's hypotheses and timeline, and the published
 * stakeholder updates. Pure. The text holds facts only; the questions a human
 * must answer ("who was affected and how?") are the editor's placeholders for
 * empty sections, so a leftover prompt can never reach a published postmortem.
 */
import type { Incident } from '../incidents/repo.ts';
import { detectionEntry } from '../shared/detection.ts';
import type { ContributingFactor, PostmortemContent, PostmortemTimelineEntry, SectionKey } from '../shared/postmortem-doc.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { Hypothesis, TimelineEntry } from '../shared/war-room-doc.ts';
import { durationText, impactSection } from './draft-impact.ts';
import { containmentSection, recoverySection, resolutionSection, responseSection } from './draft-resolution.ts';
import { mergeTimeline, type DraftUpdate } from './draft-timeline.ts';

export interface DraftInput {
  incident: Incident;
  hypotheses: readonly Hypothesis[];
  timeline: readonly TimelineEntry[];
  /** Published stakeholder updates, any order. */
  updates: readonly DraftUpdate[];
  now: Date;
}

const AUDIENCE_WORDS = { public: 'public', leadership: 'leadership' } as const;

/** The incident summary, then the last update written for the public or leadership, quoted. */
export function summarySection(incident: Pick<Incident, 'summary'>, updates: readonly DraftUpdate[]): string {
  const parts: string[] = [];
  if (incident.summary.trim()) parts.push(incident.summary.trim());
  const last = updates
    .filter((u) => u.audience === 'public' || u.audience === 'leadership')
    .reduce<DraftUpdate | null>((latest, u) => (!latest || u.publishedAt.getTime() > latest.publishedAt.getTime() ? u : latest), null);
  if (last && last.bodyMarkdown.trim()) {
    const audience = AUDIENCE_WORDS[last.audience as keyof typeof AUDIENCE_WORDS];
    const quoted = last.bodyMarkdown.trim().split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
    parts.push(`Last ${audience} update (${formatUtcDateTime(last.publishedAt)}, ${last.authorName}):\n\n${quoted}`);
  }
  return parts.join('\n\n');
}

const byCreated = (a: Hypothesis, b: Hypothesis) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

function evidenceLines(hypothesis: Hypothesis): string[] {
  return hypothesis.evidence.map((e) => (e.url ? `- [${e.text || e.url}](${e.url})` : `- ${e.text}`));
}

/** Confirmed hypotheses with findings and evidence, then the excluded ones, then those left open. */
export function investigationSection(hypotheses: readonly Hypothesis[]): string {
  const sorted = [...hypotheses].sort(byCreated);
  const confirmed = sorted.filter((h) => h.status === 'confirmed');
  const excluded = sorted.filter((h) => h.status === 'ruled_out');
  const open = sorted.filter((h) => h.status === 'open' || h.status === 'investigating');
  const blocks: string[] = [];
  if (confirmed.length > 0) {
    const items = confirmed.map((h) => {
      const lines = [`#### ${h.statement.trim()}`];
      if (h.findings.trim()) lines.push('', h.findings.trim());
      const evidence = evidenceLines(h);
      if (evidence.length > 0) lines.push('', 'Evidence:', '', ...evidence);
      return lines.join('\n');
    });
    blocks.push(['### Confirmed', '', items.join('\n\n')].join('\n'));
  }
  if (excluded.length > 0) {
    const items = excluded.map((h) => `- ${h.statement.trim()}${h.findings.trim() ? ` — ${h.findings.trim()}` : ''}`);
    blocks.push(['### Investigated and excluded', '', ...items].join('\n'));
  }
  if (open.length > 0) {
    const items = open.map((h) => `- ${h.statement.trim()}${h.findings.trim() ? ` — ${h.findings.trim()}` : ''}`);
    blocks.push(['### Left open', '', ...items].join('\n'));
  }
  return blocks.join('\n\n');
}

/** One technical factor per confirmed hypothesis; reviewers re-categorise and add the others. */
export function factorsFrom(hypotheses: readonly Hypothesis[]): ContributingFactor[] {
  return [...hypotheses]
    .sort(byCreated)
    .filter((h) => h.status === 'confirmed')
    .map((h) => ({
      id: `factor-${h.id}`,
      category: 'technical',
      description: [h.statement.trim(), h.findings.trim()].filter(Boolean).join('\n\n'),
      hypothesisId: h.id,
      createdAt: h.createdAt,
    }));
}

/**
 * How it was detected, from the one detection field every page reads
 * (server/shared/detection.ts): when, how long after impact started, and the
 * alert the time came from. Empty when no detection time is recorded, like
 * the Impact section's "not recorded", so the editor asks a person.
 */
export function detectionSection(incident: Pick<Incident, 'startedAt' | 'detectedAt'>, timeline: readonly TimelineEntry[]): string {
  if (!incident.detectedAt) return '';
  const lines = [`Detected at ${formatUtcDateTime(incident.detectedAt)}, ${durationText(incident.startedAt, incident.detectedAt)} after impact started.`];
  const source = detectionEntry(timeline, incident.detectedAt);
  if (source) lines.push(`First alert: ${source.text}`);
  return lines.join('\n\n');
}

/** `timeline` is the merged timeline when the caller already made it (mergeTimelineInSlices); else it is made here. */
export function generateDraft(input: DraftInput, timeline?: PostmortemTimelineEntry[]): PostmortemContent {
  const { incident, hypotheses, updates, now } = input;
  const warRoom = input.timeline;
  const sections: Record<SectionKey, string> = {
    summary: summarySection(incident, updates),
    impact: impactSection(incident),
    investigation: investigationSection(hypotheses),
    resolution: resolutionSection(incident, hypotheses, warRoom),
    trigger: '',
    escalation: '',
    detection: detectionSection(incident, warRoom),
    response: responseSection(incident, hypotheses, warRoom),
    containment: containmentSection(incident, warRoom),
    recovery: recoverySection(incident, warRoom),
    went_well: '',
    lucky: '',
  };
  return {
    incidentId: incident.id,
    generatedAt: now.toISOString(),
    sections,
    timeline: timeline ?? mergeTimeline(warRoom, updates),
    factors: factorsFrom(hypotheses),
    actionItems: [],
  };
}
