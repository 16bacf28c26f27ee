/**
 * Live training in the browser: the worker trains the default LSTM on
 * parity while the views update; Pause and Step behave; an Elman RNN on the
 * adding problem with T = 100 gets a vanishing badge, the badge's LSTM fix
 * replaces its core, and after training the badge clears.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { EXAMPLES_DIR, expect, nodeLocator, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

// Tracing snapshots the page at every action: with the views redrawing ten times a second it slows training several-fold.
test.use({ trace: 'off' });

async function stepCount(page: Page): Promise<number> {
  return Number(await page.getByLabel('Step count').textContent());
}

async function shownLoss(page: Page): Promise<number> {
  const text = await page.locator('.cw-run-numbers span').first().locator('b').textContent();
  return Number(text);
}

/** The heatmap canvas's pixels, as a data URL (what a person sees). */
async function heatmapPixels(page: Page): Promise<string> {
  return page.getByRole('img', { name: 'Gate activation heatmap' }).evaluate((el) => (el as HTMLCanvasElement).toDataURL());
}

async function runState(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Run state' }).getAttribute('data-state');
}

test('the default LSTM learns parity live: loss falls, heatmap moves, Pause and Step', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await expect.poll(() => runState(page)).toBe('idle');
  // One step gives the starting loss, before any learning.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(1);
  const start = await shownLoss(page);
  expect(start).toBeGreaterThan(0.3);
  const before = await heatmapPixels(page);

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => runState(page)).toBe('training');
  // Bounded: the loss must drop below where it started within 300 steps.
  await expect.poll(async () => (await shownLoss(page)) < start * 0.8 || (await stepCount(page)) > 300, { timeout: 45_000 }).toBe(true);
  expect(await shownLoss(page)).toBeLessThan(start * 0.8);
  expect(await heatmapPixels(page)).not.toBe(before);
  await screenshot(page, 'training-lstm-parity.png');

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(() => runState(page)).toBe('paused');
  const paused = await stepCount(page);
  await page.waitForTimeout(600);
  expect(await stepCount(page)).toBe(paused);

  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(paused + 1);
  await page.waitForTimeout(400);
  expect(await stepCount(page)).toBe(paused + 1);
});

test('an Elman RNN on adding (T = 100) is flagged vanishing; the LSTM fix clears it after training', async ({ page }) => {
  test.setTimeout(180_000);
  const elman = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'elman.json'), 'utf8')) as Graph;
  elman.task = { name: 'adding', length: 100 };
  elman.nodes = elman.nodes.map((n) => (n.kind === 'loss' ? { ...n, steps: 'last' } : n));
  const dir = path.join(RESULTS, 'training');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'elman-adding-100.json');
  writeFileSync(file, JSON.stringify(elman, null, 2));

  await openApp(page);
  await openFile(page, file);
  await expect(page.locator('.cw-doc-name')).toContainText('Elman');
  const badge = nodeLocator(page, 'h').getByRole('button', { name: 'vanishing gradient at h' });
  await expect(badge).toBeVisible({ timeout: 20_000 });
  await badge.click();
  const pop = page.getByRole('dialog', { name: 'vanishing gradient at h' });
  await expect(pop).toContainText('Vanishing gradient');
  await screenshot(page, 'training-elman-vanishing.png');

  await pop.getByRole('button', { name: /Switch to LSTM/ }).click();
  await expect(page.locator('.react-flow__node[data-id="f"]')).toBeVisible();
  // The task is kept; the graph is named after what it now is.
  await expect(page.getByRole('button', { name: /adding · T = 100/ })).toBeVisible();
  await expect(page.locator('.cw-doc-name')).toContainText('LSTM');
  await expect(page.locator('.cw-doc-name')).not.toContainText('Elman');
  // Untrained, the LSTM's gradient still fades over 100 steps (σ(1)^99 through the forget gate).
  await expect(nodeLocator(page, 'c').getByRole('button', { name: 'vanishing gradient at c' })).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  const flags = page.getByRole('button', { name: /vanishing gradient at/ });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => runState(page)).toBe('training');
  // Learning to carry the marked numbers opens the gradient path: the badges go
  // (a badge can also blink off early while the LSTM is still at the mean, so
  // wait for both: no badge and a validation MSE well below the mean's 0.167).
  const valLossNow = async (): Promise<number> => Number(await page.locator('.cw-run-numbers span').nth(1).locator('b').first().textContent());
  await expect.poll(async () => (await flags.count()) === 0 && (await stepCount(page)) > 20 && (await valLossNow()) < 0.05, { timeout: 150_000, intervals: [1000] }).toBe(true);
  const cleared = await stepCount(page);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(() => runState(page)).toBe('paused');
  await expect(flags).toHaveCount(0);
  const valLoss = await valLossNow();
  expect(valLoss).toBeLessThan(0.05);
  console.log(`LSTM on adding (T = 100): badge cleared by step ${cleared}, validation MSE ${valLoss}`);
  await screenshot(page, 'training-lstm-adding-fixed.png');
});
