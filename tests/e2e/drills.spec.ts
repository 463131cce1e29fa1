import { expect, test, type Page } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

const SCENARIO = 'A deploy exhausts the checkout database connection pool';

/** "+3 min 5 s" as the page writes a drill-clock time (the one duration format). */
function drillTime(ms: number): string {
  const units = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ] as const;
  let rest = Math.floor(ms / 1000) * 1000;
  const largest = units.findIndex(([size]) => rest >= size);
  if (largest === -1) return '+0 s';
  const parts: string[] = [];
  for (const [size, label] of units.slice(largest, largest + 2)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${label}`);
  }
  return `+${parts.join(' ')}`;
}

async function shot(page: Page, name: string, path: (name: string) => string) {
  await page.screenshot({ path: path(`${name}.png`), fullPage: true });
}

test('a facilitator runs a scenario with two responders: injects arrive, the team finds the cause, the debrief times it and its finding lands on /follow-ups', async ({ browser }, testInfo) => {
  const facilitatorContext = await adminContext(browser);
  const benContext = await invitedUserContext(browser, facilitatorContext, 'Ben Oncall');
  // Cleo works on a phone in dark mode, so the screenshots cover both widths and both themes.
  const cleoContext = await invitedUserContext(browser, facilitatorContext, 'Cleo Responder', { colorScheme: 'dark', viewport: { width: 390, height: 844 } });
  const facilitator = await facilitatorContext.newPage();
  await facilitator.setViewportSize({ width: 1440, height: 1000 });
  const ben = await benContext.newPage();
  const cleo = await cleoContext.newPage();
  let consoleUrl = '';
  let ref = '';

  await test.step('the facilitator starts a shipped scenario for Ben (in command) and Cleo', async () => {
    // Drills sit with the runbooks they exercise.
    await facilitator.goto('/runbooks');
    await facilitator.getByRole('navigation', { name: 'Playbook' }).getByRole('link', { name: 'Drills' }).click();
    await expect(facilitator.getByRole('heading', { name: 'Drills', exact: true })).toBeVisible();
    const card = facilitator.getByRole('listitem').filter({ has: facilitator.getByRole('heading', { name: SCENARIO }) });
    await expect(card).toContainText('shipped with Warroom');
    await card.getByRole('button', { name: 'Start a drill' }).click();
    const dialog = facilitator.getByRole('dialog');
    await dialog.getByLabel('Ben Oncall').check();
    await dialog.getByLabel('Cleo Responder').check();
    await dialog.getByLabel(/In command from the start/).selectOption({ label: 'Ben Oncall' });
    await dialog.getByRole('button', { name: 'Start the drill' }).click();
    await expect(facilitator.getByRole('heading', { level: 1, name: SCENARIO })).toBeVisible();
    await expect(facilitator.getByText('facilitator console, only you see it')).toBeVisible();
    consoleUrl = facilitator.url();
    ref = (await facilitator.getByRole('link', { name: /^INC-\d+$/ }).first().textContent())!.trim();
    // The +0m alert went out through alert routing when the drill started.
    const alert = facilitator.getByTestId('inject').filter({ hasText: 'Alert: CheckoutLatencyHigh' });
    await expect(alert).toContainText('Released +0 s by the schedule');
    await expect(alert.locator('.routing')).not.toBeEmpty();
  });

  await test.step('Ben finds the drill marked DRILL, with its briefing and the alert, but not the answer', async () => {
    await ben.goto('/incidents');
    const row = ben.getByRole('listitem').filter({ hasText: SCENARIO });
    await expect(row.getByText('DRILL', { exact: true })).toBeVisible();
    await row.getByRole('link').first().click();
    await expect(ben.getByTestId('connection')).toHaveText(/Live/);
    const panel = ben.getByRole('region', { name: new RegExp(SCENARIO) });
    await expect(panel).toContainText('Checkout was deployed at 14:02');
    await expect(panel.getByTestId('drill-inject').filter({ hasText: 'Alert: CheckoutLatencyHigh' })).toBeVisible();
    await expect(ben.getByText('RECEIPT_WORKER_ENABLED')).toHaveCount(0);
    await expect(ben.getByRole('link', { name: 'Facilitator console' })).toHaveCount(0);
    await ben.getByRole('button', { name: 'Acknowledge' }).click();
  });

  await test.step('the facilitator releases the connection graph and writes an observation; the team sees the graph live', async () => {
    await facilitator.getByRole('button', { name: 'Release now: Database connections by application' }).click();
    await expect(facilitator.getByTestId('inject').filter({ hasText: 'Graph: Database connections' })).toContainText('Released');
    await facilitator.getByLabel('New observation').fill('Nobody looked at what was deployed at 14:02 before the graph arrived');
    await facilitator.getByRole('button', { name: 'Add observation' }).click();
    await expect(facilitator.getByText('Nobody looked at what was deployed')).toBeVisible();
    await expect(ben.getByTestId('drill-inject').filter({ hasText: 'Graph: Database connections by application' })).toBeVisible();
  });

  await test.step('Cleo rules out the database and confirms the pool; Ben resolves', async () => {
    await cleo.goto(`/incidents/${ref}`);
    await expect(cleo.getByTestId('connection')).toHaveText(/Live/);
    await cleo.getByRole('tab', { name: 'Hypotheses' }).click();
    for (const statement of ['The database itself is slow', 'Release 2026.41 exhausted the connection pool']) {
      await cleo.getByLabel('New hypothesis').fill(statement);
      await cleo.getByRole('button', { name: 'Add hypothesis' }).click();
      await expect(cleo.getByTestId('hypothesis').filter({ hasText: statement })).toBeVisible();
    }
    await cleo.getByTestId('hypothesis').filter({ hasText: 'The database itself is slow' }).getByRole('combobox').selectOption('ruled_out');
    await cleo.getByTestId('hypothesis').filter({ hasText: 'exhausted the connection pool' }).getByRole('combobox').selectOption('confirmed');
    // The facilitator watches it happen on the console's live board.
    await expect(facilitator.locator('[data-status="confirmed"]').getByRole('heading', { name: /exhausted the connection pool/ })).toBeVisible();
    await shot(cleo, 'drill-war-room-390-dark', (n) => testInfo.outputPath(n));
    await ben.getByLabel('State').selectOption('resolved');
    await expect(ben.getByTestId('timeline-entry').filter({ hasText: 'State investigating → resolved' })).toBeVisible();
    await shot(facilitator, 'drill-console-1440', (n) => testInfo.outputPath(n));
  });

  await test.step('the facilitator ends the drill; the debrief shows the times the record holds', async () => {
    facilitator.once('dialog', (dialog) => dialog.accept());
    await facilitator.getByRole('button', { name: 'End the drill' }).click();
    await expect(facilitator.getByText('ended', { exact: true })).toBeVisible();
    await facilitator.getByRole('link', { name: 'Debrief' }).click();
    await expect(facilitator.getByRole('heading', { name: `Debrief: ${SCENARIO}` })).toBeVisible();

    const runId = new URL(consoleUrl).pathname.split('/')[3];
    const api = await (await cleoContext.request.get(`/api/drills/runs/${runId}/debrief`)).json();
    const times = Object.fromEntries(api.debrief.times.map((t: { id: string; moment: { elapsedMs: number } | null }) => [t.id, t.moment?.elapsedMs ?? null]));
    // The cause was written, then confirmed, then the incident resolved: the record's order.
    expect(times['hypothesis-appeared']).not.toBeNull();
    expect(times['hypothesis-appeared']).toBeLessThanOrEqual(times['hypothesis-confirmed']);
    expect(times['hypothesis-confirmed']).toBeLessThanOrEqual(times.resolved);
    expect(times['acknowledged']).toBeLessThanOrEqual(times['hypothesis-appeared']);

    await cleo.goto(`/drills/runs/${runId}/debrief`);
    const table = cleo.getByTestId('debrief-times');
    for (const id of ['acknowledged', 'hypothesis-appeared', 'hypothesis-confirmed', 'resolved']) {
      await expect(table.locator(`tr[data-time="${id}"] td.when`)).toHaveText(drillTime(times[id]));
    }
    await expect(table.locator('tr[data-time="role-commander"]')).toContainText('Ben Oncall, named when the drill started');
    await expect(cleo.getByText('RECEIPT_WORKER_ENABLED')).toBeVisible();
    await expect(cleo.getByRole('region', { name: 'The answer' })).toContainText('The database itself is slow');
    await expect(cleo.getByRole('region', { name: 'Facilitator’s observations' })).toContainText('Nobody looked at what was deployed');
    await expect(cleo.getByRole('button', { name: 'Add finding' })).toHaveCount(0);
    await shot(cleo, 'drill-debrief-390-dark', (n) => testInfo.outputPath(n));
  });

  await test.step('the facilitator files a playbook finding for Cleo, and it is on her follow-ups', async () => {
    const form = facilitator.getByRole('form', { name: 'Add a finding' });
    await form.getByLabel('What to change').fill('Put RECEIPT_WORKER_ENABLED in the checkout pool runbook');
    await form.getByLabel('Owner').selectOption({ label: 'Cleo Responder' });
    await form.getByLabel('Due').fill('2030-01-31');
    await form.getByRole('button', { name: 'Add finding' }).click();
    await expect(facilitator.getByRole('status')).toContainText('is on the follow-ups page');
    await shot(facilitator, 'drill-debrief-1440', (n) => testInfo.outputPath(n));

    await cleo.goto('/follow-ups?mine=1');
    const item = cleo.getByTestId('follow-up').filter({ hasText: 'Put RECEIPT_WORKER_ENABLED in the checkout pool runbook' });
    await expect(item).toContainText('2030-01-31');
    await expect(item.getByRole('link', { name: 'From a drill debrief' })).toBeVisible();
    await expect(item.getByRole('link', { name: new RegExp(ref) })).toBeVisible();
  });
});

test('a process review times a real incident from its board, shows the definition from the server, and sits next to /patterns', async ({ browser }, testInfo) => {
  const context = await adminContext(browser);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const service = `ledger${Date.now().toString(36)}`;

  await test.step('an incident is worked on the board and resolved', async () => {
    const created = await context.request.post('/api/incidents', { data: { title: 'Ledger writes time out', severity: 2, services: [service] } });
    const { incident } = await created.json();
    await page.goto(`/incidents/${incident.ref}`);
    await expect(page.getByTestId('connection')).toHaveText(/Live/);
    await page.getByLabel('New hypothesis').fill('A lock on the ledger table blocks writes');
    await page.getByRole('button', { name: 'Add hypothesis' }).click();
    await page.getByTestId('hypothesis').filter({ hasText: 'A lock on the ledger table' }).getByRole('combobox').selectOption('confirmed');
    await page.getByRole('button', { name: 'No', exact: true }).click();
    await page.getByLabel('State').selectOption('resolved');
    await expect(page.getByTestId('timeline-entry').filter({ hasText: '→ resolved' })).toBeVisible();
  });

  await test.step('/review sits next to /patterns, and the main bar still fits a laptop on one line', async () => {
    await page.goto('/patterns');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Review' })).toBeVisible();
    const links = await nav.getByRole('link').allTextContents();
    expect(links.indexOf('Review')).toBe(links.indexOf('Patterns') + 1);
    const tops = await nav.getByRole('link').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    await nav.getByRole('link', { name: 'Review' }).click();
    await expect(page.getByRole('heading', { name: 'Process review' })).toBeVisible();
  });

  await test.step('the review shows the hypothesis, the times the API computed, and the definition', async () => {
    await page.getByLabel('Service').fill(service);
    await page.getByLabel('Service').press('Enter');
    const card = page.getByTestId('reviewed-incident');
    await expect(card).toHaveCount(1);
    await expect(card).toContainText('A lock on the ledger table blocks writes');
    const review = (await (await context.request.get(`/api/reviews/preview?service=${service}`)).json()).review;
    const toResolve = review.incidents[0].hypothesisToResolvedMs;
    expect(toResolve).not.toBeNull();
    await expect(page.getByTestId('median-hypothesis-to-resolution')).toHaveText(drillTime(toResolve).slice(1));
    await page.getByRole('button', { name: 'What is this?' }).click();
    await expect(page.locator('#review-definition')).toContainText(review.definitions.metric.definition);
  });

  await test.step('saved, the reviewer records where the delay sat', async () => {
    await page.getByLabel('Save this review as').fill('Ledger review');
    await page.getByRole('button', { name: 'Save and start reviewing' }).click();
    await expect(page.getByRole('heading', { name: 'Ledger review' })).toBeVisible();
    await page.getByLabel('Where the delay sat').selectOption({ label: 'An approval' });
    await page.getByLabel('Note', { exact: true }).fill('Waited for the DBA to approve killing the lock');
    await page.getByTestId('reviewed-incident').getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('region', { name: /Across 1 incident/ })).toContainText('An approval: 1');
    await page.screenshot({ path: testInfo.outputPath('review-1280.png'), fullPage: true });
  });
});
