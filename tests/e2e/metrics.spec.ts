import { expect, test, type APIRequestContext } from '@playwright/test';
import { quarterOf } from '../../src/lib/metrics.ts';
import { adminContext } from './support.ts';

// Incidents made here through the API on the fresh-install server: definitions, filters and CSV on known rows.
// Charts on a realistic year, dark mode and the screenshots are in metrics.demo.spec.ts.

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/**
 * The weeks behind the charts, made the way responders make them: declared
 * with the start and detection times they type in (backdated), then resolved.
 * Resolution is stamped by the server's clock, so these incidents resolve
 * "now" – honest data, if long outages.
 */
async function recentIncidents(request: APIRequestContext, run: string) {
  const now = Date.now();
  const made = [
    { title: `Card payments fail (${run})`, severity: 1, services: ['payments'], daysAgo: 40, detectAfter: 6, resolve: true },
    { title: `Checkout slow (${run})`, severity: 2, services: ['payments', 'db'], daysAgo: 33, detectAfter: 45, resolve: true },
    { title: `Search index stale (${run})`, severity: 3, services: ['search'], daysAgo: 26, detectAfter: null, resolve: true },
    { title: `Replica lag (${run})`, severity: 2, services: ['db'], daysAgo: 19, detectAfter: 12, resolve: true },
    { title: `Payments webhook backlog (${run})`, severity: 2, services: ['payments'], daysAgo: 12, detectAfter: 3, resolve: true },
    { title: `Login errors (${run})`, severity: 1, services: ['auth'], daysAgo: 5, detectAfter: 2, resolve: false },
    { title: `Game day: payments failover (${run})`, severity: 1, services: ['payments'], daysAgo: 8, detectAfter: 1, resolve: true, drill: true },
  ];
  const refs: string[] = [];
  for (const m of made) {
    const startedAt = new Date(now - m.daysAgo * DAY);
    const response = await request.post('/api/incidents', {
      data: {
        title: m.title,
        severity: m.severity,
        services: m.services,
        drill: m.drill ?? false,
        startedAt: startedAt.toISOString(),
        ...(m.detectAfter === null ? {} : { detectedAt: new Date(startedAt.getTime() + m.detectAfter * MIN).toISOString() }),
      },
    });
    expect(response.status(), await response.text()).toBe(201);
    const { incident } = await response.json();
    refs.push(incident.ref);
    if (m.resolve) {
      const resolved = await request.post(`/api/incidents/${incident.ref}/state`, { data: { state: 'resolved' } });
      expect(resolved.status(), await resolved.text()).toBe(200);
    }
  }
  return refs;
}

