import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';

// Lucia's alphabet: lowercase base32 without easily confused characters.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 24 characters × 5 bits = 120 bits of entropy. */
export function generateSecureRandomString(length = 24): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte >> 3];
  return out;
}

export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const hash = hashSecret(secret);
  return hash.byteLength === storedHash.byteLength && constantTimeEqual(hash, new Uint8Array(storedHash));
}

/** A bearer token is "<id>.<secret>": the id finds the row, the secret proves possession. */
export function splitToken(token: string): { id: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[a-z0-9]{1,64}$/.test(parts[0]) || !/^[a-z0-9]{1,64}$/.test(parts[1])) return null;
  return { id: parts[0], secret: parts[1] };
}
