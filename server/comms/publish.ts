/**
 * Publishing a stakeholder update, and the rules around it: who may publish
 * (the commander, the communicator, admins), which incidents they can see, and
 * idempotency. The update row and its webhook deliveries commit together.
 * Expected refusals are returned as typed failures.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import { fail, type Failure } from '../shared/failure.ts';
import type { Actor } from '../incidents/commands.ts';
import type { Access } from '../incidents/permissions.ts';
import { findIncidentByNumber, type Incident } from '../incidents/repo.ts';
import { standingIn, type IncidentStanding } from '../incidents/visibility.ts';
import { renderMarkdownOffThread } from '../markdown/render.ts';
import { renderMarkdown } from '../shared/markdown.ts';
import { placeholderValues, renderTemplate } from '../shared/update-template.ts';
import { intervalFor } from '../shared/cadence.ts';
import type { Audience } from '../shared/audiences.ts';
import type { PublishedUpdate } from './types.ts';
import { cadenceOverrides, clearCadenceOverride, findUpdateByKey, insertUpdate, setCadenceOverride } from './updates.ts';
import { enqueueDeliveries } from './webhooks/outbox.ts';

export interface CommsStanding {
  ok: true;
  incident: Incident;
  access: Exclude<Access, 'none'>;
  /** Publish updates and change the cadence. */
  canCommunicate: boolean;
}

/** The incident as `actor` may see it, or a 404 failure (private incidents do not exist for outsiders). */
export async function communicationsOf(sql: Sql, actor: Actor, number: number): Promise<CommsStanding | Failure> {
  const seen = await standingIn(sql, actor, await findIncidentByNumber(sql, number));
  return seen ? communicationsIn(seen) : fail(404, 'not_found', 'No such incident.');
}

/** What someone who can see the incident may do with its communications. */
export function communicationsIn({ incident, standing, permissions }: IncidentStanding): CommsStanding {
  const access = permissions.access as Exclude<Access, 'none'>;
  const canCommunicate = standing.isAdmin || standing.roles.includes('commander') || standing.roles.includes('communicator');
  return { ok: true, incident, access, canCommunicate };
}

function onlyCommunicators(incident: Incident, what: string): Failure {
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

export type PublishResult = { ok: true; update: PublishedUpdate; created: boolean; incident: Incident } | Failure;

/** The draft with its placeholders filled from the incident as it is at `now`. */
async function fillDraft(sql: Sql, incident: Incident, input: PublishInput, now: Date): Promise<string> {
  const overrides = await cadenceOverrides(sql, incident.id);
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
  return renderTemplate(input.body, values).trim();
}

/**
 * Fills the draft's placeholders with the incident as it is now, renders it,
 * and stores the update with its deliveries. The same key on the same
 * incident returns the update already published, however many requests race:
 * the unique index decides, the losers read the winner's row.
 *
 * The draft is filled and rendered before the transaction, off the main
 * thread; the transaction fills it again and renders again only if the
 * incident changed in between.
 */
export async function publishUpdate(sql: Sql, actor: Actor, number: number, input: PublishInput): Promise<PublishResult> {
  const now = new Date();
  const before = await communicationsOf(sql, actor, number);
  if (!before.ok) return before;
  if (!before.canCommunicate) return onlyCommunicators(before.incident, 'publish updates');
  const drafted = await fillDraft(sql, before.incident, input, now);
  const rendered = { markdown: drafted, html: await renderMarkdownOffThread(drafted) };
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

    const bodyMarkdown = await fillDraft(tx, incident, input, now);
    const update = await insertUpdate(tx, {
      id: generateSecureRandomString(),
      incidentId: incident.id,
      audience: input.audience,
      bodyMarkdown,
      bodyHtml: bodyMarkdown === rendered.markdown ? rendered.html : renderMarkdown(bodyMarkdown),
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

export type CadenceChangeResult = { ok: true; incident: Incident } | Failure;

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
