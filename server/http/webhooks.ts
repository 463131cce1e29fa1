import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireAdmin } from './auth-middleware.ts';
import { AUDIENCES } from '../shared/audiences.ts';
import { enqueueTestDelivery, retryDelivery } from '../comms/webhooks/outbox.ts';
import { WEBHOOK_FORMATS } from '../comms/webhooks/payload.ts';
import { createEndpoint, deleteEndpoint, findEndpoint, listDeliveries, listEndpoints, rotateSecret, updateEndpoint } from '../comms/webhooks/repo.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { id } from './schemas.ts';
import { Ok, WebhookDelivery, WebhookEndpoint } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

// Only http(s): the worker must never be pointed at file:, data: or anything else fetch might understand.
const webhookUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  url: webhookUrl,
  audiences: z
    .array(z.enum(AUDIENCES))
    .min(1, 'choose at least one audience')
    .transform((list) => AUDIENCES.filter((audience) => list.includes(audience))),
  format: z.enum(WEBHOOK_FORMATS),
  active: z.boolean(),
};
const createBody = z.object({ ...fields, active: fields.active.optional() });
const updateBody = z
  .object(fields)
  .partial()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'change at least one field');

const tags = ['Administration'];
const oneEndpoint = { 200: { description: 'The endpoint', schema: z.object({ endpoint: WebhookEndpoint }) } };
const secret = z.string().meta({ description: 'The signing secret (HMAC-SHA256 of the body); shown only here' });
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, scope: 'session-only', summary: 'List webhook endpoints', responses: { 200: { description: 'Endpoints with delivery counts', schema: z.object({ endpoints: z.array(WebhookEndpoint) }) } } }),
  create: describe({
    tags,
    scope: 'session-only',
    summary: 'Add a webhook endpoint',
    description: 'Published updates for its audiences are POSTed to the URL, signed with the secret returned here once.',
    body: createBody,
    responses: { 201: { description: 'The endpoint and its secret', schema: z.object({ endpoint: WebhookEndpoint, secret }) } },
  }),
  get: describe({ tags, scope: 'session-only', summary: 'Get a webhook endpoint', responses: oneEndpoint }),
  update: describe({ tags, scope: 'session-only', summary: 'Change a webhook endpoint', body: updateBody, responses: oneEndpoint }),
  remove: describe({ tags, scope: 'session-only', summary: 'Delete a webhook endpoint', responses: { 200: { description: 'Deleted with its delivery log', schema: Ok } } }),
  rotate: describe({ tags, scope: 'session-only', summary: 'Rotate the signing secret', responses: { 200: { description: 'The new secret, shown once', schema: z.object({ secret }) } } }),
  test: describe({
    tags,
    scope: 'session-only',
    summary: 'Send a test delivery',
    responses: { 202: { description: 'Queued; watch the deliveries log', schema: z.object({ delivery: WebhookDelivery }) } },
    errors: [409],
  }),
  deliveries: describe({ tags, scope: 'session-only', summary: 'An endpoint’s delivery log', responses: { 200: { description: 'Newest first', schema: z.object({ deliveries: z.array(WebhookDelivery) }) } } }),
  retry: describe({
    tags,
    scope: 'session-only',
    summary: 'Retry a failed delivery now',
    responses: { 200: { description: 'Queued again', schema: z.object({ delivery: WebhookDelivery }) } },
    errors: [409],
  }),
};

/** Admin: outbound webhook endpoints, their delivery log, test sends and manual retries. */
export function webhookRoutes({ sql }: AppDeps) {
  const endpointOr404 = async (raw: string) => {
    const endpoint = await findEndpoint(sql, parse(id, raw));
    if (!endpoint) throw notFound('No such webhook endpoint.');
    return endpoint;
  };

  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.list, async (c) => c.json({ endpoints: await listEndpoints(sql) }))
    .post('/', docs.create, async (c) => {
      const body = await readJson(c, createBody);
      const { endpoint, secret } = await createEndpoint(sql, { ...body, createdBy: currentUser(c).user.id });
      c.var.log.info({ endpointId: endpoint.id }, 'webhook endpoint created');
      return c.json({ endpoint, secret }, 201);
    })
    .get('/:id', docs.get, async (c) => c.json({ endpoint: await endpointOr404(c.req.param('id')) }))
    .patch('/:id', docs.update, async (c) => {
      const endpointId = parse(id, c.req.param('id'));
      const endpoint = await updateEndpoint(sql, endpointId, await readJson(c, updateBody));
      if (!endpoint) throw notFound('No such webhook endpoint.');
      c.var.log.info({ endpointId, active: endpoint.active }, 'webhook endpoint updated');
      return c.json({ endpoint });
    })
    .delete('/:id', docs.remove, async (c) => {
      const endpointId = parse(id, c.req.param('id'));
      if (!(await deleteEndpoint(sql, endpointId))) throw notFound('No such webhook endpoint.');
      c.var.log.info({ endpointId }, 'webhook endpoint deleted');
      return c.json({ ok: true });
    })
    .post('/:id/rotate-secret', docs.rotate, async (c) => {
      const endpointId = parse(id, c.req.param('id'));
      const secret = await rotateSecret(sql, endpointId);
      if (!secret) throw notFound('No such webhook endpoint.');
      c.var.log.info({ endpointId }, 'webhook secret rotated');
      return c.json({ secret });
    })
    .post('/:id/test', docs.test, async (c) => {
      const endpoint = await endpointOr404(c.req.param('id'));
      if (!endpoint.active) throw new ApiError(409, 'endpoint_inactive', 'This endpoint is deactivated. Activate it to send a test.');
      const delivery = await enqueueTestDelivery(sql, endpoint, currentUser(c).user);
      return c.json({ delivery }, 202);
    })
    .get('/:id/deliveries', docs.deliveries, async (c) => {
      const endpoint = await endpointOr404(c.req.param('id'));
      return c.json({ deliveries: await listDeliveries(sql, endpoint.id) });
    })
    .post('/deliveries/:id/retry', docs.retry, async (c) => {
      const result = await retryDelivery(sql, parse(id, c.req.param('id')));
      if (!result) throw notFound('No such delivery.');
      if (result === 'busy') throw new ApiError(409, 'delivery_not_retryable', 'This delivery is being sent or was already delivered.');
      c.var.log.info({ deliveryId: result.id }, 'webhook delivery retried by an admin');
      return c.json({ delivery: result });
    });
}
