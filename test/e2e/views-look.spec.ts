/**
 * Every view in both themes at 1280×800 and 1440×900, screenshotted into
 * artifacts/screenshots for a person to look at, with what can be checked
 * by machine: no panel failed, nothing wider than the window, the minimap
 * clear of the zoom controls and the legend, and the charts drawn on the theme's own panel colour.
 */
import { expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';
import type { Locator } from '@playwright/test';

const SIZES = [{ width: 1280, height: 800 }, { width: 1440, height: 900 }];
const THEMES = ['light', 'dark'] as const;

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

for (const size of SIZES) {
  for (const theme of THEMES) {
    test(`every view at ${size.width}×${size.height}, ${theme}`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.setViewportSize(size);
      await openApp(page);
      if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await page.getByRole('button', { name: 'Hide the hint' }).click();
      await trainingSettled(page);
      for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
      await expect.poll(async () => Number(await page.getByLabel('Step count').textContent())).toBeGreaterThanOrEqual(3);

      // Nothing spills past the window: no sideways scrolling at this size.
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      // The minimap never covers the zoom controls or the legend.
      const minimap = page.getByRole('img', { name: 'Minimap' }).or(page.locator('.react-flow__minimap'));
      if (await minimap.first().isVisible()) {
        const m = await box(minimap.first());
        expect(overlaps(m, await box(page.locator('.react-flow__controls')))).toBe(false);
        expect(overlaps(m, await box(page.locator('.cw-legend')))).toBe(false);
      }
      // Charts sit on the theme's panel colour (no light chart in the dark theme).
      const panel = await page.locator('.cw-dock').evaluate((el) => getComputedStyle(el).backgroundColor);
      const [r, g, b] = panel.match(/\d+/g)!.map(Number);
      const light = (r + g + b) / 3 > 128;
      expect(light).toBe(theme === 'light');

      for (const tab of ['Dynamics', 'Unrolled', 'Prediction', 'Numbers']) {
        await page.getByRole('tab', { name: tab }).click();
        await expect(page.getByRole('alert', { name: /failed$/ })).toHaveCount(0);
        await screenshot(page, `views-${tab.toLowerCase()}-${theme}-${size.width}.png`);
      }
      // An edge with a matrix in the inspector.
      await page.locator('.react-flow__edge[data-id="e_h_f"] path, .react-flow__edge path').first().click({ force: true });
      await screenshot(page, `views-inspector-edge-${theme}-${size.width}.png`);
    });
  }
}
