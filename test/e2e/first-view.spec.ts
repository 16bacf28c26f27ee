/**
 * The first view of an example: after the initial fit, every node is inside
 * the canvas and none is hidden under the "Start here" hint or the minimap;
 * Fit view (the canvas control) keeps them clear too.
 */
import type { Page } from '@playwright/test';
import { expect, openApp, screenshot, test } from './fixtures.ts';

/** Nodes that leave the canvas or sit under an overlay, with the overlay's name. */
async function hiddenNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.cw-canvas')!.getBoundingClientRect();
    const overlays: [string, DOMRect][] = [];
    for (const [name, selector] of [['hint', '.cw-hint'], ['minimap', '.react-flow__minimap'], ['controls', '.react-flow__controls']] as const) {
      const el = document.querySelector(selector);
      if (el) overlays.push([name, el.getBoundingClientRect()]);
    }
    const out: string[] = [];
    for (const node of Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'))) {
      const r = node.getBoundingClientRect();
      const id = node.dataset.id ?? '?';
      if (r.left < canvas.left || r.right > canvas.right || r.top < canvas.top || r.bottom > canvas.bottom) out.push(`${id} outside the canvas`);
      for (const [name, o] of overlays) {
        if (r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top) out.push(`${id} under the ${name}`);
      }
    }
    return out;
  });
}

for (const example of ['lstm', 'elman', 'gru']) {
  test(`the ${example} example opens with every node in view, clear of the hint and the minimap`, async ({ page }) => {
    await openApp(page, `example=${example}`);
    await expect(page.getByRole('note').filter({ hasText: 'Start here' })).toBeVisible();
    await expect(page.locator('.react-flow__minimap')).toBeVisible();
    await expect.poll(() => hiddenNodes(page)).toEqual([]);
    await screenshot(page, `first-view-${example}.png`);
    // The Fit view control keeps the same room.
    await page.locator('.react-flow__controls-fitview').click();
    await expect.poll(() => hiddenNodes(page)).toEqual([]);
  });
}
