import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { DEMO_PASSWORD, PEOPLE } from '../../server/demo/catalog.ts';
import { demoEmail } from '../../server/demo/people.ts';
import { FACTOR_LABELS, formatMs, formatRate } from '../../src/lib/metrics.ts';
import { DEMO_YEAR } from './demo-year.ts';

/**
 * /metrics and /patterns on the demo year (`npm run seed:demo`, seeded by the
 * Playwright config into the "demo" project's server with a fixed `now`),
 * signed in as the demo admin, on explicit ranges inside that year so nothing
 * depends on the day the suite runs.
 */

/** The first demo person is the admin; every demo password is the same (server/demo/people.ts). */
const DEMO_ADMIN = { email: demoEmail(PEOPLE[0]), password: DEMO_PASSWORD };

async function demoAdmin(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  const login = await context.request.post('/api/auth/login', { data: DEMO_ADMIN });
  expect(login.status(), `the demo admin signs in: ${await login.text()}`).toBe(200);
  return context;
}

/** Saved under a stable name, test-results/e2e/screenshots/<name>.png (the output dir is emptied at the start of each run), and attached to the report. */
async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = join(testInfo.project.outputDir, 'screenshots', `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

const CHARTS = ['Incidents per month', 'Recurrence rate', 'Time to detect (MTTD)', 'Time to acknowledge (MTTA)', 'Time to resolve (MTTR)', 'Time to postmortem', 'Action items'];
const DURATIONS = [
  ['Time to detect (MTTD)', 'mttd'],
  ['Time to acknowledge (MTTA)', 'mtta'],
  ['Time to resolve (MTTR)', 'mttr'],
  ['Time to postmortem', 'time_to_postmortem'],
] as const;

test('the demo year on /metrics: every chart has data, and its table says what the API says', async ({ browser }, testInfo) => {
  const admin = await demoAdmin(browser);
  // The page's own query for a monthly view of the demo year's twelve months.
  const range = `period=month&from=${DEMO_YEAR.months.from}&to=${DEMO_YEAR.months.to}`;
  const api = await (await admin.request.get(`/api/metrics?${range}`)).json();
  expect(api.buckets).toHaveLength(12);
  expect(api.totals.incidents).toBeGreaterThan(100);
  const page = await admin.newPage();
  await page.goto(`/metrics?${range}`);
  await expect(page.getByRole('heading', { name: 'Reliability metrics' })).toBeVisible();
  await expect(page.locator('dl.tiles dd').first()).toHaveText(String(api.totals.incidents));

  await test.step('every chart renders marks from the data, with a summary for screen readers', async () => {
    for (const name of CHARTS) {
      const chart = page.getByRole('region', { name });
      await expect(chart.getByRole('img'), name).toHaveAttribute('aria-label', /.{40,}/);
    }
    // A bar for every month with incidents; recurrence has a bar wherever an incident could be classified.
    const counts = page.getByRole('region', { name: 'Incidents per month' }).locator('rect.bar');
    await expect(counts).toHaveCount(api.series.incident_count.filter((n: number) => n > 0).length);
    expect(await counts.count()).toBeGreaterThanOrEqual(12);
    const rates = api.series.recurrence_rate.filter((p: { rate: number | null }) => p.rate !== null).length;
    expect(rates).toBeGreaterThanOrEqual(10);
    await expect(page.getByRole('region', { name: 'Recurrence rate' }).locator('rect.bar')).toHaveCount(api.series.recurrence_rate.filter((p: { rate: number | null }) => p.rate).length);
    for (const [name, id] of DURATIONS) {
      const withMedian = api.series[id].filter((p: { median: number | null }) => p.median !== null).length;
      expect(withMedian, name).toBeGreaterThanOrEqual(10);
      await expect(page.getByRole('region', { name }).locator('circle.dot'), name).toHaveCount(withMedian);
    }
    const created = api.series.action_items.reduce((n: number, p: { created: { immediate: number; structural: number } }) => n + p.created.immediate + p.created.structural, 0);
    expect(created).toBeGreaterThan(0);
    expect(await page.getByRole('region', { name: 'Action items' }).locator('rect.seg').count()).toBeGreaterThan(0);
  });

  await test.step('"View as table" shows the numbers /api/metrics returns for the same query', async () => {
    const recurrence = page.getByRole('region', { name: 'Recurrence rate' });
    await recurrence.getByRole('button', { name: 'View as table' }).click();
    const rows = recurrence.getByRole('table').locator('tbody tr');
    await expect(rows).toHaveCount(12);
    for (const [i, point] of api.series.recurrence_rate.entries()) {
      await expect(rows.nth(i).locator('td')).toHaveText([String(point.recurring), String(point.measured), String(point.notRecorded), formatRate(point.rate)]);
    }
    // Incidents without a published postmortem naming a factor are reported, not counted as "did not recur".
    expect(api.totals.recurrence_rate.notRecorded).toBeGreaterThan(0);
    await expect(recurrence).toContainText(`${api.totals.recurrence_rate.notRecorded} of ${api.totals.incidents} incidents have no published postmortem`);
    await recurrence.getByRole('button', { name: 'View as chart' }).click();

    const mttr = page.getByRole('region', { name: 'Time to resolve (MTTR)' });
    await mttr.getByRole('button', { name: 'View as table' }).click();
    const last = mttr.getByRole('table').locator('tbody tr').last();
    const point = api.series.mttr.at(-1);
    await expect(last.locator('td')).toHaveText([formatMs(point.median), formatMs(point.p90), String(point.measured), String(point.notRecorded)]);
    await mttr.getByRole('button', { name: 'View as chart' }).click();
  });

  await test.step('screenshots, light and dark', async () => {
    await screenshot(page, testInfo, 'metrics-demo-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await expect(page.getByRole('region', { name: 'Action items' }).getByRole('img')).toBeVisible();
    await expect(page.locator('dl.tiles dd').first()).toHaveText(String(api.totals.incidents));
    await screenshot(page, testInfo, 'metrics-demo-dark');
  });
});

test('the demo quarter on /patterns: factor categories by service and the recurring services', async ({ browser }, testInfo) => {
  const admin = await demoAdmin(browser);
  // The demo year's last quarter: with a year of incidents it is never empty.
  const review = await (await admin.request.get(`/api/patterns?quarter=${DEMO_YEAR.quarter}`)).json();
  expect(review.incidentCount).toBeGreaterThan(10);
  expect(review.factors.length).toBeGreaterThanOrEqual(3);
  expect(review.recurringServices.length).toBeGreaterThanOrEqual(3);
  const page = await admin.newPage();
  await page.goto(`/patterns?quarter=${DEMO_YEAR.quarter}`);
  await expect(page.getByRole('heading', { name: `Pattern review · ${review.quarter.label}` })).toBeVisible();
  await expect(page.locator('dl.tiles dd').first()).toHaveText(String(review.incidentCount));

  const factors = page.getByRole('region', { name: 'Contributing factors by category and service' });
  const bars = factors.getByRole('listitem');
  await expect(bars).toHaveCount(review.factors.length);
  for (const [i, group] of review.factors.entries()) {
    await expect(bars.nth(i)).toHaveText(new RegExp(`${FACTOR_LABELS[group.category]}\\s*${group.count}$`));
  }
  // The category × service matrix has a row for every service a factor was named on.
  const services = new Set(review.factors.flatMap((g: { services: { service: string }[] }) => g.services.map((s) => s.service)));
  await expect(factors.getByRole('table').locator('tbody tr')).toHaveCount(services.size);

  const recurring = page.getByRole('region', { name: 'Recurring services' });
  for (const s of review.recurringServices) {
    const row = recurring.getByRole('row').filter({ has: page.getByRole('rowheader', { name: s.service, exact: true }) });
    await expect(row.getByRole('cell').first(), s.service).toHaveText(String(s.incidents.length));
  }

  await screenshot(page, testInfo, 'patterns-demo-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(page.locator('dl.tiles dd').first()).toHaveText(String(review.incidentCount));
  await screenshot(page, testInfo, 'patterns-demo-dark');
});
