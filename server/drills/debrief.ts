/**
 * The debrief of a drill, computed from what was recorded: the incident's
 * milestones and events, the updates published, the board's history, the
 * injects released, the runbooks opened, and the facilitator's answers and
 * observations. Pure: facts in, debrief out (debrief-facts.ts loads them).
 *
 * Every time is read on the drill clock (pauses excluded), from the moment the
 * facilitator started the drill, so a break does not count against the team.
 * The correct hypothesis is the card the facilitator pointed at, or else the
 * cards whose statement, at some point, contained one of the scenario's match
 * phrases: it "appeared" the first time any card said so, and was "confirmed"
 * when the first such card became confirmed and stayed so.
 */
import { AUDIENCES, type Audience } from '../shared/audiences.ts';
import { confirmedAt, type CardHistory } from '../hypotheses/board-history.ts';
import type { RoleName } from '../incidents/permissions.ts';
import { elapsedAt, pausedFor, type DrillClock } from '../shared/drill-clock.ts';
import type { InjectKind, Scenario } from '../shared/drill-scenario.ts';
import type { HypothesisStatus } from '../shared/war-room-doc.ts';
import type { DrillRouting } from './drill-routing.ts';

export interface Person {
  id: string;
  displayName: string;
}

export interface DebriefFacts {
  scenario: Scenario;
  clock: DrillClock;
  facilitator: Person;
  incident: {
    ref: string;
    startedAt: Date;
    declaredAt: Date;
    acknowledgedAt: Date | null;
    mitigatedAt: Date | null;
    resolvedAt: Date | null;
  };
  /** Who resolved it: the drill's facilitator ending it is not the team resolving it. */
  resolvedBy: string | null;
  /** Role changes in order: the declaration names the first commander. */
  roles: { role: RoleName; to: Person | null; at: Date }[];
  updates: { audience: Audience; at: Date; author: string }[];
  cards: readonly CardHistory[];
  /** The card the facilitator pointed at, overriding the match phrases. */
  correctHypothesisId: string | null;
  releases: { injectKey: string; at: Date; by: Person | null; routing: DrillRouting | null }[];
  /** The expected runbook, when the scenario names one that exists. */
  expectedRunbook: { id: string; slug: string; title: string } | null;
  runbookOpens: { runbookId: string; slug: string; title: string; user: Person; at: Date }[];
  /** "Mark used" stamps in the drill incident. */
  runbookStamps: { runbookId: string; at: Date; by: Person | null }[];
  runbookHelped: 'yes' | 'partly' | 'no' | null;
  runbookNote: string;
  observations: { at: Date; author: Person; text: string }[];
  findings: { id: string; title: string; owner: Person | null; dueDate: string | null; kind: string; status: string }[];
  /** Display names of the people the board's history names by id. */
  people: Readonly<Record<string, string>>;
}

/** A moment in the drill: its wall-clock time and its time on the drill clock. */
export interface Moment {
  at: string;
  /** On the drill clock since the start, pauses excluded; negative before the start. */
  elapsedMs: number;
}

export interface DebriefTime {
  id: string;
  label: string;
  moment: Moment | null;
  /** Why there is no time, or how to read it. */
  note: string | null;
}

export interface DebriefHypothesis {
  id: string;
  statement: string;
  status: HypothesisStatus;
  written: Moment;
  writtenBy: string | null;
  ruledOut: Moment | null;
  confirmed: Moment | null;
}

export interface Debrief {
  scenario: { title: string; hypothesis: string; answer: string; runbook: string | null };
  facilitator: Person;
  incidentRef: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  pausedMs: number;
  times: DebriefTime[];
  correctHypothesis: {
    statement: string;
    matchedBy: 'facilitator' | 'phrase';
    appeared: Moment;
    confirmed: Moment | null;
  } | null;
  ruledOut: DebriefHypothesis[];
  otherHypotheses: DebriefHypothesis[];
  injects: { key: string; kind: InjectKind; title: string; scheduledMs: number | null; released: Moment | null; releasedBy: string | null; routing: string | null }[];
  runbook: {
    expected: string | null;
    exists: boolean;
    title: string | null;
    firstOpened: Moment | null;
    openedBy: string[];
    markedUsed: Moment | null;
    helped: 'yes' | 'partly' | 'no' | null;
    note: string;
  };
  observations: { moment: Moment; author: string; text: string }[];
  findings: DebriefFacts['findings'];
}

const ROLE_LABELS: Record<RoleName, string> = { commander: 'Commander', scribe: 'Scribe', communicator: 'Communicator' };
const AUDIENCE_LABELS: Record<Audience, string> = { responders: 'responders', support: 'support', leadership: 'leadership', public: 'the public' };

const matches = (statement: string, phrases: readonly string[]) => {
  const text = statement.toLowerCase();
  return phrases.some((phrase) => phrase && text.includes(phrase));
};

const earliest = <T extends { at: Date }>(items: readonly T[]): T | null =>
  items.reduce<T | null>((best, item) => (!best || item.at.getTime() < best.at.getTime() ? item : best), null);

