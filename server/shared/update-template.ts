/**
 * Placeholders in stakeholder update drafts ({{title}}, {{next_update}} …) and
 * how they are filled. Pure and shared: the war room's preview and the publish
 * endpoint fill a draft with the same function, so what the communicator sees
 * is what gets published (values taken at the moment of publishing).
 */
import { AUDIENCES, type Audience } from '../comms/types.ts';
import { escapeMarkdown } from './markdown.ts';

export { AUDIENCES, type Audience };

export const PLACEHOLDERS = {
  ref: 'Incident number, e.g. INC-42',
  title: 'Incident title',
  severity: 'Severity, e.g. SEV1',
  state: 'Current state, e.g. monitoring',
  impact: 'Impact (the incident summary)',
  started_at: 'When impact started (UTC)',
  duration: 'How long it has lasted (until resolved)',
  doing: 'What we are doing, from the state',
  next_update: 'When the next update is due',
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

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Fixed format in UTC, not the viewer's locale: the text is sent to people in other time zones.
export const formatUtcTime = (date: Date) => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
export const formatUtcDateTime = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${formatUtcTime(date)}`;

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

const DOING: Record<string, string> = {
  investigating: 'We are investigating the cause.',
  identified: 'We have identified the cause and are working on a fix.',
  monitoring: 'A fix is in place and we are monitoring the results.',
  resolved: 'The issue is resolved.',
  closed: 'The issue is resolved.',
};

const isOver = (state: string) => state === 'resolved' || state === 'closed';

export function placeholderValues(ctx: TemplateContext): PlaceholderValues {
  const next = ctx.intervalMinutes && !isOver(ctx.state) ? new Date(ctx.now.getTime() + ctx.intervalMinutes * 60_000) : null;
  return {
    ref: ctx.ref,
    title: ctx.title,
    severity: `SEV${ctx.severity}`,
    state: ctx.state,
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
 * preview instead of vanishing.
 */
export function renderTemplate(text: string, values: Partial<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return value === undefined ? whole : escapeMarkdown(value);
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
