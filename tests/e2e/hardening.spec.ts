import { expect, test, type Page } from '@playwright/test';
import { addEvidence, addHypothesis } from '../../server/shared/war-room-doc.ts';
import { connectDoc } from '../helpers/collab.ts';
import { adminContext } from './support.ts';

/** Collects what the browser reports about the Content-Security-Policy refusing something. */
function watchPolicyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  return violations;
}

test('every page runs under a strict Content-Security-Policy and cannot be framed', async ({ browser, baseURL }) => {
  const context = await adminContext(browser);
  const page = await context.newPage();
  const violations = watchPolicyViolations(page);
  const declared = await context.request.post('/api/incidents', { data: { title: `CSP check ${Date.now().toString(36)}`, severity: 3 } });
  const { ref } = (await declared.json()).incident;

  const response = await page.goto('/');
  const policy = response!.headers()['content-security-policy'];
  expect(policy).toMatch(/script-src 'self' 'sha256-[\w+/=]+'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("object-src 'none'");
  expect(response!.headers()['x-content-type-options']).toBe('nosniff');
  expect(response!.headers()['referrer-policy']).toBe('no-referrer');

  // The pages with the most moving parts: the live war room, the editors (CodeMirror injects styles), admin.
  for (const path of ['/incidents', `/incidents/${ref}`, '/runbooks/new', '/admin/templates', '/search', '/metrics', '/follow-ups', '/alerts', '/settings']) {
    await page.goto(path);
    await expect(page.locator('h1').first()).toBeVisible();
  }
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByTestId('connection')).toHaveText(/Live/);
  expect(violations).toEqual([]);

  // An inline script slipped into the page would not run.
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  expect(baseURL).toBeTruthy();
  await context.close();
});

test('an evidence link written straight into the live document as javascript: is not a link', async ({ browser, baseURL }) => {
  const context = await adminContext(browser);
  const page = await context.newPage();
  const declared = await context.request.post('/api/incidents', { data: { title: `Evidence links ${Date.now().toString(36)}`, severity: 3 } });
  const { ref, docId } = (await declared.json()).incident;
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByTestId('connection')).toHaveText(/Live/);

  // A client that skips the page's own checks: the stock provider with the same session.
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const { doc, provider } = await connectDoc({ url: baseURL! }, { cookie }, docId);
  try {
    const me = { id: 'x', name: 'Someone' };
    const id = addHypothesis(doc, { statement: 'The cache node lost its disk', owner: null, by: me });
    addEvidence(doc, id, { text: 'Dashboard', url: 'javascript:alert(document.cookie)', by: me });
    addEvidence(doc, id, { text: 'Inline page', url: 'data:text/html,<script>alert(1)</script>', by: me });
    addEvidence(doc, id, { text: 'Real graph', url: 'https://grafana.example.com/d/cache', by: me });

    const card = page.getByTestId('hypothesis').filter({ hasText: 'The cache node lost its disk' });
    await card.getByRole('button', { name: /Details/ }).click();
    await expect(card.getByText('Real graph')).toBeVisible();
    await expect(card.getByRole('link', { name: 'link' })).toHaveCount(1);
    await expect(card.getByRole('link', { name: 'link' })).toHaveAttribute('href', 'https://grafana.example.com/d/cache');
    await expect(card.locator('a[href^="javascript:"], a[href^="data:"]')).toHaveCount(0);
  } finally {
    provider.destroy();
    doc.destroy();
    await context.close();
  }
});