test('a lead opens /metrics: charts of the last weeks, each with its definition and a table, filters, CSV; then the quarter’s pattern review', async ({ browser }) => {
  const admin = await adminContext(browser);
  const run = Date.now().toString(36);
  const refs = await recentIncidents(admin.request, run);
  // Whatever other specs left in this database counts too: read the expected total from the API, filters as the page sends them.
  const expected = await (await admin.request.get('/api/metrics?period=week')).json();
  expect(expected.totals.incidents).toBeGreaterThanOrEqual(6);
  const page = await admin.newPage();

  await test.step('the page shows every chart with an accessible summary', async () => {
    await page.goto('/metrics');
    await expect(page.getByRole('heading', { name: 'Reliability metrics' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Metrics' })).toHaveAttribute('aria-current', 'page');
    const tiles = page.locator('dl.tiles');
    await expect(tiles.getByText('Incidents', { exact: true }).locator('..').locator('dd')).toHaveText(String(expected.totals.incidents));
    for (const name of ['Incidents per week', 'Recurrence rate', 'Time to detect (MTTD)', 'Time to acknowledge (MTTA)', 'Time to resolve (MTTR)', 'Time to postmortem', 'Action items']) {
      const chart = page.getByRole('region', { name });
      await expect(chart, name).toBeVisible();
      await expect(chart.getByRole('img'), name).toHaveAttribute('aria-label', /.{40,}/);
    }
    const counts = page.getByRole('region', { name: 'Incidents per week' });
    await expect(counts.getByRole('img')).toHaveAttribute('aria-label', new RegExp(`^Incidents per week: ${expected.totals.incidents} in total over 12 weeks`));
    expect(await counts.locator('rect.bar').count()).toBeGreaterThanOrEqual(5);
    // The MTTD line has points; the detection-less incident is reported, not plotted as zero.
    expect(await page.getByRole('region', { name: 'Time to detect (MTTD)' }).locator('circle.dot').count()).toBeGreaterThanOrEqual(4);
    await expect(page.getByRole('region', { name: 'Time to detect (MTTD)' })).toContainText(/\d+ of \d+ incidents have no value recorded/);
  });

  await test.step('"What is this?" shows the definition the server serves; "View as table" shows the same numbers', async () => {
    const mttr = page.getByRole('region', { name: 'Time to resolve (MTTR)' });
    await mttr.getByRole('button', { name: 'What is this?' }).press('Enter');
    await expect(mttr.getByRole('button', { name: 'What is this?' })).toHaveAttribute('aria-expanded', 'true');
    await expect(mttr).toContainText(expected.definitions.find((d: { id: string }) => d.id === 'mttr').definition);

    const counts = page.getByRole('region', { name: 'Incidents per week' });
    await counts.getByRole('button', { name: 'View as table' }).click();
    const rows = counts.getByRole('table').locator('tbody tr');
    await expect(rows).toHaveCount(12);
    const cells = await rows.locator('td').allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(expected.totals.incidents);
    expect(cells.map(Number)).toEqual(expected.series.incident_count);
    await counts.getByRole('button', { name: 'View as chart' }).click();
    await expect(counts.getByRole('img')).toBeVisible();
  });

  await test.step('filtering by severity and service narrows every figure, and the URL keeps the view', async () => {
    await page.getByRole('checkbox', { name: 'SEV1' }).check();
    await expect(page).toHaveURL(/severity=1/);
    const sev1 = await (await admin.request.get('/api/metrics?period=week&severity=1')).json();
    await expect(page.locator('dl.tiles dd').first()).toHaveText(String(sev1.totals.incidents));
    await page.getByRole('checkbox', { name: 'SEV1' }).uncheck();
    await page.getByRole('combobox', { name: 'Service' }).fill('db');
    await page.getByRole('combobox', { name: 'Service' }).press('Enter');
    await expect(page).toHaveURL(/service=db/);
    const dbOnly = await (await admin.request.get('/api/metrics?period=week&service=db')).json();
    await expect(page.locator('dl.tiles dd').first()).toHaveText(String(dbOnly.totals.incidents));
    await expect(page.getByText(/ · db$/)).toBeVisible();
  });

  await test.step('the CSV link downloads the rows behind the charts, drills left out', async () => {
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href).toContain('service=db');
    const csv = await (await admin.request.get(href!.replace('service=db', ''))).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['incident', 'title', 'severity']);
    expect(lines).toHaveLength(expected.totals.incidents + 1);
    expect(csv).toContain(`Checkout slow (${run})`);
    expect(csv).not.toContain('Game day');
    expect(csv).toContain(`${refs[1]},Checkout slow (${run}),2,payments db,`);
  });

  await test.step('the pattern review lists the recurring services of the quarter and prints cleanly', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patterns' }).click();
    await expect(page.getByRole('heading', { name: /^Pattern review · Q[1-4] \d{4}$/ })).toBeVisible();
    // The quarter holding the middle of this story's incidents: on the first days of a quarter the current one may hold none of them.
    const quarter = quarterOf(new Date(Date.now() - 19 * DAY));
    await page.goto(`/patterns?quarter=${quarter}`);
    const review = await (await admin.request.get(`/api/patterns?quarter=${quarter}`)).json();
    await expect(page.locator('dl.tiles dd').first()).toHaveText(String(review.incidentCount));
    expect(review.incidentCount).toBeGreaterThan(0);
    const recurring = page.getByRole('region', { name: 'Recurring services' });
    for (const s of review.recurringServices) {
      const row = recurring.getByRole('row').filter({ has: page.getByRole('rowheader', { name: s.service, exact: true }) });
      await expect(row.getByRole('cell').first()).toHaveText(String(s.incidents.length));
    }
    const gaps = page.getByRole('region', { name: 'Detection gaps' });
    for (const g of review.detectionGaps) await expect(gaps).toContainText(g.incident.ref);
    // Earlier quarters are one click away and say so when empty.
    await page.getByRole('button', { name: 'Previous quarter' }).click();
    await expect(page).toHaveURL(/quarter=\d{4}-Q[1-4]/);
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  });
});
