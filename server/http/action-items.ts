/**
 * Action items across incidents (created when postmortems are published) and
 * the reviews running late. Both lists only hold incidents the caller may see.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import { findActiveUser, findIncidentById } from '../incidents/repo.ts';
import { visibleTo } from '../incidents/search.ts';
import { standingIn } from '../incidents/visibility.ts';
import { ACTION_ORIGINS, findActionItem, listActionItems, updateActionItem } from '../postmortem/action-items.ts';
import { announcePostmortemChange } from '../postmortem/live.ts';
import { listOverdueReviews } from '../postmortem/repo.ts';
import { toActionItemView } from '../postmortem/view.ts';
import { ACTION_KINDS, ACTION_PRIORITIES, ACTION_STATUSES } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { parseIncidentRef } from './incident-access.ts';
import { ActionItemSchema } from '../shared/api/action-items.ts';
import { OverdueReview } from '../shared/api/postmortems.ts';

export { ActionItemSchema };
import { describe } from './openapi/describe.ts';
import { id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const flag = z.enum(['1', 'true', '0', 'false'], { error: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true');
const date = z.iso.date({ error: 'must be a date like 2026-03-01' });

const listQuery = z.object({
  mine: flag.optional().meta({ description: 'Only items the caller owns' }),
  owner: id.optional(),
  service: z.string().trim().toLowerCase().min(1).max(60, 'must be at most 60 characters').optional(),
  kind: z.enum(ACTION_KINDS, { error: `must be one of ${ACTION_KINDS.join(', ')}` }).optional(),
  status: z.enum(ACTION_STATUSES, { error: `must be one of ${ACTION_STATUSES.join(', ')}` }).optional(),
  overdue: flag.optional().meta({ description: 'Past their due date and not done or won’t do' }),
  check30: flag.optional().meta({ description: 'Structural items still not done 30 days after publication' }),
  incident: z.string().regex(/^(?:inc-)?\d{1,9}$/i, 'must be an incident reference like INC-42').optional(),
  origin: z.enum(ACTION_ORIGINS, { error: `must be one of ${ACTION_ORIGINS.join(', ')}` }).optional().meta({ description: 'Only items found in postmortems, drill debriefs or process reviews' }),
});

const patchBody = z
  .object({
    status: z.enum(ACTION_STATUSES, { error: `must be one of ${ACTION_STATUSES.join(', ')}` }).optional(),
    note: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
    dueDate: date.nullable().optional(),
    ownerId: id.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'send at least one of status, note, dueDate, ownerId' });


const tags = ['Postmortems'];
const docs = {
  list: describe({
    tags,
    scope: 'incidents:read',
    summary: 'List action items',
    description: 'Items of published postmortems, drill debriefs and process reviews, open and overdue first. Only incidents the caller may see.',
    query: listQuery,
    responses: { 200: { description: 'The items', schema: z.object({ items: z.array(ActionItemSchema) }) } },
  }),
  patch: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Update an action item',
    description: 'Its owner, the incident commander or an admin. Marking it done records who and when, with the note.',
    body: patchBody,
    responses: { 200: { description: 'The item after the change', schema: z.object({ item: ActionItemSchema }) } },
    errors: [403, 404],
  }),
  overdue: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Postmortem reviews past their due date',
    description: 'Drafts and reviews whose due date has passed, most overdue first. Only incidents the caller may see.',
    responses: { 200: { description: 'The late reviews', schema: z.object({ items: z.array(OverdueReview) }) } },
  }),
};

const viewerOf = (c: Context<AppEnv>) => {
  const { user } = currentUser(c);
  return { id: user.id, displayName: user.displayName, isAdmin: user.role === 'admin' };
};

export function actionItemRoutes({ sql, live }: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', docs.list, requireUser, async (c) => {
      const query = parse(listQuery, c.req.query());
      const viewer = viewerOf(c);
      if (query.mine && query.owner && query.owner !== viewer.id) throw new ApiError(400, 'invalid_input', 'mine and owner name different people: send one of them.', { field: 'owner' });
      const items = await listActionItems(sql, viewer, {
        ownerId: query.mine ? viewer.id : query.owner,
        service: query.service,
        kind: query.kind,
        status: query.status,
        overdue: query.overdue,
        check30: query.check30,
        incidentNumber: query.incident ? parseIncidentRef(query.incident) : undefined,
        origin: query.origin ? { kind: query.origin } : undefined,
      });
      return c.json({ items: items.map(toActionItemView) });
    })
    .patch('/:id', docs.patch, requireUser, async (c) => {
      const viewer = viewerOf(c);
      const body = await readJson(c, patchBody);
      const itemId = parse(id, c.req.param('id'));
      const updated = await sql.begin(async (tx) => {
        const item = await findActionItem(tx, itemId, { lock: true });
        const seen = item ? await standingIn(tx, viewer, await findIncidentById(tx, item.incident.id)) : null;
        if (!item || !seen) throw notFound('No such action item.');
        const mayChange = viewer.isAdmin || item.owner?.id === viewer.id || seen.incident.roles.commander?.id === viewer.id;
        if (!mayChange) throw new ApiError(403, 'forbidden', 'Only the item’s owner, the incident commander or an admin can change an action item.');
        if (body.ownerId && !(await findActiveUser(tx, body.ownerId))) {
          throw new ApiError(400, 'unknown_user', 'ownerId: no active user with that id', { field: 'ownerId' });
        }
        await updateActionItem(tx, item.id, viewer.id, body);
        return (await findActionItem(tx, item.id))!;
      });
      c.var.log.info({ incidentId: updated.incident.id, userId: viewer.id, actionItemId: updated.id, status: updated.status }, 'action item changed');
      await announcePostmortemChange(live, c.var.log, { incidentId: updated.incident.id, userId: viewer.id });
      return c.json({ item: toActionItemView(updated) });
    });
}

export function overdueReviewRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().get('/overdue', docs.overdue, requireUser, async (c) => {
    const items = await listOverdueReviews(sql, visibleTo(viewerOf(c)));
    return c.json({ items: items.map((r) => ({ ...r, reviewDueAt: r.reviewDueAt.toISOString() }) satisfies z.output<typeof OverdueReview>) });
  });
}
