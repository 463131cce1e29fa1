import { expect, test } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

test('a responder creates an API token in settings, sees it once, uses it from a script, then revokes it', async ({ browser, playwright, baseURL }, testInfo) => {
  const admin = await adminContext(browser);
  const context = await invitedUserContext(browser, admin, 'Tess Scripter');
  const page = await context.newPage();
  // A script: no cookies, just the token.
  const script = await playwright.request.newContext({ baseURL });

  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'API tokens' });
  await expect(section.getByText('No tokens yet.')).toBeVisible();

  let token = '';
  await test.step('she names the token, picks read access and creates it; the token is shown once', async () => {
    await section.getByLabel('Token name').fill('Status dashboard');
    await expect(section.getByRole('checkbox', { name: /incidents:read/ })).toBeChecked();
    await section.getByLabel('Expires').selectOption({ label: '30 days' });
    await section.getByRole('button', { name: 'Create token' }).click();
    const revealed = page.getByTestId('new-token');
    await expect(revealed).toContainText('it is not shown again');
    token = await page.getByTestId('token-value').inputValue();
    expect(token).toMatch(/^wr_[a-z0-9]+_[a-z0-9]+$/);
    const row = section.getByRole('row', { name: /Status dashboard/ });
    await expect(row).toContainText('incidents:read');
    await expect(row).toContainText('Never');
    await expect(row).toContainText('active');
    await expect(row).not.toContainText(token.split('_')[2]);
    await page.screenshot({ path: testInfo.outputPath('01-token-created.png'), fullPage: true });
    await revealed.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('token-value')).toHaveCount(0);
  });

  await test.step('the script reads incidents with it but may not declare one', async () => {
    const headers = { authorization: `Bearer ${token}` };
    expect((await script.get('/api/incidents', { headers })).status()).toBe(200);
    const declare = await script.post('/api/incidents', { headers, data: { title: 'From a script', severity: 3 } });
    expect(declare.status()).toBe(403);
  });

  await test.step('after a reload the token is listed by prefix only, with when it was last used', async () => {
    await page.reload();
    const row = section.getByRole('row', { name: /Status dashboard/ });
    await expect(row.getByRole('cell').nth(3)).not.toHaveText('Never');
    await expect(page.getByTestId('token-value')).toHaveCount(0);
  });

  await test.step('she revokes it and the script is refused at once', async () => {
    page.once('dialog', (dialog) => dialog.accept());
    await section.getByRole('button', { name: 'Revoke Status dashboard' }).click();
    await expect(section.getByRole('row', { name: /Status dashboard/ })).toContainText('revoked');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('02-token-revoked-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    const refused = await script.get('/api/incidents', { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);
  });

  await test.step('the admin sees her token among every token on the admin page', async () => {
    const adminPage = await admin.newPage();
    await adminPage.goto('/incidents');
    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await adminPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API tokens' }).click();
    await expect(adminPage.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
    await expect(adminPage.getByRole('row', { name: /Status dashboard/ })).toContainText('Tess Scripter');
    await adminPage.getByLabel('Service name').fill('Alertmanager');
    await adminPage.getByRole('checkbox', { name: /alerts:write/ }).check();
    await adminPage.getByRole('button', { name: 'Create token' }).click();
    await expect(adminPage.getByTestId('token-value')).toHaveValue(/^wr_/);
    await expect(adminPage.getByRole('row', { name: /Alertmanager/ })).toContainText('Alertmanager (service)');
    await adminPage.screenshot({ path: testInfo.outputPath('03-admin-tokens.png'), fullPage: true });
  });

  await script.dispose();
  await context.close();
  await admin.close();
});
