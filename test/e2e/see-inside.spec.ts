/**
 * Seeing inside a cell (issue 17): connectivity through time on the Elman
 * example, opened in one click from a node's inspector; the w^(t−s) band
 * must show (the diagonals fade away from the main one, nothing above it).
 */
import path from 'node:path';
import { EXAMPLES_DIR, expect, nodeLocator, openApp, openElmanAdding100, openFile, openVanishingBadge, screenshot, selectNode, test, trainingSettled } from './fixtures.ts';

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
    await expect(page.locator('.cw-conn-readout')).toContainText(/t = \d+, s = \d+: .*= [0-9.e+-]+/);
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

test('explain a gate value, then two levels back', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page);
  await openFile(page, path.join(EXAMPLES_DIR, 'elman.json'));
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Hide the hint' }).click().catch(() => undefined);
  const heat = page.getByRole('img', { name: 'Gate activation heatmap' });
  await expect(page.getByRole('slider', { name: 'Time step' })).toBeVisible({ timeout: 20_000 });
  const b = (await heat.boundingBox())!;
  // The h_t gate fills the lower part of the heatmap; click a cell in the middle of time.
  await page.mouse.click(b.x + 104 + (b.width - 108) * 0.5, b.y + b.height * 0.7);
  const dialog = page.getByRole('dialog', { name: 'Explain this value' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('data-depth', '1');
  await expect(dialog).toContainText(/tanh\(z\), z = bias \+ Σ W·source/);
  await expect(dialog.getByRole('row')).toHaveCount(3);
  await expect(dialog.getByRole('row').first()).toContainText('bias');
  // The W·h term reads the cell at the step before: go there (the cell), then to what wrote it.
  const toCell = dialog.getByRole('button', { name: /^explain h_\{?t−1\}?|^explain .*t = \d+$/ }).last();
  const heading = await dialog.locator('h3').textContent();
  const t = Number(/at t = (\d+)/.exec(heading ?? '')![1]);
  await toCell.click();
  await expect(dialog).toHaveAttribute('data-depth', '2');
  await expect(dialog.locator('h3')).toContainText(`at t = ${t - 1}`);
  await expect(dialog).toContainText('The state written at this step is the value of');
  await dialog.getByRole('button', { name: /^explain / }).first().click();
  await expect(dialog).toHaveAttribute('data-depth', '3');
  await expect(dialog).toContainText(/tanh\(z\)/);
  await expect(dialog.locator('h3')).toContainText(`at t = ${t - 1}`);
  await screenshot(page, 'see-inside-explain-light.png');
  await page.getByRole('button', { name: 'Back one level' }).click();
  await expect(dialog).toHaveAttribute('data-depth', '2');
});

