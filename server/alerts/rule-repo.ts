/** SQL for routing rules: ordered by position, renumbered densely on reorder. */
import { generateSecureRandomString } from '../auth/tokens.ts';
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import type { Severity } from '../shared/severity.ts';
import type { AlertRule, Matcher, RuleAction } from './rules.ts';

interface RuleRow {
  id: string;
  name: string;
  position: number;
  matchers: Matcher[];
  action: RuleAction;
  severity: Severity | null;
  created_at: Date;
  updated_at: Date;
}

const toRule = (r: RuleRow): AlertRule => ({
  id: r.id,
  name: r.name,
  position: r.position,
  matchers: r.matchers,
  action: r.action,
  severity: r.severity,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface RuleInput {
  name: string;
  matchers: Matcher[];
  action: RuleAction;
  severity: Severity | null;
}

export async function listRules(sql: Sql): Promise<AlertRule[]> {
  const rows = await sql<RuleRow>`select * from alert_rules order by position, created_at, id`;
  return rows.map(toRule);
}

export async function findRule(sql: Sql, id: string): Promise<AlertRule | null> {
  const [row] = await sql<RuleRow>`select * from alert_rules where id = ${id}`;
  return row ? toRule(row) : null;
}

/** New rules go last: the admin moves them up when they should win. */
export async function createRule(sql: Sql, input: RuleInput, createdBy: string): Promise<AlertRule> {
  const [row] = await sql<RuleRow>`
    insert into alert_rules (id, name, position, matchers, action, severity, created_by)
    values (${generateSecureRandomString()}, ${input.name},
            (select coalesce(max(position), 0) + 1 from alert_rules),
            ${input.matchers}::jsonb, ${input.action}, ${input.severity}, ${createdBy})
    returning *`;
  return toRule(row);
}

const SETTERS: { [K in keyof RuleInput]: (value: RuleInput[K]) => Fragment } = {
  name: (v) => frag`name = ${v}`,
  matchers: (v) => frag`matchers = ${v}::jsonb`,
  action: (v) => frag`action = ${v}`,
  severity: (v) => frag`severity = ${v}`,
};

export async function updateRule(sql: Sql, id: string, changes: Partial<RuleInput>): Promise<AlertRule | null> {
  const sets = (Object.keys(changes) as (keyof RuleInput)[])
    .filter((key) => changes[key] !== undefined)
    .map((key) => (SETTERS[key] as (value: unknown) => Fragment)(changes[key]));
  const [row] = await sql<RuleRow>`
    update alert_rules set ${join([...sets, frag`updated_at = now()`], ', ')} where id = ${id} returning *`;
  return row ? toRule(row) : null;
}

export async function deleteRule(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from alert_rules where id = ${id} returning id`;
  return rows.length > 0;
}

/** Puts the rules in the given order; false when `ids` is not exactly the current set. */
export function reorderRules(sql: Sql, ids: readonly string[]): Promise<boolean> {
  return sql.begin(async (tx) => {
    // Serialises reorders against each other and against rule creation's max(position).
    await tx`lock table alert_rules in share row exclusive mode`;
    const current = (await tx<{ id: string }>`select id from alert_rules`).map((r) => r.id);
    if (current.length !== ids.length || new Set(ids).size !== ids.length || !ids.every((id) => current.includes(id))) return false;
    for (const [index, id] of ids.entries()) {
      await tx`update alert_rules set position = ${index + 1}, updated_at = now() where id = ${id}`;
    }
    return true;
  });
}
