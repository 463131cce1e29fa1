/**
 * Publishing a stakeholder update, and the rules around it: who may publish
 * (the commander, the communicator, admins), which incidents they can see, and
 * idempotency. The update row and its webhook deliveries commit together.
 * Expected refusals are returned as typed failures.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import type { Actor } from '../incidents/commands.ts';
import type { Access } from '../incidents/permissions.ts';
import { findIncidentByNumber, type Incident } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import { renderMarkdown } from '../shared/markdown.ts';
import { placeholderValues, renderTemplate } from '../shared/update-template.ts';
import { intervalFor } from './cadence.ts';
import type { Audience, PublishedUpdate } from './types.ts';
import { cadenceOverrides, clearCadenceOverride, findUpdateByKey, insertUpdate, setCadenceOverride } from './updates.ts';
import { enqueueDeliveries } from './webhooks/outbox.ts';

export interface CommsFailure {
  ok: false;
  status: 400 | 403 | 404 | 409;
  code: string;
  message: string;
  field?: string;
}

const fail = (status: CommsFailure['status'], code: string, message: string, field?: string): CommsFailure => ({
  ok: false,
  status,
  code,
  message,
  ...(field ? { field } : {}),
});

export interface CommsStanding {
  ok: true;
  incident: Incident;
  access: Exclude<Access, 'none'>;
  /** Publish updates and change the cadence. */
  canCommunicate: boolean;
}

/** The incident as `actor` may see it, or a 404 failure (private incidents do not exist for outsiders). */
export async function communicationsOf(sql: Sql, actor: Actor, number: number): Promise<CommsStanding | CommsFailure> {
  const seen = await standingIn(sql, actor, await findIncidentByNumber(sql, number));
  if (!seen) return fail(404, 'not_found', 'No such incident.');
  const { incident, standing } = seen;
  const access = seen.permissions.access as Exclude<Access, 'none'>;
  const canCommunicate = standing.isAdmin || standing.roles.includes('commander') || standing.roles.includes('communicator');
  return { ok: true, incident, access, canCommunicate };
}

function onlyCommunicators(incident: Incident, what: string): CommsFailure {
  const names = [incident.roles.commander?.displayName, incident.roles.communicator?.displayName].filter(Boolean);
  const who = names.length > 0 ? ` (${names.join(' or ')})` : '';
  return fail(403, 'forbidden', `Only the commander or the communicator${who}, or an admin, can ${what}.`);
}

export interface PublishInput {
  audience: Audience;
  /** The draft, placeholders not yet filled. */
  body: string;
  idempotencyKey: string;
}

export type PublishResult = { ok: true; update: PublishedUpdate; created: boolean; incident: Incident } | CommsFailure;

/**
 * Fills the draft's placeholders with the incident as it is now, renders it,
 * and stores the update with its deliveries. The same key on the same
 * incident returns the update already published, however many requests race:
 * the unique index decides, the losers read the winner's row.
 */
export async function publishUpdate(sql: Sql, actor: Actor, number: number, input: PublishInput): Promise<PublishResult> {
  return sql.begin(async (tx): Promise<PublishResult> => {
    const standing = await communicationsOf(tx, actor, number);
    if (!standing.ok) return standing;
    const { incident } = standing;
    if (!standing.canCommunicate) return onlyCommunicators(incident, 'publish updates');

    const same = (update: PublishedUpdate): PublishResult =>
      update.audience === input.audience
        ? { ok: true, update, created: false, incident }
        : fail(409, 'idempotency_key_reused', 'This idempotency key was already used for another audience.', 'idempotencyKey');
    const existing = await findUpdateByKey(tx, incident.id, input.idempotencyKey);
    if (existing) return same(existing);

    const now = new Date();
    const overrides = await cadenceOverrides(tx, incident.id);
    const values = placeholderValues({
      ref: `INC-${incident.number}`,
      // The public never sees the internal title: the status page's title stands in for it.
      title: input.audience === 'public' ? (incident.publicTitle ?? incident.title) : incident.title,
      severity: incident.severity,
      state: incident.state,
      summary: incident.summary,
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
      intervalMinutes: intervalFor({ severity: incident.severity, override: overrides[input.audience] }, input.audience),
      now,
    });
    const bodyMarkdown = renderTemplate(input.body, values).trim();
    const update = await insertUpdate(tx, {
      id: generateSecureRandomString(),
      incidentId: incident.id,
      audience: input.audience,
      bodyMarkdown,
      bodyHtml: renderMarkdown(bodyMarkdown),
      authorId: actor.id,
      authorName: actor.displayName,
      publishedAt: now,
      incidentState: incident.state,
      incidentTitle: incident.title,
      severity: incident.severity,
      idempotencyKey: input.idempotencyKey,
    });
    if (!update) {
      const winner = await findUpdateByKey(tx, incident.id, input.idempotencyKey);
      if (!winner) throw new Error('an update conflicted on its idempotency key but none was found');
      return same(winner);
    }
    await enqueueDeliveries(tx, update);
    return { ok: true, update, created: true, incident };
  });
}

export type CadenceChangeResult = { ok: true; incident: Incident } | CommsFailure;

/** `intervalMinutes` null = no timer; `useDefault` drops the override. */
export async function changeCadence(
  sql: Sql,
  actor: Actor,
  number: number,
  input: { audience: Audience; intervalMinutes: number | null; useDefault: boolean },
): Promise<CadenceChangeResult> {
  const standing = await communicationsOf(sql, actor, number);
  if (!standing.ok) return standing;
  if (!standing.canCommunicate) return onlyCommunicators(standing.incident, 'change the update cadence');
  if (input.useDefault) await clearCadenceOverride(sql, standing.incident.id, input.audience);
  else await setCadenceOverride(sql, standing.incident.id, input.audience, input.intervalMinutes, actor.id);
  return { ok: true, incident: standing.incident };
}
