/**
 * /api/drills/scenarios: the scenario library. Any member reads and writes
 * scenarios, versioned like runbooks; a responder in a running drill of a
 * scenario cannot open its text (it holds the answer) until the drill ends.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { actorOf } from './actor.ts';
import { requireUser } from './auth-middleware.ts';
import { createScenario, updateScenario, type Editor, type ScenarioResult } from '../drills/scenario-commands.ts';
import { findScenario, findScenarioVersion, listScenarios, listScenarioVersions, type ScenarioRecord } from '../drills/scenario-repo.ts';
import { diffLines } from '../runbooks/diff.ts';
import { MAX_SCENARIO_CHARS } from '../shared/drill-scenario.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { toScenarioSummary, toScenarioVersionSummary, toScenarioVersionView, toScenarioView } from './drill-views.ts';
import { ScenarioProblemsSchema, ScenarioSchema, ScenarioSummarySchema, ScenarioVersionSchema, ScenarioVersionSummarySchema } from '../shared/api/drills.ts';
import { failed, notFound } from './errors.ts';
import { ErrorResponse } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { DiffLineSchema } from '../shared/api/runbooks.ts';
import { parse, readJson } from './validate.ts';

const body = z.string().max(MAX_SCENARIO_CHARS, `must be at most ${MAX_SCENARIO_CHARS} characters`).meta({ description: 'Front matter + Markdown (see /drills/new for the format)' });
const note = z.string().trim().max(300, 'must be at most 300 characters');
const version = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more');
const createBody = z.object({ body, note: note.optional() });
const updateBody = z.object({ baseVersion: version.meta({ description: 'The version you started editing from; a newer saved version answers 409 with it' }), body, note: note.optional() });
const diffQuery = z.object({ from: version, to: version });

const tags = ['Practice'];
const one = { description: 'The scenario', schema: z.object({ scenario: ScenarioSchema }) };
const invalid = { description: 'The scenario does not parse: every problem with its line', schema: ErrorResponse.extend({ problems: ScenarioProblemsSchema.optional() }) };
const docs = {
  list: describe({ tags, scope: 'incidents:read', summary: 'List drill scenarios', description: 'Alphabetical, without their text.', responses: { 200: { description: 'Scenarios', schema: z.object({ scenarios: z.array(ScenarioSummarySchema) }) } } }),
  create: describe({ tags, scope: 'incidents:write', summary: 'Write a new scenario', description: 'Any member. The title comes from the front matter.', body: createBody, responses: { 201: one, 400: invalid } }),
  get: describe({ tags, scope: 'incidents:read', summary: 'Get a scenario by id or slug', description: 'With its text, hidden answer included; 404 to a responder of a running drill of it.', responses: { 200: one }, errors: [404] }),
  update: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Save a new version of a scenario',
    description: 'Send baseVersion = the version you edited; if someone saved since, 409 version_conflict carries `current` and nothing is written. Drills already started keep their version.',
    body: updateBody,
    responses: { 200: one, 400: invalid, 409: { description: 'Someone saved first: their version, nothing written', schema: ErrorResponse.extend({ current: ScenarioSchema.optional() }) } },
    errors: [404],
  }),
  versions: describe({ tags, scope: 'incidents:read', summary: 'Version history of a scenario', responses: { 200: { description: 'Newest first', schema: z.object({ versions: z.array(ScenarioVersionSummarySchema) }) } }, errors: [404] }),
  version: describe({ tags, scope: 'incidents:read', summary: 'One version of a scenario as written', responses: { 200: { description: 'The version', schema: z.object({ version: ScenarioVersionSchema }) } }, errors: [404] }),
  diff: describe({ tags, scope: 'incidents:read', summary: 'Line diff between two versions of a scenario', query: diffQuery, responses: { 200: { description: 'Lines', schema: z.object({ from: z.number().int(), to: z.number().int(), lines: z.array(DiffLineSchema) }) } }, errors: [404] }),
};

function respond(c: Context<AppEnv>, editor: Editor, result: ScenarioResult, status: 200 | 201 = 200) {
  if (!result.ok) {
    if (result.current) throw failed(result, { alongside: { current: toScenarioView(result.current) } });
    if (result.problems) throw failed(result, { alongside: { problems: result.problems } });
    throw failed(result);
  }
  c.var.log.info({ scenarioId: result.scenario.id, version: result.scenario.version, userId: editor.id }, 'drill scenario saved');
  return c.json({ scenario: toScenarioView(result.scenario) }, status);
}

export function drillScenarioRoutes({ sql }: AppDeps) {
  /** The scenario if the viewer may read its text; a responder of a running drill of it gets "not found". */
  async function load(editor: Editor, idOrSlug: string): Promise<ScenarioRecord> {
    const scenario = idOrSlug.includes('\u0000') ? null : await findScenario(sql, editor, idOrSlug);
    if (!scenario || scenario.hidden) throw notFound('No such scenario.');
    return scenario;
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.list, async (c) => c.json({ scenarios: (await listScenarios(sql, actorOf(c))).map(toScenarioSummary) }))
    .post('/', docs.create, async (c) => {
      const input = await readJson(c, createBody);
      const editor = actorOf(c);
      return respond(c, editor, await createScenario(sql, editor, input), 201);
    })
    .get('/:id', docs.get, async (c) => c.json({ scenario: toScenarioView(await load(actorOf(c), c.req.param('id'))) }))
    .put('/:id', docs.update, async (c) => {
      const editor = actorOf(c);
      const input = await readJson(c, updateBody);
      const scenario = await load(editor, c.req.param('id'));
      return respond(c, editor, await updateScenario(sql, editor, scenario.id, input.baseVersion, input));
    })
    .get('/:id/versions', docs.versions, async (c) => {
      const scenario = await load(actorOf(c), c.req.param('id'));
      return c.json({ versions: (await listScenarioVersions(sql, scenario.id)).map(toScenarioVersionSummary) });
    })
    .get('/:id/versions/:version', docs.version, async (c) => {
      const scenario = await load(actorOf(c), c.req.param('id'));
      const found = await findScenarioVersion(sql, scenario.id, parse(version, c.req.param('version')));
      if (!found) throw notFound(`The scenario has no version ${c.req.param('version')}.`);
      return c.json({ version: toScenarioVersionView(found) });
    })
    .get('/:id/diff', docs.diff, async (c) => {
      const scenario = await load(actorOf(c), c.req.param('id'));
      const { from, to } = parse(diffQuery, c.req.query());
      const [before, after] = await Promise.all([findScenarioVersion(sql, scenario.id, from), findScenarioVersion(sql, scenario.id, to)]);
      if (!before || !after) throw notFound(`The scenario has no version ${before ? to : from}.`);
      return c.json({ from, to, lines: diffLines(before.body, after.body) });
    });
}
