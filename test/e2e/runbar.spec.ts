/**
 * The run bar fits the window while training: at 1440×900 and 1280×800 the
 * step counter, loss and validation numbers are all inside the bar (none
 * clipped), and the compacted buttons keep their names and tooltips.
 */
import type { Page } from '@playwright/test';
import { expect, openApp, screenshot, test } from './fixtures.ts';

test.use({ trace: 'off' });

/** Items of the bar whose right edge passes the bar's, or whose text is cut inside them. */
async function clipped(page: Page): Promise<string[]> {
  return page.locator('.cw-runbar').evaluate((bar) => {
    const edge = bar.getBoundingClientRect().right;
    const out: string[] = [];
    for (const el of Array.from(bar.querySelectorAll<HTMLElement>(':scope > *, .cw-run-num'))) {
      if (el.classList.contains('cw-tb-spacer') || el.classList.contains('cw-run-task')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.right > edge + 0.5 || el.scrollWidth > el.clientWidth + 1) out.push(`${el.className}: "${el.textContent}"`);
    }
    return out;
  });
}

for (const size of [{ width: 1440, height: 900 }, { width: 1280, height: 800 }]) {
  test(`while training at ${size.width}×${size.height} the run bar shows every number in full`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize(size);
    await openApp(page);
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveAttribute('data-state', 'idle');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(page.getByRole('status', { name: 'Run state' })).toHaveAttribute('data-state', 'training');
    const val = page.locator('.cw-run-num').nth(1);
    // Validation runs at step 0 and every 100 steps: wait for numbers past the first.
    await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 45_000 }).toBeGreaterThan(110);
    await expect(val).toContainText(/val\. \d\.\d+ · acc\. \d+\.\d%/);
    await expect(page.getByLabel('Steps per second')).toContainText('/s');
    expect(await clipped(page)).toEqual([]);
    // Compacted, the buttons keep their accessible names; the tooltip has the full validation numbers.
    for (const name of ['Train', 'Pause', 'Step', 'Reset', 'Keep weights']) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
    await expect(val).toHaveAttribute('title', /Validation at step \d+.*loss \d\.\d{4,}.*accuracy/);
    await screenshot(page, `runbar-training-${size.width}x${size.height}.png`);
    // On a quiet machine the 600-step run may have finished by now: pause it only if it is still going.
    const state = page.getByRole('status', { name: 'Run state' });
    if ((await state.getAttribute('data-state')) === 'training') await page.getByRole('button', { name: 'Pause', exact: true }).click({ timeout: 2000 }).catch(() => undefined);
    await expect(state).toHaveAttribute('data-state', 'paused');
  });
}
