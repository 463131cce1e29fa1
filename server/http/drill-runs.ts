/**
 * /api/drills/runs: running a drill. The console (script, answer, controls,
 * observations) answers only its facilitator; anyone else, responders and
 * admins included, gets 404 as if there were no such drill. The team reads
 * /api/incidents/:ref/drill, built from an explicit list of safe fields.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AlertDeps } from '../alerts/ingest.ts';
import { actorOf } from './actor.ts';
import { currentUser, requireUser } from './auth-middleware.ts';
import { mayReadDebrief, mayRunConsole, mayWriteFindings } from '../drills/access.ts';
import { computeDebrief } from '../drills/debrief.ts';
import { loadDebriefFacts } from '../drills/debrief-facts.ts';
import { debriefMarkdown } from '../drills/debrief-markdown.ts';
import { releaseDueInRun, releaseInject } from '../drills/inject-delivery.ts';
import { Refusal } from '../shared/failure.ts';
import { addObservation, answerDebrief, endDrill, MAX_OBSERVATION_CHARS, setClock, startDrill } from '../drills/run-commands.ts';
import { findRun, findRunOfIncident, listObservations, listReleases, listRuns, RUNBOOK_VERDICTS, type DrillRun } from '../drills/run-repo.ts';
import { scenarioOfVersion } from '../drills/scenario-cache.ts';
import type { Actor } from '../incidents/commands.ts';
import type { LiveMirror } from '../incidents/live.ts';
import { findActiveUser, findIncidentById, listParticipants } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import { insertFoundItem } from '../postmortem/action-items.ts';
import { ACTION_KINDS, ACTION_PRIORITIES } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { toConsoleView, toRunSummary, toTeamView } from './drill-views.ts';
import { DebriefEnvelopeSchema, DrillConsoleSchema, DrillRunSummarySchema, TeamDrillSchema } from '../shared/api/drills.ts';
import { ApiError, failed, notFound } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { Ok } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const startBody = z.object({
  scenarioId: z.string().min(1).max(100),
  responderIds: z.array(id).min(1, 'pick at least one responder').max(30, 'at most 30 responders').meta({ description: 'The team; the facilitator cannot be one of them' }),
  commanderId: id.meta({ description: 'One of the responders: in command from the start, as the page would have woken them' }),
  private: z.boolean().optional(),
});
const clockBody = z.object({ paused: z.boolean() });
const observationBody = z.object({ text: z.string().trim().min(1, 'must not be empty').max(MAX_OBSERVATION_CHARS, `must be at most ${MAX_OBSERVATION_CHARS} characters`) });
const answersBody = z.object({
  correctHypothesisId: z.string().max(64).nullable().optional().meta({ description: 'The card that is the correct hypothesis, when the match phrases miss it' }),
  runbookHelped: z.enum(RUNBOOK_VERDICTS, { error: 'must be yes, partly or no' }).nullable().optional(),
  runbookNote: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
});
const findingBody = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
  ownerId: id,
  dueDate: z.iso.date({ error: 'must be a date like 2026-03-01' }),
  kind: z.enum(ACTION_KINDS, { error: `must be one of ${ACTION_KINDS.join(', ')}` }).default('structural'),
  priority: z.enum(ACTION_PRIORITIES, { error: `must be one of ${ACTION_PRIORITIES.join(', ')}` }).default('p2'),
});
const injectKey = z.string().regex(/^\d{1,3}$/, 'must be an inject number');

const tags = ['Practice'];
const consoleResponse = { description: 'The facilitator’s console', schema: z.object({ drill: DrillConsoleSchema }) };
const docs = {
  list: describe({ tags, scope: 'incidents:read', summary: 'Drills', description: 'Drills you facilitate or whose incident you may see; running first.', responses: { 200: { description: 'Drills', schema: z.object({ drills: z.array(DrillRunSummarySchema) }) } } }),
  start: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Start a drill',
    description: 'Declares a drill incident from the scenario’s current version with the chosen responders (the commander named), the caller facilitating as an observer, and releases the injects scheduled at +0.',
    body: startBody,
    responses: { 201: consoleResponse },
    errors: [404],
  }),
  console: describe({ tags, scope: 'incidents:read', summary: 'The facilitator’s console', description: 'Script, hidden answer, every inject, observations. Only the facilitator: anyone else gets 404.', responses: { 200: consoleResponse }, errors: [404] }),
  release: describe({ tags, scope: 'incidents:write', summary: 'Release an inject now', description: 'Idempotent: an inject already released stays as it was. Alerts go through the routing rules.', responses: { 200: consoleResponse }, errors: [404, 409] }),
  clock: describe({ tags, scope: 'incidents:write', summary: 'Pause or resume the drill clock', description: 'Scheduled injects wait while the clock is paused; debrief times leave the pause out.', body: clockBody, responses: { 200: consoleResponse }, errors: [404, 409] }),
  end: describe({ tags, scope: 'incidents:write', summary: 'End the drill', description: 'Stops the clock and opens the debrief to the team; an unresolved drill incident is resolved by the facilitator. Idempotent.', responses: { 200: consoleResponse }, errors: [404] }),
  observe: describe({ tags, scope: 'incidents:write', summary: 'Write a private observation', description: 'Only the facilitator sees it until the debrief.', body: observationBody, responses: { 201: consoleResponse }, errors: [404] }),
  answers: describe({ tags, scope: 'incidents:write', summary: 'Answer the debrief’s questions', description: 'The correct hypothesis card (when the phrases miss it) and whether the runbook helped.', body: answersBody, responses: { 200: consoleResponse }, errors: [404] }),
  debrief: describe({
    tags,
    scope: 'incidents:read',
    summary: 'The debrief',
    description: 'Key times on the drill clock, the correct hypothesis, paths ruled out, injects, the runbook, observations and findings. The facilitator any time; the team once the drill ended.',
    responses: { 200: { description: 'The debrief', schema: DebriefEnvelopeSchema } },
    errors: [404],
  }),
  debriefMarkdown: describe({ tags, scope: 'incidents:read', summary: 'The debrief as Markdown', responses: { 200: { description: 'Markdown', contentType: 'text/markdown' } }, errors: [404] }),
  finding: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Add a playbook finding',
    description: 'Becomes an action item on /follow-ups at once, with its owner and due date. The facilitator or an admin.',
    body: findingBody,
    responses: { 201: { description: 'Created', schema: Ok } },
    errors: [403, 404],
  }),
  team: describe({
    tags,
    scope: 'incidents:read',
    summary: 'The drill this incident is part of, as the team sees it',
    description: 'The briefing and the injects released so far; never the answer or the facilitator’s notes. 404 when the incident is not a drill run from a scenario.',
    responses: { 200: { description: 'The drill', schema: z.object({ drill: TeamDrillSchema }) } },
  }),
};


/** Runs a drill command, turning its expected refusals into API errors. */
async function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Refusal) throw failed(error.failure);
    throw error;
  }
}

