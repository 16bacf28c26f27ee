/**
 * A run is part of the document: a finished run marks it unsaved (title and
 * toolbar), closing the page asks first, the autosave keeps the run so a
 * reload offers it back, and Save makes the document clean again.
 */
import type { Page } from '@playwright/test';
import { download, expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off', viewport: { width: 1280, height: 800 } });

async function trainShortRun(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
  await page.getByRole('tab', { name: 'Training' }).click();
  const steps = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: 'Steps', exact: true });
  await steps.fill('30');
  await steps.press('Enter');
  await trainingSettled(page);
}

test('a finished run marks the document unsaved, and a reload offers it back with the run', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await trainShortRun(page);
  // The edit of Steps made the graph unsaved: save it, so only the run can make it unsaved again.
  await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
  await expect(page.getByLabel('unsaved changes')).toHaveCount(0);
  await expect(page).not.toHaveTitle(/^•/);

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText(/finished|diverged/, { timeout: 40_000 });
  await expect(page.getByRole('button', { name: 'Runs (1)' })).toBeVisible();
  await expect(page.getByLabel('unsaved changes')).toBeVisible();
  await expect(page).toHaveTitle(/^• /);
  await screenshot(page, 'runs-unsaved.png');

  // Closing asks first; the autosave holds the run, so the reload offers it back.
  await expect.poll(() => page.evaluate(() => {
    const raw = localStorage.getItem('cellwright:autosave');
    return raw === null ? 0 : ((JSON.parse((JSON.parse(raw) as { text: string }).text) as { runs?: unknown[] }).runs ?? []).length;
  })).toBe(1);
  const asked: string[] = [];
  page.on('dialog', (dialog) => {
    asked.push(dialog.type());
    void dialog.accept();
  });
  await page.reload();
  expect(asked).toContain('beforeunload');
  const banner = page.getByRole('region', { name: 'Unsaved work' });
  await expect(banner).toBeVisible();
  await expect(page.getByRole('button', { name: 'Runs (0)' })).toBeVisible();
  await banner.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('button', { name: 'Runs (1)' })).toBeVisible();
  await expect(page.getByLabel('unsaved changes')).toBeVisible();

  // Save writes the run; the document is clean, and the file holds it.
  const saved = await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
  expect((JSON.parse(saved.text) as { runs?: Array<{ name: string }> }).runs?.map((r) => r.name)).toEqual([expect.stringMatching(/^Run 1 · Elman RNN/)]);
  await expect(page.getByLabel('unsaved changes')).toHaveCount(0);
  await expect(page).not.toHaveTitle(/^•/);

  // Deleting the run changes what Save writes: unsaved again.
  await page.getByRole('button', { name: 'Runs (1)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Runs and comparison' });
  await dialog.getByRole('button', { name: /^Delete Run 1/ }).click();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByLabel('unsaved changes')).toBeVisible();
});

test('a background run marks the document unsaved when it finishes', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await trainShortRun(page);
  await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
  await expect(page.getByLabel('unsaved changes')).toHaveCount(0);
  await page.getByRole('button', { name: 'Runs (0)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Runs and comparison' });
  await dialog.getByRole('button', { name: 'Train in background' }).click();
  const item = dialog.getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem');
  await expect(item.getByRole('status')).toContainText('step 30 / 30 · finished', { timeout: 60_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByLabel('unsaved changes')).toBeVisible();
  await expect(page).toHaveTitle(/^• /);
});

test('the browser edition keeps runs inside the file: "beside the file" needs the desktop app', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: /^Runs/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Runs and comparison' });
  const keep = dialog.getByRole('combobox', { name: 'Keep runs' });
  await expect(keep).toHaveValue('file');
  await expect(keep.getByRole('option', { name: 'beside the file (desktop app)' })).toBeDisabled();
  await keep.selectOption('session');
  await expect(keep).toHaveValue('session');
  await screenshot(page, 'runs-keep.png');
  // The choice is remembered across a reload (a setting, not part of the document).
  await page.reload();
  await page.getByRole('button', { name: /^Runs/ }).click();
  await expect(page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('combobox', { name: 'Keep runs' })).toHaveValue('session');
});
