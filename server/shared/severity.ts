/** SEV1–SEV4: the definitions the declare picker shows, served by GET /api/incidents/meta. */
export const SEVERITIES = [
  { level: 1, label: 'SEV1', description: 'Critical: the product is down or data is at risk for many customers.' },
  { level: 2, label: 'SEV2', description: 'Major: a core feature is broken or badly degraded for many customers.' },
  { level: 3, label: 'SEV3', description: 'Minor: partial degradation, a workaround exists, or few customers affected.' },
  { level: 4, label: 'SEV4', description: 'Low: cosmetic or internal impact; no customer-facing urgency.' },
] as const;

export type Severity = (typeof SEVERITIES)[number]['level'];

export function severityLabel(level: number): string {
  return `SEV${level}`;
}
