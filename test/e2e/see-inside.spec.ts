/**
 * Seeing inside a cell (issue 17): connectivity through time on the Elman
 * example, opened in one click from a node's inspector; the w^(t−s) band
 * must show (the diagonals fade away from the main one, nothing above it).
 */
import path from 'node:path';
import { EXAMPLES_DIR, expect, nodeLocator, openApp, openFile, screenshot, selectNode, test, trainingSettled } from './fixtures.ts';

for (const theme of ['light', 'dark'] as const) {
  test(`connectivity of the Elman cell shows the band (${theme})`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await openFile(page, path.join(EXAMPLES_DIR, 'elman.json'));
    await trainingSettled(page);
    await selectNode(page, 'h_new');
    await page.getByRole('button', { name: 'Connectivity', exact: true }).click();
    await expect(page.getByRole('tab', { name: 'Connectivity' })).toHaveAttribute('aria-selected', 'true');
    const map = page.getByRole('img', { name: 'Connectivity heatmap' });
    await expect(map).toHaveAttribute('data-out', 'h_new');
    await expect(map).toHaveAttribute('data-in', 'h');
    await expect.poll(async () => Number(await map.getAttribute('data-steps')), { timeout: 20_000 }).toBeGreaterThan(5);
    const num = async (name: string) => Number(await map.getAttribute(name));
    // The band: the diagonal is strongest, the past fades per step back, and the future never reaches the past.
    const decay = await num('data-diagonal-decay');
    expect(decay).toBeGreaterThan(0);
    expect(decay).toBeLessThan(1);
    expect(await num('data-diagonal-5')).toBeLessThan(await num('data-diagonal-0'));
    expect(await num('data-above-diagonal')).toBe(0);
    // Hover read-out names t, s and the value.
    const b = (await map.boundingBox())!;
    await page.mouse.move(b.x + 40 + 30, b.y + 6 + 60);
    await expect(page.locator('.cw-readout')).toContainText(/t = \d+, s = \d+: .*= [0-9.e+-]+/);
    await screenshot(page, `see-inside-connectivity-${theme}.png`);
  });
}

test('scrubbing time moves the value the canvas shows', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page);
  await openFile(page, path.join(EXAMPLES_DIR, 'elman.json'));
  await trainingSettled(page);
  const scrubber = page.getByRole('slider', { name: 'Time step' });
  await expect(scrubber).toBeVisible({ timeout: 20_000 });
  const readout = nodeLocator(page, 'y').locator('.cw-scrub-value');
  await expect(readout).toHaveCount(0);
  await scrubber.fill('5');
  await expect(page.getByLabel('Scrubbed step')).toHaveText(/^5\//);
  await expect(readout).toHaveAttribute('data-step', '5');
  const at5 = Number(await readout.getAttribute('data-value'));
  await scrubber.fill('30');
  await expect(readout).toHaveAttribute('data-step', '30');
  const at30 = Number(await readout.getAttribute('data-value'));
  expect(Number.isFinite(at5) && Number.isFinite(at30)).toBe(true);
  expect(at30).not.toBe(at5);
  await expect(readout).toContainText('t=30:');
  await screenshot(page, 'see-inside-scrub-light.png');
});
