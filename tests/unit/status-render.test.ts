import { describe, expect, it } from 'vitest';
import { entryId, feedId, renderAtomFeed, uuidFor } from '../../server/status/atom.ts';
import { renderNotFound, renderStatusList, renderStatusPage, STATUS_CSP } from '../../server/status/html.ts';
import { escapeText } from '../../server/status/markup.ts';
import { formatUtcDateTime } from '../../server/shared/utc-format.ts';
import type { PublicIncident, PublicUpdate } from '../../server/status/repo.ts';
import { childNamed, childrenNamed, parseXml } from '../helpers/xml.ts';

const NASTY = `Checkout <script>alert("x")</script> & 'friends' \u0000\u0008 ]]>`;

const incident = (patch: Partial<PublicIncident> = {}): PublicIncident => ({
  slug: 'checkout-errors-7k2p',
  title: 'Checkout errors',
  state: 'identified',
  resolvedAt: null,
  publicSince: new Date('2026-11-23T10:00:00Z'),
  lastUpdateAt: new Date('2026-11-23T10:30:00Z'),
  changedAt: new Date('2026-11-23T10:30:00.123Z'),
  ...patch,
});

const updates: PublicUpdate[] = [
  { id: 'upd2', state: 'identified', bodyHtml: '<p>We found it &amp; are fixing it.</p>', publishedAt: new Date('2026-11-23T10:30:00Z') },
  { id: '0b6f5c1e-6f2a-4c1b-9d7e-2a1b3c4d5e6f', state: 'investigating', bodyHtml: '<p>Looking into <em>errors</em>.</p>', publishedAt: new Date('2026-11-23T10:05:00Z') },
];

