import { describe, expect, it } from 'vitest';
import type { Standing } from '../../server/incidents/permissions.ts';
import { checkReviewAction, reviewCan, reviewerOf, POSTMORTEM_STATES, REVIEW_ACTIONS, type Reviewer } from '../../server/postmortem/review.ts';

const standing = (over: Partial<Standing>): Standing => ({ isAdmin: false, private: false, kind: null, roles: [], closed: true, ...over });

describe('reviewerOf', () => {
  it.each([
    ['admin', standing({ isAdmin: true }), { writer: true, commander: true }],
    ['commander', standing({ kind: 'responder', roles: ['commander'] }), { writer: true, commander: true }],
    ['scribe without a participant row', standing({ roles: ['scribe'] }), { writer: true, commander: false }],
    ['responder', standing({ kind: 'responder' }), { writer: true, commander: false }],
    ['observer', standing({ kind: 'observer' }), { writer: false, commander: false }],
    ['outsider of a public incident', standing({}), { writer: false, commander: false }],
  ])('%s', (_name, input, expected) => {
    // The war room is frozen at close; the postmortem is written by the same people after it.
    expect(reviewerOf(input)).toEqual(expected);
  });
});

const editor: Reviewer = { writer: true, commander: false };
const commander: Reviewer = { writer: true, commander: true };
const reader: Reviewer = { writer: false, commander: false };

describe('checkReviewAction', () => {
  // [action, from state, who, closed incident] → resulting state or the refusal's status
  const table: [string, string, Reviewer, boolean, string | number][] = [
    ['submit', 'draft', editor, true, 'in_review'],
    ['submit', 'draft', reader, true, 403],
    ['submit', 'in_review', editor, true, 409],
    ['submit', 'published', commander, true, 409],
    ['sendBack', 'in_review', editor, true, 'draft'],
    ['sendBack', 'draft', editor, true, 409],
    ['sendBack', 'in_review', reader, true, 403],
    ['publish', 'in_review', commander, true, 'published'],
    ['publish', 'in_review', editor, true, 403],
    ['publish', 'draft', commander, true, 409],
    ['publish', 'published', commander, true, 409],
    ['publish', 'in_review', commander, false, 409],
    ['revise', 'published', commander, true, 'draft'],
    ['revise', 'published', editor, true, 403],
    ['revise', 'draft', commander, true, 409],
    ['revise', 'in_review', commander, true, 409],
  ];
  it.each(table)('%s from %s by %o (closed: %s) → %s', (action, state, who, closed, expected) => {
    const result = checkReviewAction(action as (typeof REVIEW_ACTIONS)[number], state as (typeof POSTMORTEM_STATES)[number], who, closed);
    if (typeof expected === 'string') expect(result).toEqual({ ok: true, to: expected });
    else expect(result).toMatchObject({ ok: false, status: expected });
  });

  it('covers every action from every state', () => {
    const covered = new Set(table.map(([action, state]) => `${action}:${state}`));
    for (const action of REVIEW_ACTIONS) {
      for (const state of POSTMORTEM_STATES) {
        const result = checkReviewAction(action, state, commander, true);
        // Exactly one state allows each action.
        if (result.ok) expect(covered.has(`${action}:${state}`)).toBe(true);
      }
    }
  });

  it('says why, in words', () => {
    expect(checkReviewAction('publish', 'in_review', editor, true)).toMatchObject({ message: 'Only the incident commander or an admin can publish it.' });
    expect(checkReviewAction('submit', 'published', editor, true)).toMatchObject({ message: 'The postmortem is published: you can submit it for review only when it is a draft.' });
    expect(checkReviewAction('publish', 'in_review', commander, false)).toMatchObject({ code: 'incident_open' });
  });
});

describe('reviewCan', () => {
  it.each([
    [null, commander, { edit: false, submit: false, sendBack: false, publish: false, revise: false, setDueDate: false }],
    ['draft', editor, { edit: true, submit: true, sendBack: false, publish: false, revise: false, setDueDate: false }],
    ['draft', commander, { edit: true, submit: true, sendBack: false, publish: false, revise: false, setDueDate: true }],
    ['in_review', commander, { edit: true, submit: false, sendBack: true, publish: true, revise: false, setDueDate: true }],
    ['in_review', reader, { edit: false, submit: false, sendBack: false, publish: false, revise: false, setDueDate: false }],
    ['published', commander, { edit: false, submit: false, sendBack: false, publish: false, revise: true, setDueDate: false }],
    ['published', editor, { edit: false, submit: false, sendBack: false, publish: false, revise: false, setDueDate: false }],
  ] as const)('%s for %o', (state, who, expected) => {
    expect(reviewCan(state, who, true)).toEqual(expected);
  });
});
