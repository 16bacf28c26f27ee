/**
 * Layers on the canvas (docs/layers.md): a bidirectional GRU opens as one
 * block showing its direction and sizes, expands to its nested cell, trains
 * (Step) with heat strips for the layer and for both directions' states, and
 * its direction is edited in the inspector; the file round-trips unchanged.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { download, dragFromPalette, EXAMPLES_DIR, RESULTS, expect, exportJson, nodeLocator, openApp, openFile, screenshot, selectNode, test, trainingSettled } from './fixtures.ts';

const FILE = path.join(EXAMPLES_DIR, 'gru-bidirectional.json');

test('a bidirectional GRU layer: one block, expands to its cell, trains with strips per direction, direction edited in the inspector', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await openFile(page, FILE);
  const block = nodeLocator(page, 'bi');
  await expect(block).toBeVisible();
  await expect(block.getByLabel('direction bidirectional')).toHaveText('⇄');
  await expect(block).toContainText('2×8');
  await expect(block).toContainText('in x:1 → out h_new:8 ×2');
  await expect(page.locator('.cw-badge-error')).toHaveCount(0);
  expect(await exportJson(page)).toBe(readFileSync(FILE, 'utf8'));

  await block.getByRole('button', { name: 'Expand layer bi' }).click();
  const drawing = block.getByRole('img', { name: /nested step graph: 11 nodes/ });
  await expect(drawing).toBeVisible();
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(block.locator('.cw-layer-strip')).toHaveCount(3);
  await expect(block.locator('.cw-layer-strip-id')).toHaveText(['bi', 'bi/h', 'bi/reverse/h']);
  await screenshot(page, 'layers-bigru-expanded.png');

  await block.getByRole('button', { name: 'Collapse layer bi' }).click();
  await expect(drawing).toHaveCount(0);
  await selectNode(page, 'bi');
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await expect(inspector.getByRole('heading')).toContainText('Layer');
  await inspector.getByLabel('Direction').selectOption('forward');
  await expect(block.getByLabel('direction forward')).toHaveText('→');
  await expect(block).toContainText('out h_new:8');
  await expect(block).not.toContainText('×2');
  // The readout's weight no longer fits and the backward copy is gone: their stored parameters are dropped with the edit.
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  const saved = JSON.parse(await exportJson(page)) as { parameters: Record<string, unknown> };
  expect(saved.parameters['edge:bi_y']).toBeUndefined();
  expect(Object.keys(saved.parameters).filter((k) => k.startsWith('layer:bi/reverse/'))).toEqual([]);
  expect(Object.keys(saved.parameters).filter((k) => k.startsWith('layer:bi/')).length).toBe(10);
  await screenshot(page, 'layers-forward-problem.png');
});

test('the 2-layer LSTM template drops from the palette as two layer blocks, its weights carried along', async ({ page }) => {
  test.setTimeout(60_000);
  await openApp(page, 'empty');
  await dragFromPalette(page, '2-layer LSTM', { x: 200, y: 200 });
  await expect(nodeLocator(page, 'l1')).toBeVisible();
  await expect(nodeLocator(page, 'l2')).toBeVisible();
  await expect(nodeLocator(page, 'l2')).toContainText('in x:8 → out m:8');
  // A second copy: ids and the layers' parameter keys are renamed together, so nothing dangles.
  await dragFromPalette(page, '2-layer LSTM', { x: 200, y: 420 });
  await expect(nodeLocator(page, 'l1_2')).toBeVisible();
  const saved = JSON.parse(await exportJson(page)) as { parameters: Record<string, unknown> };
  const example = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'lstm-2-layer.json'), 'utf8')) as { parameters: Record<string, unknown> };
  expect(saved.parameters['layer:l1_2/edge:h_f']).toEqual(example.parameters['layer:l1/edge:h_f']);
  await expect(page.getByRole('region', { name: 'Problems' })).not.toContainText('is not a layer of the graph');
  await screenshot(page, 'layers-two-templates.png');
  // The canvas picture shows the layers too.
  const svg = await download(page, () => page.getByRole('button', { name: 'Export SVG' }).click());
  expect(svg.text).toContain('LSTM layer 2');
  expect(svg.text).toContain('l2_2 · layer');
});

test('a layer whose gradient vanishes through time is flagged on its block, naming the nested cell', async ({ page }) => {
  test.setTimeout(60_000);
  const graph = JSON.parse(readFileSync(FILE, 'utf8')) as { nodes: { kind: string; steps?: string }[]; task: { length: number } };
  for (const n of graph.nodes) if (n.kind === 'loss') n.steps = 'last';
  graph.task.length = 60;
  const dir = path.join(RESULTS, 'layers');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bigru-last-step.json');
  writeFileSync(file, JSON.stringify(graph));
  await openApp(page);
  await openFile(page, file);
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  // The forward copy reads the last step's loss only through 59 steps of its own recurrence.
  const badge = nodeLocator(page, 'bi').getByRole('button', { name: 'vanishing gradient at bi/h: trace it back from t = 1' });
  await expect(badge).toBeVisible();
  await screenshot(page, 'layers-vanishing-flag.png');
  // The badge traces the first step's gradient of the nested cell back through time.
  await badge.click();
  const dialog = page.getByRole('dialog', { name: 'Explain this value' });
  await expect(dialog).toHaveAttribute('data-kind', 'gradient');
  await expect(dialog.locator('h3')).toContainText('at t = 1');
  await expect(dialog.locator('.cw-explain-story')).toContainText(/comes from the loss at t = 60, 59 steps later/, { timeout: 20_000 });
});

test('a nested node is edited from the expanded layer: the inspector changes it in every copy, stale weights dropped', async ({ page }) => {
  test.setTimeout(60_000);
  await openApp(page);
  await openFile(page, FILE);
  const block = nodeLocator(page, 'bi');
  await block.getByRole('button', { name: 'Expand layer bi' }).click();
  await block.getByRole('button', { name: 'Edit h in layer bi' }).click();
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await expect(inspector.getByRole('heading')).toContainText('Cell in layer bi');
  const size = inspector.getByLabel('Size', { exact: true });
  await size.fill('5');
  await size.press('Enter');
  // Every gate of the nested GRU reads h: the validator names the first mismatch, inside the layer.
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText(/in layer .*bi.*: identity edge connects "h_new" \(size 8\) to "h" \(size 5\)/i);
  await expect(page.getByText(/stored weights \(layer:bi\/edge:h_r, .* no longer fit/)).toBeVisible();
  await screenshot(page, 'layers-nested-edit.png');
  await page.getByRole('button', { name: 'Undo', exact: true }).first().click();
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  await expect(block).toContainText('2×8');
});
