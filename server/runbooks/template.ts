/**
 * The shape we ask responders to write a runbook in (seed 000/002: the
 * commands and decision points whoever last debugged the service used).
 * Pure; the demo seed and the "create from this incident" prefill share it.
 */
export interface RunbookSections {
  symptoms: readonly string[];
  checks: readonly string[];
  commands: readonly string[];
  decisions: readonly string[];
  escalation: readonly string[];
}

const list = (items: readonly string[], fallback: string) => (items.length ? items.map((i) => `- ${i}`).join('\n') : `- ${fallback}`);

// No "# title" line: the page shows the title field as its heading, and a second h1 would confuse screen readers.
export function runbookBody(s: RunbookSections): string {
  const commands = s.commands.length ? `\`\`\`sh\n${s.commands.join('\n')}\n\`\`\`` : '```sh\n# the commands you ran, in order\n```';
  return [
    `## Symptoms\n\n${list(s.symptoms, 'What the alert or the customer report looked like')}`,
    `## Checks\n\n${list(s.checks, 'Dashboards and queries that tell this failure mode apart from others')}`,
    `## Commands\n\n${commands}`,
    `## Decision points\n\n${list(s.decisions, 'If … then … (and why)')}`,
    `## Escalation\n\n${list(s.escalation, 'Who to page when this runbook is not enough')}`,
  ].join('\n\n') + '\n';
}

/**
 * The prefilled draft offered at close: the incident's own words as the first
 * symptom. A private incident's title, reference and summary stay out: every
 * member reads runbooks, and the slug would be built from the title.
 */
export function runbookDraftFor(incident: { number: number; title: string; summary: string; services: readonly string[]; private: boolean }): {
  title: string;
  services: string[];
  failureMode: string;
  body: string;
  /** Written from a private incident: the page says why the prefill is thin. */
  private: boolean;
} {
  if (incident.private) {
    return { title: '', services: [...incident.services], failureMode: '', body: runbookBody({ symptoms: [], checks: [], commands: [], decisions: [], escalation: [] }), private: true };
  }
  const title = incident.title;
  const symptoms = [`As seen in INC-${incident.number}: ${incident.title}`, ...(incident.summary.trim() ? [incident.summary.trim().split('\n')[0]] : [])];
  return { title, services: [...incident.services], failureMode: incident.title, body: runbookBody({ symptoms, checks: [], commands: [], decisions: [], escalation: [] }), private: false };
}
