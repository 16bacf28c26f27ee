/**
 * Runs and Compare: two training runs of the Elman RNN with different
 * learning rates are both kept; Compare overlays their curves, shows each
 * run's gradient flow, and highlights the learning rate as the setting that
 * differs; Save and reopen keep the runs.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { download, expect, openApp, openFile, RESULTS, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off', viewport: { width: 1280, height: 800 } });

async function setField(page: Page, label: string, value: string): Promise<void> {
  const field = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: label, exact: true });
  await field.fill(value);
  await field.press('Enter');
}

async function trainToEnd(page: Page): Promise<void> {
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText(/finished|diverged/, { timeout: 40_000 });
}

for (const theme of ['light', 'dark'] as const) {
  test(`two runs compared: both curves, the differing setting highlighted, kept through save and reopen (${theme})`, async ({ page }) => {
    test.setTimeout(120_000);
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
    await page.getByRole('tab', { name: 'Training' }).click();
    await setField(page, 'Steps', '200');
    await setField(page, 'Learning rate', '0.01');
    await trainToEnd(page);
    await expect(page.getByRole('button', { name: 'Runs (1)' })).toBeVisible();
    // One run: nothing to compare yet.
    await expect(page.getByRole('button', { name: 'Compare', exact: true })).toHaveCount(0);

    // The second run: another learning rate (the edit ends the first run; Reset starts from fresh weights).
    await setField(page, 'Learning rate', '0.001');
    await trainingSettled(page);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await trainToEnd(page);

    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Runs and comparison' });
    await expect(dialog).toBeVisible();
    const runs = dialog.getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem');
    await expect(runs).toHaveCount(2);
    await expect(runs.nth(0)).toContainText('Run 1 · Elman RNN');
    await expect(runs.nth(0)).toContainText('adam 0.01');
    await expect(runs.nth(1)).toContainText('adam 0.001');
    await expect(runs.nth(0)).toContainText(/step 200 \/ 200 · (finished|diverged)/);

    // Both curves: one legend entry and one uPlot series per run.
    const legend = dialog.getByRole('list', { name: 'Compared runs' });
    await expect(legend.getByRole('listitem')).toHaveCount(2);
    await expect(legend).toHaveAttribute('data-series', '2');
    // Two lines on the chart, each with points (every one of the 200 steps, or nearly).
    await expect(dialog.locator('.cw-compare-chart')).toHaveAttribute('data-points', /^(1\d\d|200),(1\d\d|200)$/);
    await expect(dialog.getByRole('img', { name: /gradient norm through time/ })).toHaveCount(2);
    await expect(dialog.getByRole('img', { name: /gradient norm through time/ }).first().locator('path')).not.toHaveCount(0);

    // The settings table: the learning rate differs and is highlighted; nothing else does.
    const table = dialog.getByRole('table', { name: 'Runs compared' });
    const lr = table.getByRole('row', { name: /training\.lr/ });
    await expect(lr).toHaveAttribute('data-differs', 'true');
    await expect(lr).toContainText('0.01');
    await expect(lr).toContainText('0.001');
    await expect(table.locator('tr[data-differs]')).toHaveCount(1);
    const final = table.getByRole('row', { name: /final training loss/ });
    await expect(final.getByRole('cell')).toHaveCount(2);
    await expect(final).not.toContainText('—');
    await screenshot(page, `compare-runs-${theme}.png`);

    // Save and reopen (after opening another file): the runs come back.
    await dialog.getByRole('button', { name: 'Close' }).click();
    const saved = await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
    const file = JSON.parse(saved.text) as { runs?: Array<{ name: string; curves: { step: number[] } }> };
    expect(file.runs?.map((r) => r.name)).toHaveLength(2);
    expect(file.runs?.every((r) => r.curves.step.length > 0 && r.curves.step.length <= 200)).toBe(true);
    mkdirSync(RESULTS, { recursive: true });
    const where = path.join(RESULTS, `two-runs-${theme}.cellwright`);
    writeFileSync(where, saved.text);
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: /^GRU/ }).click();
    await expect(page.getByRole('button', { name: 'Runs (0)' })).toBeVisible();
    await openFile(page, where);
    await expect(page.getByRole('button', { name: 'Runs (2)' })).toBeVisible();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(dialog.getByRole('list', { name: 'Compared runs' }).getByRole('listitem')).toHaveCount(2);
    await expect(dialog.getByRole('table', { name: 'Runs compared' }).getByRole('row', { name: /training\.lr/ })).toHaveAttribute('data-differs', 'true');

    // Delete one: one run is left and Compare goes away.
    await dialog.getByRole('button', { name: /^Delete Run 1/ }).click();
    await expect(dialog.getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem')).toHaveCount(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByRole('button', { name: 'Compare', exact: true })).toHaveCount(0);
  });
}

test('a background run trains a copy of the graph in its own worker, with its progress in the runs list', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
  await page.getByRole('tab', { name: 'Training' }).click();
  await setField(page, 'Steps', '300');
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Runs (0)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Runs and comparison' });
  await dialog.getByRole('button', { name: 'Train in background' }).click();
  const item = dialog.getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Run 1 · Elman RNN');
  await expect(item).toContainText('background');
  // Its own progress, while the foreground trainer has not moved.
  await expect(item.getByRole('status')).toContainText(/step \d+ \/ 300 · training/, { timeout: 20_000 });
  await screenshot(page, 'runs-background.png');
  await expect(item.getByRole('status')).toContainText('step 300 / 300 · finished', { timeout: 60_000 });
  await expect(page.getByLabel('Step count')).toHaveText('0');
  await expect(dialog.getByRole('table', { name: 'Runs compared' }).getByRole('row', { name: /final training loss/ })).not.toContainText('—');
});

test('the run bar keeps its task label with the Runs and Compare buttons at 1280×800', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
  await page.getByRole('tab', { name: 'Training' }).click();
  await setField(page, 'Steps', '20');
  for (let i = 0; i < 2; i++) {
    await trainToEnd(page);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect(page.getByLabel('Step count')).toHaveText('0');
  }
  await expect(page.getByRole('button', { name: 'Compare', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Runs (2)' })).toBeVisible();
  // The task's name is still whole (not cut to "a…").
  const task = page.locator('.cw-run-task');
  await expect(task).toContainText('adding');
  expect(await task.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await screenshot(page, 'runs-runbar.png');
});
