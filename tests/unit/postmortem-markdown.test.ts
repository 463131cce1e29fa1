import { describe, expect, it } from 'vitest';
import { toMarkdown, type ExportFacts } from '../../server/postmortem/markdown-export.ts';
import type { PostmortemContent } from '../../server/shared/postmortem-doc.ts';

const empty = { summary: '', impact: '', investigation: '', resolution: '', trigger: '', escalation: '', detection: '', response: '', containment: '', recovery: '', went_well: '', lucky: '' };
const content: PostmortemContent = {
  incidentId: 'inc1',
  generatedAt: '2026-03-12T17:00:00.000Z',
  sections: {
    ...empty,
    summary: 'Checkout failed for 2 h 30 min.',
    resolution: 'Mitigated by raising the pool.',
    trigger: 'A traffic spike after the newsletter.',
    lucky: 'It was a Tuesday.',
  },
  timeline: [
    { id: 'a', at: '2026-03-12T14:05:00.000Z', kind: 'alert', source: 'event', text: 'Cora declared a SEV2', author: { id: 'cora', name: 'Cora' }, collapsed: false },
    { id: 'b', at: '2026-03-12T14:06:00.000Z', kind: 'note', source: 'event', text: 'Noise nobody needs', author: null, collapsed: true },
    { id: 'c', at: '2026-03-12T14:15:00.000Z', kind: 'action', source: 'scribe', text: 'Raised the pool | from 100\nto 200', author: { id: 'rey', name: 'Rey' }, collapsed: false },
    { id: 'd', at: '2026-03-12T14:20:00.000Z', kind: 'decision', source: 'scribe', text: 'Keep the campaign running', author: { id: 'cora', name: 'Cora' }, collapsed: false },
    { id: 'e', at: '2026-03-12T14:30:00.000Z', kind: 'communication', source: 'update', text: 'Published the public update', author: { id: 'cora', name: 'Cora' }, collapsed: false },
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
        '| 12 Mar 2026, 14:15 UTC | War room | Raised the pool \\| from 100 to 200 | Rey |',
        '| 12 Mar 2026, 14:20 UTC | War room | Keep the campaign running | Cora |',
        '| 12 Mar 2026, 14:30 UTC | Stakeholder update | Published the public update | Cora |',
        '',
        '## Investigation',
        '',
        '_Nothing recorded._',
        '',
        '## Resolution',
        '',
        'Mitigated by raising the pool.',
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

  it('leaves out a label nobody filled in, and keeps one whose answer follows on the next lines', () => {
    const impact = (text: string) => {
      const markdown = toMarkdown({ ...content, sections: { ...content.sections, impact: text } }, facts);
      return markdown.slice(markdown.indexOf('## Impact\n\n') + 11, markdown.indexOf('\n\n## Timeline'));
    };
    const facts3 = '- **Severity:** SEV2\n- **Started:** 12 Mar 2026, 13:50 UTC';
    expect(impact(`${facts3}\n\n**Customer impact:** `)).toBe(facts3);
    expect(impact('**Customer impact:**')).toBe('_Nothing recorded._');
    expect(impact(`${facts3}\n\n**Customer impact:** EU card payments failed.`)).toBe(`${facts3}\n\n**Customer impact:** EU card payments failed.`);
    expect(impact('**Customer impact:**\n\n- EU cards\n- 40 % of checkouts')).toBe('**Customer impact:**\n\n- EU cards\n- 40 % of checkouts');
    expect(impact('**Customer impact:**\n**Internal impact:** the support queue doubled')).toBe('**Internal impact:** the support queue doubled');
  });

  it('marks a draft as unpublished and is deterministic', () => {
    const draft = toMarkdown(content, { ...facts, version: null, publishedAt: null, publishedBy: null });
    expect(draft.split('\n')[2]).toBe('_SEV2 · checkout, payments · Draft, not published_');
    expect(toMarkdown(content, facts)).toBe(toMarkdown(structuredClone(content), facts));
  });
});
