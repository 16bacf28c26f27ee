/**
 * Edit block, as a user does it (docs/blocks.md): on the default LSTM, group
 * the forget gate as "my gate", use it again for the input gate, open the
 * block (inspector "Edit block"), change its activation and add a scale op
 * inside, Done: both instances changed, the graph trains; Undo brings the
 * block back as it was. Screenshots in light and dark.
 */
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { connect, dragFromPalette, expect, exportJson, nodeLocator, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

const inspector = (page: Page) => page.getByRole('region', { name: 'Inspector' });
const bar = (page: Page) => page.getByRole('navigation', { name: 'Editing a block' });
const undo = (page: Page) => page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' });

type Def = { nodes: { id: string; kind: string; activation?: string; op?: string }[]; edges: { source: string; target: string }[]; outputs: string[] };
async function myGate(page: Page): Promise<{ graph: Graph; def: Def }> {
  const graph = JSON.parse(await exportJson(page)) as Graph;
  return { graph, def: (graph.blocks as Record<string, Def>)['my gate'] };
}

/** The LSTM with "my gate" (its forget gate) used twice: my_gate for f, my_gate_2 for i. */
async function twoInstances(page: Page): Promise<void> {
  await openApp(page);
  await trainingSettled(page);
  await nodeLocator(page, 'f').click();
  await inspector(page).getByLabel('Block name').fill('my gate');
  await inspector(page).getByRole('button', { name: 'Group as block' }).click();
  await expect(nodeLocator(page, 'my_gate')).toBeVisible();
  await nodeLocator(page, 'i').click();
  await page.keyboard.press('Delete');
  const iBox = (await nodeLocator(page, 'ig').boundingBox())!;
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  await dragFromPalette(page, 'Block my gate', { x: iBox.x - pane.x - 120, y: iBox.y - pane.y + 130 });
  await expect(nodeLocator(page, 'my_gate_2')).toBeVisible();
  for (const [source, handle] of [['x', 'in:x'], ['h', 'in:h']]) await connectPort(page, source, 'my_gate_2', handle);
  await connect(page, 'my_gate_2', 'ig');
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
}

async function connectPort(page: Page, source: string, target: string, handle: string): Promise<void> {
  await trainingSettled(page);
  const a = (await nodeLocator(page, source).locator('.react-flow__handle.source').first().boundingBox())!;
  const b = (await nodeLocator(page, target).locator(`.react-flow__handle.target[data-handleid="${handle}"]`).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

test('edit a block used twice: both instances change, the graph trains, undo restores', async ({ page }) => {
  test.setTimeout(150_000);
  await twoInstances(page);
  const before = await myGate(page);

  // Open the block from the inspector.
  await nodeLocator(page, 'my_gate').click();
  await inspector(page).getByRole('button', { name: 'Edit block' }).click();
  await expect(bar(page)).toBeVisible();
  await expect(bar(page)).toContainText('block “my gate”');
  await expect(bar(page)).toContainText('edits change all 2 instances');
  // Its inside: the two input ports and the gate, marked as the output; the graph's nodes are gone from view.
  await expect(nodeLocator(page, 'x')).toHaveClass(/cw-block-in/);
  await expect(nodeLocator(page, 'h')).toHaveClass(/cw-block-in/);
  await expect(nodeLocator(page, 'f')).toHaveClass(/cw-block-out/);
  await expect(nodeLocator(page, 'my_gate')).toHaveCount(0);
  await expect(nodeLocator(page, 'loss')).toHaveCount(0);
  await expect(inspector(page)).toContainText('The inside of block my gate');

  // Change the gate's activation.
  await nodeLocator(page, 'f').click();
  await inspector(page).getByLabel('Activation', { exact: true }).selectOption('tanh');
  await expect(nodeLocator(page, 'f')).toContainText('tanh');
  // Add a scale op from the palette and wire h → scale → f.
  await trainingSettled(page);
  const fBox = (await nodeLocator(page, 'f').boundingBox())!;
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  await page.getByRole('complementary', { name: 'Palette' }).getByRole('button', { name: /^scale( op)?$/ }).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: fBox.x - pane.x + 60, y: fBox.y - pane.y + 190 } });
  const scale = page.locator('.react-flow__node.selected');
  await expect(scale).toHaveCount(1);
  const scaleId = (await scale.getAttribute('data-id'))!;
  await connect(page, 'h', scaleId);
  await connect(page, scaleId, 'f');
  await expect(page.locator('.react-flow__edge')).toHaveCount(4);
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 300 } });
  await screenshot(page, 'block-edit-inside.png');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'block-edit-inside-dark.png');
  await page.getByRole('button', { name: 'Light theme' }).click();

  // Escape returns to the graph, the instance selected.
  await page.keyboard.press('Escape');
  await expect(bar(page)).toHaveCount(0);
  await expect(nodeLocator(page, 'my_gate')).toBeVisible();
  await expect(nodeLocator(page, 'my_gate')).toHaveClass(/selected/);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');

  // Both instances draw the new inside (4 nodes, 4 edges) and the file has one definition for both.
  for (const id of ['my_gate', 'my_gate_2']) {
    await nodeLocator(page, id).getByRole('button', { name: `Expand block ${id}` }).click();
    await expect(nodeLocator(page, id).getByRole('img', { name: 'inside block my gate: 4 nodes, 4 edges' })).toBeVisible();
  }
  const after = await myGate(page);
  expect(after.def.nodes.find((n) => n.id === 'f')?.activation).toBe('tanh');
  expect(after.def.nodes.find((n) => n.id === scaleId)).toMatchObject({ kind: 'op', op: 'scale' });
  expect(after.def.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['h>f', `h>${scaleId}`, 'x>f', `${scaleId}>f`].sort());
  expect(after.graph.nodes.filter((n) => (n as { block?: string }).block === 'my gate').map((n) => n.id)).toEqual(['my_gate', 'my_gate_2']);
  // The instances' trained weights still fit and stay.
  expect(after.graph.parameters?.['edge:my_gate/h_f']).toEqual(before.graph.parameters?.['edge:my_gate/h_f']);

  // It trains: the new inner edge gets a weight in both instances.
  for (let k = 1; k <= 3; k++) {
    await trainingSettled(page);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(page.getByLabel('Step count')).toHaveText(String(k));
  }
  await expect(nodeLocator(page, 'my_gate_2').locator('.cw-layer-strip-id', { hasText: 'my_gate_2/f' })).toBeVisible();
  await screenshot(page, 'block-edit-done-trained.png');

  // Undo (three edits: activation, op, two wires… each one step) brings the block back as it was.
  for (let k = 0; k < 4; k++) await undo(page).click();
  const restored = await myGate(page);
  expect(restored.def).toEqual(before.def);
  for (const id of ['my_gate', 'my_gate_2']) {
    await expect(nodeLocator(page, id).getByRole('img', { name: 'inside block my gate: 3 nodes, 2 edges' })).toBeVisible();
  }
});

