import { describe, expect, it } from 'vitest';
import { checkPasswordRules, hashPassword, verifyPassword } from '../../server/auth/password.ts';

describe('checkPasswordRules', () => {
  it.each([
    ['short', 'at least 10 characters'],
    ['123456789', 'at least 10 characters'],
    ['aaaaaaaaaaaa', 'too repetitive'],
    ['x'.repeat(257), 'at most 256 characters'],
  ])('rejects %j', (password, message) => {
    expect(checkPasswordRules(password)).toContain(message);
  });

  it('rejects a password containing the email', () => {
    expect(checkPasswordRules('ana@example.com!!', { email: 'ana@example.com' })).toContain('email');
  });

  it.each(['correct horse battery', '0123456789', 'Tr0ub4dor&3x'])('accepts %j', (password) => {
    expect(checkPasswordRules(password)).toBeNull();
  });
});

describe('argon2id hashing', () => {
  it('verifies the right password and no other', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same password here')).not.toBe(await hashPassword('same password here'));
  });

  it('treats a malformed stored hash as a mismatch, not a crash', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
  });
});
