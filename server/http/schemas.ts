import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../auth/password.ts';

export const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address like ana@example.com');

export const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters');

// Strength rules live in checkPasswordRules so the message is the same everywhere;
// the cap here only keeps huge bodies away from argon2.
export const password = z.string().max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const id = z.string().regex(/^[a-z0-9]{1,64}$/, 'is not a valid id');
