import { expect, test } from '@playwright/test';
import { ADMIN as admin } from './support.ts';

// Runs on a server of its own (the first-run project in playwright.config.ts): it is that fresh install's first sign-up.
const member = { email: 'bo@example.com', name: 'Bo Member', password: 'tabletop exercise at 2am' };

test('first admin signs up, invites a teammate who joins, logs out, mistypes, logs back in', async ({ browser }, testInfo) => {
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();

  await test.step('the first visitor is sent to set up Warroom and becomes admin', async () => {
    await adminPage.goto('/');
    await expect(adminPage.getByRole('heading', { name: 'Set up Warroom' })).toBeVisible();
    await adminPage.screenshot({ path: testInfo.outputPath('01-first-admin-signup.png') });
    await adminPage.getByLabel('Email').fill(admin.email);
    await adminPage.getByLabel('Display name').fill(admin.name);
    await adminPage.getByLabel('Password').fill(admin.password);
    await adminPage.getByRole('button', { name: 'Create account' }).click();
    await expect(adminPage.getByRole('heading', { name: 'My action items' })).toBeVisible(); // the home page
  });

  await test.step('a fresh install raises no false alarm and points the admin at inviting the team', async () => {
    await expect(adminPage.getByTestId('my-action-items')).toContainText('Nothing open is assigned to you.');
    await expect(adminPage.getByTestId('overdue-postmortems')).toHaveCount(0);
    await expect(adminPage.getByText('Postmortems overdue')).toHaveCount(0);
    await expect(adminPage.getByTestId('invite-nudge')).toContainText('Nobody else has joined yet.');
    await adminPage.screenshot({ path: testInfo.outputPath('01b-fresh-home.png') });
  });

  let inviteUrl = '';
  await test.step('the admin creates an invite link for Ben', async () => {
    await adminPage.getByTestId('invite-nudge').getByRole('link', { name: 'Invite your team' }).click();
    await expect(adminPage.getByRole('heading', { name: 'Users and invites' })).toBeVisible();
    await adminPage.getByLabel('Email addresses (optional)').fill(member.email);
    await adminPage.getByRole('button', { name: 'Create invite links' }).click();
    inviteUrl = await adminPage.getByTestId('invite-url').inputValue();
    expect(inviteUrl).toContain('/signup?invite=');
    await expect(adminPage.getByRole('cell', { name: member.email })).toBeVisible();
  });

  await test.step('more links, several at once: every link made on the page stays there to copy', async () => {
    await adminPage.getByLabel('Email addresses (optional)').fill('cy@example.com, di@example.com\neve@example.com');
    await adminPage.getByRole('button', { name: 'Create invite links' }).click();
    await expect(adminPage.getByTestId('invite-url')).toHaveCount(4);
    await adminPage.getByRole('button', { name: 'Create invite links' }).click(); // empty: one link for anyone
    await expect(adminPage.getByTestId('invite-url')).toHaveCount(5);
    const links = adminPage.getByTestId('created-invites');
    await expect(links.getByLabel(`Invite link for ${member.email}`)).toHaveValue(inviteUrl);
    for (const email of ['cy@example.com', 'di@example.com', 'eve@example.com']) {
      await expect(links.getByLabel(`Invite link for ${email}`)).toHaveValue(/\/signup\?invite=/);
      await expect(adminPage.getByRole('cell', { name: email })).toBeVisible();
    }
    await expect(links.getByLabel('Invite link for anyone')).toHaveValue(/\/signup\?invite=/);
    const urls = await adminPage.getByTestId('invite-url').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(new Set(urls).size).toBe(5);
    await adminPage.screenshot({ path: testInfo.outputPath('02-admin-invite.png'), fullPage: true });
    await adminPage.setViewportSize({ width: 390, height: 844 });
    await adminPage.screenshot({ path: testInfo.outputPath('02b-admin-invite-390.png'), fullPage: true });
    await adminPage.setViewportSize({ width: 1440, height: 900 });
  });

  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await test.step('Ben signs up through the invite in another browser', async () => {
    await memberPage.goto(new URL(inviteUrl).pathname + new URL(inviteUrl).search);
    await expect(memberPage.getByRole('heading', { name: 'Join Warroom' })).toBeVisible();
    await expect(memberPage.getByLabel('Email')).toHaveValue(member.email);
    await memberPage.getByLabel('Display name').fill(member.name);
    await memberPage.getByLabel('Password').fill('short');
    await memberPage.getByRole('button', { name: 'Create account' }).click();
    await expect(memberPage.getByText('Password must be at least 10 characters.')).toBeVisible();
    await memberPage.getByLabel('Password').fill(member.password);
    await memberPage.getByRole('button', { name: 'Create account' }).click();
    await expect(memberPage.getByRole('heading', { name: 'My action items' })).toBeVisible(); // the home page
    await expect(memberPage.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  });

  await test.step('Ben logs out, mistypes his password and sees a clear message', async () => {
    await memberPage.getByRole('button', { name: 'Log out' }).click();
    await expect(memberPage.getByRole('heading', { name: 'Log in to Warroom' })).toBeVisible();
    await memberPage.getByLabel('Email').fill(member.email);
    await memberPage.getByLabel('Password').fill('not my password');
    await memberPage.getByLabel('Password').press('Enter');
    await expect(memberPage.getByRole('alert')).toHaveText('Email or password is incorrect.');
    await memberPage.screenshot({ path: testInfo.outputPath('03-failed-login.png') });
  });

  await test.step('Ben logs in and lands back in Warroom', async () => {
    await memberPage.getByLabel('Password').fill(member.password);
    await memberPage.getByRole('button', { name: 'Log in' }).click();
    await expect(memberPage.getByRole('heading', { name: 'My action items' })).toBeVisible(); // the home page
    await memberPage.getByRole('link', { name: member.name }).click();
    await expect(memberPage.getByRole('heading', { name: 'Sessions' })).toBeVisible();
    await expect(memberPage.getByText('this device')).toBeVisible();
    await memberPage.screenshot({ path: testInfo.outputPath('04-settings.png'), fullPage: true });
  });

  await test.step('the admin sees Ben in the user list, makes him an admin and back', async () => {
    await adminPage.reload();
    await expect(adminPage.getByRole('cell', { name: member.name, exact: true })).toBeVisible();
    await expect(adminPage.getByRole('cell', { name: 'used' })).toBeVisible();
    // Alone as admin, Ana is offered no way to step down.
    await expect(adminPage.getByRole('button', { name: 'Step down to member' })).toHaveCount(0);
    const benRow = adminPage.getByRole('row', { name: new RegExp(member.name) });
    await benRow.getByRole('button', { name: `Make admin: ${member.name}` }).click();
    await expect(benRow.getByRole('cell', { name: 'admin', exact: true })).toBeVisible();
    await memberPage.reload();
    await expect(memberPage.getByRole('link', { name: 'Admin' })).toBeVisible();
    await adminPage.screenshot({ path: testInfo.outputPath('05-two-admins.png'), fullPage: true });
    await benRow.getByRole('button', { name: `Make member: ${member.name}` }).focus();
    await adminPage.keyboard.press('Enter');
    await expect(benRow.getByRole('cell', { name: 'member', exact: true })).toBeVisible();
    await memberPage.reload();
    await expect(memberPage.getByRole('heading', { name: 'Sessions' })).toBeVisible();
    await expect(memberPage.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  });

  await test.step('with a teammate in, the home page stops nudging', async () => {
    await adminPage.goto('/');
    await expect(adminPage.getByRole('heading', { name: 'My action items' })).toBeVisible();
    await expect(adminPage.getByTestId('invite-nudge')).toHaveCount(0);
  });

  await adminContext.close();
  await memberContext.close();
});

test('a signed-out visitor is sent to the login page and back after signing in', async ({ page }) => {
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings/);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/settings$/);
});
