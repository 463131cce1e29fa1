/**
 * The postmortem of an incident: its review state, the review's moves, the
 * published versions and the Markdown export (contract: /work/briefs/pm-api.md).
 * The draft itself is edited live through /collab (postmortem-<incident id>).
 * Mounted at /incidents next to the incident routes; every path has at least
 * two segments, so none meets the incident router's /:ref.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { findIncidentByNumber, type Incident } from '../incidents/repo.ts';
import { standingIn, type IncidentStanding } from '../incidents/visibility.ts';
import { countActionItems } from '../postmortem/action-items.ts';
import {
  publishPostmortem,
  revisePostmortem,
  sendBackPostmortem,
  setPostmortemDueDate,
  submitPostmortem,
  type Actor,
  type ReviewResult,
} from '../postmortem/commands.ts';
import { ensurePostmortem, readLive } from '../postmortem/generation.ts';
import { toMarkdown } from '../postmortem/markdown-export.ts';
import { findPostmortem, findVersion, listVersions } from '../postmortem/repo.ts';
import { reviewCan, reviewerOf, POSTMORTEM_STATES } from '../postmortem/review.ts';
import { toPostmortemView } from '../postmortem/view.ts';
import { renderMarkdown } from '../shared/markdown.ts';
import { readPostmortem } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { parseIncidentRef } from './incidents.ts';
import { PersonRef } from './openapi/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const instant = z.iso.datetime();
const Can = z.strictObject({ edit: z.boolean(), submit: z.boolean(), sendBack: z.boolean(), publish: z.boolean(), revise: z.boolean(), setDueDate: z.boolean() });
export const PostmortemEnvelope = z
  .strictObject({
    incident: z.strictObject({
      id: z.string(),
      number: z.number().int(),
      title: z.string(),
      severity: z.number().int(),
      state: z.string(),
      services: z.array(z.string()),
      resolvedAt: instant.nullable(),
      closedAt: instant.nullable(),
    }),
    postmortem: z
      .strictObject({
        docId: z.string(),
        state: z.enum(POSTMORTEM_STATES),
        reviewDueAt: instant,
        overdue: z.boolean(),
        generatedAt: instant,
        submittedAt: instant.nullable(),
        submittedBy: PersonRef.nullable(),
        publishedAt: instant.nullable(),
        publishedBy: PersonRef.nullable(),
        version: z.number().int(),
        versions: z.array(z.strictObject({ version: z.number().int(), publishedAt: instant, publishedBy: PersonRef.nullable() })),
      })
      .nullable(),
    can: Can,
    actionItems: z.strictObject({ total: z.number().int(), done: z.number().int(), overdue: z.number().int() }),
  })
  .meta({ id: 'PostmortemEnvelope', description: 'An incident’s postmortem as the caller sees it; postmortem is null until the incident is closed.' });

const PostmortemVersionBody = z
  .strictObject({
    version: z.number().int(),
    publishedAt: instant,
    publishedBy: PersonRef.nullable(),
    snapshot: z.record(z.string(), z.unknown()).meta({ description: 'PostmortemContent (server/shared/postmortem-doc.ts) as published' }),
    markdown: z.string(),
    html: z.string(),
  })
  .meta({ id: 'PostmortemVersion' });

const dueDateBody = z.object({
  reviewDueAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).transform((s) => new Date(s)),
});
const versionParam = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000);
const exportQuery = z.object({ version: versionParam.optional() });

const tags = ['Postmortems'];
const envelope = { 200: { description: 'The postmortem after the change', schema: PostmortemEnvelope } };
const docs = {
  get: describe({ tags, summary: 'Get the postmortem’s review state', description: 'Anyone who can see the incident.', responses: envelope }),
  generate: describe({
    tags,
    summary: 'Draft the postmortem now if it is missing',
    description: 'Closing the incident drafts it; this is the retry when that failed. Idempotent. 409 while the incident is not closed.',
    responses: envelope,
    errors: [409, 503],
  }),
  submit: describe({ tags, summary: 'Submit the draft for review', description: 'Anyone who can edit it (responders, role holders, admins).', responses: envelope, errors: [403, 409] }),
  sendBack: describe({ tags, summary: 'Send the postmortem back to draft', description: 'Anyone who can edit it.', responses: envelope, errors: [403, 409] }),
  publish: describe({
    tags,
    summary: 'Publish the postmortem',
    description:
      'Commander or admin, from in review. Freezes a new version, creates or updates the action items and makes the document read-only. ' +
      '422 not_ready with `problems` when action items lack an owner or a due date, or the summary is empty.',
    responses: envelope,
    errors: [403, 409, 422, 503],
  }),
  revise: describe({ tags, summary: 'Start a revision of a published postmortem', description: 'Commander or admin. The next publication is version N+1.', responses: envelope, errors: [403, 409] }),
  dueDate: describe({ tags, summary: 'Change the review due date', description: 'Commander or admin, before publication.', body: dueDateBody, responses: envelope, errors: [403, 409] }),
  version: describe({ tags, summary: 'One published version', description: 'The snapshot exactly as published, its Markdown and that Markdown rendered.', responses: { 200: { description: 'The version', schema: PostmortemVersionBody } } }),
  export: describe({
    tags,
    summary: 'Download the postmortem as Markdown',
    description: 'A published version (default: the latest, when published), or the current draft.',
    query: exportQuery,
    responses: { 200: { description: 'INC-<n>-postmortem.md', contentType: 'text/markdown' } },
  }),
};

function actorOf(c: Context<AppEnv>): Actor {
  const { user } = currentUser(c);
  return { id: user.id, displayName: user.displayName, isAdmin: user.role === 'admin' };
}

export function postmortemRoutes({ sql, live, config }: AppDeps) {
  const generation = live ? { sql, live, reviewDays: config.postmortemReviewDays } : null;

  async function loadVisible(actor: Actor, ref: string): Promise<IncidentStanding> {
    const seen = await standingIn(sql, actor, await findIncidentByNumber(sql, parseIncidentRef(ref)));
    if (!seen) throw notFound('No such incident.');
    return seen;
  }

  async function view(seen: IncidentStanding) {
    const { incident } = seen;
    const postmortem = await findPostmortem(sql, incident.id);
    const versions = postmortem ? await listVersions(sql, incident.id) : [];
    const can = reviewCan(postmortem?.state ?? null, reviewerOf(seen.standing), incident.state === 'closed');
    return toPostmortemView(incident, postmortem, versions, can, await countActionItems(sql, incident.id), new Date());
  }

  async function respond(c: Context<AppEnv>, actor: Actor, result: ReviewResult) {
    if (!result.ok) {
      const error = { code: result.code, message: result.message, ...(result.problems ? { problems: result.problems } : {}) };
      return c.json({ error }, result.status);
    }
    c.var.log.info({ incidentId: result.incident.id, userId: actor.id, state: result.postmortem.state, version: result.postmortem.version }, 'postmortem changed');
    return c.json(await view(await loadVisible(actor, String(result.incident.number))));
  }

  /** Publication and revision change who may write the document: re-decide its open connections. */
  async function reauthorize(result: ReviewResult) {
    if (result.ok && live) await live.reauthorize(result.postmortem.docId);
  }

  function requireLive() {
    if (!live || !generation) throw new ApiError(503, 'live_unavailable', 'Live documents are not available on this server right now. Try again.');
    return { live, generation };
  }

  const exportName = (incident: Incident) => `INC-${incident.number}-postmortem.md`;

  return new Hono<AppEnv>()
    .get('/:ref/postmortem', docs.get, requireUser, async (c) => c.json(await view(await loadVisible(actorOf(c), c.req.param('ref')))))
    .post('/:ref/postmortem', docs.generate, requireUser, async (c) => {
      const seen = await loadVisible(actorOf(c), c.req.param('ref'));
      if (seen.incident.state !== 'closed') {
        throw new ApiError(409, 'not_closed', 'The postmortem is drafted when the incident is closed; this incident is not closed.');
      }
      const { generation } = requireLive();
      await ensurePostmortem(generation, seen.incident.id);
      return c.json(await view(seen));
    })
    .patch('/:ref/postmortem', docs.dueDate, requireUser, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, dueDateBody);
      return respond(c, actor, await setPostmortemDueDate(sql, actor, parseIncidentRef(c.req.param('ref')), body.reviewDueAt));
    })
    .post('/:ref/postmortem/submit', docs.submit, requireUser, async (c) => {
      const actor = actorOf(c);
      return respond(c, actor, await submitPostmortem(sql, actor, parseIncidentRef(c.req.param('ref'))));
    })
    .post('/:ref/postmortem/send-back', docs.sendBack, requireUser, async (c) => {
      const actor = actorOf(c);
      return respond(c, actor, await sendBackPostmortem(sql, actor, parseIncidentRef(c.req.param('ref'))));
    })
    .post('/:ref/postmortem/publish', docs.publish, requireUser, async (c) => {
      const actor = actorOf(c);
      const result = await publishPostmortem(sql, requireLive().live, actor, parseIncidentRef(c.req.param('ref')));
      await reauthorize(result);
      return respond(c, actor, result);
    })
    .post('/:ref/postmortem/revise', docs.revise, requireUser, async (c) => {
      const actor = actorOf(c);
      const result = await revisePostmortem(sql, actor, parseIncidentRef(c.req.param('ref')));
      await reauthorize(result);
      return respond(c, actor, result);
    })
    .get('/:ref/postmortem/versions/:version', docs.version, requireUser, async (c) => {
      const { incident } = await loadVisible(actorOf(c), c.req.param('ref'));
      const number = parse(versionParam, c.req.param('version'));
      const found = await findVersion(sql, incident.id, number);
      if (!found) throw notFound(`Version ${number} of this postmortem has not been published.`);
      return c.json({
        version: found.version,
        publishedAt: found.publishedAt.toISOString(),
        publishedBy: found.publishedBy,
        snapshot: found.snapshot,
        markdown: found.markdown,
        html: renderMarkdown(found.markdown),
      });
    })
    .get('/:ref/postmortem/export.md', docs.export, requireUser, async (c) => {
      const query = parse(exportQuery, c.req.query());
      const { incident } = await loadVisible(actorOf(c), c.req.param('ref'));
      const postmortem = await findPostmortem(sql, incident.id);
      if (!postmortem) throw notFound('This incident has no postmortem yet: it is drafted when the incident is closed.');
      let markdown: string;
      const wanted = query.version ?? (postmortem.state === 'published' ? postmortem.version : null);
      if (wanted !== null) {
        const found = await findVersion(sql, incident.id, wanted);
        if (!found) throw notFound(`Version ${wanted} of this postmortem has not been published.`);
        markdown = found.markdown;
      } else {
        const content = await readLive(requireLive().live, postmortem.docId, readPostmortem);
        markdown = toMarkdown(content, { incident, version: null, publishedAt: null, publishedBy: null });
      }
      return c.body(markdown, 200, {
        'content-type': 'text/markdown; charset=utf-8',
        'content-disposition': `attachment; filename="${exportName(incident)}"`,
      });
    });
}
