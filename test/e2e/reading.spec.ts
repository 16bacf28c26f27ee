/**
 * Reading what the editor shows: the Numbers table of worked example 1,
 * editing a weight by hand (typing, the slider) with the numbers following,
 * prediction against target, and a chart's value under the pointer.
 */
import { expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';
import type { Page } from '@playwright/test';

async function numbersColumn(page: Page, column: number): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Numbers of one sequence' }).locator('tbody tr');
  return rows.evaluateAll((trs, c) => trs.map((tr) => tr.children[c]?.textContent ?? ''), column);
}

async function selectEdge(page: Page, id: string): Promise<void> {
  // The edge's label sits on its middle: clicking it selects the edge, as a person would.
  await page.locator(`.react-flow__edge[data-id="${id}"] path.react-flow__edge-interaction, .react-flow__edge[data-id="${id}"] path`).first().click({ force: true });
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText('Edge');
}

test('worked example 1 replayed by hand: the table shows h = 2, 1.5, 2.5, 3.5; w_h = 0.5 typed changes it at once, undo puts it back', async ({ page }) => {
  await openApp(page, 'example=worked-1-linear');
  await page.getByRole('tab', { name: 'Numbers' }).click();
  await expect.poll(() => numbersColumn(page, 2)).toEqual(['2', '1.5', '2.5', '3.5']);
  expect(await numbersColumn(page, 1)).toEqual(['2', '−0.5'.replace('−', '-'), '1', '1']);
  await trainingSettled(page);
  await selectEdge(page, 'w_h');
  const value = page.getByRole('textbox', { name: 'Weight value' });
  await expect(value).toHaveValue('1');
  await value.fill('0.5');
  await value.press('Enter');
  // h_t = x_t + 0.5·h_{t−1}: 2, −0.5 + 1 = 0.5, 1 + 0.25 = 1.25, 1 + 0.625 = 1.625.
  await expect.poll(() => numbersColumn(page, 2)).toEqual(['2', '0.5', '1.25', '1.625']);
  await screenshot(page, 'weight-edit-worked-1.png');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => numbersColumn(page, 2)).toEqual(['2', '1.5', '2.5', '3.5']);
  await expect(value).toHaveValue('1');
});

test('the slider of a scalar weight moves the numbers', async ({ page }) => {
  await openApp(page, 'example=worked-1-linear');
  await page.getByRole('tab', { name: 'Numbers' }).click();
  await trainingSettled(page);
  await selectEdge(page, 'w_x');
  const slider = page.getByRole('slider', { name: 'Weight value slider' });
  await slider.focus();
  // Keyboard steps of 0.01: three presses take w_x from 1 to 0.97.
  for (let i = 0; i < 3; i++) await slider.press('ArrowLeft');
  await expect(page.getByRole('textbox', { name: 'Weight value' })).toHaveValue('0.97');
  await expect.poll(() => numbersColumn(page, 2)).toEqual(['1.94', '1.455', '2.425', '3.395']);
});

test('a full weight shows its matrix as numbers and a heatmap', async ({ page }) => {
  await openApp(page, 'example=elman');
  await trainingSettled(page);
  await selectEdge(page, 'x_h_new');
  // x has 2 units, h_new 16: a 16 × 2 matrix is 32 fields.
  await expect(page.getByRole('textbox', { name: /^Weight row \d+, column \d+$/ })).toHaveCount(32);
  await expect(page.getByRole('img', { name: 'Weight heatmap, 16 × 2' })).toBeVisible();
  const first = page.getByRole('textbox', { name: 'Weight row 1, column 1' });
  await first.fill('abc');
  await first.press('Enter');
  await expect(first).toHaveAttribute('aria-invalid', 'true');
});

test('prediction against target: per-step right or wrong after training parity', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await page.getByRole('tab', { name: 'Prediction' }).click();
  const region = page.getByRole('region', { name: 'Prediction vs target' });
  await expect(region.getByLabel('Steps right')).toContainText(/\d+ of 20 scored steps right/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 40_000 }).toBeGreaterThanOrEqual(150);
  await screenshot(page, 'prediction-view.png');
  // Hover values: the pointer over the chart reads out t and both values.
  const chart = region.locator('.cw-uchart');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5);
  await expect(region.getByRole('status', { name: /value under the pointer/ })).toContainText(/time step t \d+ · P\(.*\) [\d.]+ · target [01]/);
});

test('the loss chart says why it is empty, and reads out values under the pointer once trained', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  const loss = page.getByRole('region', { name: 'Loss and metric' });
  await expect(loss).toContainText('Press Train to see the loss');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(loss).not.toContainText('Press Train to see the loss', { timeout: 20_000 });
  const chart = loss.locator('.cw-uchart');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await expect(loss.getByRole('status', { name: /value under the pointer/ })).toContainText(/training step \d+ · training loss/);
});

test('the unrolled view zooms in on its steps, reads out a box under the pointer, and fits back', async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Unrolled' }).click();
  const view = page.getByRole('img', { name: /The cell unrolled over \d+ steps/ });
  await expect(view).toHaveAttribute('data-zoom', '1');
  const fitted = (await view.boundingBox())!.width;
  await page.getByRole('button', { name: 'Zoom in the unrolled view' }).click();
  await page.getByRole('button', { name: 'Zoom in the unrolled view' }).click();
  await expect(view).toHaveAttribute('data-zoom', '2');
  expect((await view.boundingBox())!.width).toBeGreaterThan(fitted * 1.9);
  // Sweep the pointer over the view until it is over a box: the hint reads that box out.
  const region = page.getByRole('region', { name: 'Unrolled' });
  const scroller = (await region.locator('.cw-unrolled-scroll').boundingBox())!;
  const readout = region.locator('.cw-readout');
  for (let y = scroller.y + 20; y < scroller.y + scroller.height && (await readout.count()) === 0; y += 8) {
    for (let x = scroller.x + 10; x < scroller.x + scroller.width && (await readout.count()) === 0; x += 12) await page.mouse.move(x, y);
  }
  await expect(readout).toContainText(/^.+ at t = \d+: activation [\d.]+/);
  await page.getByRole('button', { name: 'Fit the unrolled view' }).click();
  await expect(view).toHaveAttribute('data-zoom', '1');
  expect(Math.round((await view.boundingBox())!.width)).toBe(Math.round(fitted));
});

test('text task: sampled text appears, follows training, and the temperature changes it', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await trainingSettled(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption('text');
  await trainingSettled(page);
  const fit = page.getByRole('button', { name: 'Fit graph to task' });
  if (await fit.isVisible()) await fit.click();
  await trainingSettled(page);
  await page.getByRole('tab', { name: 'Sample' }).click();
  const text = page.getByLabel('Text the model wrote');
  await expect(text).toContainText(/^the .{20,}/s, { timeout: 20_000 });
  await expect(text).toHaveAttribute('data-step', '0');
  // Temperature 0: the likeliest character every time — a different text from the random draw at 0.8.
  const warm = await text.textContent();
  await page.getByLabel('Temperature').fill('0');
  await expect(text).not.toHaveText(warm ?? '', { timeout: 10_000 });
  // Training moves on: the sample is drawn again from the newer weights.
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(text).toHaveAttribute('data-step', '3', { timeout: 10_000 });
  await screenshot(page, 'sampled-text.png');
});
