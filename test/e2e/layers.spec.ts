/**
 * Layers on the canvas (docs/layers.md): a bidirectional GRU opens as one
 * block showing its direction and sizes, expands to its nested cell, trains
 * (Step) with heat strips for the layer and for both directions' states, and
 * its direction is edited in the inspector; the file round-trips unchanged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES_DIR, expect, exportJson, nodeLocator, openApp, openFile, screenshot, selectNode, test, trainingSettled } from './fixtures.ts';

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
  // The readout's weight was saved for 16 units and the backward copy's parameters have no copy left: both are said.
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).toContainText('parameter "edge:bi_y" has shape [1, 16], expected [1, 8]');
  await expect(problems).toContainText('is for the backward copy of layer "bi", which is forward, not bidirectional: it is ignored');
  await screenshot(page, 'layers-forward-problem.png');
});
