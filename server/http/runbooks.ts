import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { MARKDOWN_LIMITS } from '../shared/markdown-limits.ts';
import { actorOf } from './actor.ts';
import { requireUser } from './auth-middleware.ts';
import { createRunbook, stampRunbook, updateRunbook, type Editor, type RunbookResult } from '../runbooks/commands.ts';
import { noteRunbookOpened } from '../drills/run-repo.ts';
import { diffLines } from '../runbooks/diff.ts';
import { runbooksForIncident } from '../runbooks/incident-panel.ts';
import { findRunbook, findVersion, listRunbooks, listStamps, listVersions, STAMP_KINDS, type Runbook } from '../runbooks/repo.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { failed, notFound } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { ErrorResponse } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { toRunbookSummary, toRunbookView, toVersionSummary, toVersionView } from './runbook-views.ts';
import {
  DiffLineSchema,
  IncidentRunbooksSchema,
  RunbookSchema,
  RunbookSummarySchema,
  RunbookVersionSchema,
  RunbookVersionSummarySchema,
} from '../shared/api/runbooks.ts';
import { id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const body = z.string().max(MARKDOWN_LIMITS.runbook, `must be at most ${MARKDOWN_LIMITS.runbook} characters`);
const services = z.array(z.string().trim().toLowerCase().max(60, 'must be at most 60 characters')).max(20, 'at most 20 services');
const failureMode = z.string().trim().max(300, 'must be at most 300 characters');
const note = z.string().trim().max(300, 'must be at most 300 characters');
const incidentRef = z
  .string()
  .regex(/^(?:inc-)?\d{1,9}$/i, 'must be an incident reference like INC-42')
  .transform((ref) => Number(/\d+/.exec(ref)![0]));
const privateQuoteFields = {
  fromIncident: incidentRef.optional().meta({ description: 'Written from this incident; a private one quoted in the runbook answers 409 quotes_private_incident' }),
  quotePrivate: z.boolean().optional().meta({ description: 'Save even though the runbook quotes a private incident (after the 409 warning)' }),
};
const version = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more');

const createBody = z.object({
  title,
  body,
  services: services.optional(),
  failureMode: failureMode.optional(),
  ownerId: id.nullable().optional(),
  note: note.optional(),
  verifiedIn: incidentRef.optional().meta({ description: 'Written from this incident: stamps the runbook verified there' }),
  ...privateQuoteFields,
});
const updateBody = z.object({
  baseVersion: version.meta({ description: 'The version you started editing from; a newer saved version answers 409 with it' }),
  title: title.optional(),
  body,
  services: services.optional(),
  failureMode: failureMode.optional(),
  ownerId: id.nullable().optional(),
  note: note.optional(),
  verifiedIn: incidentRef.optional().meta({ description: 'Checked against this incident: stamps the runbook verified there' }),
  ...privateQuoteFields,
});
const stampBody = z.object({ incident: incidentRef, kind: z.enum(STAMP_KINDS, { error: 'must be used or verified' }) });
const listQuery = z.object({
  service: z.string().trim().toLowerCase().max(60, 'must be at most 60 characters').optional(),
  stale: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional().meta({ description: 'Words in the title, failure mode, body or services' }),
});
const diffQuery = z.object({ from: version, to: version });

const tags = ['Runbooks'];
const one = { description: 'The runbook', schema: z.object({ runbook: RunbookSchema }) };
const docs = {
  list: describe({ tags, scope: 'incidents:read', summary: 'List runbooks', description: 'Alphabetical. Filter by service, staleness or words.', query: listQuery, responses: { 200: { description: 'Runbooks', schema: z.object({ runbooks: z.array(RunbookSummarySchema) }) } } }),
  create: describe({ tags, scope: 'incidents:write', summary: 'Write a new runbook', description: 'Any member. The writer owns it unless ownerId names someone else.', body: createBody, responses: { 201: one }, errors: [404, 409] }),
  get: describe({ tags, scope: 'incidents:read', summary: 'Get a runbook by id or slug', description: 'With its stamps in incidents the caller may see.', responses: { 200: one }, errors: [404] }),
  update: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Save a new version',
    description: 'Any member. Send baseVersion = the version you edited; if someone saved since, 409 version_conflict carries `current` (their runbook) and nothing is written. Saving unchanged text with verifiedIn only stamps it verified.',
    body: updateBody,
    responses: { 200: one, 409: { description: 'Someone saved first: their version, nothing written', schema: ErrorResponse.extend({ current: RunbookSchema.optional() }) } },
    errors: [404],
  }),
  versions: describe({ tags, scope: 'incidents:read', summary: 'Version history', description: 'Newest first, with author and note.', responses: { 200: { description: 'Versions', schema: z.object({ versions: z.array(RunbookVersionSummarySchema) }) } }, errors: [404] }),
  version: describe({ tags, scope: 'incidents:read', summary: 'One version as written', responses: { 200: { description: 'The version', schema: z.object({ version: RunbookVersionSchema }) } }, errors: [404] }),
  diff: describe({ tags, scope: 'incidents:read', summary: 'Line diff between two versions', query: diffQuery, responses: { 200: { description: 'Lines of the diff', schema: z.object({ from: z.number().int(), to: z.number().int(), lines: z.array(DiffLineSchema) }) } }, errors: [404] }),
  stamp: describe({ tags, scope: 'incidents:write', summary: 'Stamp “used in” or “verified in” an incident', description: 'The incident must be one the caller may see (private incidents are 404 to outsiders).', body: stampBody, responses: { 201: one }, errors: [404] }),
  forIncident: describe({ tags, scope: 'incidents:read', summary: 'Runbooks for an incident’s services', description: 'For the war-room panel; once resolved, also the prompt to update or write the runbook.', responses: { 200: { description: 'Runbooks and the prompt', schema: IncidentRunbooksSchema } } }),
};

