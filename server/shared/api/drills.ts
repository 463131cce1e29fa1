/**
 * Drills as the API answers them: scenarios, the facilitator's console, the
 * team's view of a drill, and the debrief. The team's view lists its own
 * fields, never the console's minus the secret ones, so a field added to the
 * script later cannot leak to responders by default.
 */
import { z } from 'zod';
import { INJECT_KINDS } from '../drill-scenario.ts';
import { INCIDENT_STATES, PARTICIPANT_KINDS } from '../incident-vocabulary.ts';
import { DRILL_ROUTING_OUTCOMES, RUNBOOK_VERDICTS } from '../practice-vocabulary.ts';
import { HYPOTHESIS_STATUSES } from '../war-room-doc.ts';
import { PersonRef } from './components.ts';

const instant = z.iso.datetime();

// --- scenarios ---------------------------------------------------------------

export const ScenarioSummarySchema = z
  .strictObject({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    services: z.array(z.string()),
    severity: z.number().int(),
    injects: z.number().int(),
    version: z.number().int(),
    shipped: z.boolean().meta({ description: 'Shipped with Warroom (and maybe edited since)' }),
    runs: z.number().int(),
    lastRunAt: instant.nullable(),
    updatedAt: instant,
    hidden: z.boolean().meta({ description: 'You are a responder in a running drill of it: its text is hidden until the drill ends' }),
  })
  .meta({ id: 'DrillScenarioSummary' });

export const ScenarioSchema = ScenarioSummarySchema.extend({ body: z.string().meta({ description: 'Front matter + Markdown, including the hidden answer' }) }).meta({
  id: 'DrillScenario',
});

export const ScenarioVersionSummarySchema = z
  .strictObject({ version: z.number().int(), title: z.string(), author: PersonRef.nullable(), at: instant, note: z.string() })
  .meta({ id: 'DrillScenarioVersionSummary' });
export const ScenarioVersionSchema = ScenarioVersionSummarySchema.extend({ body: z.string() }).meta({ id: 'DrillScenarioVersion' });

export const ScenarioProblemsSchema = z.array(z.strictObject({ line: z.number().int(), message: z.string() }));

// --- runs ----------------------------------------------------------------------

const RoutingSchema = z.strictObject({
  outcome: z.enum(DRILL_ROUTING_OUTCOMES).meta({ description: 'What would have happened in a real outage' }),
  rule: z.strictObject({ id: z.string(), name: z.string(), action: z.enum(['attach', 'declare', 'inbox']), severity: z.number().int().nullable() }).nullable(),
  explanation: z.string(),
});

const ClockFields = {
  startedAt: instant,
  endedAt: instant.nullable(),
  paused: z.boolean(),
  elapsedMs: z.number().int().meta({ description: 'Drill clock: time since the start, pauses excluded' }),
};

const DrillIncident = z.strictObject({ ref: z.string(), number: z.number().int(), title: z.string(), state: z.enum(INCIDENT_STATES), private: z.boolean() });

export const DrillRunSummarySchema = z
  .strictObject({
    id: z.string(),
    scenario: z.strictObject({ id: z.string(), title: z.string(), version: z.number().int() }),
    incident: DrillIncident,
    facilitator: PersonRef,
    ...ClockFields,
    youFacilitate: z.boolean(),
  })
  .meta({ id: 'DrillRunSummary' });

const ReleasedSchema = z.strictObject({ at: instant, elapsedMs: z.number().int(), by: PersonRef.nullable().meta({ description: 'null: the schedule' }), routing: RoutingSchema.nullable() });

const InjectFields = {
  key: z.string(),
  kind: z.enum(INJECT_KINDS),
  title: z.string(),
  from: z.string().nullable(),
  body: z.string().meta({ description: 'Markdown' }),
};

