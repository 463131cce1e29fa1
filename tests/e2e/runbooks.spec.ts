import { expect, test } from '@playwright/test';
import { adminContext } from './support.ts';

test('the resolver writes a runbook from the war room, edits it, and the edit shows in history with its diff', async ({ browser }) => {
  const context = await adminContext(browser);
  const declared = await context.request.post('/api/incidents', {
    data: { title: 'Payments pool exhausted', severity: 2, services: ['payments'], summary: 'Checkout failed: no database connections left.' },
  });
  expect(declared.status()).toBe(201);
  const { incident } = await declared.json();
  expect((await context.request.post(`/api/incidents/${incident.ref}/state`, { data: { state: 'resolved' } })).status()).toBe(200);

  const page = await context.newPage();
  await page.goto(`/incidents/${incident.ref}`);
  const panel = page.getByTestId('runbooks-panel');
  await expect(panel.getByTestId('runbook-prompt')).toContainText('Update the runbook for this failure mode while it’s fresh');
  await panel.getByRole('button', { name: `Write a new runbook from ${incident.ref}` }).click();

  // Prefilled from the incident, with the template's sections.
  await expect(page).toHaveURL(new RegExp(`/runbooks/new\\?from=${incident.ref}`));
  await expect(page.getByLabel('Title')).toHaveValue('Payments pool exhausted');
  await expect(page.getByLabel('Services')).toHaveValue('payments');
  const body = page.getByLabel('Markdown');
  await expect(body).toHaveValue(/## Decision points/);
  await body.fill((await body.inputValue()).replace('# the commands you ran, in order', 'kubectl -n payments rollout undo deploy/payments-api'));
  await page.getByRole('button', { name: 'Create runbook' }).click();

  await expect(page).toHaveURL(/\/runbooks\/payments-pool-exhausted$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Payments pool exhausted');
  await expect(page.getByTestId('runbook-body')).toContainText('kubectl -n payments rollout undo deploy/payments-api');
  await expect(page.getByText(`in ${incident.ref} on`).first()).toBeVisible();

  // Edit: add a decision point and say why.
  await page.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByLabel('Markdown');
  await editor.fill((await editor.inputValue()).replace('- If … then … (and why)', '- If connections are at the limit after a deploy: roll back first'));
  await page.getByLabel('What changed (shown in history)').fill('Added the rollback decision');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved version 2.');
  await expect(page.getByTestId('runbook-body')).toContainText('roll back first');

  const history = page.getByTestId('runbook-version');
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText('v2');
  await expect(history.first()).toContainText('Ana Commander');
  await expect(history.first()).toContainText('Added the rollback decision');
  await history.first().getByRole('button', { name: 'Changes in v2' }).click();
  const diff = page.getByTestId('runbook-diff');
  await expect(diff.locator('.line.added')).toContainText(['If connections are at the limit after a deploy: roll back first']);
  await expect(diff.locator('.line.removed')).toContainText(['If … then … (and why)']);
  await page.screenshot({ path: 'test-results/screenshots/runbook.png', fullPage: true });

  // The list shows it with its owner and where it was last verified; the war room lists it.
  await page.goto('/runbooks');
  const row = page.getByTestId('runbook-row').filter({ hasText: 'Payments pool exhausted' });
  await expect(row).toContainText('Ana Commander');
  await expect(row).toContainText(`in ${incident.ref} on`);
  await page.screenshot({ path: 'test-results/screenshots/runbooks.png', fullPage: true });
  await page.goto(`/incidents/${incident.ref}`);
  await expect(panel.getByRole('link', { name: 'Payments pool exhausted', exact: true })).toBeVisible();
  await page.emulateMedia({ colorScheme: 'dark' });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/runbooks-panel-dark.png', fullPage: false });
  await context.close();
});

test('two people edit the same runbook: the later save sees the conflict and keeps its text', async ({ browser }) => {
  const context = await adminContext(browser);
  const created = await context.request.post('/api/runbooks', { data: { title: 'DNS resolution failures', body: '## Checks\n\n- CoreDNS latency\n', services: ['dns'] } });
  expect(created.status()).toBe(201);
  const { runbook } = await created.json();

  const page = await context.newPage();
  await page.goto(`/runbooks/${runbook.slug}?edit=1`);
  const editor = page.getByLabel('Markdown');
  await expect(editor).toHaveValue(/CoreDNS latency/);

  // Someone else saves first (same account in another tab is enough to race).
  const other = await context.request.put(`/api/runbooks/${runbook.id}`, { data: { baseVersion: 1, body: '## Checks\n\n- CoreDNS latency\n- node-local cache hit rate\n', note: 'From the other tab' } });
  expect(other.status()).toBe(200);

  await editor.fill('## Checks\n\n- CoreDNS latency and errors\n');
  await page.getByRole('button', { name: 'Save new version' }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Someone saved while you were editing' });
  await expect(conflict).toContainText('node-local cache hit rate');
  await expect(editor).toHaveValue('## Checks\n\n- CoreDNS latency and errors\n');
  await page.screenshot({ path: 'test-results/screenshots/runbook-conflict.png', fullPage: false });

  // Saving again, knowingly, makes it version 3 with both saves in history.
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved version 3.');
  await expect(page.getByTestId('runbook-version')).toHaveCount(3);
  await expect(page.getByTestId('runbook-version').nth(1)).toContainText('From the other tab');
  await context.close();
});
