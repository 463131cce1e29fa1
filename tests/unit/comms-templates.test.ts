import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, FINAL_TEMPLATES } from '../../server/comms/templates.ts';
import { AUDIENCES } from '../../server/shared/audiences.ts';
import { renderMarkdown } from '../../server/shared/markdown.ts';
import { firstLine, PLACEHOLDERS, placeholderValues, renderTemplate, type TemplateContext } from '../../server/shared/update-template.ts';

const context = (overrides: Partial<TemplateContext> = {}): TemplateContext => ({
  ref: 'INC-42',
  title: 'Checkout is failing',
  severity: 1,
  state: 'investigating',
  summary: 'Card payments fail for EU customers.',
  startedAt: new Date('2026-03-01T14:05:00Z'),
  resolvedAt: null,
  intervalMinutes: 30,
  now: new Date('2026-03-01T15:17:30Z'),
  ...overrides,
});

describe('renderTemplate', () => {
  it('fills known placeholders, tolerating spaces inside the braces', () => {
    expect(renderTemplate('{{ref}} {{ severity }}: {{title}}', { ref: 'INC-42', severity: 'SEV1', title: 'Down' })).toBe('INC-42 SEV1: Down');
  });

  it('leaves unknown placeholders visible so typos show in the preview', () => {
    expect(renderTemplate('{{titel}} and {{ref}} and {{constructor}}', { ref: 'INC-1' })).toBe('{{titel}} and INC-1 and {{constructor}}');
  });

  it('escapes values so Markdown in a title stays literal and HTML stays inert', () => {
    const markdown = renderTemplate('**Title:** {{title}}', { title: '*urgent* <img src=x onerror=alert(1)> [x](javascript:y)' });
    expect(renderMarkdown(markdown)).toBe(
      '<p><strong>Title:</strong> *urgent* &lt;img src=x onerror=alert(1)&gt; [x](javascript:y)</p>\n',
    );
  });

  it('never doubles the word before a placeholder: "Next update by {{next_update}}" reads once', () => {
    const values = placeholderValues(context());
    expect(renderTemplate('Next update by {{next_update}}.', values)).toBe('Next update by 15:47 UTC.');
    expect(renderTemplate('Next update {{next_update}}.', values)).toBe('Next update by 15:47 UTC.');
    expect(renderTemplate('Next update BY {{ next_update }}', values)).toBe('Next update BY 15:47 UTC');
    expect(renderTemplate('Next update by {{next_update}}', { next_update: 'when there is news' })).toBe('Next update by when there is news');
  });

  it('keeps a value at the start of a line from becoming a heading or list', () => {
    expect(renderMarkdown(renderTemplate('{{title}}', { title: '# 1. - big' }))).toBe('<p># 1. - big</p>\n');
    expect(renderMarkdown(renderTemplate('{{title}}', { title: '1. first' }))).toBe('<p>1. first</p>\n');
  });
});

describe('placeholderValues', () => {
  it('describes the incident now, in UTC', () => {
    expect(placeholderValues(context())).toEqual({
      ref: 'INC-42',
      title: 'Checkout is failing',
      severity: 'SEV1',
      state: 'investigating',
      status: 'Investigating',
      impact: 'Card payments fail for EU customers.',
      started_at: '1 Mar 2026, 14:05 UTC',
      duration: '1 h 12 min',
      doing: 'We are investigating the cause.',
      next_update: 'by 15:47 UTC',
    });
  });

  it.each([
    [{ intervalMinutes: null }, 'next_update', 'when there is news'],
    [{ state: 'resolved', resolvedAt: new Date('2026-03-01T14:50:00Z') }, 'duration', '45 min'],
    [{ state: 'resolved', resolvedAt: new Date('2026-03-01T14:50:00Z') }, 'next_update', 'no further updates are planned'],
    [{ summary: '  ' }, 'impact', 'We are still assessing the impact.'],
    [{ state: 'monitoring' }, 'doing', 'A fix is in place and we are monitoring the results.'],
  ] as const)('%j → %s = %j', (overrides, key, value) => {
    expect(placeholderValues(context(overrides as Partial<TemplateContext>))[key]).toBe(value);
  });
});

describe('default templates', () => {
  it('exist for every audience and use only known placeholders', () => {
    for (const audience of AUDIENCES) {
      const body = DEFAULT_TEMPLATES[audience];
      const used = [...body.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((m) => m[1]);
      expect(used.length, audience).toBeGreaterThan(0);
      for (const name of used) expect(Object.keys(PLACEHOLDERS), `${audience}: {{${name}}}`).toContain(name);
      expect(renderTemplate(body, placeholderValues(context()))).not.toContain('{{');
    }
  });

  it('keep internal detail out of the public one', () => {
    expect(DEFAULT_TEMPLATES.public).not.toMatch(/\{\{\s*(ref|severity|title|impact)\s*\}\}/);
  });

  it('start the public one with the state as customers read it, not the raw lower-case state', () => {
    expect(renderTemplate(DEFAULT_TEMPLATES.public, placeholderValues(context({ state: 'identified' })))).toMatch(/^\*\*Identified:\*\* We have identified/);
  });

  it('offer every audience a final update that says it is resolved and promises no next one', () => {
    const resolved = placeholderValues(context({ state: 'resolved', resolvedAt: new Date('2026-03-01T15:00:00Z') }));
    for (const audience of AUDIENCES) {
      const text = renderTemplate(FINAL_TEMPLATES[audience], resolved);
      expect(text, audience).not.toContain('{{');
      expect(text, audience).toMatch(/resolved|Resolved|final update/);
      expect(text, audience).not.toMatch(/next update (by|when)/i);
    }
    expect(renderTemplate(FINAL_TEMPLATES.public, resolved)).toMatch(/^\*\*Resolved:\*\* The issue is resolved\./);
    expect(FINAL_TEMPLATES.public).not.toMatch(/\{\{\s*(ref|severity|title|impact)\s*\}\}/);
  });
});

describe('firstLine', () => {
  it('takes the first non-empty line without Markdown markers', () => {
    expect(firstLine('\n### **INC-1** SEV1: Down\nmore')).toBe('INC-1 SEV1: Down');
    expect(firstLine('- item')).toBe('item');
    expect(firstLine('Checkout \\*down\\* on db_primary _now_')).toBe('Checkout *down* on db_primary now');
    expect(firstLine('x'.repeat(200), 10)).toBe('xxxxxxxxx…');
  });
});
