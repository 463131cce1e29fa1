import { expect, test } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

test('admin routes critical alerts to a SEV1; Alertmanager fires; the incident appears live and the war room shows the alert', async ({ browser }, testInfo) => {
  const admin = await adminContext(browser);
  const responderContext = await invitedUserContext(browser, admin, 'Rey Responder', { colorScheme: 'dark' });
  const baseUrl = testInfo.project.use.baseURL!;
  const run = Date.now().toString(36);
  const service = `payments-${run}`;
  const summary = `Payments API 5xx above 5% (${run})`;

  await test.step('the admin adds a rule: severity=critical on the service declares a SEV1', async () => {
    const page = await admin.newPage();
    await page.goto('/admin/alert-rules');
    await expect(page.getByRole('heading', { name: 'Alert routing rules' })).toBeVisible();
    await page.getByLabel('Name').fill('Critical payments alerts');
    await page.getByLabel('Match labels').fill(`severity=critical, service=${service}`);
    await page.getByRole('radio', { name: 'Declare an incident' }).check();
    await page.getByLabel('Severity of the incident').selectOption('1');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByTestId('alert-rules').getByRole('listitem').filter({ hasText: 'Critical payments alerts' });
    await expect(rule).toContainText(`severity=critical, service=${service}`);
    await expect(rule).toContainText('SEV1');

    // A second rule, moved above the first from the keyboard, edited, then removed again.
    await page.getByLabel('Name').fill('Warnings wait');
    await page.getByLabel('Match labels').fill('severity=warning');
    await page.getByRole('radio', { name: 'Leave in the alert inbox' }).check();
    await page.getByLabel('Match labels').press('Enter');
    const list = page.getByTestId('alert-rules').getByRole('listitem');
    await expect(list).toHaveCount(2);
    await page.getByRole('button', { name: 'Move Warnings wait up' }).focus();
    await page.keyboard.press('Enter');
    await expect(list.first()).toContainText('Warnings wait');
    await expect(page.getByRole('button', { name: 'Move Warnings wait down' })).toBeFocused();
    await list.first().getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByLabel('Name')).toBeFocused();
    await page.getByLabel('Name').fill('Warnings wait in the inbox');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await expect(list.first()).toContainText('Warnings wait in the inbox');
    await page.screenshot({ path: testInfo.outputPath('alert-rules.png'), fullPage: true });
    page.once('dialog', (dialog) => dialog.accept());
    await list.first().getByRole('button', { name: 'Delete' }).click();
    await expect(list).toHaveCount(1);
    await expect(list.first()).toContainText('Critical payments alerts');
  });

  // Monitoring authenticates with a service token, like Alertmanager's http_config.authorization would.
  const created = await admin.request.post('/api/admin/tokens', { data: { name: 'alertmanager', scopes: ['alerts:write'] } });
  expect(created.status(), await created.text()).toBe(201);
  const token = (await created.json()).token as string;
  const fire = (alerts: { instance: string; startsAt: string }[]) =>
    fetch(`${baseUrl}/api/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        version: '4',
        receiver: 'warroom',
        status: 'firing',
        groupKey: `{}/{severity="critical"}:{service="${service}"}`,
        groupLabels: { service },
        commonLabels: { alertname: 'HighErrorRate', severity: 'critical', service },
        commonAnnotations: { summary },
        externalURL: 'http://alertmanager:9093',
        truncatedAlerts: 0,
        alerts: alerts.map((a) => ({
          status: 'firing',
          labels: { alertname: 'HighErrorRate', severity: 'critical', service, instance: a.instance },
          annotations: { summary },
          startsAt: a.startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph?g0.expr=rate%28http_requests_total%5B5m%5D%29',
          fingerprint: `${run}-${a.instance}`,
        })),
      }),
    });

  const responder = await responderContext.newPage();
  await responder.goto('/incidents');
  await expect(responder.getByRole('heading', { name: 'Incidents', exact: true })).toBeVisible();
  const startsAt = new Date(Date.now() - 4 * 60_000).toISOString();

  await test.step('Alertmanager posts a firing group; the incident shows up on the open list without a reload', async () => {
    const response = await fire([{ instance: 'api-1', startsAt }]);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 1, created: 1, declared: 1 });
    await expect(responder.getByRole('link', { name: new RegExp(summary.replace(/[()]/g, '\\$&')) })).toBeVisible({ timeout: 10_000 });
  });

  await test.step('the responder opens the war room: the Alerts panel and the timeline show the alert', async () => {
    await responder.getByRole('link', { name: new RegExp(summary.replace(/[()]/g, '\\$&')) }).click();
    await expect(responder.getByRole('heading', { name: summary })).toBeVisible();
    await expect(responder.getByText('SEV1').first()).toBeVisible();
    await responder.getByRole('button', { name: 'Join as responder' }).click();
    const panel = responder.getByTestId('alerts-panel');
    await expect(panel.getByRole('row').filter({ hasText: 'HighErrorRate' })).toHaveCount(1);
    await expect(panel).toContainText('firing');
    await expect(panel.getByRole('link', { name: 'alertmanager' })).toHaveAttribute('href', /^http:\/\/prometheus:9090\/graph/);
    await expect(responder.getByTestId('timeline-entry').filter({ hasText: `Alert HighErrorRate: ${summary}` })).toHaveCount(1);
  });

  await test.step('a second member of the group lands in the same incident; repeats only raise the count', async () => {
    expect(await (await fire([{ instance: 'api-1', startsAt }, { instance: 'api-2', startsAt }])).json()).toMatchObject({ created: 1, updated: 1, declared: 0, attached: 1 });
    const panel = responder.getByTestId('alerts-panel');
    await expect(panel.getByRole('row').filter({ hasText: 'HighErrorRate' })).toHaveCount(2);
    // api-1 was delivered twice, api-2 once; the panel polls for counts, which never touch the live document.
    const counts = () => panel.getByRole('row').filter({ hasText: 'HighErrorRate' }).locator('td:nth-child(3)').allTextContents();
    await expect.poll(async () => (await counts()).sort(), { timeout: 15_000 }).toEqual(['1', '2']);
    await expect(responder.getByTestId('timeline-entry').filter({ hasText: `Alert HighErrorRate: ${summary}` })).toHaveCount(2);
    await responder.screenshot({ path: testInfo.outputPath('war-room-alerts-dark.png'), fullPage: true });
  });

  await test.step('an alert no rule matches waits in the inbox, and a member declares from it', async () => {
    const response = await fetch(`${baseUrl}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ source: 'grafana', fingerprint: `disk-${run}`, summary: `Disk 93% full on db-${run}`, severity: 'warning', service: 'orders-db', url: 'https://grafana.example.com/d/disk' }),
    });
    expect(await response.json()).toMatchObject({ inbox: 1 });
    await responder.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect(responder.getByRole('heading', { name: 'Alert inbox' })).toBeVisible();
    const card = responder.getByRole('listitem').filter({ hasText: `Disk 93% full on db-${run}` });
    await expect(card.getByTestId('alert-count')).toHaveText('1');
    await responder.screenshot({ path: testInfo.outputPath('alert-inbox-dark.png'), fullPage: true });
    await card.getByRole('button', { name: 'Declare incident' }).click();
    await expect(card.getByLabel('Title')).toBeFocused();
    await expect(card.getByLabel('Title')).toHaveValue(`Disk 93% full on db-${run}`);
    await expect(card.getByLabel('Severity')).toHaveValue('3');
    await card.getByRole('button', { name: 'Declare', exact: true }).click();
    await expect(responder.getByRole('heading', { name: `Disk 93% full on db-${run}` })).toBeVisible();
    await expect(responder.getByTestId('alerts-panel')).toContainText('grafana');
  });
});
