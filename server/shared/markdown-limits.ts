/**
 * How long each Markdown field may be, in characters. Shared by the server
 * (which refuses more with a 413 or 400 naming the field) and the editors
 * (which count down to it), so the counter and the refusal cannot disagree.
 * Generous for what people write under pressure; far below what would make
 * rendering, storing or sending a field a burden.
 */
export const MARKDOWN_LIMITS = {
  /** A stakeholder update draft, as typed (before placeholders are filled). */
  update: 20_000,
  /** An update template (Admin → Templates). */
  template: 20_000,
  /** Each long-form section of a postmortem. */
  postmortemSection: 50_000,
  /** Each contributing factor's description. */
  factorDescription: 5_000,
  /** A runbook's body. */
  runbook: 100_000,
} as const;

/** "12,345 / 20,000": what an editor shows under the field. */
export function lengthCounter(length: number, limit: number): string {
  return `${length.toLocaleString('en-US')} / ${limit.toLocaleString('en-US')}`;
}
