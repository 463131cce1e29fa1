import { describe, expect, it } from 'vitest';
import type { PublishedUpdate } from '../../server/comms/types.ts';
import { markdownToMrkdwn } from '../../server/comms/webhooks/mrkdwn.ts';
import { jsonPayload, slackPayload } from '../../server/comms/webhooks/payload.ts';

const update: PublishedUpdate = {
  id: 'upd1',
  incidentId: 'inc1',
  incidentRef: 'INC-42',
  incidentTitle: 'Checkout is failing',
  severity: 1,
  incidentState: 'identified',
  drill: false,
  audience: 'leadership',
  bodyMarkdown: '## Impact\nCustomers **cannot pay**; see [the dashboard](https://grafana.example.com/d/1).\n- EU only\n- since 10:02',
  bodyHtml: '<h2>Impact</h2><p>Customers <strong>cannot pay</strong></p>',
  authorId: 'u1',
  authorName: 'Ana <Comms>',
  publishedAt: new Date('2026-11-23T10:15:00Z'),
};

describe('Markdown to Slack mrkdwn', () => {
  it('converts emphasis, links, headings and bullets', () => {
    expect(markdownToMrkdwn('**bold** and *italic* and _also_ and ~~gone~~')).toBe('*bold* and _italic_ and _also_ and ~gone~');
    expect(markdownToMrkdwn('see [docs](https://example.com/a?b=1&c=2)')).toBe('see <https://example.com/a?b=1&amp;c=2|docs>');
    expect(markdownToMrkdwn('# Status **now**')).toBe('*Status now*');
    expect(markdownToMrkdwn('- one\n* two\n  + nested')).toBe('• one\n• two\n  • nested');
  });

  it('escapes Slack control characters so text cannot forge mentions or links', () => {
    expect(markdownToMrkdwn('<!channel> a < b & c > d')).toBe('&lt;!channel&gt; a &lt; b &amp; c &gt; d');
    expect(markdownToMrkdwn('[click](javascript:alert) now')).toBe('click now');
  });

  it('shows Markdown-escaped placeholder values without their backslashes', () => {
    expect(markdownToMrkdwn('Checkout \\*down\\* for \\<b\\> users \\_now\\_')).toBe('Checkout *down* for &lt;b&gt; users _now_');
    expect(markdownToMrkdwn('**INC-1: Checkout \\*down\\***')).toBe('*INC-1: Checkout *down**');
  });

  it('leaves code alone', () => {
    expect(markdownToMrkdwn('run `rm **x**` now')).toBe('run `rm **x**` now');
    expect(markdownToMrkdwn('```\n**not bold** <tag>\n```')).toBe('```\n**not bold** &lt;tag&gt;\n```');
  });
});

describe('webhook payloads', () => {
  it('Slack: text fallback plus header, section and context blocks', () => {
    const payload = slackPayload(update);
    expect(payload.text).toContain('INC-42 · SEV1 · Checkout is failing (identified)');
    expect(payload.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(payload.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'INC-42 · SEV1 · Checkout is failing (identified)', emoji: true } });
    const section = payload.blocks[1] as { text: { type: string; text: string } };
    expect(section.text.type).toBe('mrkdwn');
    expect(section.text.text).toBe('*Impact*\nCustomers *cannot pay*; see <https://grafana.example.com/d/1|the dashboard>.\n• EU only\n• since 10:02');
    const context = payload.blocks[2] as { elements: { text: string }[] };
    expect(context.elements[0].text).toBe('*leadership* update by Ana &lt;Comms&gt; · <!date^1795428900^{date_short_pretty} {time}|2026-11-23T10:15:00.000Z>');
  });

  it('Slack: keeps within block limits and marks test sends', () => {
    const long = slackPayload({ ...update, incidentTitle: 'x'.repeat(400), bodyMarkdown: 'y'.repeat(5000) }, { test: true });
    const header = long.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(header.text.text.startsWith('[TEST] INC-42')).toBe(true);
    expect((long.blocks[1] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(long.text.length).toBeLessThanOrEqual(4000);
  });

  it('generic JSON: every PublishedUpdate field, the time as ISO 8601, and survives a JSON round trip', () => {
    const payload = jsonPayload(update);
    expect(payload).toEqual({
      type: 'incident.update.published',
      test: false,
      drill: false,
      update: { ...update, publishedAt: '2026-11-23T10:15:00.000Z' },
    });
    expect(Object.keys(payload.update).sort()).toEqual(Object.keys(update).sort());
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('marks every payload of a drill: drill true, and Slack text that starts with [DRILL]', () => {
    const drill = { ...update, drill: true };
    expect(jsonPayload(drill)).toMatchObject({ drill: true, update: { drill: true } });
    const slack = slackPayload(drill);
    expect(slack.drill).toBe(true);
    expect(slack.text.startsWith('[DRILL] INC-42')).toBe(true);
    expect((slack.blocks[0] as { text: { text: string } }).text.text.startsWith('[DRILL] INC-42')).toBe(true);
    expect(slackPayload(drill, { test: true }).text.startsWith('[DRILL] [TEST] ')).toBe(true);
    // A real incident's messages stay as they were.
    expect(slackPayload(update)).not.toHaveProperty('drill');
    expect(slackPayload(update).text.startsWith('INC-42')).toBe(true);
  });
});
