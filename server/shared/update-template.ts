/**
 * Placeholders in stakeholder update drafts ({{title}}, {{next_update}} …) and
 * how they are filled. Pure and shared: the war room's preview and the publish
 * endpoint fill a draft with the same function, so what the communicator sees
 * is what gets published (values taken at the moment of publishing).
 */
import { AUDIENCES, type Audience } from './audiences.ts';
import { formatDuration } from './duration.ts';
import { escapeMarkdown } from './markdown.ts';
import { formatUtcDateTime, formatUtcTime } from './utc-format.ts';

export { AUDIENCES, type Audience };

export const PLACEHOLDERS = {
  ref: 'Incident number, e.g. INC-42',
  title: 'Incident title',
  severity: 'Severity, e.g. SEV1',
  state: 'Current state, e.g. monitoring',
  status: 'The state as customers read it, capitalised, e.g. Monitoring (what the public status page shows)',
  impact: 'Impact (the incident summary)',
  started_at: 'When impact started (UTC)',
  duration: 'How long it has lasted (until resolved)',
  doing: 'What we are doing, from the state',
  next_update: 'When the next update is due, e.g. "by 14:30 UTC" (it reads on from "Next update")',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;
export type PlaceholderValues = Record<Placeholder, string>;

/** What the placeholders are filled from. */
export interface TemplateContext {
  ref: string;
  title: string;
  severity: number;
  state: string;
  summary: string;
  startedAt: Date;
  resolvedAt: Date | null;
  /** The audience's update interval; null = no timer. */
  intervalMinutes: number | null;
  now: Date;
}


const DOING: Record<string, string> = {
  investigating: 'We are investigating the cause.',
  identified: 'We have identified the cause and are working on a fix.',
  monitoring: 'A fix is in place and we are monitoring the results.',
  resolved: 'The issue is resolved.',
  closed: 'The issue is resolved.',
};

const isOver = (state: string) => state === 'resolved' || state === 'closed';

// As the public status page words them (server/status/markup.ts): closed is bookkeeping, customers read "Resolved".
const STATUS_WORDS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  closed: 'Resolved',
};

export function placeholderValues(ctx: TemplateContext): PlaceholderValues {
  const next = ctx.intervalMinutes && !isOver(ctx.state) ? new Date(ctx.now.getTime() + ctx.intervalMinutes * 60_000) : null;
  return {
    ref: ctx.ref,
    title: ctx.title,
    severity: `SEV${ctx.severity}`,
    state: ctx.state,
    status: STATUS_WORDS[ctx.state] ?? ctx.state,
    impact: ctx.summary.trim() || 'We are still assessing the impact.',
    started_at: formatUtcDateTime(ctx.startedAt),
    duration: formatDuration((ctx.resolvedAt ?? ctx.now).getTime() - ctx.startedAt.getTime()),
    doing: DOING[ctx.state] ?? '',
    next_update: isOver(ctx.state) ? 'no further updates are planned' : next ? `by ${formatUtcTime(next)}` : 'when there is news',
  };
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/**
 * Fills `{{name}}` with its value, escaped so a title like `*urgent*` stays
 * literal. Unknown names stay visible as written, so a typo shows up in the
 * preview instead of vanishing. A value never repeats the word just before
 * it: "Next update by {{next_update}}" reads "Next update by 14:30 UTC", not
 * "by by", whichever way the template was written.
 */
export function renderTemplate(text: string, values: Partial<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) return whole;
    const before = /(\p{L}+)\s+$/u.exec(text.slice(Math.max(0, offset - 40), offset))?.[1];
    const first = /^(\p{L}+)\s+/u.exec(value);
    const deduplicated = before && first && first[1].toLowerCase() === before.toLowerCase() ? value.slice(first[0].length) : value;
    return escapeMarkdown(deduplicated);
  });
}

/** The first non-empty line without Markdown markers, for summaries like the timeline entry. */
export function firstLine(markdown: string, max = 140): string {
  const plain = (l: string) =>
    l
      .replace(/^\s*(#{1,6}\s+|[-*+>]\s+|\d+[.)]\s+)/, '')
      .replace(/\\([!-/:-@[-`{-~])|[*`]+|(?<!\w)_+|_+(?!\w)/g, (_, escaped: string | undefined) => escaped ?? '')
      .trim();
  const line = markdown.split('\n').map(plain).find((l) => l.length > 0) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
