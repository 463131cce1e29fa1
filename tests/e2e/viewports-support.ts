import AxeBuilder from '@axe-core/playwright';
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

export interface WarRoomFixture {
  ref: string;
  title: string;
  newestEntry: string;
  pastRef: string;
  pastTitle: string;
}

const ENTRIES: [kind: string, text: string][] = [
  ['discovery', 'CheckoutLatencyHigh fired: p99 above 2 s in eu-west'],
  ['discovery', 'Card payments time out after 30 s; wallet payments are fine'],
  ['action', 'Paged the payments on-call and opened a bridge'],
  ['discovery', 'Database connections at the pool limit since 02:58'],
  ['decision', 'Hold all deploys to checkout until this is understood'],
  ['action', 'Scaled checkout from 12 to 20 pods'],
  ['discovery', 'Scaling out made it worse: more pods, more connections'],
  ['communication', 'Support told: card payments failing, wallet works'],
  ['decision', 'Roll back the 02:40 checkout deploy'],
  ['action', 'Rollback started on the first region'],
  ['mitigation', 'Error rate dropping in eu-west after the rollback'],
  ['note', 'Rollback reaches the last region in about ten minutes'],
];

const HYPOTHESES = [
  'The 02:40 checkout deploy exhausted the database connection pool by opening one pool per request',
  'The payment provider is throttling our card authorisations after a spike of retries from the mobile app',
  'A slow query on the orders table holds connections open during the nightly batch',
];

/** A past incident on the same service (resolved, so the war room finds it), and a live SEV1 with a communicator, a timeline and a board. */
export async function seedWarRoom(admin: BrowserContext, communicator: BrowserContext): Promise<WarRoomFixture> {
  const tag = Date.now().toString(36);
  const service = `checkout-${tag}`;
  const pastTitle = `Checkout database pool exhausted ${tag}`;
  const past = await post(admin, '/api/incidents', { title: pastTitle, severity: 2, services: [service], summary: 'Card payments failed for 40 minutes.' });
  for (const state of ['resolved', 'closed']) await post(admin, `/api/incidents/${past.incident.ref}/state`, { state });

  const title = `Card payments time out at checkout ${tag}`;
  const { incident } = await post(admin, '/api/incidents', {
    title,
    severity: 1,
    services: [service, 'payments'],
    summary: 'Card payments time out at checkout in every region; wallet payments work.',
  });
  const ref: string = incident.ref;
  await post(admin, `/api/incidents/${ref}/join`, { as: 'responder' });
  const cleo = (await (await communicator.request.get('/api/me')).json()).user.id as string;
  await post(admin, `/api/incidents/${ref}/roles`, { role: 'communicator', userId: cleo });
  const start = Date.now() - 40 * 60_000;
  for (const [i, [kind, text]] of ENTRIES.entries()) {
    // Backfilled, but for the last one: written now, the newest line on the timeline.
    const at = i < ENTRIES.length - 1 ? new Date(start + i * 3 * 60_000).toISOString() : undefined;
    await post(admin, `/api/incidents/${ref}/timeline`, { kind, text, at });
  }

  const page = await admin.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByTestId('connection')).toHaveText(/Live/);
  for (const statement of HYPOTHESES) {
    await page.getByLabel('New hypothesis').fill(statement);
    await page.getByRole('button', { name: 'Add hypothesis' }).click();
    await expect(page.getByTestId('hypothesis').filter({ hasText: statement })).toHaveCount(1);
  }
  await page.getByLabel(`Status of “${HYPOTHESES[0]}”`).selectOption('investigating');
  await page.getByLabel(`Status of “${HYPOTHESES[1]}”`).selectOption('ruled_out');
  await expect(page.locator('[data-status="ruled_out"]').getByTestId('hypothesis')).toHaveCount(1);
  await page.close();
  return { ref, title, newestEntry: ENTRIES.at(-1)![1], pastRef: `INC-${past.incident.number}`, pastTitle };
}

async function post(context: BrowserContext, path: string, data: unknown) {
  const response = await context.request.post(path, { data });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
  return response.json();
}

/** The page is no wider than the screen: nothing to scroll sideways to. */
export async function expectNoSideScroll(page: Page, where = page.url()) {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // Names what sticks out, so a failure says where to look.
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.getClientRects().length > 0)
      .filter((el) => {
        // What sticks out inside a container that scrolls or clips it is not the page's problem.
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== 'visible') return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} "${el.textContent?.trim().slice(0, 30)}"`),
  }));
  expect(scrollWidth, `${where} scrolls sideways; widest: ${wide.join(', ')}`).toBeLessThanOrEqual(innerWidth);
}

/** The page is no taller than the screen: its header stays put and its panes scroll on their own. */
export async function expectNoPageScroll(page: Page) {
  const { scrollHeight, innerHeight, tall } = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight: window.innerHeight,
    tall: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().bottom > window.innerHeight + 0.5 && el.getClientRects().length > 0)
      .filter((el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowY !== 'visible') return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${el.textContent?.trim().slice(0, 30)}"`),
  }));
  expect(scrollHeight, `the page scrolls; tallest: ${tall.join(', ')}`).toBeLessThanOrEqual(innerHeight);
}

/** The element is on screen without scrolling the page. */
export async function expectInViewport(page: Page, locator: Locator) {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  expect(box, 'has a box').not.toBeNull();
  expect(box!.x, 'left edge on screen').toBeGreaterThanOrEqual(0);
  expect(box!.y, 'top edge on screen').toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, 'right edge on screen').toBeLessThanOrEqual(size.width + 0.5);
  expect(box!.y + box!.height, 'bottom edge on screen').toBeLessThanOrEqual(size.height + 0.5);
}

/** axe-core (WCAG 2.1 A and AA): no serious or critical violation. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `axe on ${page.url()}`).toEqual([]);
}
