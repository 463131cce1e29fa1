import { describe, expect, it } from 'vitest';
import { encodeVersionBody, VersionBodies } from '../../server/postmortem/version-bodies.ts';
import { PostmortemVersion } from '../../server/shared/api/postmortems.ts';

const at = new Date('2026-03-12T14:00:00Z');

describe('cached version bodies', () => {
  it('stays within its byte bound, dropping the least recently read first', () => {
    const bodies = new VersionBodies(100); // bytes of UTF-8
    bodies.set('a', at, 'x'.repeat(40));
    bodies.set('b', at, 'y'.repeat(40));
    expect(bodies.get('a')?.body.toString()).toBe('x'.repeat(40));
    bodies.set('c', at, 'z'.repeat(40));
    expect(bodies.get('b')).toBeUndefined();
    expect(bodies.get('a')?.body.toString()).toBe('x'.repeat(40));
    expect(bodies.get('c')?.body.toString()).toBe('z'.repeat(40));
    expect(bodies.bytes).toBe(80);
  });

  it('does not keep a body larger than the whole bound', () => {
    const bodies = new VersionBodies(100);
    bodies.set('a', at, 'x'.repeat(10));
    bodies.set('huge', at, 'h'.repeat(101));
    expect(bodies.get('huge')).toBeUndefined();
    expect(bodies.get('a')?.body.toString()).toBe('x'.repeat(10));
  });

  it('keeps the UTF-8 bytes that are sent, counted as bytes', () => {
    const bodies = new VersionBodies(100);
    const sent = bodies.set('a', at, '{"title":"Ausfall – 東京 🚒"}');
    expect(sent.toString('utf8')).toBe('{"title":"Ausfall – 東京 🚒"}');
    expect(bodies.get('a')?.body).toBe(sent);
    expect(bodies.bytes).toBe(Buffer.byteLength('{"title":"Ausfall – 東京 🚒"}'));
  });

  it('names a version by its incident and number, and holds the publication time of the body it has', () => {
    expect(VersionBodies.key('i1', 1)).not.toBe(VersionBodies.key('i2', 1));
    expect(VersionBodies.key('i1', 1)).not.toBe(VersionBodies.key('i1', 2));
    const bodies = new VersionBodies(100);
    bodies.set('i1/1', at, 'old');
    const replacedAt = new Date(at.getTime() + 1);
    bodies.set('i1/1', replacedAt, 'new');
    expect(bodies.get('i1/1')).toEqual({ publishedAt: replacedAt.getTime(), body: Buffer.from('new') });
    expect(bodies.bytes).toBe(3);
  });

  it('encodes a version as the API describes it: its facts, the stored snapshot as it is, its Markdown and HTML escaped', async () => {
    const snapshot = { sections: { summary: 'Zähler "quoted" \\ back\nslash 🧯' }, actionItems: [], timeline: [{ at: 'x', text: '</script>' }] };
    const markdown = `# Überblick\n\n"a" \\ ${'*a '.repeat(1000)}\u0001`;
    const html = '<p class="x">Ausfall – 東京 🚒</p>';
    const publishedBy = { id: 'u1', displayName: 'Cora "CC" Ö' };

    const body = await encodeVersionBody({ version: 3, publishedAt: at, publishedBy, snapshotJson: JSON.stringify(snapshot), markdown, html: null }, html);

    const read = JSON.parse(body.toString('utf8'));
    expect(read).toEqual({ version: 3, publishedAt: at.toISOString(), publishedBy, snapshot, markdown, html });
    expect(PostmortemVersion.safeParse(read).success).toBe(true);
    // A buffer of its own, as the cache holds it.
    expect(body.buffer.byteLength).toBe(body.byteLength);
  });
});
