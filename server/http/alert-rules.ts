import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireAdmin } from './auth-middleware.ts';
import { createRule, deleteRule, findRule, listRules, reorderRules, updateRule } from '../alerts/rule-repo.ts';
import { RULE_ACTIONS, type AlertRule } from '../alerts/rules.ts';
import type { Severity } from '../shared/severity.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { id } from './schemas.ts';
import { AlertRule as AlertRuleSchema } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';
import type * as api from '../shared/api/components.ts';

const matcher = z.object({
  key: z.string().trim().min(1, 'label name must not be empty').max(100, 'label name must be at most 100 characters')
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label name must be like severity or service (letters, digits, _)'),
  value: z.string().trim().min(1, 'label value must not be empty').max(500, 'label value must be at most 500 characters'),
});
const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  matchers: z.array(matcher).max(20, 'at most 20 matchers'),
  action: z.enum(RULE_ACTIONS, { error: `must be one of ${RULE_ACTIONS.join(', ')}` }),
  severity: z.number().int().min(1, 'must be 1 (SEV1) to 4 (SEV4)').max(4, 'must be 1 (SEV1) to 4 (SEV4)').transform((n) => n as Severity).nullable(),
};

const createBody = z.object({ ...fields, severity: fields.severity.optional() });
const reorderBody = z.object({ ids: z.array(id).max(500) });
const updateBody = z.object(fields).partial().refine((v) => Object.values(v).some((x) => x !== undefined), 'change at least one field');

const tags = ['Alerts'];
const oneRule = { description: 'The rule', schema: z.object({ rule: AlertRuleSchema }) };
const allRules = { 200: { description: 'Every rule, in the order they apply', schema: z.object({ rules: z.array(AlertRuleSchema) }) } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, scope: 'session-only', summary: 'Alert routing rules (admin)', responses: allRules }),
  create: describe({
    tags,
    scope: 'session-only',
    summary: 'Add an alert rule (admin)',
    description: 'Appended last. Matchers are label equalities, all required; action attach, declare (needs severity) or inbox.',
    body: createBody,
    responses: { 201: oneRule },
  }),
  reorder: describe({ tags, scope: 'session-only', summary: 'Reorder the alert rules (admin)', description: 'List every rule id exactly once, in the new order.', body: reorderBody, responses: allRules, errors: [409] }),
  update: describe({ tags, scope: 'session-only', summary: 'Change an alert rule (admin)', body: updateBody, responses: { 200: oneRule } }),
  remove: describe({ tags, scope: 'session-only', summary: 'Delete an alert rule (admin)', responses: { 200: { description: 'Deleted', schema: z.object({ ok: z.literal(true) }) } } }),
};

// A declare rule needs the severity of the incidents it opens; the others must not carry one.
function checkSeverity(rule: { action: string; severity: Severity | null }) {
  if (rule.action === 'declare' && rule.severity === null) throw new ApiError(400, 'invalid_input', 'severity: a declare rule needs the severity of the incidents it opens', { field: 'severity' });
}

export const toRuleView = (rule: AlertRule): z.infer<typeof api.AlertRule> => ({
  id: rule.id,
  name: rule.name,
  position: rule.position,
  matchers: rule.matchers,
  action: rule.action,
  severity: rule.severity,
  createdAt: rule.createdAt.toISOString(),
  updatedAt: rule.updatedAt.toISOString(),
});

/** Admin: alert routing rules, applied in order, first match wins. */
export function alertRuleRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.list, async (c) => c.json({ rules: (await listRules(sql)).map(toRuleView) }))
    .post('/', docs.create, async (c) => {
      const body = await readJson(c, createBody);
      const input = { ...body, severity: body.action === 'declare' ? (body.severity ?? null) : null };
      checkSeverity(input);
      const rule = await createRule(sql, input, currentUser(c).user.id);
      c.var.log.info({ ruleId: rule.id, action: rule.action }, 'alert rule created');
      return c.json({ rule: toRuleView(rule) }, 201);
    })
    // Registered before /:id so "reorder" is never read as a rule id.
    .post('/reorder', docs.reorder, async (c) => {
      const body = await readJson(c, reorderBody);
      if (!(await reorderRules(sql, body.ids))) {
        throw new ApiError(409, 'stale_order', 'ids: list every rule exactly once (someone may have added or deleted one; reload).', { field: 'ids' });
      }
      c.var.log.info({ count: body.ids.length }, 'alert rules reordered');
      return c.json({ rules: (await listRules(sql)).map(toRuleView) });
    })
    .patch('/:id', docs.update, async (c) => {
      const ruleId = parse(id, c.req.param('id'));
      const changes = await readJson(c, updateBody);
      const current = await findRule(sql, ruleId);
      if (!current) throw notFound('No such alert rule.');
      const action = changes.action ?? current.action;
      const severity = action === 'declare' ? (changes.severity !== undefined ? changes.severity : current.severity) : null;
      checkSeverity({ action, severity });
      const rule = await updateRule(sql, ruleId, { ...changes, action, severity });
      if (!rule) throw notFound('No such alert rule.');
      c.var.log.info({ ruleId }, 'alert rule updated');
      return c.json({ rule: toRuleView(rule) });
    })
    .delete('/:id', docs.remove, async (c) => {
      const ruleId = parse(id, c.req.param('id'));
      if (!(await deleteRule(sql, ruleId))) throw notFound('No such alert rule.');
      c.var.log.info({ ruleId }, 'alert rule deleted');
      return c.json({ ok: true });
    });
}