test('double-click an instance opens its block; Done goes back; deleting the block by undo leaves the view', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await trainingSettled(page);
  await nodeLocator(page, 'f').click();
  await inspector(page).getByLabel('Block name').fill('my gate');
  await inspector(page).getByRole('button', { name: 'Group as block' }).click();
  await nodeLocator(page, 'my_gate').dblclick();
  await expect(bar(page)).toContainText('edits change its 1 instance');
  // An op dropped inside with nothing wired into it: flagged on the inner node, and in the Problems list after Done.
  await page.getByRole('complementary', { name: 'Palette' }).getByRole('button', { name: /^scale( op)?$/ }).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 420, y: 380 } });
  const op = page.locator('.react-flow__node.selected');
  const opId = (await op.getAttribute('data-id'))!;
  await expect(nodeLocator(page, opId).locator('.cw-badge-error')).toBeVisible();
  await bar(page).getByRole('button', { name: 'Done' }).click();
  await expect(bar(page)).toHaveCount(0);
  await expect(nodeLocator(page, 'loss')).toBeVisible();
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).toContainText(`op "my_gate/${opId}" has no inputs`);
  // Clicking the problem opens the block with the op selected.
  await problems.getByRole('button', { name: /has no inputs/ }).click();
  await expect(bar(page)).toBeVisible();
  await expect(nodeLocator(page, opId)).toHaveClass(/selected/);
  await expect(inspector(page).getByLabel('Id', { exact: true })).toHaveValue(opId);
  await undo(page).click();
  await expect(nodeLocator(page, opId)).toHaveCount(0);
  await expect(problems).toContainText('none');
  await page.keyboard.press('Escape');
  await expect(bar(page)).toHaveCount(0);
  // From the expanded drawing.
  await nodeLocator(page, 'my_gate').getByRole('button', { name: 'Expand block my_gate' }).click();
  // (Graph nodes may lie over the expanded drawing: the button is pressed, not the point under it.)
  await nodeLocator(page, 'my_gate').getByRole('button', { name: 'Edit block' }).dispatchEvent('click');
  await expect(bar(page)).toBeVisible();
  // Undo of the grouping removes the block: the canvas is back on the graph.
  await undo(page).click();
  await expect(bar(page)).toHaveCount(0);
  await expect(nodeLocator(page, 'f')).toBeVisible();
  await expect(nodeLocator(page, 'loss')).toBeVisible();
});

test('inside a block, a weight kind change drops the instances\' stored weights that no longer fit, with Undo', async ({ page }) => {
  test.setTimeout(120_000);
  await twoInstances(page);
  // Both instances have stored weights for the inner edge h_f (the second one after a step).
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
  await nodeLocator(page, 'my_gate_2').dblclick();
  await expect(bar(page)).toBeVisible();
  await page.locator('.react-flow__edge[data-id="h_f"] .cw-edge-label').click();
  await expect(inspector(page).getByRole('heading')).toContainText('Edge');
  const before = (await myGate(page)).graph.parameters ?? {};
  expect(before['edge:my_gate/h_f']).toBeDefined();
  await inspector(page).getByLabel('Weight', { exact: true }).selectOption('diagonal');
  await expect(page.locator('.cw-notice')).toContainText('edge:my_gate/h_f');
  await expect(page.locator('.cw-notice')).toContainText('in block "my gate"');
  await expect(page.locator('.cw-notice').getByRole('button', { name: 'Undo' })).toBeVisible();
  await screenshot(page, 'block-edit-stale-weights.png');
  let g = (await myGate(page)).graph;
  expect(g.parameters?.['edge:my_gate/h_f']).toBeUndefined();
  expect(g.parameters?.['edge:my_gate/x_f']).toEqual(before['edge:my_gate/x_f']);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  await undo(page).click();
  g = (await myGate(page)).graph;
  expect(g.parameters?.['edge:my_gate/h_f']).toEqual(before['edge:my_gate/h_f']);
  expect((g.blocks as Record<string, Def>)['my gate'].edges.find((e) => `${e.source}>${e.target}` === 'h>f')).not.toHaveProperty('weight', 'diagonal');
  await expect(bar(page)).toBeVisible();
});
