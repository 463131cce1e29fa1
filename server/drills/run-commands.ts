/**
 * Running a drill: starting one declares a drill incident through the same
 * command as a real declaration (so roles, events, drafts and the war room
 * are all there), with the people the facilitator picked as responders and
 * the facilitator watching, never playing. The facilitator holds the clock,
 * writes observations and ends the drill. Each command is one transaction;
 * the caller publishes the returned incident events after the commit.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import { declareIncident, type Actor } from '../incidents/commands.ts';
import { recordEvent, type IncidentEvent } from '../incidents/events.ts';
import { isActive, timestampsAfter } from '../incidents/lifecycle.ts';
import { findActiveUser, findIncidentById, updateIncident, upsertParticipant } from '../incidents/repo.ts';
import { toggled } from '../shared/drill-clock.ts';
import type { Scenario } from '../shared/drill-scenario.ts';
import { isFacilitator, mayRunConsole } from './access.ts';
import { notFound, refuse } from './refusal.ts';
import { Refusal } from '../shared/failure.ts';
import { findRun, insertObservation, insertRun, updateRun, type DrillRun, type RunbookVerdict } from './run-repo.ts';
import { findScenario } from './scenario-repo.ts';
import { scenarioOfVersion } from './scenario-cache.ts';

export const MAX_RESPONDERS = 30;

export interface StartInput {
  scenarioId: string;
  responderIds: readonly string[];
  /** Who the page would have woken: one of the responders, in command from the start. */
  commanderId: string;
  private?: boolean;
}

export interface RunChange {
  run: DrillRun;
  incident: { id: string; docId: string };
  events: IncidentEvent[];
}

const named = (actor: Actor) => ({ id: actor.id, name: actor.displayName });

export async function startDrill(sql: Sql, facilitator: Actor, input: StartInput): Promise<RunChange & { scenario: Scenario }> {
  return sql.begin(async (tx) => {
    const record = await findScenario(tx, facilitator, input.scenarioId);
    if (!record || record.hidden) throw notFound('No such scenario.');
    const scenario = await scenarioOfVersion(tx, record.id, record.version);
    const responderIds = [...new Set(input.responderIds)];
    if (responderIds.length === 0) throw refuse(400, 'invalid_input', 'responderIds: pick at least one responder', 'responderIds');
    if (responderIds.length > MAX_RESPONDERS) throw refuse(400, 'invalid_input', `responderIds: at most ${MAX_RESPONDERS} responders`, 'responderIds');
    if (responderIds.includes(facilitator.id)) {
      throw refuse(400, 'facilitator_responds', 'responderIds: the facilitator runs the drill and knows the answer, so cannot also respond: pick someone else', 'responderIds');
    }
    if (!responderIds.includes(input.commanderId)) throw refuse(400, 'invalid_input', 'commanderId: must be one of the responders', 'commanderId');
    const responders = [];
    for (const id of responderIds) {
      const person = await findActiveUser(tx, id);
      if (!person) throw refuse(400, 'unknown_user', 'responderIds: no active user with that id', 'responderIds');
      responders.push(person);
    }
    const now = new Date();
    // Declared by the facilitator as a script would: nobody has taken it until a responder does.
    const declared = await declareIncident(tx, { ...facilitator, automated: true }, {
      title: scenario.title,
      severity: scenario.severity,
      services: scenario.services,
      private: input.private ?? false,
      drill: true,
      commanderId: input.commanderId,
      startedAt: new Date(now.getTime() - scenario.impactBeganMs),
      detectedAt: now,
    });
    if (!declared.ok) throw new Refusal(declared);
    const incident = declared.incident;
    const events = [...declared.events];
    const by = named(facilitator);
    // The facilitator watches: declaring made them a responder, and a facilitator who edits the board is playing.
    await upsertParticipant(tx, { incidentId: incident.id, userId: facilitator.id, kind: 'observer', addedBy: facilitator.id, at: now });
    events.push(await recordEvent(tx, incident.id, by, { kind: 'participant', user: by, from: 'responder', to: 'observer' }));
    for (const person of responders) {
      if (person.id === input.commanderId) continue;
      await upsertParticipant(tx, { incidentId: incident.id, userId: person.id, kind: 'responder', addedBy: facilitator.id, at: now });
      events.push(await recordEvent(tx, incident.id, by, { kind: 'participant', user: { id: person.id, name: person.displayName }, from: null, to: 'responder' }));
    }
    const runId = generateSecureRandomString();
    await insertRun(tx, { id: runId, scenarioId: record.id, scenarioVersion: record.version, incidentId: incident.id, facilitatorId: facilitator.id, startedAt: now });
    return { run: (await findRun(tx, runId))!, incident: { id: incident.id, docId: incident.docId }, events, scenario };
  });
}

