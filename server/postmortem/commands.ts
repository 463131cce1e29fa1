/**
 * Everything that moves a postmortem through its review. Each command runs in
 * one transaction holding the postmortem row's lock, so two reviewers clicking
 * at once serialise; refusals are returned as typed failures, like the
 * incident commands (server/incidents/commands.ts).
 */
import type { Actor } from '../auth/actor.ts';
import type { Sql } from '../db/sql.ts';
import { fail, Refusal, type Failure } from '../shared/failure.ts';
import { recordEvent, type Named, type PostmortemAction } from '../incidents/events.ts';
import type { LiveDocuments } from '../incidents/live.ts';
import { findIncidentByNumber, lockIncident, type Incident } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import { renderMarkdownOffThread } from '../markdown/render.ts';
import { renderMarkdown } from '../shared/markdown.ts';
import type { PostmortemContent } from '../shared/postmortem-doc.ts';
import { upsertActionItems } from './action-items.ts';
import { deferSearchRefresh } from '../search/refresh.ts';
import { oversizedFields, ownerIdsOf, problemsBeforePublishing } from './publication.ts';
import { toMarkdown } from './markdown-export.ts';
import { findPostmortem, insertVersion, setPostmortemState, setReviewDueAt, type Postmortem } from './repo.ts';
import { discardStagedVersion, publishStagedVersion, stageVersionTexts } from './version-staging.ts';
import { checkReviewAction, reviewerOf, type ReviewAction } from './review.ts';

export type { Actor };

/** `problems`: what stands between the draft and publication, one line each. */
export type ReviewFailure = Failure<{ problems?: string[] }>;

export type ReviewResult = { ok: true; incident: Incident; postmortem: Postmortem } | ReviewFailure;

const refuse = (status: 403 | 404 | 409 | 413 | 422 | 503, code: string, message: string, problems?: string[]) =>
  new Refusal<ReviewFailure>({ ...fail(status, code, message), ...(problems ? { problems } : {}) });

const NOT_READY = 'The postmortem is not ready to publish.';
const NOT_FOUND = () => refuse(404, 'not_found', 'No such incident.');
const NO_POSTMORTEM = () => refuse(409, 'no_postmortem', 'This incident has no postmortem yet: it is drafted when the incident is closed.');

interface ReviewContext {
  tx: Sql;
  actor: Actor;
  by: Named;
  now: Date;
  incident: Incident;
  postmortem: Postmortem;
  check(action: ReviewAction): void;
  record(action: PostmortemAction, extra?: { version?: number; reviewDueAt?: string }): Promise<void>;
}

/** Finds the incident as the actor sees it, locks it and its postmortem row, and runs `fn`. */
async function onPostmortem(sql: Sql, actor: Actor, number: number, fn: (ctx: ReviewContext) => Promise<void>, now = new Date()): Promise<ReviewResult> {
  try {
    return await sql.begin(async (tx): Promise<ReviewResult> => {
      // The incident's lock first, as its commands take it: a reopen and a publish never interleave.
      if (!(await lockIncident(tx, number))) throw NOT_FOUND();
      const seen = await standingIn(tx, actor, await findIncidentByNumber(tx, number));
      if (!seen) throw NOT_FOUND();
      const { incident } = seen;
      const postmortem = await findPostmortem(tx, incident.id, { lock: true });
      if (!postmortem) throw NO_POSTMORTEM();
      const who = reviewerOf(seen.standing);
      const by = { id: actor.id, name: actor.displayName };
      await fn({
        tx, actor, by, incident, postmortem, now,
        check(action) {
          const result = checkReviewAction(action, postmortem.state, who, incident.state === 'closed');
          if (!result.ok) throw refuse(result.status, result.code, result.message);
        },
        async record(action, extra = {}) {
          await recordEvent(tx, incident.id, by, { kind: 'postmortem', action, ...extra });
        },
      });
      return { ok: true, incident, postmortem: (await findPostmortem(tx, incident.id))! };
    });
  } catch (error) {
    if (error instanceof Refusal) return error.failure;
    throw error;
  }
}

export function submitPostmortem(sql: Sql, actor: Actor, number: number): Promise<ReviewResult> {
  return onPostmortem(sql, actor, number, async ({ tx, incident, now, check, record }) => {
    check('submit');
    await setPostmortemState(tx, incident.id, 'in_review', { submittedBy: actor.id, at: now });
    await record('submitted');
  });
}

export function sendBackPostmortem(sql: Sql, actor: Actor, number: number): Promise<ReviewResult> {
  return onPostmortem(sql, actor, number, async ({ tx, incident, now, check, record }) => {
    check('sendBack');
    await setPostmortemState(tx, incident.id, 'draft', { at: now });
    await record('sent_back');
  });
}

export function revisePostmortem(sql: Sql, actor: Actor, number: number): Promise<ReviewResult> {
  return onPostmortem(sql, actor, number, async ({ tx, incident, now, check, record }) => {
    check('revise');
    await setPostmortemState(tx, incident.id, 'draft', { at: now });
    await record('revised');
  });
}

