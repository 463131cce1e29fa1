/**
 * Writing runbooks. Any member may edit (runbooks belong to whoever last
 * debugged the service, not to a gatekeeper); the owner is who to ask.
 * Saves are optimistic: the editor sends the version it started from, and a
 * save against an older version is refused with the current one, so nobody's
 * edit is ever overwritten without them seeing it.
 */
import type { Actor } from '../auth/actor.ts';
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import { fail, type Failure } from '../shared/failure.ts';
import { normalizeServices } from '../incidents/commands.ts';
import { findActiveUser, findIncidentByNumber, type Incident } from '../incidents/repo.ts';
import type { Viewer } from '../incidents/search.ts';
import { standingIn } from '../incidents/visibility.ts';
import { privateQuotes } from './private-quotes.ts';
import { findRunbook, findVersion, insertRunbook, insertStamp, insertVersion, lockRunbook, slugTaken, updateRunbookRow, type Runbook, type StampKind } from './repo.ts';

/** Anyone signed in edits runbooks; admins also see private incidents' quotes. */
export type Editor = Actor;

/** `current`, on a version conflict: the runbook as someone else saved it. */
export type RunbookFailure = Failure<{ current?: Runbook }>;
export type RunbookResult = { ok: true; runbook: Runbook } | RunbookFailure;

export interface RunbookInput {
  title: string;
  body: string;
  services?: string[];
  failureMode?: string;
  ownerId?: string | null;
  note?: string;
  /** Written while or after working this incident: stamps it verified there. */
  verifiedIn?: number;
  /** Written from this incident (without necessarily verifying it there): checked for private quotes. */
  fromIncident?: number;
  /** The writer saw the warning that the runbook quotes a private incident and saves anyway. */
  quotePrivate?: boolean;
}

const viewerOf = (editor: Editor): Viewer => ({ id: editor.id, isAdmin: editor.isAdmin });

/** "Payments: DB pool exhausted!" → "payments-db-pool-exhausted" */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  // "new" is the new-runbook page's own address.
  return !slug ? 'runbook' : slug === 'new' ? 'new-runbook' : slug;
}

/** The incident if the editor may see it; a private incident they are not in is simply not there. */
async function visibleIncident(sql: Sql, editor: Editor, number: number): Promise<Incident | null> {
  const seen = await standingIn(sql, viewerOf(editor), await findIncidentByNumber(sql, number));
  return seen?.incident ?? null;
}

/**
 * Refuses, until the writer confirms, a runbook that quotes the private
 * incident it is written from or verified in: every member can read it.
 */
async function checkPrivateQuotes(sql: Sql, editor: Editor, input: Partial<RunbookInput> & { title: string; body: string }): Promise<RunbookFailure | null> {
  if (input.quotePrivate) return null;
  for (const number of new Set([input.verifiedIn, input.fromIncident])) {
    if (number === undefined) continue;
    const incident = await visibleIncident(sql, editor, number);
    if (!incident?.private) continue;
    if (privateQuotes(incident, input).length > 0) {
      return fail(
        409,
        'quotes_private_incident',
        `This runbook quotes INC-${incident.number}, a private incident, and every member can read runbooks. Remove its title and summary from the runbook, or save again to share them anyway.`,
      );
    }
  }
  return null;
}

async function checkOwner(sql: Sql, ownerId: string | null | undefined): Promise<RunbookFailure | null> {
  if (!ownerId) return null;
  return (await findActiveUser(sql, ownerId)) ? null : fail(400, 'unknown_user', 'ownerId: no active user with that id', 'ownerId');
}

