import { expect, test, type Page } from '@playwright/test';
import { adminContext, invitedUserContext } from './support.ts';

/** Puts the cursor at the end of a CodeMirror section editor and types like a person. */
async function typeInto(page: Page, section: string, text: string) {
  const editor = page.getByRole('textbox', { name: section, exact: true });
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text, { delay: 5 });
}

test('two responders close a SEV2, co-write the postmortem live, publish it, and follow up on its action items', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const commanderContext = await adminContext(browser);
  // The responder works in dark mode, so the screenshots show both themes.
  const responderContext = await invitedUserContext(browser, commanderContext, 'Pia Responder', { colorScheme: 'dark' });
  const responderId = (await (await responderContext.request.get('/api/me')).json()).user.id as string;
  const title = `Search latency spike ${Date.now().toString(36)}`;
  const created = await commanderContext.request.post('/api/incidents', {
    data: { title, severity: 2, services: ['search'], summary: 'Search p99 latency above 4s for EU users.' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { incident } = await created.json();
  const ref: string = incident.ref;
  const number: number = incident.number;
  for (const context of [commanderContext, responderContext]) {
    expect((await context.request.post(`/api/incidents/${ref}/join`, { data: { as: 'responder' } })).status()).toBe(200);
  }
  const observerContext = await invitedUserContext(browser, commanderContext, 'Oli Observer');
  expect((await observerContext.request.post(`/api/incidents/${ref}/join`, { data: { as: 'observer' } })).status()).toBe(200);
  const commander = await commanderContext.newPage();
  const responder = await responderContext.newPage();

  await test.step('during the incident: 3 hypotheses (2 confirmed, 1 ruled out), 5 timeline entries, 2 published updates', async () => {
    await commander.goto(`/incidents/${ref}`);
    await expect(commander.getByTestId('connection')).toHaveText(/Live/);
    const statements = ['The index rebuild saturated disk IO', 'The new ranking model doubled CPU per query', 'A noisy neighbour on the shared cluster'];
    for (const statement of statements) {
      await commander.getByLabel('New hypothesis').fill(statement);
      await commander.getByRole('button', { name: 'Add hypothesis' }).click();
      await expect(commander.getByTestId('hypothesis').filter({ hasText: statement })).toBeVisible();
    }
    const entries: [string, string][] = [
      ['alert', 'Search p99 latency above 4s in eu-west'],
      ['discovery', 'Disk IO on search-eu nodes at 100% since 09:12'],
      ['action', 'Paused the index rebuild'],
      ['mitigation', 'Rolled the ranking model back to v41'],
      ['resolution', 'p99 back under 300ms for 30 minutes'],
    ];
    for (const [kind, text] of entries) {
      const posted = await commanderContext.request.post(`/api/incidents/${ref}/timeline`, { data: { kind, text } });
      expect(posted.status(), await posted.text()).toBe(201);
    }
    // Found in the pager log later, and backfilled to when it happened: two hours before the incident was declared.
    const backfilled = await commanderContext.request.post(`/api/incidents/${ref}/timeline`, {
      data: { kind: 'discovery', text: 'Disk IO alert had fired unnoticed', at: new Date(Date.now() - 2 * 3_600_000).toISOString() },
    });
    expect(backfilled.status(), await backfilled.text()).toBe(201);
    // Confirming and ruling out after the timeline, so a mid-incident moment has all three still open.
    const move = async (statement: string, status: string) => {
      await commander.getByTestId('hypothesis').filter({ hasText: statement }).getByRole('combobox').selectOption(status);
      await expect(commander.locator(`[data-status="${status}"]`).getByRole('heading', { name: statement })).toBeVisible();
    };
    await move(statements[0], 'confirmed');
    await move(statements[1], 'confirmed');
    await move(statements[2], 'ruled_out');
    for (const [i, body] of ['Search is slow for some EU users; we are investigating.', 'Search latency is back to normal; monitoring.'].entries()) {
      const published = await commanderContext.request.post(`/api/incidents/${ref}/updates`, { data: { audience: 'responders', body, idempotencyKey: `pm-e2e-${number}-${i}` } });
      expect(published.status(), await published.text()).toBe(201);
    }
    for (const state of ['resolved', 'closed']) {
      const moved = await commanderContext.request.post(`/api/incidents/${ref}/state`, { data: { state } });
      expect(moved.status(), await moved.text()).toBe(200);
    }
  });

  await test.step('the closed war room links to the postmortem draft', async () => {
    await commander.goto(`/incidents/${ref}`);
    const banner = commander.getByTestId('postmortem-banner');
    await expect(banner).toContainText('Closed — postmortem draft, review due');
    await banner.getByRole('link', { name: /postmortem/ }).click();
    await expect(commander.getByRole('heading', { name: `Postmortem: ${title}` })).toBeVisible();
    await expect(commander).toHaveURL(new RegExp(`/incidents/${ref}/postmortem$`));
    await expect(commander.getByTestId('pm-state')).toHaveText('Draft');
    await expect(commander.getByTestId('pm-due')).toContainText('Review due');
    // Seeded from the war room: both confirmed hypotheses as factors, the merged timeline with the published updates.
    await expect(commander.getByTestId('pm-factor')).toHaveCount(2);
    await expect(commander.getByTestId('pm-timeline-entry').filter({ hasText: 'Paused the index rebuild' })).toBeVisible();
    await expect(commander.getByTestId('pm-timeline-entry').filter({ hasText: /Published the responders update/ })).toHaveCount(2);
    // How it ended, from the mitigation and resolution entries and the confirmed hypotheses.
    const resolution = commander.getByRole('textbox', { name: 'Resolution', exact: true });
    await expect(resolution).toContainText('Rolled the ranking model back to v41');
    await expect(resolution).toContainText('The index rebuild saturated disk IO');
  });

  await test.step('both edit the draft at once and see each other’s text and cursor', async () => {
    // A pasted link with the bare number lands on the one address of the page.
    await responder.goto(`/incidents/${number}/postmortem`);
    await expect(responder).toHaveURL(new RegExp(`/incidents/${ref}/postmortem$`));
    await expect(responder.getByTestId('presence').getByText('Ana Commander', { exact: false })).toHaveCount(1);
    await expect(commander.getByTestId('presence').getByText('Pia Responder', { exact: false })).toHaveCount(1);
    await Promise.all([
      typeInto(commander, 'Impact', ' EU search users waited up to 6 seconds for results for 47 minutes.'),
      typeInto(responder, 'Trigger', 'The weekly index rebuild started while the new ranking model was rolling out.'),
    ]);
    await expect(responder.getByRole('textbox', { name: 'Impact', exact: true })).toContainText('waited up to 6 seconds', { timeout: 2000 });
    await expect(commander.getByRole('textbox', { name: 'Trigger', exact: true })).toContainText('weekly index rebuild', { timeout: 2000 });
    // The responder's caret, with their name, sits in the commander's Trigger editor.
    await expect(commander.getByTestId('pm-section-trigger').locator('.cm-ySelectionInfo')).toHaveText('Pia Responder');
    await expect(responder.getByTestId('pm-section-impact').locator('.cm-ySelectionInfo')).toHaveText('Ana Commander');
  });

  await test.step('a watcher reads the draft live but cannot edit it; Tab leaves an editor', async () => {
    const observer = await observerContext.newPage();
    await observer.goto(`/incidents/${number}/postmortem`);
    const impact = observer.getByRole('textbox', { name: 'Impact', exact: true });
    await expect(impact).toContainText('waited up to 6 seconds');
    await expect(impact).toHaveAttribute('aria-readonly', 'true');
    await expect(observer.getByText('read-only', { exact: true })).toBeVisible();
    await expect(observer.getByRole('button', { name: 'Add action item' })).toHaveCount(0);
    await expect(observer.getByRole('button', { name: 'Submit for review' })).toHaveCount(0);
    await observer.close();

    const trigger = commander.getByRole('textbox', { name: 'Trigger', exact: true });
    await trigger.click();
    await expect(trigger).toBeFocused();
    await commander.keyboard.press('Tab');
    await expect(trigger).not.toBeFocused();
    await expect(trigger).toContainText('weekly index rebuild');
  });

  await test.step('blaming phrasing is flagged with a systemic suggestion, and the edit still goes through', async () => {
    await typeInto(responder, 'Detection', '\nAna forgot to check the disk dashboard.');
    const detection = responder.getByTestId('pm-section-detection');
    await expect(detection.locator('.cm-blameless')).toHaveText('Ana forgot to');
    await expect(detection.getByText(/Consider: The process relied on someone remembering/)).toBeVisible();
    await expect(commander.getByRole('textbox', { name: 'Detection', exact: true })).toContainText('forgot to check the disk dashboard');
    // Rephrased systemically, the hint goes away.
    const editor = responder.getByRole('textbox', { name: 'Detection', exact: true });
    await editor.click();
    await responder.keyboard.press('Control+a');
    await responder.keyboard.type('No alert fired on disk IO saturation; the dashboard was the only signal.', { delay: 5 });
    await expect(detection.locator('.cm-blameless')).toHaveCount(0);
  });

  await test.step('the responder submits; the commander’s open page follows; publishing without action items is refused', async () => {
    await expect(commander.getByRole('button', { name: 'Submit for review' })).toBeVisible();
    await responder.getByRole('button', { name: 'Submit for review' }).click();
    await expect(responder.getByTestId('pm-state')).toHaveText('In review');
    // Nobody reloads: the commander's page hears the change and offers what fits the new state.
    await expect(commander.getByTestId('pm-state')).toHaveText('In review');
    await expect(commander.getByRole('button', { name: 'Submit for review' })).toHaveCount(0);
    await expect(commander.getByRole('button', { name: 'Send back to draft' })).toBeVisible();
    await commander.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(commander.getByTestId('publish-problems')).toContainText('Add at least one action item.');
  });

  await test.step('the commander adds two action items with owners and due dates; the responder sees them live', async () => {
    const items = [
      { title: 'Alert on disk IO saturation for search nodes', owner: 'Pia Responder', due: '2026-12-04', kind: 'immediate' },
      { title: 'Schedule index rebuilds outside model rollouts', owner: 'Ana Commander', due: '2026-12-18', kind: 'structural' },
    ];
    for (const [i, item] of items.entries()) {
      await commander.getByLabel('New action item').fill(item.title);
      await commander.getByRole('button', { name: 'Add action item' }).click();
      const n = i + 1;
      if (n === 1) await expect(commander.getByTestId('publish-problems')).toContainText('has no owner.');
      await expect(commander.getByLabel(`Title of action ${n}`)).toHaveValue(item.title);
      await commander.getByLabel(`Owner of action ${n}`).selectOption({ label: item.owner });
      await commander.getByLabel(`Due date of action ${n}`).fill(item.due);
      await commander.getByLabel(`Kind of action ${n}`).selectOption(item.kind);
    }
    await commander.getByLabel('Problem category of action 2').fill('No coordination between data and model deploys');
    // The refused publish's list of what to fix follows the draft: complete items leave nothing to fix.
    await expect(commander.getByTestId('publish-problems')).toHaveCount(0);
    await expect(responder.getByTestId('pm-action-item')).toHaveCount(2);
    await expect(responder.getByLabel('Owner of action 1')).toHaveValue(responderId);
    await expect(responder.getByLabel('Due date of action 2')).toHaveValue('2026-12-18');
    await expect(responder.getByLabel('Problem category of action 2')).toHaveValue('No coordination between data and model deploys');
    await commander.screenshot({ path: testInfo.outputPath('postmortem-draft-commander.png'), fullPage: true });
    await responder.screenshot({ path: testInfo.outputPath('postmortem-draft-responder.png'), fullPage: true });
  });

  await test.step('the print stylesheet drops the app chrome and the controls', async () => {
    await commander.emulateMedia({ media: 'print' });
    await expect(commander.getByRole('navigation', { name: 'Main' })).toBeHidden();
    await expect(commander.getByRole('button', { name: 'Publish', exact: true })).toBeHidden();
    await expect(commander.getByRole('heading', { name: 'Contributing factors' })).toBeVisible();
    await commander.screenshot({ path: testInfo.outputPath('postmortem-print.png'), fullPage: true });
    await commander.emulateMedia({ media: 'screen' });
  });

  await test.step('the commander publishes; the page shows the frozen version and the Markdown export has it', async () => {
    await commander.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(commander.getByTestId('pm-state')).toHaveText('Published · v1');
    const published = commander.getByTestId('pm-published');
    await expect(published).toContainText('waited up to 6 seconds');
    await expect(published).toContainText('Schedule index rebuilds outside model rollouts');
    // The responder's open page follows the publication: the frozen version, no editor, no review buttons.
    await expect(responder.getByTestId('pm-state')).toHaveText('Published · v1');
    await expect(responder.getByTestId('pm-published')).toContainText('Schedule index rebuilds outside model rollouts');
    await expect(responder.getByRole('textbox', { name: 'Impact', exact: true })).toHaveCount(0);
    await expect(responder.getByRole('button', { name: 'Send back to draft' })).toHaveCount(0);
    const exported = await commanderContext.request.get(`/api/incidents/${ref}/postmortem/export.md`);
    expect(exported.status()).toBe(200);
    expect(exported.headers()['content-disposition']).toContain(`INC-${number}-postmortem.md`);
    const markdown = await exported.text();
    expect(markdown).toContain('Alert on disk IO saturation for search nodes');
    expect(markdown).toContain('weekly index rebuild');
    expect(markdown).toMatch(/## Resolution\n\n[\s\S]*Rolled the ranking model back to v41/);
    expect(markdown).toContain('| War room | Paused the index rebuild | Ana Commander |');
    await commander.screenshot({ path: testInfo.outputPath('postmortem-published.png'), fullPage: true });
  });

  await test.step('/follow-ups lists both items; the responder marks theirs done with a note', async () => {
    await commander.goto(`/follow-ups?incident=${number}`);
    const rows = commander.getByTestId('follow-up');
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: 'Alert on disk IO saturation' })).toContainText('Pia Responder');
    await commander.getByLabel('Kind').selectOption('structural');
    await expect(rows).toHaveCount(1);
    expect(new URL(commander.url()).searchParams.get('kind')).toBe('structural');

    // The commander keeps the published postmortem open in another tab while the responder works.
    const watching = await commanderContext.newPage();
    await watching.goto(`/incidents/${ref}/postmortem`);
    await expect(watching.getByRole('link', { name: /Action items: 0 of 2 done/ })).toBeVisible();

    await responder.goto('/follow-ups');
    await responder.getByLabel('Mine').check();
    await expect(responder.getByTestId('follow-up').filter({ hasText: title })).toHaveCount(1);
    await responder.getByRole('button', { name: 'Mark done: Alert on disk IO saturation for search nodes' }).click();
    await responder.getByLabel(/What was done/).fill('Alert added: disk IO > 90% for 5 min pages search on-call.');
    await responder.screenshot({ path: testInfo.outputPath('follow-ups-mark-done-dialog.png') });
    await responder.getByRole('dialog').getByRole('button', { name: 'Mark done' }).click();
    await expect(responder.getByTestId('follow-up').filter({ hasText: 'Alert on disk IO saturation' })).toContainText('Done by Pia Responder');
    await expect(watching.getByRole('link', { name: /Action items: 1 of 2 done/ })).toBeVisible();
    await watching.close();

    await commander.goto(`/follow-ups?incident=${number}`);
    await expect(commander.getByTestId('follow-up').filter({ hasText: 'Alert on disk IO saturation' })).toContainText('pages search on-call');
    await commander.screenshot({ path: testInfo.outputPath('follow-ups.png'), fullPage: true });
  });

  await test.step('the war room shows the completion count; the home page lists the commander’s open item', async () => {
    await commander.goto(`/incidents/${ref}`);
    await expect(commander.getByTestId('action-item-counts')).toContainText('1 of 2 done');
    await commander.goto('/');
    await expect(commander.getByTestId('my-action-items')).toContainText('Schedule index rebuilds outside model rollouts');
    await expect(commander.getByTestId('my-action-items')).not.toContainText('Alert on disk IO saturation');
  });

  await test.step('a review past its due date is listed on the incidents page and the home page', async () => {
    const other = await commanderContext.request.post('/api/incidents', { data: { title: 'Stale cache after failover', severity: 3 } });
    const late = (await other.json()).incident;
    for (const state of ['resolved', 'closed']) {
      expect((await commanderContext.request.post(`/api/incidents/${late.ref}/state`, { data: { state } })).status()).toBe(200);
    }
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const patched = await commanderContext.request.patch(`/api/incidents/${late.ref}/postmortem`, { data: { reviewDueAt: yesterday } });
    expect(patched.status(), await patched.text()).toBe(200);
    await commander.goto('/incidents');
    await expect(commander.getByTestId('overdue-postmortems')).toContainText('Stale cache after failover');
    await expect(commander.getByTestId('overdue-postmortems')).not.toContainText(title);
    await commander.goto('/');
    await expect(commander.getByTestId('overdue-postmortems').getByRole('link', { name: /Stale cache after failover/ })).toBeVisible();
    await commander.screenshot({ path: testInfo.outputPath('home.png'), fullPage: true });
    await commander.getByTestId('overdue-postmortems').getByRole('link', { name: /Stale cache after failover/ }).click();
    await expect(commander.getByTestId('pm-due')).toContainText('Review overdue since');
  });

  await test.step('replay: jumping to an entry shows the board when it was written, update drafts included', async () => {
    await commander.goto(`/incidents/${ref}`);
    await commander.getByRole('button', { name: /Replay/ }).click();
    const slider = commander.getByLabel('Moment in the incident');
    await expect(slider).toBeVisible();
    const card = (status: string, statement: string) => commander.locator(`[data-status="${status}"]`).getByRole('heading', { name: statement });
    // The slider opens on the last step: everything settled.
    await expect(card('ruled_out', 'A noisy neighbour on the shared cluster')).toBeVisible();
    await expect(commander.getByText(/^Step \d+ of \d+/)).toBeVisible();

    // The backfilled alert carries a time two hours before the incident; jumping goes to when it was written instead.
    const last = await slider.getAttribute('max');
    await commander.getByRole('button', { name: /Disk IO alert had fired unnoticed/ }).click();
    await expect(slider).not.toHaveValue(last!);
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'Disk IO alert had fired unnoticed' })).toBeVisible();
    await expect(commander.getByTestId('timeline-entry').filter({ hasText: 'p99 back under 300ms' })).toBeVisible();
    // Written before any hypothesis moved: all three still open.
    for (const statement of ['The index rebuild saturated disk IO', 'The new ranking model doubled CPU per query', 'A noisy neighbour on the shared cluster']) {
      await expect(card('open', statement)).toBeVisible();
    }
    await expect(card('confirmed', 'The index rebuild saturated disk IO')).toHaveCount(0);
    // The update drafts as they stood then: the responders draft from its template.
    await expect(commander.getByTestId('replay-drafts').getByRole('article', { name: 'Responders draft' })).toContainText('Need help with');
    await commander.screenshot({ path: testInfo.outputPath('time-travel-mid-incident.png'), fullPage: true });

    // Back to the end from the keyboard.
    await slider.focus();
    await commander.keyboard.press('End');
    await expect(slider).toHaveValue(last!);
    await expect(card('confirmed', 'The index rebuild saturated disk IO')).toBeVisible();
  });

  await commanderContext.close();
  await responderContext.close();
  await observerContext.close();
});
