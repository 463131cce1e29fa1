import { describe, expect, it } from 'vitest';
import { toMarkdown, type ExportFacts } from '../../server/postmortem/markdown-export.ts';
import type { PostmortemContent } from '../../server/shared/postmortem-doc.ts';

const empty = { summary: '', impact: '', investigation: '', trigger: '', escalation: '', detection: '', response: '', containment: '', recovery: '', went_well: '', lucky: '' };
const content: PostmortemContent = {
  incidentId: 'inc1',
  generatedAt: '2026-03-12T17:00:00.000Z',
  sections: { ...empty, summary: 'Checkout failed for 2 h 30 min.', trigger: 'A traffic spike after the newsletter.', lucky: 'It was a Tuesday.' },
  timeline: [
    { id: 'a', at: '2026-03-12T14:05:00.000Z', kind: 'alert', source: 'event', text: 'Cora declared a SEV2', author: { id: 'cora', name: 'Cora' }, collapsed: false },
    { id: 'b', at: '2026-03-12T14:06:00.000Z', kind: 'note', source: 'event', text: 'Noise nobody needs', author: null, collapsed: true },
    { id: 'c', at: '2026-03-12T14:15:00.000Z', kind: 'action', source: 'scribe', text: 'Raised the pool | from 100\nto 200', author: { id: 'rey', name: 'Rey' }, collapsed: false },
  ],
  factors: [
    { id: 'f2', category: 'process', description: 'No load test before the campaign', hypothesisId: null, createdAt: '2026-03-12T18:00:00.000Z' },
    { id: 'f1', category: 'technical', description: 'The pool is sized by hand\n\nAnd nobody alerts on it', hypothesisId: 'h1', createdAt: '2026-03-12T17:00:00.000Z' },
  ],
  actionItems: [
    { id: 'i1', title: 'Alert on pool saturation', owner: { id: 'rey', name: 'Rey' }, dueDate: '2026-03-20', kind: 'immediate', priority: 'p1', status: 'open', problemCategory: '', createdAt: '2026-03-12T18:00:00.000Z' },
    { id: 'i2', title: 'Autoscale the pool', owner: { id: 'cora', name: 'Cora' }, dueDate: '2026-04-30', kind: 'structural', priority: 'p2', status: 'in_progress', problemCategory: 'capacity', createdAt: '2026-03-12T18:01:00.000Z' },
  ],
};
const facts: ExportFacts = {
  incident: { number: 42, title: 'Checkout is failing', severity: 2, services: ['checkout', 'payments'] },
  version: 2,
  publishedAt: new Date('2026-03-14T09:30:00.000Z'),
  publishedBy: { displayName: 'Cora' },
};

describe('toMarkdown', () => {
  it('renders every section in reading order, without collapsed timeline entries', () => {
    expect(toMarkdown(content, facts)).toBe(
      [
        '# INC-42: Checkout is failing — postmortem',
        '',
        '_SEV2 · checkout, payments · Version 2, published 14 Mar 2026, 09:30 UTC by Cora_',
        '',
        '## Summary',
        '',
        'Checkout failed for 2 h 30 min.',
        '',
        '## Impact',
        '',
        '_Nothing recorded._',
        '',
        '## Timeline',
        '',
        '| Time (UTC) | Source | What happened | By |',
        '| --- | --- | --- | --- |',
        '| 12 Mar 2026, 14:05 UTC | Automatic | Cora declared a SEV2 | Cora |',
        '| 12 Mar 2026, 14:15 UTC | Scribe | Raised the pool \\| from 100 to 200 | Rey |',
        '',
        '## Investigation',
        '',
        '_Nothing recorded._',
        '',
        '## Contributing factors',
        '',
        '### Technical',
        '',
        '- The pool is sized by hand',
        '',
        '  And nobody alerts on it',
        '',
        '### Process',
        '',
        '- No load test before the campaign',
        '',
        '### Trigger',
        '',
        'A traffic spike after the newsletter.',
        '',
        '### What made escalation possible',
        '',
        '_Nothing recorded._',
        '',
        '## Detection and response gaps',
        '',
        '### Detection',
        '',
        '_Nothing recorded._',
        '',
        '### Response',
        '',
        '_Nothing recorded._',
        '',
        '### Containment',
        '',
        '_Nothing recorded._',
        '',
        '### Recovery',
        '',
        '_Nothing recorded._',
        '',
        '## What went well',
        '',
        '_Nothing recorded._',
        '',
        '## Where we got lucky',
        '',
        'It was a Tuesday.',
        '',
        '## Action items',
        '',
        '| Action | Owner | Due | Kind | Priority | Status |',
        '| --- | --- | --- | --- | --- | --- |',
        '| Alert on pool saturation | Rey | 2026-03-20 | Immediate fix | P1 | Open |',
        '| Autoscale the pool (exposes: capacity) | Cora | 2026-04-30 | Structural improvement | P2 | In progress |',
        '',
      ].join('\n'),
    );
  });

  it('marks a draft as unpublished and is deterministic', () => {
    const draft = toMarkdown(content, { ...facts, version: null, publishedAt: null, publishedBy: null });
    expect(draft.split('\n')[2]).toBe('_SEV2 · checkout, payments · Draft, not published_');
    expect(toMarkdown(content, facts)).toBe(toMarkdown(structuredClone(content), facts));
  });
});
