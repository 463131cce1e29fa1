import { expect, test } from '@playwright/test';
import { ADMIN as admin } from './support.ts';

// Runs first (files run in name order, one worker): it is the fresh install's first sign-up.
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

  let inviteUrl = '';
  await test.step('the admin creates an invite link for Ben', async () => {
    await adminPage.getByRole('link', { name: 'Admin' }).click();
    await adminPage.getByLabel(/Email \(optional/).fill(member.email);
    await adminPage.getByRole('button', { name: 'Create invite link' }).click();
    inviteUrl = await adminPage.getByTestId('invite-url').inputValue();
    expect(inviteUrl).toContain('/signup?invite=');
    await expect(adminPage.getByRole('cell', { name: member.email })).toBeVisible();
    await adminPage.screenshot({ path: testInfo.outputPath('02-admin-invite.png'), fullPage: true });
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

  await test.step('the admin sees Ben in the user list', async () => {
    await adminPage.reload();
    await expect(adminPage.getByRole('cell', { name: member.name })).toBeVisible();
    await expect(adminPage.getByRole('cell', { name: 'used' })).toBeVisible();
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
