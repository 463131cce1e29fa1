import { Hono } from 'hono';
import { z } from 'zod';
import { MARKDOWN_LIMITS } from '../shared/markdown-limits.ts';
import { currentUser, requireAdmin } from './auth-middleware.ts';
import { deleteTemplate, listTemplates, saveTemplate, type Template } from '../comms/templates.ts';
import { AUDIENCES } from '../shared/audiences.ts';
import { PLACEHOLDERS } from '../shared/update-template.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';
import { TemplateList } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { readJson } from './validate.ts';
import type * as api from '../shared/api/components.ts';

const key = z.object({
  audience: z.enum(AUDIENCES, { error: `must be one of ${AUDIENCES.join(', ')}` }),
  severity: z.number().int().min(1, 'must be 1 to 4, or null for any severity').max(4, 'must be 1 to 4, or null for any severity').nullable().default(null),
});
const templateBody = key.extend({ body: z.string().max(MARKDOWN_LIMITS.template, `must be at most ${MARKDOWN_LIMITS.template} characters`).refine((s) => s.trim().length > 0, 'must not be empty') });

const toTemplateView = (t: Template): z.infer<typeof api.Template> => ({ ...t, updatedAt: t.updatedAt?.toISOString() ?? null });

const tags = ['Administration'];
const templatesResponse = { 200: { description: 'Every template (custom or default) and the placeholders they may use', schema: TemplateList } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, scope: 'session-only', summary: 'Update templates', responses: templatesResponse }),
  save: describe({ tags, scope: 'session-only', summary: 'Save a template for an audience (and optionally one severity)', body: templateBody, responses: templatesResponse }),
  reset: describe({ tags, scope: 'session-only', summary: 'Reset a template to the shipped default', body: key, responses: templatesResponse }),
};

/** Admin: the update templates per audience (and optionally per severity) that new drafts start from. */
export function templateRoutes({ sql }: AppDeps) {
  const all = async () => ({ templates: (await listTemplates(sql)).map(toTemplateView), placeholders: PLACEHOLDERS });
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.list, async (c) => c.json(await all()))
    .put('/', docs.save, async (c) => {
      const body = await readJson(c, templateBody);
      const { user } = currentUser(c);
      await saveTemplate(sql, { ...body, by: user.id });
      c.var.log.info({ userId: user.id, audience: body.audience, severity: body.severity }, 'update template saved');
      return c.json(await all());
    })
    // A body-less "reset to default" is a DELETE with the key in the body, like PUT.
    .delete('/', docs.reset, async (c) => {
      const body = await readJson(c, key);
      if (!(await deleteTemplate(sql, body.audience, body.severity))) throw notFound('That template is already the default.');
      c.var.log.info({ userId: currentUser(c).user.id, audience: body.audience, severity: body.severity }, 'update template reset');
      return c.json(await all());
    });
}
