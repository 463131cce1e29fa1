/**
 * /api/reviews: process reviews of recent incidents. A preview computes one
 * from filters; saving freezes the incidents picked, so notes, the delay
 * chosen per incident and the findings stay attached to what was reviewed.
 * Any member reads and writes reviews; each incident in one shows only to
 * those who may see it.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import type { Viewer } from '../incidents/search.ts';
import { findActiveUser, findIncidentById } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import { METRICS } from '../metrics/definitions.ts';
import { insertFoundItem, listActionItems } from '../postmortem/action-items.ts';
import { toActionItemView } from '../postmortem/view.ts';
import { loadReviewFacts, MAX_REVIEW_INCIDENTS, pickIncidents, type ReviewFilter } from '../process-review/facts.ts';
import { findReview, insertReview, listReviews, updateReview, type SavedReview } from '../process-review/repo.ts';
import { DELAY_DEFINITIONS, DELAY_KINDS, reviewIncident, summarizeReview } from '../process-review/review.ts';
import { ACTION_KINDS, ACTION_PRIORITIES } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { Ok } from '../shared/api/components.ts';
import { ProcessReviewSchema, ReviewSummaryRow } from '../shared/api/process-reviews.ts';
import { describe } from './openapi/describe.ts';
import { id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const day = z.iso.date({ error: 'must be a date like 2026-03-01' });
const filterFields = {
  count: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(MAX_REVIEW_INCIDENTS, `must be at most ${MAX_REVIEW_INCIDENTS}`).default(5),
  severity: z
    .string()
    .regex(/^[1-4](,[1-4])*$/, 'must be 1 to 4, or a list like 1,2')
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .optional()
    .meta({ description: 'One severity or a comma list, as on /metrics' }),
  service: z.string().trim().toLowerCase().min(1, 'must not be empty').max(60, 'must be at most 60 characters').optional(),
  from: day.optional().meta({ description: 'Resolved on or after this day (UTC)' }),
  to: day.optional().meta({ description: 'Resolved on or before this day (UTC)' }),
};
const previewQuery = z.object(filterFields);
const createBody = z.object({ title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'), ...filterFields });
const delay = z.object({ kind: z.enum(DELAY_KINDS, { error: `must be one of ${DELAY_KINDS.join(', ')}` }), note: z.string().trim().max(2000, 'must be at most 2000 characters').default('') });
const patchBody = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    notes: z.string().max(20_000, 'must be at most 20000 characters').optional().meta({ description: 'Markdown' }),
    delays: z.record(id, delay.nullable()).optional().meta({ description: 'Per incident id: where the delay sat (null clears it). Others are kept.' }),
  })
  .refine((b) => b.title !== undefined || b.notes !== undefined || b.delays !== undefined, { message: 'send at least one of title, notes, delays' });
const findingBody = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
  incidentId: id.meta({ description: 'The reviewed incident that shows the finding best; the item is filed under it' }),
  ownerId: id,
  dueDate: day,
  kind: z.enum(ACTION_KINDS, { error: `must be one of ${ACTION_KINDS.join(', ')}` }).default('structural'),
  priority: z.enum(ACTION_PRIORITIES, { error: `must be one of ${ACTION_PRIORITIES.join(', ')}` }).default('p2'),
});

const tags = ['Practice'];
const one = { description: 'The review', schema: z.object({ review: ProcessReviewSchema }) };
const docs = {
  preview: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Preview a process review',
    description: 'The last `count` resolved incidents (not drills) you may see, filtered as on /metrics: per incident when the correct hypothesis was first written and confirmed, the times from there to mitigation and resolution, and the timeline between; across them the medians.',
    query: previewQuery,
    responses: { 200: one },
  }),
  list: describe({ tags, scope: 'incidents:read', summary: 'Saved process reviews', description: 'Newest first.', responses: { 200: { description: 'Reviews', schema: z.object({ reviews: z.array(ReviewSummaryRow) }) } } }),
  create: describe({ tags, scope: 'incidents:write', summary: 'Save a process review', description: 'Picks the incidents as the preview does and freezes them in the review.', body: createBody, responses: { 201: one } }),
  get: describe({ tags, scope: 'incidents:read', summary: 'A saved process review', description: 'Computed afresh over its incidents; those you may not see are left out and counted.', responses: { 200: one }, errors: [404] }),
  patch: describe({ tags, scope: 'incidents:write', summary: 'Write a review’s notes and where each delay sat', body: patchBody, responses: { 200: one }, errors: [404] }),
  finding: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Add a finding to a review',
    description: 'Becomes an action item on /follow-ups at once, filed under the reviewed incident that shows it best.',
    body: findingBody,
    responses: { 201: { description: 'Created', schema: Ok } },
    errors: [404],
  }),
};

const viewerOf = (c: Context<AppEnv>): Viewer & { displayName: string } => {
  const { user } = currentUser(c);
  return { id: user.id, isAdmin: user.role === 'admin', displayName: user.displayName };
};

const definitions = { metric: METRICS.find((m) => m.id === 'hypothesis_to_resolve')!, delays: [...DELAY_DEFINITIONS] };

function filterOf(query: z.infer<typeof previewQuery>): ReviewFilter {
  const DAY = 86_400_000;
  return {
    count: query.count,
    severities: query.severity,
    service: query.service,
    from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
    to: query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY) : undefined,
  };
}

const savedFilters = (query: z.infer<typeof previewQuery>): SavedReview['filters'] => ({
  count: query.count,
  severity: query.severity ?? null,
  service: query.service ?? null,
  from: query.from ?? null,
  to: query.to ?? null,
});

export function reviewRoutes({ sql }: AppDeps) {
  async function view(viewer: Viewer, review: Pick<SavedReview, 'title' | 'filters' | 'incidentIds' | 'notes' | 'delays'> & Partial<SavedReview>): Promise<z.infer<typeof ProcessReviewSchema>> {
    const { facts, hidden } = await loadReviewFacts(sql, viewer, review.incidentIds, review.delays);
    const incidents = facts.map(reviewIncident);
    const findings = review.id ? await listActionItems(sql, viewer, { origin: { kind: 'review', id: review.id } }) : [];
    return {
      id: review.id ?? null,
      title: review.title,
      filters: review.filters,
      notes: review.notes,
      createdBy: review.createdBy ?? null,
      createdAt: review.createdAt?.toISOString() ?? null,
      incidents,
      hidden,
      summary: summarizeReview(incidents),
      findings: findings.map(toActionItemView),
      definitions,
    };
  }

  async function load(c: Context<AppEnv>): Promise<SavedReview> {
    const review = await findReview(sql, parse(id, c.req.param('id') ?? ''));
    if (!review) throw notFound('No such review.');
    return review;
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/preview', docs.preview, async (c) => {
      const query = parse(previewQuery, c.req.query());
      const viewer = viewerOf(c);
      const incidentIds = await pickIncidents(sql, viewer, filterOf(query));
      return c.json({ review: await view(viewer, { title: 'Process review', filters: savedFilters(query), incidentIds, notes: '', delays: {} }) });
    })
    .get('/', docs.list, async (c) => {
      const reviews = await listReviews(sql);
      return c.json({
        reviews: reviews.map((r) => ({ id: r.id, title: r.title, incidents: r.incidentIds.length, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() }) satisfies z.output<typeof ReviewSummaryRow>),
      });
    })
    .post('/', docs.create, async (c) => {
      const body = await readJson(c, createBody);
      const viewer = viewerOf(c);
      const incidentIds = await pickIncidents(sql, viewer, filterOf(body));
      const reviewId = await insertReview(sql, { title: body.title, filters: savedFilters(body), incidentIds, createdBy: viewer.id });
      c.var.log.info({ reviewId, userId: viewer.id, incidents: incidentIds.length }, 'process review saved');
      return c.json({ review: await view(viewer, (await findReview(sql, reviewId))!) }, 201);
    })
    .get('/:id', docs.get, async (c) => c.json({ review: await view(viewerOf(c), await load(c)) }))
    .patch('/:id', docs.patch, async (c) => {
      const body = await readJson(c, patchBody);
      const viewer = viewerOf(c);
      const reviewId = parse(id, c.req.param('id'));
      const updated = await sql.begin(async (tx) => {
        const review = await findReview(tx, reviewId, { lock: true });
        if (!review) throw notFound('No such review.');
        let delays: SavedReview['delays'] | undefined;
        if (body.delays) {
          delays = { ...review.delays };
          for (const [incidentId, value] of Object.entries(body.delays)) {
            if (!review.incidentIds.includes(incidentId)) throw new ApiError(400, 'invalid_input', `delays.${incidentId}: not an incident of this review`, { field: `delays.${incidentId}` });
            if (value) delays[incidentId] = value;
            else delete delays[incidentId];
          }
        }
        await updateReview(tx, review.id, { title: body.title, notes: body.notes, delays });
        return (await findReview(tx, review.id))!;
      });
      c.var.log.info({ reviewId: updated.id, userId: viewer.id }, 'process review changed');
      return c.json({ review: await view(viewer, updated) });
    })
    .post('/:id/findings', docs.finding, async (c) => {
      const body = await readJson(c, findingBody);
      const viewer = viewerOf(c);
      const review = await load(c);
      // Filed under an incident of the review that the writer may see, so the item is never an orphan nor a leak.
      const seen = review.incidentIds.includes(body.incidentId) ? await standingIn(sql, viewer, await findIncidentById(sql, body.incidentId)) : null;
      if (!seen) throw new ApiError(400, 'invalid_input', 'incidentId: not an incident of this review that you may see', { field: 'incidentId' });
      if (!(await findActiveUser(sql, body.ownerId))) throw new ApiError(400, 'unknown_user', 'ownerId: no active user with that id', { field: 'ownerId' });
      const itemId = await insertFoundItem(sql, { ...body, origin: 'review', originId: review.id });
      c.var.log.info({ reviewId: review.id, incidentId: body.incidentId, userId: viewer.id, actionItemId: itemId }, 'process review finding added');
      return c.json({ ok: true as const }, 201);
    });
}
