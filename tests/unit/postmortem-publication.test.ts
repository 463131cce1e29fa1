import { describe, expect, it } from 'vitest';
import { ownerIdsOf, problemsBeforePublishing } from '../../server/postmortem/publication.ts';
import type { ActionItemDraft, PostmortemContent } from '../../server/shared/postmortem-doc.ts';

const item = (over: Partial<ActionItemDraft> | Record<string, unknown>): ActionItemDraft =>
  ({ id: 'i', title: 'Alert on saturation', owner: { id: 'rey', name: 'Rey' }, dueDate: '2026-03-20', kind: 'immediate', priority: 'p1', status: 'open', problemCategory: '', createdAt: '', ...over }) as ActionItemDraft;
const content = (items: ActionItemDraft[]): PostmortemContent => ({
  incidentId: 'inc',
  generatedAt: '',
  sections: { summary: 'What happened', impact: '', investigation: '', resolution: '', trigger: '', escalation: '', detection: '', response: '', containment: '', recovery: '', went_well: '', lucky: '' },
  timeline: [],
  factors: [],
  actionItems: items,
});
const active = new Set(['rey', 'cora']);

describe('problemsBeforePublishing', () => {
  it('has nothing to say about a complete document', () => {
    expect(problemsBeforePublishing(content([item({})]), active)).toEqual([]);
  });

  it.each([
    [{ dueDate: '2026-02-30' }, '"Alert on saturation": the due date is not a date like 2026-03-01.'],
    [{ dueDate: 'next week' }, '"Alert on saturation": the due date is not a date like 2026-03-01.'],
    [{ kind: 'someday' }, '"Alert on saturation": choose immediate fix or structural improvement.'],
    [{ priority: 'p0' }, '"Alert on saturation": choose a priority (P1 to P3).'],
    [{ status: 'finished' }, '"Alert on saturation": the status is not one we know.'],
    [{ owner: { id: 'gone', name: 'Gus' } }, '"Alert on saturation" is owned by Gus, who is not an active user: choose another owner.'],
    [{ owner: { name: 'No id' } }, '"Alert on saturation" is owned by No id, who is not an active user: choose another owner.'],
    [{ title: 'x'.repeat(301) }, `"${'x'.repeat(59)}…": the title is longer than 300 characters.`],
  ])('refuses what a browser could have written: %o', (over, problem) => {
    expect(problemsBeforePublishing(content([item(over)]), active)).toEqual([problem]);
  });

  it('keeps the shared problems first', () => {
    expect(problemsBeforePublishing(content([item({ owner: null, dueDate: null })]), active)).toEqual(['"Alert on saturation" has no owner.', '"Alert on saturation" has no due date.']);
  });
});

describe('ownerIdsOf', () => {
  it('lists each string owner id once', () => {
    expect(ownerIdsOf(content([item({}), item({ id: 'j' }), item({ owner: { id: 'cora', name: 'Cora' } }), item({ owner: { name: 'x' } }), item({ owner: null })]))).toEqual(['rey', 'cora']);
  });
});
