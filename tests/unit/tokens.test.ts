import { describe, expect, it } from 'vitest';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from '../../server/auth/tokens.ts';

describe('session tokens', () => {
  it('generates 24 characters from the lowercase base32 alphabet, never repeating', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = generateSecureRandomString();
      expect(s).toMatch(/^[a-km-z2-9]{24}$/);
      seen.add(s);
    }
    expect(seen.size).toBe(1000);
  });

  it('hashes with SHA-256', () => {
    // SHA-256("abc") from FIPS 180-2.
    expect(Buffer.from(hashSecret('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches a secret only against its own hash', () => {
    const stored = hashSecret('secret-one');
    expect(secretMatches('secret-one', stored)).toBe(true);
    expect(secretMatches('secret-two', stored)).toBe(false);
    expect(secretMatches('secret-one', new Uint8Array(16))).toBe(false);
  });

  it.each(['', 'nodot', 'a.b.c', 'UPPER.case', 'id.', '.secret', 'id.sec ret', `${'a'.repeat(65)}.b`])(
    'rejects malformed token %j',
    (token) => {
      expect(splitToken(token)).toBeNull();
    },
  );

  it('splits id and secret', () => {
    expect(splitToken('abc123.def456')).toEqual({ id: 'abc123', secret: 'def456' });
  });
});