export function computeDebrief(facts: DebriefFacts, now: Date): Debrief {
  const { clock, scenario } = facts;
  // Before the start (the scripted start of impact) reads as a negative time: "−4 min".
  const sinceStart = (at: Date) => (at < clock.startedAt ? at.getTime() - clock.startedAt.getTime() : elapsedAt(clock, at));
  const moment = (at: Date | null): Moment | null => (at ? { at: at.toISOString(), elapsedMs: sinceStart(at) } : null);
  const end = clock.endedAt ?? now;

  // --- the correct hypothesis ---
  const picked = facts.correctHypothesisId ? facts.cards.find((c) => c.id === facts.correctHypothesisId) ?? null : null;
  const candidates = picked
    ? [{ card: picked, appearedAt: picked.createdAt }]
    : facts.cards.flatMap((card) => {
        const first = card.statements.find((s) => matches(s.value, scenario.match));
        return first ? [{ card, appearedAt: first.at }] : [];
      });
  const appeared = earliest(candidates.map((c) => ({ ...c, at: c.appearedAt })));
  const confirmations = candidates.flatMap(({ card }) => {
    const confirmed = confirmedAt(card);
    return confirmed ? [{ card, at: confirmed.at }] : [];
  });
  const confirmed = earliest(confirmations);
  const correctIds = new Set(candidates.map((c) => c.card.id));

  // --- times ---
  const times: DebriefTime[] = [];
  const push = (id: string, label: string, at: Date | null, note: string | null = null) => times.push({ id, label, moment: moment(at), note: at ? note : (note ?? 'not recorded') });
  push('impact', 'Impact began (scripted)', facts.incident.startedAt, scenario.impactBeganMs > 0 ? 'before the drill started, as the scenario sets it' : null);
  push('declared', 'Declared', facts.incident.declaredAt, 'when the facilitator started the drill');
  push('acknowledged', 'Acknowledged (a responder took it)', facts.incident.acknowledgedAt, facts.incident.acknowledgedAt ? null : 'nobody took the incident by hand');
  for (const role of ['commander', 'scribe', 'communicator'] as const) {
    const first = facts.roles.find((r) => r.role === role && r.to);
    const note = first && role === 'commander' && first.at.getTime() <= facts.incident.declaredAt.getTime() + 1000 ? `${first.to!.displayName}, named when the drill started` : first ? first.to!.displayName : 'never filled';
    push(`role-${role}`, `${ROLE_LABELS[role]} assigned`, first?.at ?? null, note);
  }
  for (const audience of AUDIENCES) {
    const first = earliest(facts.updates.filter((u) => u.audience === audience));
    push(`update-${audience}`, `First update to ${AUDIENCE_LABELS[audience]}`, first?.at ?? null, first ? `by ${first.author}` : 'none published');
  }
  push('hypothesis-appeared', 'Correct hypothesis first on the board', appeared?.at ?? null, appeared ? null : 'never written');
  push('hypothesis-confirmed', 'Correct hypothesis confirmed', confirmed?.at ?? null, confirmed ? null : appeared ? 'written but never confirmed' : 'never written');
  push('mitigated', 'Mitigated', facts.incident.mitigatedAt);
  const teamResolved = facts.incident.resolvedAt && facts.resolvedBy !== facts.facilitator.id ? facts.incident.resolvedAt : null;
  push('resolved', 'Resolved by the team', teamResolved, facts.incident.resolvedAt && !teamResolved ? 'not resolved: the facilitator ended the drill' : null);

  // --- hypotheses tried ---
  const describe = (card: CardHistory): DebriefHypothesis => {
    const ruled = card.statuses.find((s) => s.value === 'ruled_out');
    return {
      id: card.id,
      statement: card.statement,
      status: card.status,
      written: moment(card.createdAt)!,
      writtenBy: card.createdBy ? (facts.people[card.createdBy] ?? 'someone') : null,
      ruledOut: moment(ruled?.at ?? null),
      confirmed: moment(confirmedAt(card)?.at ?? null),
    };
  };
  const others = facts.cards.filter((c) => !correctIds.has(c.id));
  const ruledOut = others.filter((c) => c.statuses.some((s) => s.value === 'ruled_out')).map(describe);
  const otherHypotheses = others.filter((c) => !c.statuses.some((s) => s.value === 'ruled_out')).map(describe);

  // --- injects ---
  const releaseOf = new Map(facts.releases.map((r) => [r.injectKey, r]));
  const injects = scenario.injects.map((inject) => {
    const release = releaseOf.get(inject.key);
    return {
      key: inject.key,
      kind: inject.kind,
      title: inject.title,
      scheduledMs: inject.atMs,
      released: moment(release?.at ?? null),
      releasedBy: release ? (release.by?.displayName ?? 'the schedule') : null,
      routing: release?.routing?.explanation ?? null,
    };
  });

  // --- runbook ---
  const expected = facts.expectedRunbook;
  const opens = expected ? facts.runbookOpens.filter((o) => o.runbookId === expected.id) : [];
  const used = expected ? earliest(facts.runbookStamps.filter((s) => s.runbookId === expected.id)) : null;
  const runbook = {
    expected: scenario.runbook,
    exists: expected !== null,
    title: expected?.title ?? null,
    firstOpened: moment(earliest(opens)?.at ?? null),
    openedBy: [...new Set(opens.map((o) => o.user.displayName))],
    markedUsed: moment(used?.at ?? null),
    helped: facts.runbookHelped,
    note: facts.runbookNote,
  };

  return {
    scenario: { title: scenario.title, hypothesis: scenario.hypothesis, answer: scenario.answer, runbook: scenario.runbook },
    facilitator: facts.facilitator,
    incidentRef: facts.incident.ref,
    startedAt: clock.startedAt.toISOString(),
    endedAt: clock.endedAt?.toISOString() ?? null,
    durationMs: elapsedAt(clock, end),
    pausedMs: pausedFor(clock, end),
    times,
    correctHypothesis: appeared
      ? { statement: (confirmed ?? appeared).card.statement, matchedBy: picked ? 'facilitator' : 'phrase', appeared: moment(appeared.at)!, confirmed: moment(confirmed?.at ?? null) }
      : null,
    ruledOut,
    otherHypotheses,
    injects,
    runbook,
    observations: facts.observations.map((o) => ({ moment: moment(o.at)!, author: o.author.displayName, text: o.text })),
    findings: facts.findings,
  };
}
