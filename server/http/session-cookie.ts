import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';

/** Secure when the public URL (or, without one, this request) is https. */
function isSecure(c: Context, config: Config): boolean {
  if (config.origin) return config.origin.startsWith('https:');
  return new URL(c.req.url).protocol === 'https:';
}

export function setSessionTokenCookie(c: Context, config: Config, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isSecure(c, config),
    path: '/',
    expires: expiresAt,
  });
}

export function deleteSessionTokenCookie(c: Context, config: Config): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Lax', secure: isSecure(c, config), path: '/' });
}
