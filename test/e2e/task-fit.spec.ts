/**
 * Choosing a task the graph does not fit lists every problem at once, in the
 * user's terms, and Fit graph to task makes it fit in one undoable step — for
 * every task: parity, adding, copy, sine, text and csv.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { expect, exportJson, nodeLocator, openApp, RESULTS, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

function runState(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Run state' }).getAttribute('data-state');
}

async function chooseTask(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption(name);
  await trainingSettled(page);
}

/** Fit (when the task does not fit yet), then one training step must run. */
async function fitAndStep(page: Page, task: string): Promise<void> {
  const fit = page.getByRole('button', { name: 'Fit graph to task' });
  if (await fit.isVisible()) {
    const problems = page.getByRole('list', { name: 'Task problems' }).first();
    await expect(problems).toBeVisible();
    await screenshot(page, `task-fit-${task}.png`);
    await fit.click();
    await trainingSettled(page);
  }
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await expect(page.getByRole('button', { name: new RegExp(`^${task} · T = `) })).toBeVisible();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
}

test('every task: the mismatches are listed at once and Fit graph to task makes the graph train', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await trainingSettled(page);

  // LSTM on parity → adding: the input is 1 wide (adding feeds value and marker), the loss is BCE over every step.
  await chooseTask(page, 'adding');
  const problems = page.getByRole('list', { name: 'Task problems' }).first();
  await expect(problems.getByRole('listitem')).toHaveCount(3);
  await expect(problems).toContainText('feeds 2 numbers per step (value, marker), but input “x_t” (x) has size 1');
  await expect(problems).toContainText('needs an MSE loss');
  await expect(problems).toContainText('target only at the last step');
  // The place in the file stays available as a detail line.
  await expect(problems).toContainText('at nodes.x.size');
  await page.getByRole('button', { name: 'Fit graph to task' }).click();
  await expect(page.getByRole('button', { name: 'Fit graph to task' })).toHaveCount(0);
  // One undo step takes the whole fit back; redo fits again.
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Fit graph to task' })).toBeVisible();
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Redo', exact: true }).click();
  await fitAndStep(page, 'adding');
  let g = JSON.parse(await exportJson(page)) as Graph;
  expect(g.nodes.find((n) => n.id === 'x')).toMatchObject({ size: 2 });
  expect(g.nodes.find((n) => n.kind === 'loss')).toMatchObject({ loss: 'mse', steps: 'last' });

  for (const task of ['copy', 'sine', 'text', 'parity']) {
    await chooseTask(page, task);
    await fitAndStep(page, task);
  }

  // csv: choosing columns fits the graph; a later edit that breaks it is fitted back the same way.
  mkdirSync(path.join(RESULTS, 'task-fit'), { recursive: true });
  const csv = path.join(RESULTS, 'task-fit', 'two-series.csv');
  writeFileSync(csv, `t,a,b\n${Array.from({ length: 120 }, (_, i) => `${i},${Math.sin(i / 5).toFixed(3)},${Math.cos(i / 7).toFixed(3)}`).join('\n')}\n`);
  await chooseTask(page, 'csv');
  await page.getByLabel('Choose CSV file').setInputFiles(csv);
  await trainingSettled(page);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await nodeLocator(page, 'x').click();
  await page.getByRole('tab', { name: 'Inspector' }).click();
  const size = page.getByRole('region', { name: 'Inspector' }).getByRole('spinbutton', { name: 'Size', exact: true });
  await size.fill('3');
  await size.press('Enter');
  await trainingSettled(page);
  await fitAndStep(page, 'csv');
  g = JSON.parse(await exportJson(page)) as Graph;
  expect(g.nodes.find((n) => n.id === 'x')).toMatchObject({ size: 1 });
});
