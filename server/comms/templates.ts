/**
 * Update templates per audience, optionally per severity. Admins override the
 * shipped defaults in `comm_templates`; the most specific one wins:
 * (audience, severity) → (audience, any) → the default below.
 */
import type { Sql } from '../db/sql.ts';
import { AUDIENCES, type Audience } from '../shared/audiences.ts';

export { renderTemplate } from '../shared/update-template.ts';

export const DEFAULT_TEMPLATES: Record<Audience, string> = {
  responders: `### {{ref}} {{severity}}: {{title}} ({{state}})

**Impact:** {{impact}}
**Started:** {{started_at}} ({{duration}} ago)

**Current status:** {{doing}}

**Working on:**
- _what each workstream is doing_

**Need help with:** _nothing right now_

Next update {{next_update}}.`,
  support: `**{{title}}**

{{impact}}

{{doing}} Customers may tell you about this. You can tell them: "We know about the problem and our engineers are working on it. We are sorry for the trouble."

Started: {{started_at}}
Next update {{next_update}}.`,
  leadership: `**{{ref}} {{severity}}: {{title}}** ({{state}}, {{duration}} so far)

**Impact:** {{impact}}
**What we are doing:** {{doing}}
**ETA:** _not known yet_
**Decisions needed:** _none_

Next update {{next_update}}.`,
  public: `**{{status}}:** {{doing}}

Some customers may be affected. We are sorry for the inconvenience and will post the next update {{next_update}}.`,
};

/**
 * The last update of an incident, offered to each audience once it is
 * resolved: it says so, and promises nothing more. Replaces the draft only
 * when the communicator asks for it.
 */
export const FINAL_TEMPLATES: Record<Audience, string> = {
  responders: `### {{ref}} {{severity}}: {{title}} (resolved)

**Impact:** {{impact}}
**Lasted:** {{duration}}, from {{started_at}}

Resolved. Thank you all. The postmortem follows; add what you saw to the timeline while it is fresh.

No further updates are planned.`,
  support: `**{{title}}: resolved**

The problem is fixed. If customers still see it, tell us in the incident channel.

No further updates are planned.`,
  leadership: `**{{ref}} {{severity}}: {{title}}** (resolved after {{duration}})

**Impact:** {{impact}}
**Resolved:** {{doing}}
**Next:** a blameless postmortem with follow-up actions.

No further updates are planned.`,
  public: `**{{status}}:** {{doing}}

Everything is working normally again. We are sorry for the trouble this caused. This is our final update.`,
};

export interface Template {
  audience: Audience;
  /** Null = any severity. */
  severity: 1 | 2 | 3 | 4 | null;
  body: string;
  /** False when this is the shipped default (no row stored). */
  custom: boolean;
  updatedBy: { id: string; displayName: string } | null;
  updatedAt: Date | null;
}

interface TemplateRow {
  audience: Audience;
  severity: 1 | 2 | 3 | 4 | null;
  body: string;
  updated_by: string | null;
  updated_by_name: string | null;
  updated_at: Date;
}

const toTemplate = (row: TemplateRow): Template => ({
  audience: row.audience,
  severity: row.severity,
  body: row.body,
  custom: true,
  updatedBy: row.updated_by ? { id: row.updated_by, displayName: row.updated_by_name ?? 'Unknown' } : null,
  updatedAt: row.updated_at,
});

const defaultTemplate = (audience: Audience): Template => ({
  audience,
  severity: null,
  body: DEFAULT_TEMPLATES[audience],
  custom: false,
  updatedBy: null,
  updatedAt: null,
});

/** Every stored template plus a default for each audience that has no "any severity" row. */
export async function listTemplates(sql: Sql): Promise<Template[]> {
  const rows = await sql<TemplateRow>`
    select t.*, u.display_name as updated_by_name
    from comm_templates t left join users u on u.id = t.updated_by
    order by t.audience, t.severity nulls first`;
  const stored = rows.map(toTemplate);
  const defaults = AUDIENCES.filter((a) => !stored.some((t) => t.audience === a && t.severity === null)).map(defaultTemplate);
  return [...defaults, ...stored].sort((a, b) => AUDIENCES.indexOf(a.audience) - AUDIENCES.indexOf(b.audience) || (a.severity ?? 0) - (b.severity ?? 0));
}

/** The template a new draft starts from, one per audience. */
export async function templatesFor(sql: Sql, severity: number): Promise<Record<Audience, string>> {
  const rows = await sql<{ audience: Audience; body: string }>`
    select distinct on (audience) audience, body from comm_templates
    where severity = ${severity} or severity is null
    order by audience, severity nulls last`;
  const result = { ...DEFAULT_TEMPLATES };
  for (const row of rows) result[row.audience] = row.body;
  return result;
}

export async function saveTemplate(sql: Sql, input: { audience: Audience; severity: number | null; body: string; by: string }): Promise<void> {
  await sql`
    insert into comm_templates (audience, severity, body, updated_by, updated_at)
    values (${input.audience}, ${input.severity}, ${input.body}, ${input.by}, now())
    on conflict (audience, severity) do update set body = excluded.body, updated_by = excluded.updated_by, updated_at = now()`;
}

/** Back to the default (or, for a severity, to the audience's "any severity" template). */
export async function deleteTemplate(sql: Sql, audience: Audience, severity: number | null): Promise<boolean> {
  const rows = await sql`delete from comm_templates where audience = ${audience} and severity is not distinct from ${severity}::int returning 1`;
  return rows.length > 0;
}
