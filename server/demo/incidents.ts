/**
 * A year of incidents: when they started, how long each phase took, who ran
 * them and the state events that record it (reopenings included). Durations
 * are log-normal (most incidents are quick, a few drag on for a day) and
 * severities lean to SEV3/4, as in real on-call.
 */
import { FAILURE_MODES, SERVICES, type FailureMode } from './catalog.ts';
import type { DemoPerson } from './people.ts';
import type { Random } from './random.ts';
import { DAY, HOUR, iso, MINUTE, type DemoRows } from './rows.ts';

export interface DemoIncident {
  id: string;
  number: number;
  mode: FailureMode;
  title: string;
  severity: number;
  services: string[];
  drill: boolean;
  private: boolean;
  state: string;
  commander: DemoPerson;
  responders: DemoPerson[];
  startedAt: number;
  detectedAt: number | null;
  declaredAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
}

const SEVERITY_WEIGHTS = [[1, 4], [2, 14], [3, 42], [4, 40]] as const;
const IMPACT: Record<number, string> = {
  1: 'All customers in every region were affected.',
  2: 'A large share of customers were affected.',
  3: 'Some customers saw errors or slowness.',
  4: 'Minor impact; most customers did not notice.',
};

const named = (p: DemoPerson) => ({ id: p.id, name: p.name });

export function generateIncidents(r: Random, ids: Random, people: DemoPerson[], count: number, firstNumber: number, now: number, rows: DemoRows): DemoIncident[] {
  const modes = FAILURE_MODES.map((m) => [m, m.weight] as const);
  // Start times spread over the year before now, oldest first so numbers rise with time.
  const starts = Array.from({ length: count }, () => now - 365 * DAY + r.next() * (365 * DAY - 3 * HOUR)).sort((a, b) => a - b);
  // The newest few are still open, so the home page and war rooms have live incidents.
  const openFrom = count - Math.min(3, Math.max(0, Math.floor(count / 50)));
  const incidents: DemoIncident[] = [];
  starts.forEach((startedAt, index) => {
    const mode = r.weighted(modes);
    const severity = r.weighted(SEVERITY_WEIGHTS);
    const drill = r.chance(0.05);
    const [commander, ...responders] = r.sample(people, r.int(2, 5));
    const services = r.chance(0.12) ? [...mode.services, r.pick(SERVICES.filter((s) => !mode.services.includes(s)))] : [...mode.services];
    // Faster detection for louder incidents; some never recorded a detection time.
    const detected = r.chance(0.06) ? null : startedAt + Math.min(r.logNormal(severity <= 2 ? 4 : 9, 0.9), 12 * 60) * MINUTE;
    // Nothing happens in the future: the newest incidents are clamped to just before now.
    const declaredAt = Math.min((detected ?? startedAt + 10 * MINUTE) + Math.min(r.logNormal(4, 0.7), 90) * MINUTE, now - 2 * MINUTE);
    const detectedAt = detected === null ? null : Math.min(detected, declaredAt);
    const acknowledgedAt = Math.min(declaredAt + Math.min(r.logNormal(1.5, 1), 45) * MINUTE, now - MINUTE);
    const identifiedAt = declaredAt + Math.min(r.logNormal(20, 0.8), 8 * 60) * MINUTE;
    const mitigatedAt = identifiedAt + Math.min(r.logNormal(severity <= 2 ? 25 : 45, 0.9), 16 * 60) * MINUTE;
    let resolvedAt = mitigatedAt + Math.min(r.logNormal(40, 1), 30 * 60) * MINUTE;
    const isOpen = index >= openFrom || resolvedAt + 8 * HOUR >= now;
    const reopened = !isOpen && r.chance(0.04);
    const events: { kind: string; data: Record<string, unknown>; at: number; by: DemoPerson }[] = [];
    const state = (from: string, to: string, at: number) => events.push({ kind: 'state', data: { from, to }, at, by: commander });
    events.push({ kind: 'declared', at: declaredAt, by: commander, data: { title: '', severity, commander: named(commander), private: false, drill } });
    const id = ids.id();
    const incident: DemoIncident = {
      id, number: firstNumber + index, mode, title: r.pick(mode.titles), severity, services, drill,
      private: !drill && r.chance(0.07), state: 'closed', commander, responders,
      startedAt, detectedAt, declaredAt, resolvedAt: null, closedAt: null,
    };
    (events[0].data as { title: string }).title = incident.title;
    (events[0].data as { private: boolean }).private = incident.private;
    let mitigated: number | null = null;
    if (isOpen) {
      // Still being worked on: declared within the last three hours.
      incident.state = r.pick(['investigating', 'identified', 'monitoring']);
      if (incident.state !== 'investigating') state('investigating', 'identified', Math.min(identifiedAt, now - MINUTE));
      if (incident.state === 'monitoring') state('identified', 'monitoring', (mitigated = Math.min(mitigatedAt, now - MINUTE)));
    } else {
      state('investigating', 'identified', identifiedAt);
      state('identified', 'monitoring', (mitigated = mitigatedAt));
      state('monitoring', 'resolved', resolvedAt);
      if (reopened) {
        // It came back: reopened hours later, then resolved for good.
        const back = Math.min(resolvedAt + r.logNormal(3, 0.8) * HOUR, now - 2 * MINUTE);
        state('resolved', 'investigating', back);
        resolvedAt = Math.min(back + r.logNormal(90, 0.7) * MINUTE, now - MINUTE);
        state('investigating', 'resolved', resolvedAt);
      }
      incident.resolvedAt = resolvedAt;
      const closedAt = resolvedAt + r.logNormal(20, 0.8) * HOUR;
      if (closedAt < now) {
        incident.closedAt = closedAt;
        state('resolved', 'closed', closedAt);
      } else incident.state = 'resolved';
    }
    incidents.push(incident);

    const docId = `incident-${id}`;
    rows.incidents.push({
      id, number: incident.number, title: incident.title, severity, state: incident.state,
      summary: `${mode.summary} ${IMPACT[severity]}`, services, private: incident.private, drill,
      declared_by: commander.id, commander_id: commander.id,
      scribe_id: responders[0]?.id ?? null, communicator_id: severity <= 2 ? (responders[1]?.id ?? null) : null,
      started_at: iso(startedAt), detected_at: detectedAt === null ? null : iso(detectedAt), declared_at: iso(declaredAt),
      acknowledged_at: iso(acknowledgedAt), mitigated_at: mitigated === null ? null : iso(mitigated),
      resolved_at: incident.resolvedAt === null ? null : iso(incident.resolvedAt), closed_at: incident.closedAt === null ? null : iso(incident.closedAt),
      doc_id: docId, created_at: iso(declaredAt), updated_at: iso(Math.max(...events.map((e) => e.at))),
    });
    rows.documents.push({ id: docId, kind: 'war-room', created_at: iso(declaredAt) });
    for (const [i, person] of [commander, ...responders].entries()) {
      rows.participants.push({ incident_id: id, user_id: person.id, kind: 'responder', joined_at: iso(declaredAt + i * 3 * MINUTE), added_by: i === 0 ? null : commander.id });
    }
    for (const event of events) {
      rows.events.push({ incident_id: id, actor_id: event.by.id, kind: event.kind, data: { ...event.data, by: named(event.by) }, at: iso(event.at) });
    }
  });
  return incidents;
}
