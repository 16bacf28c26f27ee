/**
 * A large graph: it opens on its first part at a readable zoom; after Fit view
 * (zoomed out past reading) nodes are tinted boxes and edges one plain layer,
 * which follows a dragged node; zooming back in brings React Flow's edges back.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, openApp, openFile, screenshot, test } from './fixtures.ts';

/** 30 columns × 20 rows of gates, each reading its left neighbour. */
function gridGraph(): { file: string; edges: number } {
  const nodes = [];
  const edges = [];
  for (let c = 0; c < 30; c += 1) {
    for (let r = 0; r < 20; r += 1) {
      nodes.push(c === 0 ? { id: `n${c}_${r}`, kind: 'input', size: 2, position: { x: c * 240, y: r * 110 } }
        : { id: `n${c}_${r}`, kind: 'gate', size: 2, activation: 'tanh', position: { x: c * 240, y: r * 110 } });
      if (c > 0) edges.push({ id: `e${c}_${r}`, source: `n${c - 1}_${r}`, target: `n${c}_${r}` });
    }
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cw-large-')), 'grid.json');
  writeFileSync(file, JSON.stringify({ format: 'cellwright-graph', version: 1, name: 'Grid (600 nodes)', nodes, edges }));
  return { file, edges: edges.length };
}

test('a 600-node graph opens readable; zoomed out its edges are one layer that follows a drag; zoomed in they are edges again', async ({ page }) => {
  const grid = gridGraph();
  await openApp(page, 'empty');
  await openFile(page, grid.file);
  await expect(page.locator('.cw-doc-name')).toContainText('Grid (600 nodes)');
  // First part, readable: real edges with their labels, node titles shown.
  await expect(page.locator('.react-flow__node[data-id="n1_1"]')).toContainText('n1_1');
  await expect(page.locator('.react-flow__edge[data-id="e1_1"] .cw-edge-label')).toBeVisible();
  await expect(page.locator('.cw-canvas')).not.toHaveClass(/is-far/);

  await page.getByRole('button', { name: 'Fit view', exact: true }).click();
  await expect(page.locator('.cw-canvas')).toHaveClass(/is-far/);
  await expect(page.locator('.cw-far-edges [data-edge-id]')).toHaveCount(grid.edges);
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);

  // Drag a node near the middle: the edges into and out of it move with it, one Undo entry.
  const id = 'n15_10';
  const node = page.locator(`.react-flow__node[data-id="${id}"]`);
  const into = page.locator('.cw-far-edges [data-edge-id="e15_10"] path');
  const outOf = page.locator('.cw-far-edges [data-edge-id="e16_10"] path');
  const other = page.locator('.cw-far-edges [data-edge-id="e15_3"] path');
  const before = { into: await into.getAttribute('d'), outOf: await outOf.getAttribute('d'), other: await other.getAttribute('d') };
  const box = (await node.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40, { steps: 10 });
  await page.mouse.up();
  await expect(into).not.toHaveAttribute('d', before.into!);
  await expect(outOf).not.toHaveAttribute('d', before.outOf!);
  await expect(other).toHaveAttribute('d', before.other!);
  await screenshot(page, 'large-graph-zoomed-out-after-drag.png');
  const undo = page.getByRole('button', { name: 'Undo' });
  await expect(undo).toBeEnabled();
  await undo.click();
  await expect(into).toHaveAttribute('d', before.into!);
  await expect(undo).toBeDisabled();

  // The SVG export still has every edge and its weight label (read from the layer's data-x/data-y).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
  const svg = readFileSync((await download.path())!, 'utf8');
  expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(grid.edges);
  expect(svg.match(/>W<\/text>/g)).toHaveLength(grid.edges);

  // Zoomed back in: React Flow's edges, clickable, with labels.
  await expect(async () => {
    await page.locator('.react-flow__controls-zoomin').click();
    await expect(page.locator('.cw-canvas')).not.toHaveClass(/is-far/, { timeout: 500 });
  }).toPass();
  await expect(page.locator('.cw-canvas')).not.toHaveClass(/is-far/);
  await expect(page.locator('.cw-far-edges')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge').first()).toBeAttached();
});
