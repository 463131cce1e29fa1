import { expect, test } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

test('a responder who drops off the network keeps typing, sees what waits to sync, and it lands on reconnect', async ({ browser }, testInfo) => {
  const commanderContext = await adminContext(browser);
  const responderContext = await invitedUserContext(browser, commanderContext, 'Rae Responder');
  const created = await commanderContext.request.post('/api/incidents', { data: { title: 'Flaky Wi-Fi drill', severity: 3, drill: true } });
  expect(created.status()).toBe(201);
  const { incident } = await created.json();

  const commander = await commanderContext.newPage();
  const responder = await responderContext.newPage();
  await commander.goto(`/incidents/${incident.ref}`);
  await responder.goto(`/incidents/${incident.ref}`);
  await responder.getByRole('button', { name: 'Join as responder' }).click();
  await expect(responder.getByTestId('connection')).toHaveText(/Live/);

  await responderContext.setOffline(true);
  await expect(responder.getByTestId('connection')).toHaveText(/Offline/);
  await responder.getByLabel('What happened').fill('Typed while offline: cache hit rate dropped');
  await responder.keyboard.press('Enter');
  await expect(responder.getByTestId('connection')).toContainText('1 change waiting to sync');
  await responder.screenshot({ path: testInfo.outputPath('offline-indicator.png') });

  await responderContext.setOffline(false);
  await expect(responder.getByTestId('connection')).toHaveText(/Live/, { timeout: 15_000 });
  await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'Typed while offline' })).toBeVisible({ timeout: 15_000 });

  await commanderContext.close();
  await responderContext.close();
});