describe('escaping', () => {
  it('escapes the five characters and drops what XML forbids', () => {
    expect(escapeText(`<a href="x">'&'</a>\u0001\uFFFF\uD800`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeText('😀 é')).toBe('😀 é');
  });

  it('formats instants the same for every reader', () => {
    expect(formatUtcDateTime(new Date('2026-03-01T04:05:59Z'))).toBe('1 Mar 2026, 04:05 UTC');
  });
});

describe('status HTML', () => {
  it('shows the public title, state and updates newest first, with the trusted body as is', () => {
    const html = renderStatusPage(incident(), updates);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<h1>Checkout errors</h1>');
    expect(html).toContain('<span class="state identified">Identified</span>');
    expect(html.indexOf('We found it &amp; are fixing it.')).toBeGreaterThan(0);
    expect(html.indexOf('We found it')).toBeLessThan(html.indexOf('Looking into <em>errors</em>'));
    expect(html).toContain('<time datetime="2026-11-23T10:30:00.000Z">23 Nov 2026, 10:30 UTC</time>');
    expect(html).toContain('href="/status/checkout-errors-7k2p/feed.atom"');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes a hostile public title everywhere it appears', () => {
    const html = renderStatusPage(incident({ title: NASTY }), []) + renderStatusList([incident({ title: NASTY })]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('\u0000');
    expect(html).toContain('Checkout &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;');
    expect(html).toContain('title="Checkout &lt;script&gt;');
  });

  it('says when a resolved incident was resolved, and shows "closed" as resolved', () => {
    const html = renderStatusPage(incident({ state: 'closed', resolvedAt: new Date('2026-11-23T11:00:00Z') }), []);
    expect(html).toContain('<span class="state closed">Resolved</span>');
    expect(html).toContain('Resolved <time datetime="2026-11-23T11:00:00.000Z">');
    expect(html).not.toMatch(/closed<\/span>|Closed/);
  });

  it('lists ongoing incidents before resolved ones, with the last update time', () => {
    const html = renderStatusList([incident({ slug: 'old-aaaa', title: 'Old one', state: 'resolved' }), incident()]);
    expect(html.indexOf('Ongoing incidents')).toBeLessThan(html.indexOf('Checkout errors'));
    expect(html.indexOf('Checkout errors')).toBeLessThan(html.indexOf('Resolved incidents'));
    expect(html.indexOf('Resolved incidents')).toBeLessThan(html.indexOf('Old one'));
    expect(html).toContain('Last update <time datetime="2026-11-23T10:30:00.000Z">');
    expect(renderStatusList([])).toContain('No ongoing incidents.');
  });

  it('renders a friendly 404 and a policy that allows no scripts and only our own style', () => {
    expect(renderNotFound()).toContain('There is no public status page here');
    expect(STATUS_CSP).toContain("default-src 'none'");
    expect(STATUS_CSP).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(STATUS_CSP).not.toMatch(/script-src|unsafe/);
  });
});

describe('Atom feed', () => {
  const parse = (xml: string) => parseXml(xml);

  it('is well-formed Atom 1.0 with ids, updated, links and HTML content', () => {
    const xml = renderAtomFeed(incident(), updates, 'https://warroom.example.com');
    const feed = parse(xml);
    expect(feed.name).toBe('feed');
    expect(feed.attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(childNamed(feed, 'id')!.text).toBe(feedId('checkout-errors-7k2p'));
    expect(childNamed(feed, 'id')!.text).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(childNamed(feed, 'title')!.text).toBe('Checkout errors');
    expect(childNamed(feed, 'updated')!.text).toBe('2026-11-23T10:30:00Z');
    expect(childNamed(childNamed(feed, 'author')!, 'name')!.text).toBe('warroom.example.com status');
    const links = childrenNamed(feed, 'link').map((l) => l.attributes);
    expect(links).toContainEqual({ rel: 'self', type: 'application/atom+xml', href: 'https://warroom.example.com/status/checkout-errors-7k2p/feed.atom' });
    expect(links).toContainEqual({ rel: 'alternate', type: 'text/html', href: 'https://warroom.example.com/status/checkout-errors-7k2p' });

    const entries = childrenNamed(feed, 'entry');
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => childNamed(e, 'id')!.text)).toEqual([`urn:uuid:${uuidFor('warroom:published-update:upd2')}`, 'urn:uuid:0b6f5c1e-6f2a-4c1b-9d7e-2a1b3c4d5e6f']);
    const [first] = entries;
    expect(childNamed(first, 'title')!.text).toBe('Identified: Checkout errors');
    expect(childNamed(first, 'updated')!.text).toBe('2026-11-23T10:30:00Z');
    const content = childNamed(first, 'content')!;
    expect(content.attributes.type).toBe('html');
    expect(content.text).toBe('<p>We found it &amp; are fixing it.</p>');
  });

  it('stays well-formed with a hostile title and body, which arrive escaped, not as markup', () => {
    const xml = renderAtomFeed(
      incident({ title: NASTY }),
      [{ id: 'x&<y>', state: 'investigating', bodyHtml: `<p>${NASTY}</p><![CDATA[ x ]]>`, publishedAt: new Date('2026-11-23T10:05:00Z') }],
      'http://127.0.0.1:3000',
    );
    const feed = parse(xml);
    expect(childNamed(feed, 'title')!.text).toBe(`Checkout <script>alert("x")</script> & 'friends'  ]]>`);
    const entry = childNamed(feed, 'entry')!;
    expect(childNamed(entry, 'content')!.text).toContain('<p>Checkout <script>');
    expect(childNamed(entry, 'link')!.attributes.href).toBe('http://127.0.0.1:3000/status/checkout-errors-7k2p#update-x&<y>');
    expect(xml).not.toMatch(/<script/);
  });

  it('is valid with no entries yet', () => {
    const feed = parse(renderAtomFeed(incident({ lastUpdateAt: null }), [], 'https://warroom.example.com'));
    expect(childrenNamed(feed, 'entry')).toHaveLength(0);
    expect(childNamed(feed, 'updated')).toBeTruthy();
  });

  it('derives stable ids that do not depend on the host name', () => {
    expect(entryId('abc')).toBe(entryId('abc'));
    expect(entryId('abc')).not.toBe(entryId('abd'));
    expect(entryId('0B6F5C1E-6F2A-4C1B-9D7E-2A1B3C4D5E6F')).toBe('urn:uuid:0b6f5c1e-6f2a-4c1b-9d7e-2a1b3c4d5e6f');
  });
});

describe('the test XML parser itself', () => {
  it.each([
    ['<a><b></a></b>', /does not close/],
    ['<a>x & y</a>', /bare &/],
    ['<a>&nbsp;</a>', /bare &/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a x=1/>', /malformed/],
    ['<a/><b/>', /second root/],
    ['<a>\u0001</a>', /not allowed/],
    ['<a>', /never closed/],
  ])('rejects %j', (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});
