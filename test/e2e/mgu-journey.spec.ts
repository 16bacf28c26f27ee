/**
 * A cell of one's own, start to finish, with clicks and keys only: build a
 * minimal gated unit (MGU) from the palette,
 *   f = σ(W_f·[h, x] + b),  h̃ = tanh(W·[f⊙h, x] + b),  h' = (1−f)⊙h + f⊙h̃,
 * train it on the adding problem, watch the vanishing badge, fix it from the
 * badge, save with the trained weights, reopen the file and get the same
 * validation loss.
 */
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { connect, download, dragFromPalette, expect, nodeLocator, openApp, openVanishingBadge, RESULTS, screenshot, test, trainingSettled } from './fixtures.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

test.use({ trace: 'off' });

function inspector(page: Page) {
  return page.getByRole('region', { name: 'Inspector' });
}

async function place(page: Page, kind: string, at: { x: number; y: number }, id: string, fields: Record<string, string> = {}): Promise<void> {
  await dragFromPalette(page, kind, at);
  await expect(inspector(page).getByRole('heading')).toContainText(kind);
  const idField = inspector(page).getByLabel('Id', { exact: true });
  await idField.fill(id);
  await idField.press('Enter');
  await expect(nodeLocator(page, id)).toBeVisible();
  for (const [label, value] of Object.entries(fields)) {
    if (label === 'Size') {
      const size = inspector(page).getByRole('spinbutton', { name: 'Size', exact: true });
      await size.fill(value);
      await size.press('Enter');
    } else {
      await inspector(page).getByLabel(label, { exact: true }).selectOption(value);
    }
  }
}

function runState(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Run state' }).getAttribute('data-state');
}

/** The latest validation loss, at full precision (the run bar's tooltip), and the step it was measured at. */
async function validation(page: Page): Promise<{ loss: number; step: number }> {
  const title = (await page.locator('.cw-run-numbers span').nth(1).getAttribute('title')) ?? '';
  const match = /Validation at step (\d+)[^:]*: loss ([0-9.e+-]+)/.exec(title);
  return match ? { step: Number(match[1]), loss: Number(match[2]) } : { step: -1, loss: NaN };
}

