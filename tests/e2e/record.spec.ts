import { expect, test, type Page } from '@playwright/test';
import { quarterOf } from '../../src/lib/metrics.ts';
import { adminContext, invitedUserContext } from './support.ts';

const MIN = 60_000;

/** The value a datetime-local input takes for `iso`, in the browser's own zone. */
const localInput = (page: Page, iso: string) =>
  page.evaluate((value) => {
    const d = new Date(value);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, iso);

const day = (iso: string | number) => new Date(iso).toISOString().slice(0, 10);

test('an alert declares an incident; the team takes it, watches and joins, backfills the times, closes it, and every page tells the same story', async ({ browser }, testInfo) => {
  const commanderContext = await adminContext(browser);
  const watcherContext = await invitedUserContext(browser, commanderContext, 'Wen Watcher', { colorScheme: 'dark' });
  const run = Date.now().toString(36);
  const service = `checkout-${run}`;

  // An alert rule declares incidents for this service; the alert fired an hour ago (on a whole second, as the times form types them).
  const rule = await commanderContext.request.post('/api/admin/alert-rules', { data: { name: `Declare ${service}`, matchers: [{ key: 'service', value: service }], action: 'declare', severity: 2 } });
  expect(rule.status(), await rule.text()).toBe(201);
  const alert = await commanderContext.request.post('/api/alerts', {
    data: { source: 'grafana', fingerprint: `fp-${run}`, summary: 'Checkout 5xx above 5%', service, startsAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 60 * MIN).toISOString() },
  });
  expect(alert.status(), await alert.text()).toBe(200);
  const [ref] = (await alert.json()).incidents as string[];
  const startedAt: string = (await (await commanderContext.request.get(`/api/incidents/${ref}`)).json()).incident.startedAt;
  const at = (minutes: number) => new Date(new Date(startedAt).getTime() + minutes * MIN).toISOString();

  const commander = await commanderContext.newPage();
  const watcher = await watcherContext.newPage();

  await test.step('the commander takes the alert’s incident: it waits for a person to acknowledge it, and asks for a summary', async () => {
    await commander.goto(`/incidents/${ref}`);
    await expect(commander.getByTestId('connection')).toHaveText(/Live/);
    await expect(commander.getByText('not acknowledged')).toBeVisible();
    await commander.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await expect(commander.getByText('not acknowledged')).toHaveCount(0);
    const prompt = commander.getByTestId('summary-prompt');
    await expect(prompt).toContainText('No summary yet');
    await prompt.getByRole('textbox').fill('Card payments fail for EU customers');
    await prompt.getByRole('button', { name: 'Save summary' }).click();
    await expect(commander.locator('.war-header .summary')).toHaveText('Card payments fail for EU customers');
    await expect(commander.getByTestId('summary-prompt')).toHaveCount(0);
  });

  await test.step('a teammate who chose Watch can still join as a responder, after a reload too', async () => {
    await watcher.goto(`/incidents/${ref}`);
    await watcher.getByRole('button', { name: 'Watch' }).click();
    await expect(watcher.getByText('watching (read-only)')).toBeVisible();
    await expect(watcher.getByLabel('What happened')).toHaveCount(0);
    await watcher.reload();
    await expect(watcher.getByText('watching (read-only)')).toBeVisible();
    await watcher.getByRole('button', { name: 'Join as responder' }).click();
    await expect(watcher.getByText('watching (read-only)')).toHaveCount(0);
    await expect(watcher.getByTestId('connection')).toHaveText(/Live/);
    await expect(watcher.getByLabel('What happened')).toBeVisible();
    const events = (await (await watcherContext.request.get(`/api/incidents/${ref}/events`)).json()).events as { message: string }[];
    expect(events.map((e) => e.message)).toContain('Wen Watcher switched from observer to responder');
  });

  await test.step('removing a timeline entry asks first, leaves a marker everyone sees, and can be undone', async () => {
    await watcher.getByLabel('What happened').fill('Restarted the checkout pods');
    await watcher.getByLabel('What happened').press('Enter');
    const entry = (page: Page) => page.getByTestId('timeline-entry').filter({ hasText: 'Restarted the checkout pods' });
    await expect(entry(commander)).toBeVisible();
    await entry(watcher).getByRole('button', { name: 'Delete entry' }).click();
    await expect(entry(watcher)).toContainText('Remove this entry?');
    await entry(watcher).getByRole('button', { name: 'Remove', exact: true }).click();
    const marker = commander.getByTestId('removed-marker').filter({ hasText: 'Entry removed by Wen Watcher' });
    await expect(marker).toBeVisible();
    await expect(entry(commander)).toHaveCount(0);
    await commander.getByTestId('timeline-entry').filter({ has: marker }).getByRole('button', { name: 'Undo' }).click();
    await expect(entry(watcher)).toBeVisible();
  });

  await test.step('a state change makes updates due, and the header and the pane agree', async () => {
    await commander.getByRole('button', { name: 'Cause identified' }).click();
    await expect(commander.getByRole('button', { name: /State changed: .* due now/ })).toBeVisible();
    await expect(commander.getByText(/updates? overdue/)).toHaveCount(0);
    // The reminder opens the updates pane (a tab away from the timeline on a laptop), which says the same.
    await commander.getByRole('button', { name: /State changed: .* due now/ }).click();
    await expect(commander.getByRole('status').filter({ hasText: 'State changed: leadership update due now' })).toBeVisible();
  });

  await test.step('after resolving, the commander backfills every milestone and the war room shows the durations', async () => {
    await commander.getByRole('button', { name: 'Mitigated: monitoring' }).click();
    await commander.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect(commander.locator('.war-header .line1')).toContainText('resolved');
    await commander.getByText('Key times').click();
    await commander.getByRole('button', { name: 'Correct times' }).click();
    await commander.getByLabel('Detected (your time)').fill(await localInput(commander, at(42.5)));
    await commander.getByLabel('Mitigated (your time)').fill(await localInput(commander, at(50)));
    await commander.getByLabel('Resolved (your time)').fill(await localInput(commander, at(55)));
    await commander.getByRole('button', { name: 'Save times' }).click();
    const times = commander.getByTestId('key-times');
    await expect(times).toContainText(/Time to detect\s*42 min 30 s/);
    await expect(times).toContainText(/Time to mitigate\s*50 min/);
    await expect(times).toContainText(/Time to resolve\s*55 min/);
    await commander.screenshot({ path: testInfo.outputPath('record-key-times.png'), fullPage: true });
  });

  await test.step('closing freezes the war room for the commander too: only Reopen is left', async () => {
    await commander.getByRole('button', { name: 'Close incident' }).click();
    await expect(commander.getByText('the war room is read-only')).toBeVisible();
    await expect(commander.getByRole('button', { name: 'Reopen' })).toBeVisible();
    await expect(commander.getByLabel('Severity')).toHaveCount(0);
    await expect(commander.getByLabel('State', { exact: true })).toHaveCount(0);
    await expect(commander.getByRole('combobox', { name: 'Commander' })).toHaveCount(0);
    await expect(commander.getByRole('button', { name: 'Correct times' })).toHaveCount(0);
    const refused = await commanderContext.request.post(`/api/incidents/${ref}/severity`, { data: { severity: 1 } });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.code).toBe('incident_closed');
  });

  await test.step('the postmortem draft says the same times', async () => {
    await commander.getByTestId('postmortem-banner').getByRole('link', { name: /postmortem/ }).click();
    await expect(commander.getByText('Time to detect:** 42 min 30 s')).toBeVisible();
    await expect(commander.getByText('Time to resolve:** 55 min')).toBeVisible();
    await expect(commander.getByText(/Detected at .+ UTC, 42 min 30 s after impact started\./)).toBeVisible();
  });

  await test.step('so do /metrics and /patterns', async () => {
    await commander.goto(`/metrics?period=month&service=${service}&from=${day(startedAt)}&to=${day(Date.now())}`);
    const tile = (name: string) => commander.locator('dl.tiles').getByText(name, { exact: true }).locator('..').locator('dd');
    await expect(tile('Median time to detect')).toHaveText('42 min 30 s');
    await expect(tile('Median time to resolve')).toHaveText('55 min');

    await commander.goto(`/patterns?quarter=${quarterOf(new Date(startedAt))}`);
    const gaps = commander.getByRole('region', { name: 'Detection gaps' });
    const showAll = gaps.getByRole('button', { name: /^Show all/ });
    if (await showAll.count()) await showAll.click();
    await expect(gaps.getByRole('row').filter({ hasText: ref })).toContainText('42 min 30 s');
  });

  await commanderContext.close();
  await watcherContext.close();
});
