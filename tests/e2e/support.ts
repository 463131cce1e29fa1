import { expect, type Browser, type BrowserContext } from '@playwright/test';

export const ADMIN = { email: 'ana@example.com', name: 'Ana Commander', password: 'correct horse battery staple' };

/** A browser context signed in as the first admin (creating them on a fresh install). */
export async function adminContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  const login = await context.request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  if (!login.ok()) {
    const signup = await context.request.post('/api/auth/signup', {
      data: { email: ADMIN.email, displayName: ADMIN.name, password: ADMIN.password },
    });
    expect(signup.status(), await signup.text()).toBe(201);
  }
  return context;
}

/** A new member invited by the admin, signed in in their own browser context. */
export async function invitedUserContext(
  browser: Browser,
  admin: BrowserContext,
  name: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const invite = await admin.request.post('/api/admin/invites', { data: {} });
  expect(invite.status()).toBe(201);
  const token = new URL((await invite.json()).url).searchParams.get('invite');
  const context = await browser.newContext(options);
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now().toString(36)}@example.com`;
  const signup = await context.request.post('/api/auth/signup', {
    data: { email, displayName: name, password: 'a long enough passphrase', invite: token },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  return context;
}
