/**
 * Seeing inside layers (issue 17): the gradient-flow chart of a 2-layer LSTM
 * lists the cells nested in its layers ("l1 › h"), and a point of the chart
 * opens the explanation of that nested cell's gradient at that step.
 */
import path from 'node:path';
import { EXAMPLES_DIR, expect, nodeLocator, openApp, openFile, screenshot, test, trainingSettled } from './fixtures.ts';

for (const theme of ['light', 'dark'] as const) {
  test(`a 2-layer LSTM: the gradient-flow chart lists the nested cells, a point explains one (${theme})`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await openFile(page, path.join(EXAMPLES_DIR, 'lstm-2-layer.json'));
    await trainingSettled(page);
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(page.getByText(/step 3 \//)).toBeVisible();
    const pane = page.getByRole('region', { name: 'Gradient flow through time' });
    const keys = pane.locator('.cw-key');
    await expect(keys).toHaveText(['l1 › h', 'l1 › c', 'l2 › h', 'l2 › c']);
    await expect(pane.locator('.cw-flow-reverse')).toHaveCount(0);
    const chart = page.getByRole('img', { name: 'Gradient norm against time step, per cell' });
    await screenshot(page, `see-inside-layers-gradient-${theme}.png`);

    // A point in the middle of time: every curve is there, so the click lands on one of the nested cells.
    const b = (await chart.boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.4, { steps: 4 });
    await page.mouse.click(b.x + b.width * 0.5, b.y + b.height * 0.4);
    const dialog = page.getByRole('dialog', { name: 'Explain this value' });
    await expect(dialog).toHaveAttribute('data-kind', 'gradient');
    await expect(dialog.locator('h3')).toContainText(/‖∂L\/∂l[12] › [hc]‖ at t = \d+/);
    const heading = (await dialog.locator('h3').textContent()) ?? '';
    const t = Number(/at t = (\d+)/.exec(heading)![1]);
    expect(t).toBeGreaterThan(5);
    expect(t).toBeLessThan(16);
    await expect(page.getByLabel('Scrubbed step')).toHaveText(`${t}/20`);
    // The loss is at every step: the gradient comes from the loss at t and later ones, through the nested cell.
    await expect(dialog.getByRole('table', { name: 'Where the gradient comes from' })).toContainText(`loss at t = ${t}`, { timeout: 20_000 });
    expect(Number(await dialog.getAttribute('data-total'))).toBeGreaterThan(0);
    await expect(page.getByRole('alert')).toHaveCount(0);
    // The layer holding it is selected on the canvas (its nested node, as the inspector edits it).
    const layer = /∂L\/∂(l[12])/.exec(heading)![1];
    await expect(page.getByRole('region', { name: 'Inspector' }).getByRole('heading')).toContainText(`in layer ${layer}`);
    await expect(nodeLocator(page, layer)).toBeVisible();
    await screenshot(page, `see-inside-layers-gradient-explain-${theme}.png`);
  });
}

test('a bidirectional GRU: the chart lists both directions and says the backward one reads time from T to 1', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page);
  await openFile(page, path.join(EXAMPLES_DIR, 'gru-bidirectional.json'));
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const pane = page.getByRole('region', { name: 'Gradient flow through time' });
  await expect(pane.locator('.cw-key')).toHaveText(['bi → › h', 'bi ← › h']);
  await expect(pane.locator('.cw-flow-reverse')).toContainText('bi ← › h reads time backwards (t = T → 1)');
  await screenshot(page, 'see-inside-layers-gradient-bigru-light.png');

  // A point of the backward copy's curve: the click explains the curve nearest the pointer, so walk down the chart (below the hover read-out) until it is that one.
  const plot = page.getByRole('img', { name: 'Gradient norm against time step, per cell' }).locator('.u-over');
  const b = (await plot.boundingBox())!;
  const dialog = page.getByRole('dialog', { name: 'Explain this value' });
  let found = false;
  for (let k = 5; k < 20 && !found; k++) {
    await page.mouse.move(b.x + b.width * 0.3, b.y + b.height * (k + 0.5) * 0.05, { steps: 2 });
    await page.mouse.click(b.x + b.width * 0.3, b.y + b.height * (k + 0.5) * 0.05);
    await expect(dialog.locator('h3')).toContainText('‖∂L/∂bi');
    found = ((await dialog.locator('h3').textContent()) ?? '').includes('bi ← › h');
    if (!found) await page.getByRole('button', { name: 'Close explanation' }).click();
  }
  expect(found).toBe(true);
  // Its losses are at its step and before in the data, and its path runs towards t = T.
  await expect(dialog.locator('.cw-explain-story')).toContainText(/earlier in the data \(later for this copy, which reads time backwards\)/, { timeout: 20_000 });
  const row = dialog.getByRole('table', { name: 'Path back through time' }).getByRole('row').first();
  const [from, to] = (/t = (\d+) → (\d+)/.exec((await row.textContent()) ?? '') ?? []).slice(1).map(Number);
  expect(to).toBe(from + 1);
  await expect(dialog.getByRole('table', { name: 'Path back through time' })).toContainText('this copy reads time backwards');
  await expect(dialog.getByRole('table', { name: 'Where the gradient comes from' })).not.toContainText('later)');
  await screenshot(page, 'see-inside-layers-gradient-bigru-reverse-light.png');
});