export const DrillConsoleSchema = DrillRunSummarySchema.extend({
  pausedMs: z.number().int(),
  script: z.strictObject({
    briefing: z.string(),
    answer: z.string(),
    hypothesis: z.string(),
    match: z.array(z.string()),
    runbook: z.string().nullable(),
    facilitatorNotes: z.string(),
    services: z.array(z.string()),
    severity: z.number().int(),
  }),
  injects: z.array(
    z.strictObject({
      ...InjectFields,
      atMs: z.number().int().nullable().meta({ description: 'Scheduled at this drill-clock time; null: released by the facilitator' }),
      alert: z.strictObject({ labels: z.record(z.string(), z.string()), summary: z.string(), url: z.string().nullable() }).nullable(),
      released: ReleasedSchema.nullable(),
    }),
  ),
  observations: z.array(z.strictObject({ id: z.string(), at: instant, elapsedMs: z.number().int(), author: PersonRef, text: z.string() })),
  participants: z.array(z.strictObject({ id: z.string(), displayName: z.string(), kind: z.enum(PARTICIPANT_KINDS) })),
  correctHypothesisId: z.string().nullable(),
  runbookHelped: z.enum(RUNBOOK_VERDICTS).nullable(),
  runbookNote: z.string(),
}).meta({ id: 'DrillConsole' });

export const TeamDrillSchema = z
  .strictObject({
    id: z.string(),
    scenarioTitle: z.string(),
    facilitator: PersonRef,
    ...ClockFields,
    briefing: z.string(),
    injects: z.array(z.strictObject({ ...InjectFields, released: ReleasedSchema })),
    youFacilitate: z.boolean(),
    debriefReady: z.boolean().meta({ description: 'The drill ended: its debrief (answer included) is open to the team' }),
  })
  .meta({ id: 'TeamDrill', description: 'What the team sees of a drill: the briefing and the injects released so far. Never the answer.' });

// --- debrief ---------------------------------------------------------------------

const MomentSchema = z.strictObject({ at: instant, elapsedMs: z.number().int() });
const HypothesisSchema = z.strictObject({
  id: z.string(),
  statement: z.string(),
  status: z.enum(HYPOTHESIS_STATUSES),
  written: MomentSchema,
  writtenBy: z.string().nullable(),
  ruledOut: MomentSchema.nullable(),
  confirmed: MomentSchema.nullable(),
});

export const DebriefSchema = z
  .strictObject({
    scenario: z.strictObject({ title: z.string(), hypothesis: z.string(), answer: z.string().meta({ description: 'Markdown' }), runbook: z.string().nullable() }),
    facilitator: PersonRef,
    incidentRef: z.string(),
    startedAt: instant,
    endedAt: instant.nullable(),
    durationMs: z.number().int(),
    pausedMs: z.number().int(),
    times: z.array(z.strictObject({ id: z.string(), label: z.string(), moment: MomentSchema.nullable(), note: z.string().nullable() })),
    correctHypothesis: z
      .strictObject({ statement: z.string(), matchedBy: z.enum(['facilitator', 'phrase']), appeared: MomentSchema, confirmed: MomentSchema.nullable() })
      .nullable(),
    ruledOut: z.array(HypothesisSchema),
    otherHypotheses: z.array(HypothesisSchema),
    injects: z.array(
      z.strictObject({
        key: z.string(),
        kind: z.enum(INJECT_KINDS),
        title: z.string(),
        scheduledMs: z.number().int().nullable(),
        released: MomentSchema.nullable(),
        releasedBy: z.string().nullable(),
        routing: z.string().nullable(),
      }),
    ),
    runbook: z.strictObject({
      expected: z.string().nullable(),
      exists: z.boolean(),
      title: z.string().nullable(),
      firstOpened: MomentSchema.nullable(),
      openedBy: z.array(z.string()),
      markedUsed: MomentSchema.nullable(),
      helped: z.enum(RUNBOOK_VERDICTS).nullable(),
      note: z.string(),
    }),
    observations: z.array(z.strictObject({ moment: MomentSchema, author: z.string(), text: z.string() })),
    findings: z.array(
      z.strictObject({ id: z.string(), title: z.string(), owner: PersonRef.nullable(), dueDate: z.string().nullable(), kind: z.string(), status: z.string() }),
    ),
  })
  .meta({ id: 'DrillDebrief' });

export const DebriefEnvelopeSchema = z.strictObject({
  debrief: DebriefSchema,
  run: DrillRunSummarySchema,
  can: z.strictObject({ answer: z.boolean(), writeFindings: z.boolean() }),
  board: z.array(z.strictObject({ id: z.string(), statement: z.string(), status: z.enum(HYPOTHESIS_STATUSES) })).meta({ description: 'The cards, for pointing at the correct one' }),
});
