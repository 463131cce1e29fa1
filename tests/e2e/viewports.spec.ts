import { expect, test, type Browser, type Page } from '@playwright/test';
import { ADMIN, adminContext, invitedUserContext } from './support.ts';
import { expectAccessible, expectInViewport, expectNoPageScroll, expectNoSideScroll, seedWarRoom, type WarRoomFixture } from './viewports-support.ts';

/*
 * Responders join from a phone when paged; a commander runs the room from one
 * laptop screen. Every main page at three sizes, light and dark: nothing
 * scrolls sideways, what matters is above the fold, axe finds nothing serious.
 * One incident with data is set up once, through the API, for all of them.
 */
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'laptop', width: 1440, height: 900 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

let fixture: WarRoomFixture;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await adminContext(browser);
  const communicator = await invitedUserContext(browser, admin, 'Cleo Communicator');
  fixture = await seedWarRoom(admin, communicator);
  await admin.close();
  await communicator.close();
});

async function signedIn(browser: Browser, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark') {
  const context = await browser.newContext({ viewport, colorScheme });
  const login = await context.request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  expect(login.status(), await login.text()).toBe(200);
  return context;
}

async function shoot(page: Page, name: string) {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

for (const viewport of VIEWPORTS) {
  for (const scheme of SCHEMES) {
    test(`${viewport.name} ${viewport.width}×${viewport.height}, ${scheme}: incidents, war room, postmortem, follow-ups and metrics fit and pass axe`, async ({ browser }) => {
      test.setTimeout(60_000);
      const context = await signedIn(browser, viewport, scheme);
      const page = await context.newPage();
      const tag = `${viewport.name}-${scheme}`;

      await test.step('incident list', async () => {
        await page.goto('/incidents');
        await expect(page.getByRole('link', { name: fixture.title })).toBeVisible();
        await shoot(page, `incidents-${tag}`);
        await expectNoSideScroll(page);
        await expectAccessible(page);
      });

      await test.step('war room', async () => {
        await page.goto(`/incidents/${fixture.ref}`);
        await expect(page.getByTestId('connection')).toHaveText(/Live/);
        await expect(page.getByTestId('timeline-entry').first()).toBeVisible();
        await shoot(page, `war-room-${tag}`);
        await expectNoSideScroll(page);
        // The newest entry sits right by the input, wherever the screen puts them.
        await expect(page.getByTestId('timeline-entry').first()).toContainText(fixture.newestEntry);
        await expectInViewport(page, page.getByLabel('What happened'));
        await expectInViewport(page, page.getByTestId('timeline-entry').first());
        await expectInViewport(page, page.getByTestId('war-header'));
        await expectInViewport(page, page.getByTestId('updates-due'));
        // The page itself does not scroll, so the header stays put: each pane scrolls on its own.
        await expectNoPageScroll(page);
        if (viewport.name === 'laptop') {
          await expectInViewport(page, page.getByRole('heading', { name: 'Hypotheses', exact: true }));
          await expectInViewport(page, page.getByLabel('New hypothesis'));
          await expectInViewport(page, page.getByRole('list', { name: 'Investigating hypotheses' }).getByRole('heading').first());
          await expectInViewport(page, page.getByRole('group', { name: 'Roles' }));
          // Has this happened before? opened by itself: it has a match.
          await expect(page.getByTestId('similar-panel').getByRole('link', { name: new RegExp(fixture.pastTitle) })).toBeVisible();
        } else {
          await expectInViewport(page, page.getByRole('tablist', { name: 'War room panes' }));
        }
        await expectAccessible(page);
        await page.getByRole('tab', { name: 'Updates' }).click();
        await expect(page.getByRole('tab', { name: 'Leadership' })).toBeVisible();
        await expectNoSideScroll(page);
        await expectAccessible(page);
        await shoot(page, `war-room-updates-${tag}`);
        if (viewport.name !== 'laptop') {
          await page.getByRole('tab', { name: 'Hypotheses' }).click();
          await expect(page.getByTestId('similar-panel').getByRole('link', { name: new RegExp(fixture.pastTitle) })).toBeVisible();
          await expectNoSideScroll(page);
          await expectAccessible(page);
          await shoot(page, `war-room-hypotheses-${tag}`);
          await page.getByRole('tab', { name: 'People' }).click();
          await expectInViewport(page, page.getByRole('group', { name: 'Roles' }));
          await expectNoSideScroll(page);
          await expectAccessible(page);
          await shoot(page, `war-room-people-${tag}`);
        }
      });

      await test.step('postmortem', async () => {
        await page.goto(`/incidents/${fixture.pastRef}/postmortem`);
        await expect(page.getByTestId('pm-state')).toBeVisible();
        await shoot(page, `postmortem-${tag}`);
        await expectNoSideScroll(page);
        await expectAccessible(page);
      });

      await test.step('follow-ups', async () => {
        await page.goto('/follow-ups');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await shoot(page, `follow-ups-${tag}`);
        await expectNoSideScroll(page);
        await expectAccessible(page);
      });

      await test.step('metrics', async () => {
        await page.goto('/metrics');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
        await shoot(page, `metrics-${tag}`);
        await expectNoSideScroll(page);
        await expectAccessible(page);
      });

      if (viewport.name === 'phone') {
        await test.step('navigation folds into a menu that holds every page and Log out', async () => {
          const nav = page.getByRole('navigation', { name: 'Main' });
          await expect(nav.getByRole('link', { name: 'Follow-ups' })).toBeHidden();
          await page.getByRole('button', { name: 'Menu' }).click();
          await expect(nav.getByRole('link', { name: 'Follow-ups' })).toBeVisible();
          await expectInViewport(page, page.getByRole('button', { name: 'Log out' }));
          await expectInViewport(page, page.getByRole('link', { name: ADMIN.name }));
          await shoot(page, `menu-${tag}`);
          await nav.getByRole('link', { name: 'Alerts' }).click();
          await expect(page).toHaveURL(/\/alerts$/);
          await expect(nav.getByRole('link', { name: 'Follow-ups' })).toBeHidden();
        });
      }
      await context.close();
    });
  }
}

test('at 360 px no page scrolls sideways', async ({ browser }) => {
  const context = await signedIn(browser, { width: 360, height: 740 }, 'light');
  const page = await context.newPage();
  const paths = ['/', '/incidents', `/incidents/${fixture.ref}`, `/incidents/${fixture.pastRef}/postmortem`, '/follow-ups', '/alerts', '/metrics', '/patterns', '/review', '/runbooks', '/drills', '/search', '/settings', '/admin/users', '/admin/alert-rules', '/admin/webhooks', '/admin/templates'];
  for (const path of paths) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    await expectNoSideScroll(page, path);
  }
  await context.close();
});

