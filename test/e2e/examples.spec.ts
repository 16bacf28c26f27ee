/**
 * Every bundled example and template opens from the Open example menu (one
 * line each) with its own task or data file, and trains on Train with no
 * further setup.
 */
import type { Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { EXAMPLES_DIR, expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

function runState(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Run state' }).getAttribute('data-state');
}

test('every example opens from the menu and trains on Train', async ({ page }) => {
  test.setTimeout(240_000);
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'));
  await openApp(page);
  await page.getByRole('button', { name: 'Open example' }).click();
  const items = page.getByRole('menu', { name: 'Examples' }).getByRole('menuitem');
  await expect(items).toHaveCount(files.length);
  await screenshot(page, 'open-example-menu.png');
  // Keyboard: Escape closes the menu and gives the focus back.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu', { name: 'Examples' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Open example' })).toBeFocused();

  // A run is part of the document (docs/runs.md): once it stops, the document is unsaved, so opening the next example asks first.
  const questions: string[] = [];
  page.on('dialog', (d) => {
    questions.push(d.message());
    void d.accept();
  });
  for (let i = 0; i < files.length; i++) {
    // Keys only: open the menu with ArrowDown, walk to the i-th item, Enter.
    await page.getByRole('button', { name: 'Open example' }).press('ArrowDown');
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
    const title = (await items.nth(i).locator('.cw-menu-title').textContent()) ?? '';
    await page.keyboard.press('Enter');
    expect(questions, `opening ${title} asks before dropping the trained run`).toHaveLength(i);
    if (i > 0) expect(questions[i - 1]).toContain('unsaved changes');
    await trainingSettled(page);
    await expect.poll(() => runState(page), { timeout: 20_000, message: `${title} compiles` }).toBe('idle');
    await expect(page.locator('.cw-run-task')).not.toHaveText('no task');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 30_000, message: `${title} trains` }).toBeGreaterThan(2);
    await expect(page.locator('.cw-run-message.is-error')).toHaveCount(0);
    expect(await runState(page)).not.toBe('error');
    // Stop it (a finished or paused run is kept in the document's runs) before the next example.
    if ((await runState(page)) === 'training') await page.getByRole('button', { name: 'Pause', exact: true }).click({ timeout: 2000 }).catch(() => undefined);
    await expect.poll(() => runState(page), { timeout: 10_000 }).toBe('paused');
  }
});
