/**
 * The postmortem of an incident: its review state, the review's moves, the
 * published versions and the Markdown export.
 * The draft itself is edited live through /collab (postmortem-<incident id>).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { actorOf } from './actor.ts';
import { findIncidentById, type Incident } from '../incidents/repo.ts';
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
import { ensurePostmortem } from '../postmortem/generation.ts';
import { refreshAfterPublishing } from '../search/refresh.ts';
import { announcePostmortemChange } from '../postmortem/live.ts';
import { toMarkdown } from '../postmortem/markdown-export.ts';
import { findPostmortem, findStoredVersion, findVersion, findVersionPublishedAt, listVersions } from '../postmortem/repo.ts';
import { encodeVersionBody, VersionBodies } from '../postmortem/version-bodies.ts';
import { reviewCan, reviewerOf } from '../postmortem/review.ts';
import { toPostmortemView } from '../postmortem/view.ts';
import { versionHtml } from '../postmortem/version-html.ts';
import type { AppDeps } from './context.ts';
import { ApiError, failed, notFound } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { PostmortemEnvelope, PostmortemVersion } from '../shared/api/postmortems.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const dueDateBody = z.object({
  reviewDueAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).transform((s) => new Date(s)),
});
const versionParam = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000);
const exportQuery = z.object({ version: versionParam.optional() });

const tags = ['Postmortems'];
const envelope = { 200: { description: 'The postmortem after the change', schema: PostmortemEnvelope } };
const docs = {
  get: describe({ tags, scope: 'incidents:read', summary: 'Get the postmortem’s review state', description: 'Anyone who can see the incident.', responses: envelope }),
  generate: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Draft the postmortem now if it is missing',
    description: 'Closing the incident drafts it; this is the retry when that failed. Idempotent. 409 while the incident is not closed.',
    responses: envelope,
    errors: [409, 503],
  }),
  submit: describe({ tags, scope: 'incidents:write', summary: 'Submit the draft for review', description: 'Anyone who can edit it (responders, role holders, admins).', responses: envelope, errors: [403, 409] }),
  sendBack: describe({ tags, scope: 'incidents:write', summary: 'Send the postmortem back to draft', description: 'Anyone who can edit it.', responses: envelope, errors: [403, 409] }),
  publish: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Publish the postmortem',
    description:
      'Commander or admin, from in review. Freezes a new version, creates or updates the action items and makes the document read-only. ' +
      '422 not_ready with `problems` when action items lack an owner or a due date, or the summary is empty.',
    responses: envelope,
    errors: [403, 409, 413, 422, 503],
  }),
  revise: describe({ tags, scope: 'incidents:write', summary: 'Start a revision of a published postmortem', description: 'Commander or admin. The next publication is version N+1.', responses: envelope, errors: [403, 409] }),
  dueDate: describe({ tags, scope: 'incidents:write', summary: 'Change the review due date', description: 'Commander or admin, before publication.', body: dueDateBody, responses: envelope, errors: [403, 409] }),
  version: describe({ tags, scope: 'incidents:read', summary: 'One published version', description: 'The snapshot exactly as published, its Markdown and that Markdown rendered.', responses: { 200: { description: 'The version', schema: PostmortemVersion } } }),
  export: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Download the postmortem as Markdown',
    description: 'A published version (default: the latest, when published), or the current draft.',
    query: exportQuery,
    responses: { 200: { description: 'INC-<n>-postmortem.md', contentType: 'text/markdown' } },
  }),
};

export function postmortemRoutes({ sql, live, config }: AppDeps) {
  const generation = live ? { sql, live, reviewDays: config.postmortemReviewDays } : null;
  // Serialised published versions: they never change, and one can be megabytes.
  const versionBodies = new VersionBodies();

  /** The incident as the command left it, as the caller now sees it. */
  async function reloaded(actor: Actor, incident: Incident): Promise<IncidentStanding> {
    const seen = await standingIn(sql, actor, await findIncidentById(sql, incident.id));
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

  /**
   * Answers a review move. A committed one is first announced to every open
   * page; publication and revision also change who may write the document,
   * so its open connections are re-decided, after the announcement reached them.
   */
  async function respond(c: Context<IncidentEnv>, actor: Actor, result: ReviewResult, options: { accessChanged?: boolean } = {}) {
    if (!result.ok) throw failed(result, { details: result.problems ? { problems: result.problems } : undefined });
    c.var.log.info({ incidentId: result.incident.id, userId: actor.id, state: result.postmortem.state, version: result.postmortem.version }, 'postmortem changed');
    await announcePostmortemChange(live, c.var.log, { incidentId: result.incident.id, userId: actor.id });
    if (options.accessChanged && live) await live.reauthorize(result.postmortem.docId);
    return c.json(await view(await reloaded(actor, result.incident)));
  }

  function requireLive() {
    if (!live || !generation) throw new ApiError(503, 'live_unavailable', 'Live documents are not available on this server right now. Try again.');
    return { live, generation };
  }

  const exportName = (incident: Incident) => `INC-${incident.number}-postmortem.md`;

  return new Hono<IncidentEnv>()
    .get('/:ref/postmortem', docs.get, async (c) => {
      const { seen } = c.var;
      const postmortem = await findPostmortem(sql, seen.incident.id);
      if (live && postmortem && postmortem.state !== 'published') await live.runCommand(postmortem.docId, null, { kind: 'add-missing-sections' });
      return c.json(await view(seen));
    })
    .post('/:ref/postmortem', docs.generate, async (c) => {
      const { seen } = c.var;
      if (seen.incident.state !== 'closed') {
        throw new ApiError(409, 'not_closed', 'The postmortem is drafted when the incident is closed; this incident is not closed.');
      }
      const { generation } = requireLive();
      await ensurePostmortem(generation, seen.incident.id);
      return c.json(await view(seen));
    })
    .patch('/:ref/postmortem', docs.dueDate, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, dueDateBody);
      return respond(c, actor, await setPostmortemDueDate(sql, actor, c.var.seen.incident.number, body.reviewDueAt));
    })
    .post('/:ref/postmortem/submit', docs.submit, async (c) => {
      const actor = actorOf(c);
      return respond(c, actor, await submitPostmortem(sql, actor, c.var.seen.incident.number));
    })
    .post('/:ref/postmortem/send-back', docs.sendBack, async (c) => {
      const actor = actorOf(c);
      return respond(c, actor, await sendBackPostmortem(sql, actor, c.var.seen.incident.number));
    })
    .post('/:ref/postmortem/publish', docs.publish, async (c) => {
      const actor = actorOf(c);
      const result = await publishPostmortem(sql, requireLive().live, actor, c.var.seen.incident.number);
      if (result.ok) await refreshAfterPublishing(sql, c.var.log, result.incident.id, result.postmortem.version);
      return respond(c, actor, result, { accessChanged: true });
    })
    .post('/:ref/postmortem/revise', docs.revise, async (c) => {
      const actor = actorOf(c);
      const result = await revisePostmortem(sql, actor, c.var.seen.incident.number);
      return respond(c, actor, result, { accessChanged: true });
    })
    .get('/:ref/postmortem/versions/:version', docs.version, async (c) => {
      // c.var.seen: the incident middleware decided, for this request, that the reader may see it.
      const { incident } = c.var.seen;
      const number = parse(versionParam, c.req.param('version'));
      const missing = () => notFound(`Version ${number} of this postmortem has not been published.`);
      const json = (body: Buffer) => c.body(body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/json' });
      const key = VersionBodies.key(incident.id, number);
      // A held body is served once its publication time is confirmed; one not held is read in full at once: one query either way.
      const held = versionBodies.get(key);
      if (held) {
        const publishedAt = await findVersionPublishedAt(sql, incident.id, number);
        if (!publishedAt) throw missing();
        if (publishedAt.getTime() === held.publishedAt) return json(held.body);
      }
      const found = await findStoredVersion(sql, incident.id, number);
      if (!found) throw missing();
      const body = await encodeVersionBody(found, await versionHtml(sql, incident.id, found));
      return json(versionBodies.set(key, found.publishedAt, body));
    })
    .get('/:ref/postmortem/export.md', docs.export, async (c) => {
      const query = parse(exportQuery, c.req.query());
      const { incident } = c.var.seen;
      const postmortem = await findPostmortem(sql, incident.id);
      if (!postmortem) throw notFound('This incident has no postmortem yet: it is drafted when the incident is closed.');
      let markdown: string;
      const wanted = query.version ?? (postmortem.state === 'published' ? postmortem.version : null);
      if (wanted !== null) {
        const found = await findVersion(sql, incident.id, wanted);
        if (!found) throw notFound(`Version ${wanted} of this postmortem has not been published.`);
        markdown = found.markdown;
      } else {
        const content = await requireLive().live.runCommand(postmortem.docId, null, { kind: 'read-postmortem' });
        markdown = toMarkdown(content, { incident, version: null, publishedAt: null, publishedBy: null });
      }
      return c.body(markdown, 200, {
        'content-type': 'text/markdown; charset=utf-8',
        'content-disposition': `attachment; filename="${exportName(incident)}"`,
      });
    });
}