async function respond(c: Context<AppEnv>, sql: AppDeps['sql'], editor: Editor, result: RunbookResult, status: 200 | 201 = 200) {
  if (!result.ok) {
    // The conflict carries the saved version so the editor can show it next to the user's unsaved text.
    const current = result.current ? { current: toRunbookView(result.current, await listStamps(sql, editor, result.current.id)) } : undefined;
    throw failed(result, { alongside: current });
  }
  c.var.log.info({ runbookId: result.runbook.id, version: result.runbook.version, userId: editor.id }, 'runbook changed');
  return c.json({ runbook: toRunbookView(result.runbook, await listStamps(sql, editor, result.runbook.id)) }, status);
}

/** Runbooks: any member reads and edits; every save is a version. */
export function runbookRoutes({ sql }: AppDeps) {
  async function load(editor: Editor, idOrSlug: string): Promise<Runbook> {
    // No id or slug holds U+0000, and the database refuses to compare text with it.
    const runbook = idOrSlug.includes('\u0000') ? null : await findRunbook(sql, editor, idOrSlug);
    if (!runbook) throw notFound('No such runbook.');
    return runbook;
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.list, async (c) => {
      const query = parse(listQuery, c.req.query());
      const now = new Date();
      const runbooks = (await listRunbooks(sql, actorOf(c), { services: query.service ? [query.service] : undefined, q: query.q })).map((r) => toRunbookSummary(r, now));
      const stale = query.stale === undefined ? null : query.stale === 'true';
      return c.json({ runbooks: stale === null ? runbooks : runbooks.filter((r) => r.stale === stale) });
    })
    .post('/', docs.create, async (c) => {
      const input = await readJson(c, createBody);
      const editor = actorOf(c);
      return respond(c, sql, editor, await createRunbook(sql, editor, input), 201);
    })
    .get('/:id', docs.get, async (c) => {
      const editor = actorOf(c);
      const runbook = await load(editor, c.req.param('id'));
      // A drill's debrief asks whether its responders found the expected runbook.
      await noteRunbookOpened(sql, editor.id, runbook.id);
      return c.json({ runbook: toRunbookView(runbook, await listStamps(sql, editor, runbook.id)) });
    })
    .put('/:id', docs.update, async (c) => {
      const editor = actorOf(c);
      const input = await readJson(c, updateBody);
      const runbook = await load(editor, c.req.param('id'));
      return respond(c, sql, editor, await updateRunbook(sql, editor, runbook.id, input.baseVersion, input));
    })
    .get('/:id/versions', docs.versions, async (c) => {
      const runbook = await load(actorOf(c), c.req.param('id'));
      return c.json({ versions: (await listVersions(sql, runbook.id)).map(toVersionSummary) });
    })
    .get('/:id/versions/:version', docs.version, async (c) => {
      const runbook = await load(actorOf(c), c.req.param('id'));
      const found = await findVersion(sql, runbook.id, parse(version, c.req.param('version')));
      if (!found) throw notFound(`The runbook has no version ${c.req.param('version')}.`);
      return c.json({ version: toVersionView(found) });
    })
    .get('/:id/diff', docs.diff, async (c) => {
      const runbook = await load(actorOf(c), c.req.param('id'));
      const { from, to } = parse(diffQuery, c.req.query());
      const [before, after] = await Promise.all([findVersion(sql, runbook.id, from), findVersion(sql, runbook.id, to)]);
      if (!before || !after) throw notFound(`The runbook has no version ${before ? to : from}.`);
      return c.json({ from, to, lines: diffLines(before.body, after.body) });
    })
    .post('/:id/stamps', docs.stamp, async (c) => {
      const editor = actorOf(c);
      const input = await readJson(c, stampBody);
      const runbook = await load(editor, c.req.param('id'));
      return respond(c, sql, editor, await stampRunbook(sql, editor, runbook.id, input.incident, input.kind), 201);
    });
}

/** The war-room panel's runbooks, under /api/incidents/:ref/runbooks. */
export function incidentRunbookRoutes({ sql }: AppDeps) {
  return new Hono<IncidentEnv>().get('/:ref/runbooks', docs.forIncident, async (c) => {
    const { runbooks, prompt } = await runbooksForIncident(sql, actorOf(c), c.var.seen);
    const now = new Date();
    return c.json({ runbooks: runbooks.map((r) => toRunbookSummary(r, now)), prompt });
  });
}
