import { expect, test } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

test('commander opens a SEV1, the scribe keeps the timeline, both work the hypothesis board live', async ({ browser }, testInfo) => {
  const commanderContext = await adminContext(browser);
  // The scribe works in dark mode, so the screenshots show both themes.
  const scribeContext = await invitedUserContext(browser, commanderContext, 'Ben Scribe', { colorScheme: 'dark' });
  const commander = await commanderContext.newPage();
  const scribe = await scribeContext.newPage();
  const title = `Checkout returns 500s ${Date.now().toString(36)}`;

  await test.step('the commander declares a SEV1 from the keyboard', async () => {
    await commander.goto('/incidents');
    await expect(commander.getByRole('heading', { name: 'Incidents', exact: true })).toBeVisible();
    await commander.keyboard.press('d');
    await expect(commander.getByRole('heading', { name: 'Declare an incident' })).toBeVisible();
    await commander.getByLabel('Title').fill(title);
    await commander.getByRole('radio', { name: /SEV1/ }).check();
    await commander.getByLabel(/Affected services/).fill('checkout, payments');
    await commander.getByRole('dialog').getByRole('button', { name: 'Declare incident' }).click();
    await expect(commander.getByRole('heading', { name: title })).toBeVisible();
    await expect(commander.getByTestId('connection')).toHaveText(/Live/);
  });
  const warRoomPath = new URL(commander.url()).pathname;

  await test.step('the scribe opens it, joins, claims the scribe role and adds three entries', async () => {
    await scribe.goto('/incidents');
    await scribe.getByRole('link', { name: new RegExp(title) }).click();
    await scribe.getByRole('button', { name: 'Join as responder' }).click();
    await expect(scribe.getByTestId('connection')).toHaveText(/Live/);
    await scribe.getByRole('button', { name: 'Claim scribe' }).click();
    for (const [kind, text] of [
      ['alert', 'Error rate on checkout above 20%'],
      ['discovery', 'Errors started at 14:02, right after the deploy'],
      ['action', 'Rolling back the 14:02 deploy'],
    ]) {
      await scribe.keyboard.press('t');
      await expect(scribe.getByLabel('What happened')).toBeFocused();
      await scribe.getByLabel('Entry kind').selectOption(kind);
      await scribe.getByLabel('What happened').fill(text);
      await scribe.keyboard.press('Enter');
      await scribe.getByLabel('What happened').blur();
    }
  });

  await test.step('the commander sees all three entries within a second, without reloading', async () => {
    for (const text of ['Error rate on checkout above 20%', 'Errors started at 14:02, right after the deploy', 'Rolling back the 14:02 deploy']) {
      await expect(commander.getByTestId('timeline-entry').filter({ hasText: text })).toBeVisible({ timeout: 1000 });
    }
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'Ben Scribe claimed' })).toBeVisible();
  });

  await test.step('the commander adds a hypothesis and the scribe confirms it', async () => {
    await commander.getByLabel('New hypothesis').fill('The 14:02 deploy exhausted the DB connection pool');
    await commander.getByRole('button', { name: 'Add hypothesis' }).click();
    const card = scribe.getByTestId('hypothesis').filter({ hasText: 'exhausted the DB connection pool' });
    await expect(card).toBeVisible({ timeout: 2000 });
    await card.getByRole('combobox').selectOption('confirmed');
    await expect(commander.locator('[data-status="confirmed"]').getByRole('heading', { name: /exhausted the DB connection pool/ })).toBeVisible({ timeout: 2000 });
    await scribe.getByRole('button', { name: 'Add timeline entry' }).click();
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'Confirmed: The 14:02 deploy' })).toBeVisible({ timeout: 2000 });
  });

  await test.step('each sees the other in the room', async () => {
    await expect(commander.getByTestId('presence').getByText('Ben Scribe', { exact: false })).toHaveCount(1);
    await expect(scribe.getByTestId('presence').getByText('Ana Commander', { exact: false })).toHaveCount(1);
    await commander.screenshot({ path: testInfo.outputPath('war-room-commander.png'), fullPage: true });
    await scribe.screenshot({ path: testInfo.outputPath('war-room-scribe.png'), fullPage: true });
  });

  await test.step('the commander hands command to the scribe and the timeline records it', async () => {
    await commander.getByLabel('Commander').selectOption({ label: 'Ben Scribe' });
    await expect(scribe.getByTestId('timeline-entry').filter({ hasText: /handed command to Ben Scribe/ })).toBeVisible({ timeout: 2000 });
    await expect(scribe.getByLabel('State')).toBeVisible();
  });

  await test.step('the incident list shows it as active with its commander', async () => {
    await commander.goto('/incidents');
    const row = commander.getByRole('listitem').filter({ hasText: title });
    await expect(row).toContainText('SEV1');
    await expect(row).toContainText('Ben Scribe');
    await commander.screenshot({ path: testInfo.outputPath('incident-list.png'), fullPage: true });
  });

  await test.step('after closing, the replay shows the board as it was before the hypothesis was confirmed', async () => {
    const ref = warRoomPath.split('/').pop();
    for (const state of ['resolved', 'closed']) {
      expect((await commanderContext.request.post(`/api/incidents/${ref}/state`, { data: { state } })).status()).toBe(200);
    }
    await commander.goto(warRoomPath);
    await expect(commander.getByText('the war room is read-only')).toBeVisible();
    await commander.getByRole('button', { name: /Replay/ }).click();
    const slider = commander.getByLabel('Moment in the incident');
    await expect(slider).toBeVisible();
    const card = (status: string) => commander.locator(`[data-status="${status}"]`).getByRole('heading', { name: /exhausted the DB connection pool/ });
    await expect(card('confirmed')).toBeVisible();
    const last = Number(await slider.getAttribute('max'));
    // Step back through the history (bounded by the number of changes) until the card was still open.
    let found = false;
    for (let i = last; i >= 0 && !found; i--) {
      await slider.fill(String(i));
      await commander.waitForTimeout(250);
      found = (await card('open').count()) === 1;
    }
    expect(found).toBe(true);
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'Confirmed: The 14:02 deploy' })).toHaveCount(0);
    await commander.screenshot({ path: testInfo.outputPath('time-travel.png'), fullPage: true });
  });

  await test.step('a third user cannot open a private incident', async () => {
    const created = await commanderContext.request.post('/api/incidents', { data: { title: 'Leaked credentials', severity: 2, private: true } });
    expect(created.status()).toBe(201);
    const { incident } = await created.json();
    const outsiderContext = await invitedUserContext(browser, commanderContext, 'Cy Outsider');
    const outsider = await outsiderContext.newPage();
    await outsider.goto(`/incidents/${incident.ref}`);
    await expect(outsider.getByRole('heading', { name: 'Incident not found' })).toBeVisible();
    expect((await outsiderContext.request.get(`/api/incidents/${incident.ref}`)).status()).toBe(404);
    await outsider.goto('/incidents');
    await expect(outsider.getByRole('heading', { name: 'Incidents', exact: true })).toBeVisible();
    await expect(outsider.getByText('Leaked credentials')).toHaveCount(0);

    // Until the commander adds them, as a watcher.
    await commander.goto(`/incidents/${incident.ref}`);
    await commander.getByText('1 participant').click();
    await commander.getByLabel('Person to add').selectOption({ label: 'Cy Outsider' });
    await commander.getByLabel('As', { exact: true }).selectOption('observer');
    await commander.getByRole('button', { name: 'Add person' }).click();
    await expect(commander.getByText('Watching: Cy Outsider')).toBeVisible();
    await outsider.goto(`/incidents/${incident.ref}`);
    await expect(outsider.getByRole('heading', { name: 'Leaked credentials' })).toBeVisible();
    await expect(outsider.getByText('watching (read-only)')).toBeVisible();
    await expect(outsider.getByLabel('What happened')).toHaveCount(0);
    await outsiderContext.close();
  });

  await commanderContext.close();
  await scribeContext.close();
});
