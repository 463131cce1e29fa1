/**
 * The postmortem as one Markdown file: what publication stores and the export
 * downloads, byte for byte. Pure. Sections follow the document's reading
 * order (SECTIONS), with the timeline, the contributing factors and the
 * action items placed where a reader expects them; collapsed timeline entries
 * are the reviewers' "noise" and stay out.
 */
import type { Incident } from '../incidents/repo.ts';
import { severityLabel } from '../shared/severity.ts';
import {
  FACTOR_CATEGORIES,
  SECTIONS,
  type FactorCategory,
  type PostmortemContent,
  type SectionKey,
  type TimelineSource,
} from '../shared/postmortem-doc.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';

export interface ExportFacts {
  incident: Pick<Incident, 'number' | 'title' | 'severity' | 'services'>;
  /** Null for a draft. */
  version: number | null;
  publishedAt: Date | null;
  publishedBy: { displayName: string } | null;
}

const EMPTY = '_Nothing recorded._';
const HEADINGS = Object.fromEntries(SECTIONS.map((s) => [s.key, s.heading])) as Record<SectionKey, string>;
const CATEGORY_HEADINGS: Record<FactorCategory, string> = {
  technical: 'Technical',
  process: 'Process',
  human_factors: 'Human factors',
  tooling: 'Tooling',
};
// 'scribe' is what anyone in the war room wrote (the commander included), not the scribe role.
const SOURCE_WORDS: Record<TimelineSource, string> = { scribe: 'War room', event: 'Automatic', update: 'Stakeholder update', review: 'Added in review' };
const KIND_WORDS = { immediate: 'Immediate fix', structural: 'Structural improvement' } as const;
const STATUS_WORDS = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: "Won't do" } as const;

/** A table cell: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim() || ' ';

const LABEL = /^\s*(?:[-*]\s+)?\*\*[^*\n]+:\*\*/;
const EMPTY_LABEL = /^\s*(?:[-*]\s+)?\*\*[^*\n]+:\*\*\s*$/;

/**
 * Drops a bold label the reviewers left blank ("**Customer impact:**" with
 * nothing after it): a heading over nothing reads as if the answer was lost.
 * A label whose answer starts on the next lines (a list, a paragraph) stays.
 */
export function withoutEmptyLabels(text: string): string {
  const lines = text.split('\n');
  const nextWritten = (from: number) => lines.slice(from).find((line) => line.trim() !== '');
  return lines
    .filter((line, i) => {
      if (!EMPTY_LABEL.test(line)) return true;
      const next = nextWritten(i + 1);
      return next !== undefined && !LABEL.test(next);
    })
    .join('\n');
}

const body = (text: string) => withoutEmptyLabels(text).trim() || EMPTY;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function byline(facts: ExportFacts): string {
  const parts = [severityLabel(facts.incident.severity)];
  if (facts.incident.services.length > 0) parts.push(facts.incident.services.join(', '));
  if (facts.version !== null && facts.publishedAt) {
    parts.push(`Version ${facts.version}, published ${formatUtcDateTime(facts.publishedAt)}${facts.publishedBy ? ` by ${facts.publishedBy.displayName}` : ''}`);
  } else {
    parts.push('Draft, not published');
  }
  return `_${parts.map(cell).join(' · ')}_`;
}

function timeline(content: PostmortemContent): string {
  const shown = content.timeline.filter((e) => !e.collapsed);
  if (shown.length === 0) return EMPTY;
  return table(
    ['Time (UTC)', 'Source', 'What happened', 'By'],
    shown.map((e) => [formatUtcDateTime(new Date(e.at)), SOURCE_WORDS[e.source] ?? e.source, e.text, e.author?.name ?? '']),
  );
}

function factors(content: PostmortemContent): string {
  const blocks: string[] = [];
  for (const category of FACTOR_CATEGORIES) {
    const inCategory = content.factors.filter((f) => f.category === category && f.description.trim());
    if (inCategory.length === 0) continue;
    // Continuation lines are indented so a multi-paragraph factor stays one list item.
    const items = inCategory.map((f) => `- ${f.description.trim().replace(/\n(?=.)/g, '\n  ')}`);
    blocks.push([`### ${CATEGORY_HEADINGS[category]}`, '', ...items].join('\n'));
  }
  if (blocks.length === 0) blocks.push(EMPTY);
  const sub = (key: SectionKey) => `### ${HEADINGS[key]}\n\n${body(content.sections[key])}`;
  return [...blocks, sub('trigger'), sub('escalation')].join('\n\n');
}

function actionItems(content: PostmortemContent): string {
  if (content.actionItems.length === 0) return EMPTY;
  return table(
    ['Action', 'Owner', 'Due', 'Kind', 'Priority', 'Status'],
    content.actionItems.map((item) => [
      item.title + (item.kind === 'structural' && item.problemCategory.trim() ? ` (exposes: ${item.problemCategory.trim()})` : ''),
      item.owner?.name ?? 'Nobody',
      item.dueDate ?? 'None',
      KIND_WORDS[item.kind] ?? item.kind,
      item.priority.toUpperCase(),
      STATUS_WORDS[item.status] ?? item.status,
    ]),
  );
}

export function toMarkdown(content: PostmortemContent, facts: ExportFacts): string {
  const section = (heading: string, text: string) => `## ${heading}\n\n${text}`;
  const own = (key: SectionKey) => section(HEADINGS[key], body(content.sections[key]));
  const gaps = (['detection', 'response', 'containment', 'recovery'] as const).map((key) => `### ${HEADINGS[key]}\n\n${body(content.sections[key])}`);
  const parts = [
    `# INC-${facts.incident.number}: ${facts.incident.title.replace(/\s*\n\s*/g, ' ')} — postmortem`,
    byline(facts),
    own('summary'),
    own('impact'),
    section('Timeline', timeline(content)),
    own('investigation'),
    own('resolution'),
    section('Contributing factors', factors(content)),
    section('Detection and response gaps', gaps.join('\n\n')),
    own('went_well'),
    own('lucky'),
    section('Action items', actionItems(content)),
  ];
  return `${parts.join('\n\n')}\n`;
}