test('without a mouse: a commander writes to the timeline, switches panes and audiences; on a phone the menu opens and closes', async ({ browser }) => {
  const context = await signedIn(browser, { width: 1440, height: 900 }, 'light');
  const page = await context.newPage();
  await page.goto(`/incidents/${fixture.ref}`);
  await expect(page.getByTestId('connection')).toHaveText(/Live/);

  await page.keyboard.press('t');
  await expect(page.getByLabel('What happened')).toBeFocused();
  await page.keyboard.type('Raised the pool size to 40 on the canary');
  await page.keyboard.press('Enter');
  // Newest first, right under the input it was typed in.
  await expect(page.getByTestId('timeline-entry').first()).toContainText('Raised the pool size to 40 on the canary');
  await expectInViewport(page, page.getByTestId('timeline-entry').first());

  await page.getByRole('tab', { name: 'Timeline' }).focus();
  await page.keyboard.press('ArrowRight');
  const updates = page.getByRole('tab', { name: 'Updates' });
  await expect(updates).toBeFocused();
  await expect(updates).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('tabindex', '-1');
  // Visible focus: the focused tab draws an outline.
  expect(await updates.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  await expect(page.getByRole('heading', { name: 'Stakeholder updates' })).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('tab', { name: /Leadership/ })).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: /Public/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel').filter({ has: page.getByText(/public/i) }).first()).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.focus();
  await page.keyboard.press('Enter');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Follow-ups' })).toBeVisible();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await expect(nav.getByRole('link', { name: 'Follow-ups' })).toBeHidden();
  await expect(menu).toBeFocused();
  await context.close();
});