export function createRunbook(sql: Sql, editor: Editor, input: RunbookInput): Promise<RunbookResult> {
  return sql.begin(async (tx) => {
    const ownerProblem = await checkOwner(tx, input.ownerId);
    if (ownerProblem) return ownerProblem;
    const incident = input.verifiedIn === undefined ? null : await visibleIncident(tx, editor, input.verifiedIn);
    if (input.verifiedIn !== undefined && !incident) return fail(404, 'not_found', 'No such incident.', 'verifiedIn');
    const quoteProblem = await checkPrivateQuotes(tx, editor, input);
    if (quoteProblem) return quoteProblem;
    const id = generateSecureRandomString();
    const base = slugify(input.title);
    let slug = base;
    for (let n = 2; await slugTaken(tx, slug); n++) slug = `${base}-${n}`;
    const at = new Date();
    await insertRunbook(tx, {
      id,
      slug,
      title: input.title,
      services: normalizeServices(input.services ?? []),
      failureMode: input.failureMode ?? '',
      ownerId: input.ownerId ?? editor.id,
      body: input.body,
      createdBy: editor.id,
      at,
    });
    await insertVersion(tx, { runbookId: id, version: 1, title: input.title, body: input.body, author: editor, note: input.note ?? '', at });
    if (incident) await insertStamp(tx, { runbookId: id, incidentId: incident.id, kind: 'verified', byId: editor.id, at });
    return { ok: true, runbook: (await findRunbook(tx, viewerOf(editor), id))! };
  });
}

export function updateRunbook(sql: Sql, editor: Editor, id: string, baseVersion: number, input: Partial<RunbookInput> & { body: string }): Promise<RunbookResult> {
  return sql.begin(async (tx) => {
    const locked = await lockRunbook(tx, id);
    if (!locked) return fail(404, 'not_found', 'No such runbook.');
    const current = (await findRunbook(tx, viewerOf(editor), id))!;
    if (locked.version !== baseVersion) {
      const latest = await findVersion(tx, id, locked.version);
      const who = latest?.author?.displayName ?? 'Someone';
      const when = current.updatedAt.toISOString().slice(0, 16).replace('T', ' ');
      return {
        ...fail(409, 'version_conflict', `${who} saved version ${locked.version} at ${when} UTC while you were editing version ${baseVersion}. Your text is not lost: compare it with theirs and save again.`, 'baseVersion'),
        current,
      };
    }
    const ownerProblem = await checkOwner(tx, input.ownerId);
    if (ownerProblem) return ownerProblem;
    const incident = input.verifiedIn === undefined ? null : await visibleIncident(tx, editor, input.verifiedIn);
    if (input.verifiedIn !== undefined && !incident) return fail(404, 'not_found', 'No such incident.', 'verifiedIn');
    const fields = {
      title: input.title ?? current.title,
      services: input.services ? normalizeServices(input.services) : current.services,
      failureMode: input.failureMode ?? current.failureMode,
      ownerId: input.ownerId === undefined ? (current.owner?.id ?? null) : input.ownerId,
      body: input.body,
    };
    const quoteProblem = await checkPrivateQuotes(tx, editor, { ...input, ...fields });
    if (quoteProblem) return quoteProblem;
    const unchanged =
      fields.title === current.title &&
      fields.body === current.body &&
      fields.failureMode === current.failureMode &&
      fields.ownerId === (current.owner?.id ?? null) &&
      fields.services.join('\n') === current.services.join('\n');
    const at = new Date();
    // Re-saving the same text is how "still right, verified in INC-n" is said: a stamp, not an empty version.
    if (!unchanged) {
      const version = locked.version + 1;
      await updateRunbookRow(tx, id, version, { ...fields, at });
      await insertVersion(tx, { runbookId: id, version, title: fields.title, body: fields.body, author: editor, note: input.note ?? '', at });
    }
    if (incident) await insertStamp(tx, { runbookId: id, incidentId: incident.id, kind: 'verified', byId: editor.id, at });
    return { ok: true, runbook: (await findRunbook(tx, viewerOf(editor), id))! };
  });
}

export function stampRunbook(sql: Sql, editor: Editor, id: string, incidentNumber: number, kind: StampKind): Promise<RunbookResult> {
  return sql.begin(async (tx) => {
    const runbook = await findRunbook(tx, viewerOf(editor), id);
    if (!runbook) return fail(404, 'not_found', 'No such runbook.');
    const incident = await visibleIncident(tx, editor, incidentNumber);
    if (!incident) return fail(404, 'not_found', 'No such incident.', 'incident');
    await insertStamp(tx, { runbookId: runbook.id, incidentId: incident.id, kind, byId: editor.id, at: new Date() });
    return { ok: true, runbook: (await findRunbook(tx, viewerOf(editor), runbook.id))! };
  });
}
