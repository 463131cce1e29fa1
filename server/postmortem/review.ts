/**
 * The postmortem review: draft → in review → published (→ draft again for a
 * revision), and who may move it. Pure, like server/incidents/lifecycle.ts:
 * the commands decide with these functions, the HTTP view shows `can` from them.
 */
import type { Standing } from '../incidents/permissions.ts';
import type { PostmortemState } from '../shared/postmortem-doc.ts';

export { POSTMORTEM_STATES, type PostmortemState } from '../shared/postmortem-doc.ts';

export const REVIEW_ACTIONS = ['submit', 'sendBack', 'publish', 'revise'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** Who may take an action: anyone who may edit the draft, or only the commander (or an admin). */
const RULES: Record<ReviewAction, { from: PostmortemState; to: PostmortemState; who: 'editor' | 'commander' }> = {
  submit: { from: 'draft', to: 'in_review', who: 'editor' },
  sendBack: { from: 'in_review', to: 'draft', who: 'editor' },
  publish: { from: 'in_review', to: 'published', who: 'commander' },
  revise: { from: 'published', to: 'draft', who: 'commander' },
};

const STATE_WORDS: Record<PostmortemState, string> = { draft: 'a draft', in_review: 'in review', published: 'published' };
const ACTION_WORDS: Record<ReviewAction, string> = {
  submit: 'submit it for review',
  sendBack: 'send it back to draft',
  publish: 'publish it',
  revise: 'start a revision',
};

export interface ReviewCan {
  edit: boolean;
  submit: boolean;
  sendBack: boolean;
  publish: boolean;
  revise: boolean;
  setDueDate: boolean;
}

export interface Reviewer {
  /** Could write in the war room before it closed: responders, role holders, admins. */
  writer: boolean;
  /** The incident's commander or an admin. */
  commander: boolean;
}

/** The war room's rules without the freeze of closing: the postmortem is written after the close. */
export function reviewerOf(standing: Standing): Reviewer {
  const writer = standing.isAdmin || standing.roles.length > 0 || standing.kind === 'responder';
  return { writer, commander: standing.isAdmin || standing.roles.includes('commander') };
}

export const isEditable = (state: PostmortemState) => state === 'draft' || state === 'in_review';

export type ReviewCheck = { ok: true; to: PostmortemState } | { ok: false; status: 403 | 409; code: string; message: string };

/**
 * May `who` take `action` on a postmortem in `state`? Publishing also needs a
 * closed incident: a reopened one is still being handled.
 */
export function checkReviewAction(action: ReviewAction, state: PostmortemState, who: Reviewer, incidentClosed: boolean): ReviewCheck {
  const rule = RULES[action];
  const allowed = rule.who === 'editor' ? who.writer : who.commander;
  if (!allowed) {
    const people = rule.who === 'editor' ? 'responders, role holders and admins' : 'the incident commander or an admin';
    return { ok: false, status: 403, code: 'forbidden', message: `Only ${people} can ${ACTION_WORDS[action]}.` };
  }
  if (state !== rule.from) {
    return {
      ok: false,
      status: 409,
      code: 'invalid_transition',
      message: `The postmortem is ${STATE_WORDS[state]}: you can ${ACTION_WORDS[action]} only when it is ${STATE_WORDS[rule.from]}.`,
    };
  }
  if (action === 'publish' && !incidentClosed) {
    return { ok: false, status: 409, code: 'incident_open', message: 'The incident was reopened: close it again before publishing its postmortem.' };
  }
  return { ok: true, to: rule.to };
}

export function reviewCan(state: PostmortemState | null, who: Reviewer, incidentClosed: boolean): ReviewCan {
  const may = (action: ReviewAction) => state !== null && checkReviewAction(action, state, who, incidentClosed).ok;
  return {
    edit: state !== null && isEditable(state) && who.writer,
    submit: may('submit'),
    sendBack: may('sendBack'),
    publish: may('publish'),
    revise: may('revise'),
    // The due date is for the review; once published there is nothing left to be late for.
    setDueDate: state !== null && state !== 'published' && who.commander,
  };
}
