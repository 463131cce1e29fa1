import { describe, expect, it } from 'vitest';
import { VersionBodies } from '../../server/postmortem/version-bodies.ts';

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
});
