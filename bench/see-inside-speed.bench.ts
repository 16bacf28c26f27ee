/**
 * Training speed with a see-inside view open: the Elman template on adding
 * (T = 100) trains while nothing, the connectivity map, the explanation of a
 * value, the explanation of a gradient or the fixed points are shown (each
 * asks again on every snapshot). Prints steps per second over a 10 s window.
 */
import type { Page } from '@playwright/test';
import { expect, openApp, openElmanAdding100, test } from '../test/e2e/fixtures.ts';

const WINDOW_MS = 10_000;

async function steps(page: Page): Promise<number> {
  return Number(await page.getByLabel('Step count').textContent());
}

async function open(page: Page, view: string): Promise<void> {
  if (view === 'connectivity') {
    // The pane's default pair: the cell onto itself (h_t against h_s), T × units sweeps.
    await page.getByRole('tab', { name: 'Connectivity' }).click();
    await expect(page.getByRole('img', { name: 'Connectivity heatmap' })).toHaveAttribute('data-steps', /\d+/, { timeout: 120_000 });
  } else if (view === 'explain value') {
    const heat = page.getByRole('img', { name: 'Gate activation heatmap' });
    await expect(page.getByRole('slider', { name: 'Time step' })).toBeVisible({ timeout: 20_000 });
    const b = (await heat.boundingBox())!;
    await page.mouse.click(b.x + 104 + (b.width - 108) * 0.5, b.y + b.height * 0.7);
    await expect(page.getByRole('dialog', { name: 'Explain this value' })).toBeVisible();
  } else if (view === 'explain gradient') {
    const chart = page.getByRole('img', { name: 'Gradient norm against time step, per cell' });
    const b = (await chart.boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.5, { steps: 3 });
    await page.mouse.click(b.x + b.width * 0.3, b.y + b.height * 0.5);
    await expect(page.getByRole('dialog', { name: 'Explain this value' })).toHaveAttribute('data-kind', 'gradient');
  } else if (view === 'fixed points') {
    await page.getByRole('tab', { name: 'Dynamics' }).click();
    await page.getByLabel('Dynamics view').selectOption('fixed');
  }
}

for (const view of ['none', 'connectivity', 'explain value', 'explain gradient', 'fixed points']) {
  test(`steps/s while training with ${view} open`, async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    await openElmanAdding100(page);
    await page.getByRole('button', { name: 'Hide the hint' }).click().catch(() => undefined);
    await open(page, view);
    await page.getByRole('button', { name: 'Train', exact: true }).click({ timeout: 30_000 });
    await expect.poll(() => steps(page), { timeout: 20_000 }).toBeGreaterThan(5);
    const s0 = await steps(page);
    const t0 = Date.now();
    await page.waitForTimeout(WINDOW_MS);
    const s1 = await steps(page);
    const rate = (s1 - s0) / ((Date.now() - t0) / 1000);
    console.log(`see-inside speed: ${view.padEnd(16)} ${rate.toFixed(1)} steps/s (${s1 - s0} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
}