test('build an MGU from the palette, train it on adding, fix it from the badge, save with weights, reopen: same numbers', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await openApp(page, 'empty');
  // The start hint sits over the top of the canvas: close it.
  await page.getByRole('button', { name: 'Hide the hint' }).click();
  await place(page, 'Input', { x: 80, y: 290 }, 'x', { Size: '2' });
  await place(page, 'Cell', { x: 80, y: 470 }, 'h', { Size: '8' });
  await place(page, 'Gate', { x: 300, y: 140 }, 'f', { Size: '8', Activation: 'sigmoid' });
  await place(page, 'Op', { x: 330, y: 330 }, 'fh', { Operation: 'mul' });
  await place(page, 'Gate', { x: 520, y: 330 }, 'cand', { Size: '8', Activation: 'tanh' });
  await place(page, 'Op', { x: 560, y: 140 }, 'keep_f', { Operation: 'one_minus' });
  await place(page, 'Op', { x: 700, y: 140 }, 'keep', { Operation: 'mul' });
  await place(page, 'Op', { x: 740, y: 330 }, 'upd', { Operation: 'mul' });
  await place(page, 'Op', { x: 840, y: 240 }, 'h_new', { Operation: 'add' });
  await place(page, 'Gate', { x: 900, y: 140 }, 'y', { Size: '1', Activation: 'identity' });
  await place(page, 'Target', { x: 760, y: 480 }, 'y_t', { Size: '1' });
  await place(page, 'Loss', { x: 960, y: 400 }, 'loss', { Loss: 'mse', Steps: 'last' });
  await page.getByRole('button', { name: 'Fit view', exact: true }).click();

  await connect(page, 'x', 'f');
  await connect(page, 'h', 'f');
  await connect(page, 'f', 'fh');
  await connect(page, 'h', 'fh');
  await connect(page, 'fh', 'cand');
  await connect(page, 'x', 'cand');
  await connect(page, 'f', 'keep_f');
  await connect(page, 'keep_f', 'keep');
  await connect(page, 'h', 'keep');
  await connect(page, 'f', 'upd');
  await connect(page, 'cand', 'upd');
  await connect(page, 'keep', 'h_new');
  await connect(page, 'upd', 'h_new');
  await connect(page, 'h_new', 'h');
  await connect(page, 'h_new', 'y');
  await connect(page, 'y', 'loss', 'prediction');
  await connect(page, 'y_t', 'loss', 'target');
  await expect(page.locator('.react-flow__edge')).toHaveCount(17);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('The graph is valid');
  await page.getByRole('button', { name: 'Fit view', exact: true }).click();
  await screenshot(page, 'mgu-built.png');

  // The task: adding, a run of 100 steps (it validates every 100).
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption('adding');
  const steps = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: 'Steps', exact: true });
  await steps.fill('100');
  await steps.press('Enter');
  await trainingSettled(page);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await expect(page.getByRole('button', { name: /adding · T = 50/ })).toBeVisible();

  // The badge: over 50 steps (1−f ≈ ½ per step) the gradient vanishes at h.
  const pop = await openVanishingBadge(page, 'h');
  await screenshot(page, 'mgu-badge.png');
  // f is not a forget gate here (f ⊙ h feeds the candidate); the memory is kept through 1 − f.
  await expect(pop.getByRole('button', { name: /Forget-gate bias 1/ })).toHaveCount(0);
  await expect(pop.getByRole('button', { name: /Switch to LSTM/ })).toBeVisible();
  await pop.getByRole('button', { name: /Keep-memory bias \(−1 on f\)/ }).click();
  await trainingSettled(page);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('finished', { timeout: 120_000 });
  await expect(page.getByLabel('Step count')).toHaveText('100');
  await expect.poll(async () => (await validation(page)).step).toBe(100);
  const trained = await validation(page);
  expect(trained.loss).toBeGreaterThan(0);

  // Save keeps the trained weights: the checkbox is visible and ticked by default.
  await expect(page.getByRole('checkbox', { name: 'with weights' })).toBeChecked();
  const saved = await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
  await expect(page.locator('.cw-notice')).toContainText('the trained weights (step 100)');
  const file = JSON.parse(saved.text) as Graph;
  expect(Object.keys(file.parameters ?? {}).sort()).toEqual(['bias:cand', 'bias:f', 'bias:y', 'edge:e_fh_cand', 'edge:e_h_f', 'edge:e_h_new_y', 'edge:e_x_cand', 'edge:e_x_f']);
  expect(file.task).toMatchObject({ name: 'adding' });
  // The fix's keep-memory bias (−1), trained for 100 small steps.
  expect(file.parameters!['bias:f'].data.every((v) => v < -0.5)).toBe(true);
  mkdirSync(path.join(RESULTS, 'mgu'), { recursive: true });
  const where = path.join(RESULTS, 'mgu', 'mgu-trained.json');
  writeFileSync(where, saved.text);

  // Reopen it (a new document), one step: the validation of the starting point is the saved run's.
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open', exact: true }).click()]);
  await chooser.setFiles(where);
  await expect(nodeLocator(page, 'cand')).toBeVisible();
  await trainingSettled(page);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
  await expect.poll(async () => (await validation(page)).step).toBe(0);
  const reopened = await validation(page);
  expect(Math.abs(reopened.loss - trained.loss)).toBeLessThanOrEqual(1e-9 * Math.max(1, trained.loss));
  console.log(`MGU on adding (T = 50, keep-memory bias): validation MSE ${trained.loss} after 100 steps; reopened from the saved file: ${reopened.loss}`);
  await screenshot(page, 'mgu-reopened.png');
});