for (const theme of ['light', 'dark'] as const) {
  test(`fixed points of the 16-unit Elman cell in the PCA plane (${theme})`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await openFile(page, path.join(EXAMPLES_DIR, 'elman.json'));
    await trainingSettled(page);
    await page.getByRole('tab', { name: 'Dynamics' }).click();
    await page.getByLabel('Dynamics view').selectOption('fixed');
    const map = page.getByRole('img', { name: /Fixed points in the plane/ });
    await expect(map).toBeVisible();
    // At least one point, each of a named kind (h = 0 is a fixed point of tanh(W h + b) only when b = 0: not assumed).
    await expect.poll(async () => (await map.getAttribute('data-kinds')) ?? '', { timeout: 30_000 }).toMatch(/^(stable|unstable|saddle|marginal)( (stable|unstable|saddle|marginal))*$/);
    await screenshot(page, `see-inside-fixed-points-${theme}.png`);
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`a vanishing badge traces its gradient back through time, and a chart point does too (${theme})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await openElmanAdding100(page);
    const pop = await openVanishingBadge(page, 'h');
    await pop.getByRole('button', { name: /Where does it go\?/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Explain this value' });
    await expect(dialog).toHaveAttribute('data-kind', 'gradient');
    await expect(dialog.locator('h3')).toContainText('at t = 1');
    // The story: from the loss 99 steps later, shrinking by a factor below 1 per step, through the recurrent weight.
    await expect(dialog.locator('.cw-explain-story')).toContainText(/comes from the loss at t = 100, 99 steps later/, { timeout: 20_000 });
    await expect(dialog.locator('.cw-explain-story')).toContainText(/vanishes like 0\.\d+\^\(t−s\)/);
    await expect(dialog.locator('.cw-explain-story')).toContainText(/tanh′ [0-9.]+ · ‖W‖ [0-9.]+/);
    const total = Number(await dialog.getAttribute('data-total'));
    expect(total).toBeGreaterThan(0);
    await expect(dialog.getByRole('table', { name: 'Path back through time' }).getByRole('row')).toHaveCount(9);
    // The canvas follows: the cell is selected and the scrubber is at t = 1.
    await expect(nodeLocator(page, 'h')).toHaveClass(/selected/);
    await expect(page.getByLabel('Scrubbed step')).toHaveText(/^1\/100$/);
    await screenshot(page, `see-inside-gradient-${theme}.png`);

    // A point of the gradient-flow chart: the step under the pointer.
    await page.getByRole('button', { name: 'Close explanation' }).click();
    const chart = page.getByRole('img', { name: 'Gradient norm against time step, per cell' });
    const b = (await chart.boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.5, { steps: 4 });
    await page.mouse.click(b.x + b.width * 0.5, b.y + b.height * 0.5);
    await expect(dialog).toHaveAttribute('data-kind', 'gradient');
    const heading = await dialog.locator('h3').textContent();
    const t = Number(/at t = (\d+)/.exec(heading ?? '')![1]);
    expect(t).toBeGreaterThan(20);
    expect(t).toBeLessThan(80);
    await expect(page.getByLabel('Scrubbed step')).toHaveText(`${t}/100`);
    await expect(dialog.locator('.cw-explain-story')).toContainText(`${100 - t} steps later`);
    // Later steps are nearer the loss: more of the gradient is left.
    await expect.poll(async () => Number(await dialog.getAttribute('data-total'))).toBeGreaterThan(total);
    // Go on to the forward value of the state at one step of the path, and back.
    await dialog.getByRole('button', { name: /^explain h_?\S* at t = 100$|^explain .* at t = 100$/ }).click();
    await expect(dialog).toHaveAttribute('data-depth', '2');
    await expect(dialog).toContainText('The state written at this step is the value of');
    await page.getByRole('button', { name: 'Back one level' }).click();
    await expect(dialog).toHaveAttribute('data-kind', 'gradient');
  });
}

test('a 2-layer LSTM: connectivity from a cell inside the layer, fixed points of the first layer\'s cell', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page);
  await openFile(page, path.join(EXAMPLES_DIR, 'lstm-2-layer.json'));
  await trainingSettled(page);
  await page.getByRole('tab', { name: 'Connectivity' }).click();
  const map = page.getByRole('img', { name: 'Connectivity heatmap' });
  // With no cell in the outer graph, the pane starts at the first layer and the cell inside it.
  await expect(map).toHaveAttribute('data-out', 'l1');
  await expect(map).toHaveAttribute('data-in', /^l1\/(h|c)$/);
  await page.getByLabel('Connectivity OUT node').selectOption('y');
  await page.getByLabel('Connectivity IN node').selectOption('l1/c');
  await expect(map).toHaveAttribute('data-out', 'y');
  await expect(map).toHaveAttribute('data-in', 'l1/c');
  await expect.poll(async () => Number(await map.getAttribute('data-steps')), { timeout: 20_000 }).toBeGreaterThan(5);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(map).toHaveAttribute('data-above-diagonal', '0');
  await screenshot(page, 'see-inside-layers-connectivity-light.png');
  await page.getByRole('tab', { name: 'Dynamics' }).click();
  await page.getByLabel('Dynamics view').selectOption('fixed');
  const fixed = page.getByRole('img', { name: /Fixed points in the plane/ });
  await expect.poll(async () => (await fixed.getAttribute('data-kinds')) ?? '', { timeout: 30_000 }).toMatch(/^(stable|unstable|saddle|marginal)( (stable|unstable|saddle|marginal))*$/);
  await expect(page.locator('[data-layer="l1"]')).toContainText('first layer l1: l1/h, l1/c');
  await screenshot(page, 'see-inside-layers-fixed-points-light.png');
});
