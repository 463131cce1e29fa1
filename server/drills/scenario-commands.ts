/**
 * Writing scenarios, versioned the way runbooks are: any member edits, every
 * save is a version with its author and note, and a save based on an older
 * version is refused with the newer one, so nobody's edit is lost silently.
 * A scenario is parsed before it is saved: one that would not run is refused
 * with every problem and its line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import type { Failure } from '../shared/failure.ts';
import type { Viewer } from '../incidents/search.ts';
import { slugify } from '../runbooks/commands.ts';
import { parseScenario, type ScenarioProblem } from '../shared/drill-scenario.ts';
import {
  findScenario,
  findScenarioVersion,
  insertScenario,
  insertScenarioVersion,
  lockScenario,
  scenarioSlugTaken,
  seededBuiltins,
  updateScenarioRow,
  type ScenarioRecord,
} from './scenario-repo.ts';

export interface Editor extends Viewer {
  displayName: string;
}

/** `problems`: every line that does not parse; `current`, on a version conflict: the scenario as someone else saved it. */
export type ScenarioFailure = Failure<{ problems?: ScenarioProblem[]; current?: ScenarioRecord }>;
export type ScenarioResult = { ok: true; scenario: ScenarioRecord } | ScenarioFailure;

const SHIPPED_DIR = join(import.meta.dirname, 'scenarios');

function checked(body: string): { ok: true; title: string } | ScenarioFailure {
  const parsed = parseScenario(body);
  if (parsed.ok) return { ok: true, title: parsed.scenario.title };
  const first = parsed.problems[0];
  const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : '';
  return { ok: false, status: 400, code: 'invalid_scenario', message: `body: line ${first.line}: ${first.message}${more}`, field: 'body', problems: parsed.problems };
}

async function freeSlug(sql: Sql, title: string): Promise<string> {
  const base = slugify(title);
  let slug = base;
  for (let n = 2; await scenarioSlugTaken(sql, slug); n++) slug = `${base}-${n}`;
  return slug;
}

export function createScenario(sql: Sql, editor: Editor, input: { body: string; note?: string }): Promise<ScenarioResult> {
  const check = checked(input.body);
  if (!check.ok) return Promise.resolve(check);
  return sql.begin(async (tx) => {
    const id = generateSecureRandomString();
    const at = new Date();
    await insertScenario(tx, { id, slug: await freeSlug(tx, check.title), builtin: null, title: check.title, body: input.body, createdBy: editor.id, at });
    await insertScenarioVersion(tx, { scenarioId: id, version: 1, title: check.title, body: input.body, author: editor, note: input.note ?? '', at });
    return { ok: true, scenario: (await findScenario(tx, editor, id))! };
  });
}

export function updateScenario(sql: Sql, editor: Editor, id: string, baseVersion: number, input: { body: string; note?: string }): Promise<ScenarioResult> {
  const check = checked(input.body);
  if (!check.ok) return Promise.resolve(check);
  return sql.begin(async (tx) => {
    const locked = await lockScenario(tx, id);
    if (!locked) return { ok: false, status: 404, code: 'not_found', message: 'No such scenario.' };
    const current = (await findScenario(tx, editor, id))!;
    if (locked.version !== baseVersion) {
      const latest = await findScenarioVersion(tx, id, locked.version);
      const who = latest?.author?.displayName ?? 'Someone';
      const when = current.updatedAt.toISOString().slice(0, 16).replace('T', ' ');
      return {
        ok: false,
        status: 409,
        code: 'version_conflict',
        message: `${who} saved version ${locked.version} at ${when} UTC while you were editing version ${baseVersion}. Your text is not lost: compare it with theirs and save again.`,
        field: 'baseVersion',
        current,
      };
    }
    if (input.body === current.body) return { ok: true, scenario: current };
    const at = new Date();
    const version = locked.version + 1;
    await updateScenarioRow(tx, id, version, { title: check.title, body: input.body, at });
    await insertScenarioVersion(tx, { scenarioId: id, version, title: check.title, body: input.body, author: editor, note: input.note ?? '', at });
    return { ok: true, scenario: (await findScenario(tx, editor, id))! };
  });
}

/**
 * Seeds the scenarios shipped in ./scenarios, each once (by file name), so a
 * fresh install has something to practise with. A scenario the team edited
 * or renamed stays as they left it.
 */
export async function seedShippedScenarios(sql: Sql): Promise<string[]> {
  const files = readdirSync(SHIPPED_DIR).filter((f) => f.endsWith('.md')).sort();
  const seeded: string[] = [];
  await sql.begin(async (tx) => {
    // Two processes starting at once seed once.
    await tx`select pg_advisory_xact_lock(hashtext('warroom.drills.seed.' || current_schema()))`;
    const done = await seededBuiltins(tx);
    for (const file of files) {
      if (done.has(file)) continue;
      const body = readFileSync(join(SHIPPED_DIR, file), 'utf8');
      const parsed = parseScenario(body);
      // The unit tests parse every shipped file; a broken one is a bug in this release, not in the install.
      if (!parsed.ok) throw new Error(`shipped scenario ${file} does not parse: line ${parsed.problems[0].line}: ${parsed.problems[0].message}`);
      const id = generateSecureRandomString();
      const at = new Date();
      await insertScenario(tx, { id, slug: await freeSlug(tx, parsed.scenario.title), builtin: file, title: parsed.scenario.title, body, createdBy: null, at });
      await insertScenarioVersion(tx, { scenarioId: id, version: 1, title: parsed.scenario.title, body, author: null, note: 'Shipped with Warroom', at });
      seeded.push(file);
    }
  });
  return seeded;
}
