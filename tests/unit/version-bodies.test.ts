import { describe, expect, it } from 'vitest';
import { VersionBodies } from '../../server/postmortem/version-bodies.ts';

describe('cached version bodies', () => {
  it('stays within its byte bound, dropping the least recently read first', () => {
    const bodies = new VersionBodies(100); // 50 UTF-16 code units
    bodies.set('a', 'x'.repeat(20));
    bodies.set('b', 'y'.repeat(20));
    expect(bodies.get('a')).toBe('x'.repeat(20));
    bodies.set('c', 'z'.repeat(20));
    expect(bodies.get('b')).toBeUndefined();
    expect(bodies.get('a')).toBe('x'.repeat(20));
    expect(bodies.get('c')).toBe('z'.repeat(20));
    expect(bodies.bytes).toBe(80);
  });

  it('does not keep a body larger than the whole bound', () => {
    const bodies = new VersionBodies(100);
    bodies.set('a', 'x'.repeat(10));
    bodies.set('huge', 'h'.repeat(51));
    expect(bodies.get('huge')).toBeUndefined();
    expect(bodies.get('a')).toBe('x'.repeat(10));
  });

  it('names a version by its incident, number and publication time', () => {
    const at = new Date('2026-03-12T14:00:00Z');
    expect(VersionBodies.key('i1', 1, at)).not.toBe(VersionBodies.key('i2', 1, at));
    expect(VersionBodies.key('i1', 1, at)).not.toBe(VersionBodies.key('i1', 1, new Date(at.getTime() + 1)));
  });
});
