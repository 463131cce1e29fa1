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

/** The prefilled draft offered at close: the incident's own words as the first symptom. */
export function runbookDraftFor(incident: { number: number; title: string; summary: string; services: readonly string[] }): {
  title: string;
  services: string[];
  failureMode: string;
  body: string;
} {
  const title = incident.title;
  const symptoms = [`As seen in INC-${incident.number}: ${incident.title}`, ...(incident.summary.trim() ? [incident.summary.trim().split('\n')[0]] : [])];
  return { title, services: [...incident.services], failureMode: incident.title, body: runbookBody({ symptoms, checks: [], commands: [], decisions: [], escalation: [] }) };
}
