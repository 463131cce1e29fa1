/**
 * One runbook per failure mode, grown over a few versions by different
 * people, stamped "used"/"verified" in the incidents that followed it. Some
 * are left unverified for over six months so the stale badge has work to do.
 */
import { runbookBody } from '../runbooks/template.ts';
import { FAILURE_MODES } from './catalog.ts';
import type { DemoIncident } from './incidents.ts';
import type { DemoPerson } from './people.ts';
import type { Random } from './random.ts';
import { DAY, iso, MINUTE, type DemoRows } from './rows.ts';

const NOTES = ['First version from the war room notes', 'Added the commands we actually ran', 'Clarified the rollback decision', 'Escalation contacts updated', 'Fixed a wrong namespace in a command'];

export function generateRunbooks(r: Random, ids: Random, incidents: DemoIncident[], people: DemoPerson[], now: number, rows: DemoRows): number {
  let count = 0;
  for (const mode of FAILURE_MODES) {
    const id = ids.id();
    const owner = r.pick(people);
    const createdAt = now - r.int(120, 360) * DAY - r.int(0, 24 * 60) * MINUTE;
    const versions = r.int(1, 4);
    const { runbook } = mode;
    let at = createdAt;
    let body = '';
    for (let v = 1; v <= versions; v++) {
      // Each version knows a little more than the last, as runbooks grow in practice.
      const share = (items: readonly string[]) => items.slice(0, Math.max(1, Math.ceil((items.length * v) / versions)));
      body = runbookBody({
        symptoms: [mode.titles[0], ...(v > 1 ? [mode.detection] : [])],
        checks: share(runbook.checks),
        commands: share(runbook.commands),
        decisions: share(runbook.decisions),
        escalation: [`Page the ${mode.services[0]} owning team`, ...(v > 2 ? ['SEV1: page the incident manager on duty'] : [])],
      });
      const author = v === 1 ? owner : r.pick(people);
      rows.runbookVersions.push({ runbook_id: id, version: v, title: runbook.title, body, author_id: author.id, author_name: author.name, note: NOTES[(v - 1) % NOTES.length], at: iso(at) });
      at = Math.min(at + r.int(5, 60) * DAY + r.int(0, 24 * 60) * MINUTE, now - DAY);
    }
    const lastEdit = Date.parse(rows.runbookVersions[rows.runbookVersions.length - 1].at as string);
    rows.runbooks.push({
      id, slug: mode.key, title: runbook.title, services: [...mode.services], failure_mode: mode.titles[0], owner_id: owner.id, body,
      version: versions, created_by: owner.id, created_at: iso(createdAt), updated_at: iso(lastEdit),
    });
    // A third of runbooks stop being verified: they drift stale, which is the point of the badge.
    const keepsVerified = r.chance(0.66);
    for (const incident of incidents) {
      if (incident.mode !== mode || incident.resolvedAt === null || incident.resolvedAt < createdAt) continue;
      if (!r.chance(0.5)) continue;
      const verified = keepsVerified && r.chance(0.5);
      rows.runbookUses.push({ runbook_id: id, incident_id: incident.id, kind: 'used', by_id: incident.commander.id, at: iso(incident.resolvedAt) });
      if (verified) rows.runbookUses.push({ runbook_id: id, incident_id: incident.id, kind: 'verified', by_id: incident.commander.id, at: iso(incident.resolvedAt + DAY / 24) });
    }
    count++;
  }
  return count;
}