export function setPostmortemDueDate(sql: Sql, actor: Actor, number: number, reviewDueAt: Date): Promise<ReviewResult> {
  return onPostmortem(sql, actor, number, async ({ tx, incident, postmortem, actor: who, record }) => {
    if (!who.isAdmin && incident.roles.commander?.id !== who.id) {
      throw refuse(403, 'forbidden', 'Only the incident commander or an admin can change the review due date.');
    }
    if (postmortem.state === 'published') throw refuse(409, 'already_published', 'The postmortem is published: there is no review left to be due.');
    if (postmortem.reviewDueAt.getTime() === reviewDueAt.getTime()) return;
    await setReviewDueAt(tx, incident.id, reviewDueAt);
    await record('due_date', { reviewDueAt: reviewDueAt.toISOString() });
  });
}

/** What stands between the document and publication, its action items' owners looked up as they are now. */
async function readinessProblems(sql: Sql, content: PostmortemContent): Promise<string[]> {
  const owners = await sql<{ id: string }>`select id from users where active and kind = 'person' and id = any(${ownerIdsOf(content)}::text[])`;
  return problemsBeforePublishing(content, new Set(owners.map((row) => row.id)));
}

/**
 * Freezes the document as version N+1: the snapshot and its Markdown, the
 * action items as rows (created once, updated on later versions), and the
 * event. The document is read after a first check and before the
 * transaction: loading a document needs the database, and with embedded
 * PGlite a transaction holds its only connection. For the same reason the
 * HTML is rendered then too (off the main thread: a long postmortem takes a
 * few hundred milliseconds), and the version's texts are written then (see
 * version-staging.ts): the transaction checks the state again under the row
 * lock and numbers the staged row, or renders and writes the texts again if
 * the version's Markdown changed meanwhile.
 */
export async function publishPostmortem(sql: Sql, live: LiveDocuments, actor: Actor, number: number): Promise<ReviewResult> {
  const now = new Date();
  const ready = await onPostmortem(sql, actor, number, async ({ check }) => check('publish'));
  if (!ready.ok) return ready;
  const content = await live.runCommand(ready.postmortem.docId, null, { kind: 'read-postmortem' });
  const oversized = oversizedFields(content);
  if (oversized.length > 0) return { ok: false, status: 413, code: 'too_large', message: 'The postmortem is too long to publish: shorten the parts named below.', problems: oversized };
  // Refused before anything is written when it cannot be published anyway; the transaction checks again.
  const early = await readinessProblems(sql, content);
  if (early.length > 0) return { ok: false, status: 422, code: 'not_ready', message: NOT_READY, problems: early };
  const publishedBy = { id: actor.id, displayName: actor.displayName };
  const facts = { incident: ready.incident, version: ready.postmortem.version + 1, publishedAt: now, publishedBy };
  const expected = toMarkdown(content, facts);
  const rendered = { markdown: expected, html: await renderMarkdownOffThread(expected) };
  // Serialised and written now: a postmortem at its size limits is ~15 ms of JSON and ~20 ms of the database's work
  // to store, not to be spent while the transaction holds the database (with embedded PGlite, every war room waits).
  const snapshot = JSON.stringify(content);
  const staged = await stageVersionTexts(sql, { incidentId: ready.incident.id, snapshot, ...rendered });
  let numbered = false;
  let result: ReviewResult | undefined;
  try {
    result = await onPostmortem(sql, actor, number, async ({ tx, incident, postmortem, by, check, record }) => {
      check('publish');
      const problems = await readinessProblems(tx, content);
      if (problems.length > 0) throw refuse(422, 'not_ready', NOT_READY, problems);
      const version = postmortem.version + 1;
      // The same facts give the same Markdown (about 10 ms for a long postmortem): written again only if they changed meanwhile.
      const sameFacts = version === facts.version && JSON.stringify(incident) === JSON.stringify(facts.incident);
      const markdown = sameFacts ? rendered.markdown : toMarkdown(content, { incident, version, publishedAt: now, publishedBy });
      // Rendered once: every later read serves the stored HTML.
      const html = markdown === rendered.markdown ? rendered.html : renderMarkdown(markdown);
      // The incident's search entry is refreshed once this transaction has committed (see server/search/refresh.ts),
      // so the refresh each new or renamed item's row would run here (stemming the incident's summary and items:
      // 10–25 ms apiece on PGlite, while every war room's commits wait for this transaction) is left out.
      await deferSearchRefresh(tx);
      await upsertActionItems(tx, incident.id, content.actionItems);
      if (markdown === rendered.markdown) {
        numbered = await publishStagedVersion(tx, staged, { incidentId: incident.id, version, publishedAt: now, publishedBy });
        if (!numbered) throw new Error(`the staged texts of ${incident.id}'s postmortem version ${version} are gone`);
      } else {
        await insertVersion(tx, { incidentId: incident.id, version, snapshot, markdown, html, publishedAt: now, publishedBy });
      }
      await setPostmortemState(tx, incident.id, 'published', { publishedBy: by.id, version, at: now });
      await record('published', { version });
    }, now);
    return result;
  } finally {
    // Kept only by a committed publication that numbered it; a refused, failed or re-rendered one leaves it behind.
    if (!(result?.ok && numbered)) await discardStagedVersion(sql, staged);
  }
}
