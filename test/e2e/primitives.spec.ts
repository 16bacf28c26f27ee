/**
 * The registry's primitives in the editor: the palette's Activations and Ops
 * sections add a gate with that activation and an op with its fields; a sub
 * op gets its slots on connect; the inspector edits an op's own fields; the
 * new templates (LayerNorm LSTM, sLSTM, tied transition) open and train.
 */
import path from 'node:path';
import { connect, dragFromPalette, EXAMPLES_DIR, expect, nodeLocator, openApp, openFile, screenshot, test } from './fixtures.ts';

test('palette activations and ops: a gelu gate and a sub op with its two slots, a scale op with its factor', async ({ page }) => {
  await openApp(page, 'empty');
  await dragFromPalette(page, 'Input', { x: 120, y: 200 });
  await dragFromPalette(page, 'gelu gate', { x: 360, y: 120 });
  await dragFromPalette(page, 'tanh gate', { x: 360, y: 320 });
  await dragFromPalette(page, 'sub op', { x: 600, y: 220 });
  await connect(page, 'x', 'g1');
  await connect(page, 'x', 'g2');
  await connect(page, 'g1', 'op1');
  await connect(page, 'g2', 'op1');
  await expect(nodeLocator(page, 'g1')).toContainText('GELU');
  // The sub op's inputs got slots 0 and 1 on connect: no slot problem is listed.
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).not.toContainText('slot');

  // An edge into the sub op shows its slot in the inspector.
  await page.locator('.react-flow__edge[data-id="e_g2_op1"] .cw-edge-label').click();
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await expect(inspector.getByLabel('Slot')).toHaveValue('1');

  await dragFromPalette(page, 'scale op', { x: 820, y: 220 });
  await connect(page, 'op1', 'op2');
  await nodeLocator(page, 'op2').click();
  const factor = inspector.getByLabel('Factor');
  await expect(factor).toHaveValue('0.5');
  await factor.fill('2');
  await factor.press('Enter');
  await expect(inspector).toContainText('factor · x');
  await screenshot(page, 'primitives-palette-and-inspector.png');
});

for (const name of ['layernorm-lstm', 'slstm', 'tied-transition-rnn']) {
  test(`the ${name} template opens without problems and trains`, async ({ page }) => {
    test.setTimeout(180_000);
    await openApp(page);
    await openFile(page, path.join(EXAMPLES_DIR, `${name}.json`));
    await expect(page.getByRole('region', { name: 'Problems' })).not.toContainText('error', { ignoreCase: true });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 60_000 }).toBeGreaterThan(5);
    // The run may finish on its own (short tasks): read the live loss without pausing.
    const loss = Number(await page.locator('.cw-run-num').first().locator('b').textContent());
    expect(Number.isFinite(loss), `${name}: loss ${loss}`).toBe(true);
    if (name === 'layernorm-lstm') await screenshot(page, 'template-layernorm-lstm.png');
  });
}
