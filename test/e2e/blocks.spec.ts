/**
 * Blocks, as a user makes them (docs/blocks.md): select the LSTM's forget
 * gate, Group as block "my gate" (one undo step), use the block a second time
 * for the input gate from the palette, wire its ports, tie its weights to the
 * first, train, save, reopen: the same structure and the same numbers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { createTrainer } from '../../engine/train/trainer.ts';
import { dragFromPalette, expect, exportJson, nodeLocator, openApp, openFile, RESULTS, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

function inspector(page: Page) {
  return page.getByRole('region', { name: 'Inspector' });
}

async function graphNow(page: Page): Promise<Graph> {
  return JSON.parse(await exportJson(page)) as Graph;
}

/** Drag from a node's output handle to a handle of a block instance's input port (`in:<port>`) or any node's input. */
async function wire(page: Page, source: string, target: string, handle?: string): Promise<void> {
  await trainingSettled(page);
  const from = nodeLocator(page, source).locator('.react-flow__handle.source').first();
  const to = handle ? nodeLocator(page, target).locator(`.react-flow__handle.target[data-handleid="${handle}"]`) : nodeLocator(page, target).locator('.react-flow__handle.target').first();
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

test('group a gate as a block, use it twice with tied weights, train, save and reopen with the same numbers', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await trainingSettled(page);
  const original = await graphNow(page);

  // Select the forget gate and group it.
  await nodeLocator(page, 'f').click();
  await inspector(page).getByLabel('Block name').fill('my gate');
  await inspector(page).getByRole('button', { name: 'Group as block' }).click();
  const first = nodeLocator(page, 'my_gate');
  await expect(first).toBeVisible();
  await expect(first).toContainText('block · my gate');
  await expect(nodeLocator(page, 'f')).toHaveCount(0);
  let g = await graphNow(page);
  const def = (g.blocks as Record<string, { nodes: { id: string; kind: string; size?: number }[]; outputs: string[] }>)['my gate'];
  expect(def.nodes.filter((n) => n.kind === 'input').map((n) => [n.id, n.size])).toEqual([['x', 1], ['h', 8]]);
  expect(def.outputs).toEqual(['f']);
  // The LSTM's stored forget-gate weights moved to the instance's keys, unchanged.
  expect(g.parameters?.['edge:my_gate/h_f']).toEqual(original.parameters?.['edge:h_f']);
  expect(g.parameters?.['edge:h_f']).toBeUndefined();
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  await screenshot(page, 'blocks-grouped.png');

  // Ungroup gives the gate back (one step), and so does undo of the grouping; redo groups again.
  await inspector(page).getByRole('button', { name: 'Ungroup', exact: true }).click();
  await expect(nodeLocator(page, 'f')).toBeVisible();
  expect((await graphNow(page)).parameters?.['edge:h_f']).toEqual(original.parameters?.['edge:h_f']);
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' }).click();
  await expect(first).toBeVisible();
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' }).click();
  await expect(nodeLocator(page, 'f')).toBeVisible();
  expect((await graphNow(page)).blocks).toBeUndefined();
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Redo' }).click();
  await expect(first).toBeVisible();

  // The palette lists it (file and library); use it for the input gate.
  await expect(page.getByRole('button', { name: 'Block my gate', exact: true })).toBeVisible();
  await nodeLocator(page, 'i').click();
  await page.keyboard.press('Delete');
  await expect(nodeLocator(page, 'i')).toHaveCount(0);
  const iBox = (await nodeLocator(page, 'ig').boundingBox())!;
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  await dragFromPalette(page, 'Block my gate', { x: iBox.x - pane.x - 120, y: iBox.y - pane.y + 130 });
  const second = nodeLocator(page, 'my_gate_2');
  await expect(second).toBeVisible();
  await wire(page, 'x', 'my_gate_2', 'in:x');
  await wire(page, 'h', 'my_gate_2', 'in:h');
  await wire(page, 'my_gate_2', 'ig');
  g = await graphNow(page);
  expect(g.edges.filter((e) => e.target === 'my_gate_2').map((e) => [e.source, e.port]).sort()).toEqual([['h', 'h'], ['x', 'x']]);
  expect(g.edges.find((e) => e.source === 'my_gate_2')).toMatchObject({ target: 'ig', sourcePort: 'f' });
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');

  // Tie the second instance's weights to the first.
  await second.click();
  await expect(inspector(page)).toContainText('Instance my_gate_2 of block my gate');
  await inspector(page).getByLabel('Weights').selectOption('my_gate');
  await expect(second).toContainText('⇆ my_gate');
  await second.getByRole('button', { name: 'Expand block my_gate_2' }).click();
  await expect(second.getByRole('img', { name: /inside block my gate/ })).toBeVisible();

  // Train a few steps; the inner gates report under their instance ids.
  await trainingSettled(page);
  for (let k = 1; k <= 5; k++) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(page.getByLabel('Step count')).toHaveText(String(k));
  }
  await expect(second.locator('.cw-layer-strip-id', { hasText: 'my_gate_2/f' })).toBeVisible();
  await screenshot(page, 'blocks-two-instances-trained.png');
  await second.screenshot({ path: path.join(RESULTS, 'blocks', 'instance-expanded.png') });
  const trained = await graphNow(page);
  expect(trained.nodes.find((n) => n.id === 'my_gate_2')).toMatchObject({ kind: 'block', block: 'my gate', tie: 'my_gate' });
  expect(Object.keys(trained.parameters ?? {}).filter((k) => k.includes('my_gate_2/'))).toEqual([]);
  expect(trained.parameters?.['edge:my_gate/h_f']).toBeDefined();
  expect(trained.parameters?.['edge:my_gate/h_f']).not.toEqual(original.parameters?.['edge:h_f']);

  // Save and reopen: the same blocks, instances and numbers.
  const dir = path.join(RESULTS, 'blocks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'lstm-with-blocks.json');
  writeFileSync(file, JSON.stringify(trained, null, 2));
  // Opening over unsaved work asks first: yes, open it.
  page.once('dialog', (dialog) => void dialog.accept());
  await openFile(page, file);
  await expect(nodeLocator(page, 'my_gate_2')).toBeVisible();
  await expect(nodeLocator(page, 'my_gate_2')).toContainText('⇆ my_gate');
  const reopened = await graphNow(page);
  expect(reopened.blocks).toEqual(trained.blocks);
  expect(reopened.parameters).toEqual(trained.parameters);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  // The app's first step on the reopened file is the engine's (the CLI's trainer) on the saved file, to float rounding.
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
  const title = await page.locator('.cw-run-num').first().getAttribute('title');
  const appLoss = Number(/latest batch: (\S+)/.exec(title ?? '')?.[1]);
  const engine = createTrainer(JSON.parse(readFileSync(file, 'utf8')) as Graph);
  engine.step(1);
  const engineLoss = engine.snapshot().loss;
  expect(Number.isFinite(appLoss)).toBe(true);
  expect(Math.abs(appLoss - engineLoss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(engineLoss)));
  // … and it is the trained weights that give it: from fresh weights the loss is another.
  const fresh = createTrainer({ ...(JSON.parse(readFileSync(file, 'utf8')) as Graph), parameters: undefined });
  fresh.step(1);
  expect(Math.abs(fresh.snapshot().loss - engineLoss)).toBeGreaterThan(1e-4);
});

