import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { verifySignature } from '../../server/comms/webhooks/signature.ts';
import { adminContext, invitedUserContext } from './support.ts';

/** A stakeholder tool's incoming webhook, on loopback: records what it receives. */
async function startReceiver() {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('the communicator drafts and publishes updates; the commander sees it live; the public page shows only the public one', async ({ browser }, testInfo) => {
  const commanderContext = await adminContext(browser);
  const communicatorContext = await invitedUserContext(browser, commanderContext, 'Cami Communicator');
  const created = await commanderContext.request.post('/api/incidents', {
    data: { title: 'Ledger replica lag on pg-eu-7', severity: 1, summary: 'About 8% of EU card payments fail at checkout.' },
  });
  expect(created.status()).toBe(201);
  const { incident } = await created.json();
  const me = await (await communicatorContext.request.get('/api/me')).json();
  await commanderContext.request.post(`/api/incidents/${incident.ref}/join`, { data: { as: 'responder' } });
  expect((await commanderContext.request.post(`/api/incidents/${incident.ref}/roles`, { data: { role: 'communicator', userId: me.user.id } })).status()).toBe(200);

  const receiver = await startReceiver();
  const endpoint = await commanderContext.request.post('/api/admin/webhooks', {
    data: { name: 'Leadership channel', url: receiver.url, audiences: ['leadership'], format: 'json' },
  });
  expect(endpoint.status()).toBe(201);
  const { secret } = await endpoint.json();

  const commander = await commanderContext.newPage();
  const communicator = await communicatorContext.newPage();
  await commander.goto(`/incidents/${incident.ref}`);
  await communicator.goto(`/incidents/${incident.ref}`);
  const ownDraft = communicator.getByLabel(/Draft for leadership/);
  const watchedDraft = commander.getByLabel(/Draft for leadership/);

  await test.step('the communicator writes the leadership draft while the commander watches it appear', async () => {
    // On a laptop the updates are one tab away from the timeline.
    await communicator.getByRole('tab', { name: 'Updates' }).click();
    await commander.getByRole('tab', { name: 'Updates' }).click();
    await communicator.getByRole('tab', { name: /Leadership/ }).click();
    await commander.getByRole('tab', { name: /Leadership/ }).click();
    await expect(ownDraft).not.toHaveValue('');
    await ownDraft.click();
    await ownDraft.press('Control+End');
    await ownDraft.pressSequentially('\n\nRollback done at 14:20. <script>window.pwned = true</script> <img src=x onerror="window.pwned = true"> **ETA 15:00**');
    await expect(watchedDraft).toHaveValue(/Rollback done at 14:20/);
    const preview = communicator.locator('.preview .rendered');
    await expect(preview.locator('strong', { hasText: 'ETA 15:00' })).toBeVisible();
    expect(await preview.locator('script, img').count()).toBe(0);
    await expect(preview).toContainText('<script>');
    await communicator.screenshot({ path: testInfo.outputPath('communicator-pane.png'), fullPage: true });
  });

  await test.step('publishing (even with a double click) makes one update, which the commander sees in the timeline', async () => {
    await communicator.getByRole('button', { name: 'Publish to Leadership' }).dblclick();
    await commander.getByRole('tab', { name: 'Timeline' }).click();
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: /Leadership update published by Cami Communicator/ })).toBeVisible({ timeout: 5000 });
    const history = await (await commanderContext.request.get(`/api/incidents/${incident.ref}/updates?audience=leadership`)).json();
    expect(history.updates).toHaveLength(1);
    expect(await communicator.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
  });

  await test.step('the leadership webhook receives it once, signed, and the admin sees the delivery log', async () => {
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const [delivery] = receiver.received;
    expect(
      verifySignature({
        secret,
        body: delivery.body,
        signature: delivery.headers['x-warroom-signature'] as string,
        timestamp: delivery.headers['x-warroom-timestamp'] as string,
      }),
    ).toBe(true);
    expect(JSON.parse(delivery.body).update.audience).toBe('leadership');
    await commander.goto('/admin/webhooks');
    await commander.getByRole('button', { name: 'Show delivery log' }).click();
    await expect(commander.getByTestId('delivery-log').getByText('delivered')).toBeVisible();
    await commander.screenshot({ path: testInfo.outputPath('webhook-delivery-log.png'), fullPage: true });
    await commander.goto(`/incidents/${incident.ref}`);
  });

  let publicUrl = '';
  await test.step('the commander makes the status page public and the communicator publishes for the public', async () => {
    await commander.getByText('Status page: not public').click();
    await commander.getByLabel('Public title').fill('Some card payments fail');
    await commander.getByRole('button', { name: 'Make public' }).click();
    publicUrl = (await commander.getByRole('link', { name: /\/status\// }).getAttribute('href')) ?? '';
    expect(publicUrl).toContain('/status/');
    await communicator.getByRole('tab', { name: /Public/ }).click();
    await communicator.getByRole('button', { name: 'Publish to Public' }).click();
    await expect(communicator.getByRole('status').filter({ hasText: /ublished/ })).toBeVisible();
  });

  await test.step('a logged-out visitor sees the public update, and nothing internal', async () => {
    const visitorContext = await browser.newContext();
    const visitor = await visitorContext.newPage();
    await visitor.goto(new URL(publicUrl).pathname);
    await expect(visitor.getByRole('heading', { name: 'Some card payments fail' })).toBeVisible();
    await expect(visitor.getByText(/Some customers may be affected/)).toBeVisible();
    const text = await visitor.locator('body').innerText();
    for (const secret of ['pg-eu-7', 'Ledger replica', 'Rollback done', 'ETA 15:00', '8% of EU', 'Cami', 'SEV1']) expect(text).not.toContain(secret);
    await visitor.screenshot({ path: testInfo.outputPath('public-status-page.png'), fullPage: true });
    await visitor.goto('/status');
    await expect(visitor.getByText('Some card payments fail')).toBeVisible();
    await visitorContext.close();
  });

  await receiver.close();
  await commanderContext.close();
  await communicatorContext.close();
});
