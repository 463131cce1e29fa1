import { expect, test } from '@playwright/test';
import { adminContext, ADMIN } from './support.ts';

test('a responder finds last month’s postmortem by a phrase from its contributing factors, and the next war room offers it unasked', async ({ browser }, testInfo) => {
  test.setTimeout(150_000);
  const context = await adminContext(browser);
  const page = await context.newPage();
  const tag = Date.now().toString(36);
  const title = `Checkout errors ${tag}`;
  const cause = 'Connection pool exhaustion under a retry storm from the mobile app';

  const created = await context.request.post('/api/incidents', {
    data: { title, severity: 2, services: ['checkout', `payments-${tag}`], summary: 'Card payments failing at checkout.' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { incident } = await created.json();
  const ref: string = incident.ref;
  const number: number = incident.number;

  await test.step('the war room confirms the cause, then the incident is resolved and closed', async () => {
    expect((await context.request.post(`/api/incidents/${ref}/join`, { data: { as: 'responder' } })).status()).toBe(200);
    await page.goto(`/incidents/${ref}`);
    await expect(page.getByTestId('connection')).toHaveText(/Live/);
    await page.getByLabel('New hypothesis').fill(cause);
    await page.getByRole('button', { name: 'Add hypothesis' }).click();
    const card = page.getByTestId('hypothesis').filter({ hasText: cause });
    await card.getByRole('combobox').selectOption('confirmed');
    await expect(page.locator('[data-status="confirmed"]').getByRole('heading', { name: cause })).toBeVisible();
    for (const state of ['resolved', 'closed']) {
      const moved = await context.request.post(`/api/incidents/${ref}/state`, { data: { state } });
      expect(moved.status(), await moved.text()).toBe(200);
    }
  });

  await test.step('its postmortem is published, carrying the confirmed cause as a contributing factor', async () => {
    await page.goto(`/incidents/INC-${number}/postmortem`);
    await expect(page.getByTestId('pm-factor').filter({ hasText: 'retry storm' })).toHaveCount(1);
    await page.getByLabel('New action item').fill('Cap client retries with jitter');
    await page.getByRole('button', { name: 'Add action item' }).click();
    await expect(page.getByLabel('Title of action 1')).toHaveValue('Cap client retries with jitter');
    await page.getByLabel('Owner of action 1').selectOption({ label: ADMIN.name });
    await page.getByLabel('Due date of action 1').fill('2026-12-18');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(page.getByTestId('pm-state')).toHaveText('In review', { timeout: 15_000 });
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(page.getByTestId('pm-state')).toHaveText('Published · v1');
  });

  await test.step('searching a phrase from the factor finds it, highlighted, and the result opens the postmortem', async () => {
    await page.goto('/incidents');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
    await expect(page).toHaveURL(/\/search$/);
    // The box has focus on arrival: typing goes straight in.
    await expect(page.getByLabel('Search words')).toBeFocused();
    await page.keyboard.type('"retry storms"');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/q=%22retry\+storms%22|q=%22retry%20storms%22/);
    await expect(page.locator('.status')).toContainText('1 result');
    const hit = page.getByRole('listitem').filter({ hasText: title });
    await expect(hit).toBeVisible();
    // The phrase is marked wherever it appears (the factor, and the investigation that confirmed it), and only the phrase.
    await expect(hit.locator('mark').first()).toHaveText('retry storm');
    expect(new Set(await hit.locator('mark').allTextContents())).toEqual(new Set(['retry storm']));
    await expect(hit).toContainText('postmortem v1');
    await expect(hit).toContainText('Technical');
    await page.screenshot({ path: testInfo.outputPath('search-results.png'), fullPage: true });

    // Words in another order are not the phrase.
    await page.getByLabel('Search words').fill('"storm retry"');
    await page.keyboard.press('Enter');
    await expect(page.locator('.status')).toContainText('No results');

    // The URL holds the search: reloading it shows the same result, and "/" returns to the box.
    await page.goto('/search?q=%22retry%20storm%22&category=technical');
    await expect(page.getByLabel('Factor category')).toHaveValue('technical');
    await page.getByRole('heading', { name: 'Search past incidents' }).click();
    await page.keyboard.press('/');
    await expect(page.getByLabel('Search words')).toBeFocused();
    await page.getByRole('link', { name: new RegExp(title) }).click();
    await expect(page).toHaveURL(new RegExp(`/incidents/INC-${number}/postmortem$`));
    await expect(page.getByTestId('pm-state')).toHaveText('Published · v1');
  });

  await test.step('a new incident on the same service: its war room lists the past one with what was confirmed', async () => {
    const next = await context.request.post('/api/incidents', {
      data: { title: `Checkout failing again ${tag}`, severity: 1, services: [`payments-${tag}`] },
    });
    expect(next.status(), await next.text()).toBe(201);
    const nextRef: string = (await next.json()).incident.ref;
    await page.goto(`/incidents/${nextRef}`);
    await expect(page.getByTestId('connection')).toHaveText(/Live/);
    const panel = page.getByTestId('similar-panel');
    const toggle = panel.getByRole('button', { name: /Has this happened before/ });
    // It has a match, so it opens by itself; the keyboard folds it and opens it again.
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const past = panel.getByRole('listitem').filter({ hasText: title });
    await expect(past).toContainText(cause);
    await expect(past.getByRole('link', { name: new RegExp(title) })).toHaveAttribute('href', `/incidents/INC-${number}/postmortem`);
    await panel.screenshot({ path: testInfo.outputPath('similar-panel.png') });
  });

  await test.step('dark mode reads as well', async () => {
    const dark = await browser.newContext({ colorScheme: 'dark', storageState: await context.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto('/search?q=retry');
    await expect(darkPage.getByRole('listitem').filter({ hasText: title })).toBeVisible();
    await darkPage.screenshot({ path: testInfo.outputPath('search-dark.png'), fullPage: true });
    await dark.close();
  });
  await context.close();
});