test('right-click a selection → Group as block (or Ctrl+G), rename it in the inspector; a loss cannot be grouped', async ({ page }) => {
  await openApp(page);
  await trainingSettled(page);
  // Refused, with the reason, for a loss.
  await nodeLocator(page, 'loss').click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Canvas menu' });
  await expect(menu.getByRole('menuitem', { name: /Group as block/ })).toHaveAttribute('aria-disabled', 'true');
  await expect(menu).toContainText('loss "loss" cannot go into a block');
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  // The output gate and the product it feeds, by right-click.
  await nodeLocator(page, 'o').click();
  await nodeLocator(page, 'm').click({ modifiers: ['Shift'] });
  await nodeLocator(page, 'm').click({ button: 'right' });
  await screenshot(page, 'blocks-canvas-menu.png');
  await menu.getByRole('menuitem', { name: /Group as block/ }).click();
  await expect(nodeLocator(page, 'block_1')).toBeVisible();
  await expect(nodeLocator(page, 'o')).toHaveCount(0);
  const name = inspector(page).getByRole('textbox', { name: 'Block name' });
  await name.fill('output');
  await name.press('Enter');
  await expect(nodeLocator(page, 'block_1')).toContainText('block · output');
  let g = await graphNow(page);
  expect(Object.keys(g.blocks as object)).toEqual(['output']);
  expect((g.blocks as Record<string, { outputs: string[] }>).output.outputs).toEqual(['m']);
  // Ctrl+G groups the candidate gate under the next fresh name.
  await nodeLocator(page, 'g').click();
  await page.keyboard.press('Control+g');
  await expect(nodeLocator(page, 'block_1_2').or(nodeLocator(page, 'block_2'))).toBeVisible();
  g = await graphNow(page);
  expect(Object.keys(g.blocks as object).sort()).toEqual(['block 1', 'output']);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  // The library survives a reload; removing a block from it leaves the file's copy.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Remove output from your library' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove output from your library' }).click();
  await expect(page.getByRole('button', { name: 'Remove output from your library' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Block block 1', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Block output', exact: true })).toHaveCount(0);
});

test('Ctrl+G groups under the name typed in the Block name field, from the field or from the canvas', async ({ page }) => {
  await openApp(page);
  await trainingSettled(page);
  // In the field: Ctrl+G groups with the typed name (quotes kept).
  await nodeLocator(page, 'f').click();
  await inspector(page).getByLabel('Block name').fill('my "gate"');
  await inspector(page).getByLabel('Block name').press('Control+g');
  await expect(nodeLocator(page, 'f')).toHaveCount(0);
  let g = await graphNow(page);
  expect(Object.keys(g.blocks as object)).toEqual(['my "gate"']);
  // Typed, then back on the canvas: Ctrl+G still uses the typed name.
  await nodeLocator(page, 'i').click();
  await inspector(page).getByLabel('Block name').fill('__proto__');
  await nodeLocator(page, 'i').click();
  await page.keyboard.press('Control+g');
  await expect(nodeLocator(page, 'i')).toHaveCount(0);
  g = await graphNow(page);
  expect(Object.keys(g.blocks as object).sort()).toEqual(['__proto__', 'my "gate"']);
  // The field starts empty for the next selection.
  await nodeLocator(page, 'o').click();
  await expect(inspector(page).getByLabel('Block name')).toHaveValue('');
});