/** Loads the run for a facilitator's command, locked; anyone else gets "not found". */
async function facilitated(tx: Sql, viewer: Actor, runId: string): Promise<DrillRun> {
  const run = await findRun(tx, runId, { lock: true });
  if (!run || !mayRunConsole(run, viewer)) throw notFound('No such drill.');
  return run;
}

const refuseIfEnded = (run: DrillRun, what: string) => {
  if (run.endedAt) throw refuse(409, 'drill_ended', `The drill has ended, so you cannot ${what}.`);
};

/** Holds or releases the drill clock; scheduled injects wait while it is held. */
export function setClock(sql: Sql, facilitator: Actor, runId: string, paused: boolean): Promise<DrillRun> {
  return sql.begin(async (tx) => {
    const run = await facilitated(tx, facilitator, runId);
    refuseIfEnded(run, paused ? 'pause it' : 'resume it');
    await updateRun(tx, run.id, { pauses: toggled(run.pauses, paused, new Date()) });
    return (await findRun(tx, run.id))!;
  });
}

/**
 * Ends the exercise: the clock stops. A drill incident the team did not
 * resolve is resolved now by the facilitator (an unfinished drill must not
 * sit among the active incidents); the debrief tells the two apart.
 */
export function endDrill(sql: Sql, facilitator: Actor, runId: string): Promise<RunChange> {
  return sql.begin(async (tx) => {
    const run = await facilitated(tx, facilitator, runId);
    const events: IncidentEvent[] = [];
    if (!run.endedAt) {
      const now = new Date();
      await updateRun(tx, run.id, { endedAt: now, pauses: toggled(run.pauses, false, now) });
      const incident = (await findIncidentById(tx, run.incident.id))!;
      if (isActive(incident.state)) {
        await updateIncident(tx, incident.id, { state: 'resolved', ...timestampsAfter(incident, 'resolved', now) });
        events.push(await recordEvent(tx, incident.id, named(facilitator), { kind: 'state', from: incident.state, to: 'resolved' }));
      }
    }
    return { run: (await findRun(tx, run.id))!, incident: { id: run.incident.id, docId: run.incident.docId }, events };
  });
}

export const MAX_OBSERVATION_CHARS = 5000;

export function addObservation(sql: Sql, facilitator: Actor, runId: string, text: string): Promise<void> {
  return sql.begin(async (tx) => {
    const run = await facilitated(tx, facilitator, runId);
    await insertObservation(tx, { id: generateSecureRandomString(), runId: run.id, authorId: facilitator.id, text, at: new Date() });
  });
}

export interface DebriefAnswers {
  correctHypothesisId?: string | null;
  runbookHelped?: RunbookVerdict | null;
  runbookNote?: string;
}

/** The facilitator's answers the debrief cannot read from the record. */
export function answerDebrief(sql: Sql, facilitator: Actor, runId: string, answers: DebriefAnswers): Promise<DrillRun> {
  return sql.begin(async (tx) => {
    const run = await facilitated(tx, facilitator, runId);
    await updateRun(tx, run.id, answers);
    return (await findRun(tx, run.id))!;
  });
}

export { isFacilitator };
