/**
 * What the database needs before a document can be frozen. The document is
 * written by browsers, so anything in it may be malformed; publication turns
 * that into a list of problems for people to fix instead of a failed insert.
 * Complements publicationProblems (server/shared/postmortem-doc.ts), which
 * the editor also shows as you type.
 */
import { MARKDOWN_LIMITS } from '../shared/markdown-limits.ts';
import { ACTION_KINDS, ACTION_PRIORITIES, ACTION_STATUSES, publicationProblems, SECTIONS, type PostmortemContent } from '../shared/postmortem-doc.ts';

const TITLE_MAX = 300;

function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Every problem, the shared ones first; owners' ids are those `activeUserIds` knows. */
export function problemsBeforePublishing(content: PostmortemContent, activeUserIds: ReadonlySet<string>): string[] {
  const problems = publicationProblems(content);
  for (const item of content.actionItems) {
    const title = typeof item.title === 'string' ? item.title.trim() : '';
    const name = title ? `"${title.length > 60 ? `${title.slice(0, 59)}…` : title}"` : 'An untitled action item';
    if (title.length > TITLE_MAX) problems.push(`${name}: the title is longer than ${TITLE_MAX} characters.`);
    if (item.dueDate && !isDate(item.dueDate)) problems.push(`${name}: the due date is not a date like 2026-03-01.`);
    if (!(ACTION_KINDS as readonly unknown[]).includes(item.kind)) problems.push(`${name}: choose immediate fix or structural improvement.`);
    if (!(ACTION_PRIORITIES as readonly unknown[]).includes(item.priority)) problems.push(`${name}: choose a priority (P1 to P3).`);
    if (!(ACTION_STATUSES as readonly unknown[]).includes(item.status)) problems.push(`${name}: the status is not one we know.`);
    if (item.owner && (typeof item.owner.id !== 'string' || !activeUserIds.has(item.owner.id))) {
      problems.push(`${name} is owned by ${item.owner.name || 'someone'}, who is not an active user: choose another owner.`);
    }
  }
  return problems;
}

/** Owner ids worth looking up: strings only, each once. */
export const ownerIdsOf = (content: PostmortemContent): string[] => [
  ...new Set(content.actionItems.flatMap((item) => (item.owner && typeof item.owner.id === 'string' ? [item.owner.id] : []))),
];

/** Markdown fields over their limit, each named, for a 413 at publication (the editors count down to the same limits). */
export function oversizedFields(content: PostmortemContent): string[] {
  const over = (length: number, limit: number) => `${length.toLocaleString('en-US')} characters, the limit is ${limit.toLocaleString('en-US')}`;
  const problems: string[] = [];
  for (const { key, heading } of SECTIONS) {
    const length = content.sections[key]?.length ?? 0;
    if (length > MARKDOWN_LIMITS.postmortemSection) problems.push(`${heading} is too long: ${over(length, MARKDOWN_LIMITS.postmortemSection)}.`);
  }
  for (const factor of content.factors) {
    const length = typeof factor.description === 'string' ? factor.description.length : 0;
    if (length > MARKDOWN_LIMITS.factorDescription) problems.push(`A contributing factor is too long: ${over(length, MARKDOWN_LIMITS.factorDescription)}.`);
  }
  return problems;
}
