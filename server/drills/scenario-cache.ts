/**
 * A run plays the scenario version it was started from. Versions never
 * change once written, so their parse is kept (a small map: a handful of
 * scenarios are run at a time) instead of reparsing on every tick.
 */
import type { Sql } from '../db/sql.ts';
import { parseScenario, type Scenario } from '../shared/drill-scenario.ts';
import { refuse } from './refusal.ts';
import { findScenarioVersion } from './scenario-repo.ts';

const MAX_ENTRIES = 64;
const parsed = new Map<string, Scenario>();

export async function scenarioOfVersion(sql: Sql, scenarioId: string, version: number): Promise<Scenario> {
  const key = `${scenarioId}@${version}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const stored = await findScenarioVersion(sql, scenarioId, version);
  if (!stored) throw refuse(404, 'not_found', 'No such scenario version.');
  const result = parseScenario(stored.body);
  // Every saved version parsed when it was saved; failing now means the parser changed under it.
  if (!result.ok) throw refuse(409, 'invalid_scenario', `The scenario (version ${version}) no longer parses: line ${result.problems[0].line}: ${result.problems[0].message}. Save a corrected version.`);
  if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, result.scenario);
  return result.scenario;
}