export function drillRunRoutes(deps: AppDeps, mirror: LiveMirror) {
  const { sql } = deps;
  const alertDeps: AlertDeps = { sql, mirror, docs: deps.live ?? null, log: deps.log };

  async function consoleOf(c: Context<AppEnv>, run: DrillRun, status: 200 | 201 = 200) {
    const now = new Date();
    const [scenario, releases, observations, participants] = await Promise.all([
      scenarioOfVersion(sql, run.scenarioId, run.scenarioVersion),
      listReleases(sql, run.id),
      listObservations(sql, run.id),
      listParticipants(sql, run.incident.id),
    ]);
    return c.json({ drill: toConsoleView(run, scenario, releases, observations, participants, currentUser(c).user.id, now) }, status);
  }

  /** The run for its facilitator; 404 for everyone else, whatever they may otherwise see. */
  async function facilitated(c: Context<AppEnv>): Promise<DrillRun> {
    const run = await findRun(sql, c.req.param('id') ?? '');
    if (!run || !mayRunConsole(run, actorOf(c))) throw notFound('No such drill.');
    return run;
  }

  async function seesIncident(actor: Actor, incidentId: string): Promise<boolean> {
    return (await standingIn(sql, actor, await findIncidentById(sql, incidentId))) !== null;
  }

  async function debriefOf(c: Context<AppEnv>) {
    const actor = actorOf(c);
    const run = await findRun(sql, c.req.param('id') ?? '');
    if (!run || !mayReadDebrief(run, actor, await seesIncident(actor, run.incident.id))) throw notFound('No such drill, or its debrief is not open yet.');
    const facts = await loadDebriefFacts(sql, actor, run);
    return { run, actor, facts, debrief: computeDebrief(facts, new Date()) };
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.list, async (c) => {
      const actor = actorOf(c);
      const now = new Date();
      return c.json({ drills: (await listRuns(sql, actor)).map((run) => toRunSummary(run, actor.id, now)) });
    })
    .post('/', docs.start, async (c) => {
      const actor = actorOf(c);
      const input = await readJson(c, startBody);
      const started = await attempt(() => startDrill(sql, actor, input));
      await mirror.publish(started.incident, started.events);
      c.var.log.info({ incidentId: started.incident.id, drillId: started.run.id, userId: actor.id, scenarioId: input.scenarioId }, 'drill started');
      await releaseDueInRun(alertDeps, started.run, started.scenario);
      return consoleOf(c, (await findRun(sql, started.run.id))!, 201);
    })
    .get('/:id', docs.console, async (c) => consoleOf(c, await facilitated(c)))
    .post('/:id/injects/:key/release', docs.release, async (c) => {
      const run = await facilitated(c);
      const key = parse(injectKey, c.req.param('key'));
      const actor = actorOf(c);
      await attempt(() => releaseInject(alertDeps, run.id, key, { id: actor.id, displayName: actor.displayName }));
      return consoleOf(c, (await findRun(sql, run.id))!);
    })
    .post('/:id/clock', docs.clock, async (c) => {
      const { paused } = await readJson(c, clockBody);
      const run = await attempt(() => setClock(sql, actorOf(c), c.req.param('id'), paused));
      c.var.log.info({ incidentId: run.incident.id, drillId: run.id, paused }, 'drill clock changed');
      return consoleOf(c, run);
    })
    .post('/:id/end', docs.end, async (c) => {
      const actor = actorOf(c);
      const ended = await attempt(() => endDrill(sql, actor, c.req.param('id')));
      await mirror.publish(ended.incident, ended.events);
      c.var.log.info({ incidentId: ended.incident.id, drillId: ended.run.id, userId: actor.id }, 'drill ended');
      return consoleOf(c, ended.run);
    })
    .post('/:id/observations', docs.observe, async (c) => {
      const { text } = await readJson(c, observationBody);
      await attempt(() => addObservation(sql, actorOf(c), c.req.param('id'), text));
      return consoleOf(c, await facilitated(c), 201);
    })
    .patch('/:id/debrief', docs.answers, async (c) => {
      const answers = await readJson(c, answersBody);
      return consoleOf(c, await attempt(() => answerDebrief(sql, actorOf(c), c.req.param('id'), answers)));
    })
    .get('/:id/debrief', docs.debrief, async (c) => {
      const { run, actor, facts, debrief } = await debriefOf(c);
      return c.json({
        debrief,
        run: toRunSummary(run, actor.id, new Date()),
        can: { answer: mayRunConsole(run, actor), writeFindings: mayWriteFindings(run, actor) },
        board: facts.cards.map((card) => ({ id: card.id, statement: card.statement, status: card.status })),
      });
    })
    .get('/:id/debrief/export.md', docs.debriefMarkdown, async (c) => {
      const { run, debrief } = await debriefOf(c);
      return c.body(debriefMarkdown(debrief), 200, {
        'Content-Type': 'text/markdown; charset=utf-8',
        'Content-Disposition': `attachment; filename="INC-${run.incident.number}-drill-debrief.md"`,
        'Cache-Control': 'no-store',
      });
    })
    .post('/:id/findings', docs.finding, async (c) => {
      const actor = actorOf(c);
      const input = await readJson(c, findingBody);
      const run = await findRun(sql, c.req.param('id'));
      const visible = run !== null && (mayRunConsole(run, actor) || (await seesIncident(actor, run.incident.id)));
      if (!run || !visible) throw notFound('No such drill.');
      if (!mayWriteFindings(run, actor)) throw new ApiError(403, 'forbidden', 'Only the drill’s facilitator or an admin writes its findings.');
      if (!(await findActiveUser(sql, input.ownerId))) throw new ApiError(400, 'unknown_user', 'ownerId: no active user with that id', { field: 'ownerId' });
      const itemId = await insertFoundItem(sql, { incidentId: run.incident.id, origin: 'debrief', originId: run.id, ...input });
      c.var.log.info({ incidentId: run.incident.id, drillId: run.id, userId: actor.id, actionItemId: itemId }, 'drill finding added');
      return c.json({ ok: true as const }, 201);
    });
}

/** GET /api/incidents/:ref/drill: the team's view of the drill. */
export function incidentDrillRoutes({ sql }: AppDeps) {
  return new Hono<IncidentEnv>().get('/:ref/drill', docs.team, async (c) => {
    const actor = actorOf(c);
    const { seen } = c.var;
    const run = seen.incident.drill ? await findRunOfIncident(sql, seen.incident.id) : null;
    if (!run) throw notFound('This incident is not a drill run from a scenario.');
    const [scenario, releases] = await Promise.all([scenarioOfVersion(sql, run.scenarioId, run.scenarioVersion), listReleases(sql, run.id)]);
    return c.json({ drill: toTeamView(run, scenario, releases, actor.id, new Date()) });
  });
}

