/**
 * A template with stored weights can be resized and re-initialized: the edit
 * drops exactly the weights that no longer fit (one line says so, with Undo),
 * an edge's new initializer takes effect, and Re-initialize weights acts on
 * the selection or the whole graph.
 */
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { expect, exportJson, nodeLocator, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

function inspector(page: Page) {
  return page.getByRole('region', { name: 'Inspector' });
}

async function openExampleFromMenu(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: new RegExp(`^${title.replace(/[()]/g, '\\$&')}`) }).click();
  await expect(page.locator('.cw-doc-name')).not.toHaveText('');
  await trainingSettled(page);
}

async function setSize(page: Page, node: string, size: number): Promise<void> {
  await nodeLocator(page, node).click();
  const field = inspector(page).getByRole('spinbutton', { name: 'Size', exact: true });
  await field.fill(String(size));
  await field.press('Enter');
}

async function graphNow(page: Page): Promise<Graph> {
  return JSON.parse(await exportJson(page)) as Graph;
}

test('resize a template with stored weights: the stale ones go, Undo brings them back, the graph trains', async ({ page }) => {
  await openApp(page);
  await openExampleFromMenu(page, 'Elman RNN');
  await expect(page.locator('.cw-doc-name')).toContainText('Elman');
  const before = await graphNow(page);
  expect(before.parameters?.['edge:h_h_new']?.shape).toEqual([16, 16]);

  await setSize(page, 'h', 32);
  const notice = page.locator('.cw-notice');
  await expect(notice).toContainText('no longer fits');
  await expect(notice).toContainText('edge:h_h_new');
  await screenshot(page, 'stored-weights-resize-notice.png');
  await notice.getByRole('button', { name: 'Undo' }).click();
  let g = await graphNow(page);
  expect(g.nodes.find((n) => n.id === 'h')).toMatchObject({ size: 16 });
  expect(g.parameters?.['edge:h_h_new']).toEqual(before.parameters?.['edge:h_h_new']);

  // Now for real: the cell and the gate that writes it, 16 → 32.
  await setSize(page, 'h', 32);
  await setSize(page, 'h_new', 32);
  g = await graphNow(page);
  expect(Object.keys(g.parameters ?? {}).sort()).toEqual(['bias:y']);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
});

test('an edge\'s new initializer takes effect (identity × 1.2), and Re-initialize weights covers node, edge and graph', async ({ page }) => {
  await openApp(page);
  await openExampleFromMenu(page, 'Elman RNN');
  const before = await graphNow(page);
  await page.locator('.react-flow__edge[data-id="h_h_new"] .cw-edge-label').click();
  await inspector(page).getByLabel('Initializer').selectOption('identity');
  await expect(page.locator('.cw-notice')).toContainText('starts again from the new initializer');
  const scale = inspector(page).getByRole('spinbutton', { name: 'Scale' });
  await scale.fill('1.2');
  await scale.press('Enter');
  let g = await graphNow(page);
  expect(g.edges.find((e) => e.id === 'h_h_new')).toMatchObject({ init: 'identity', initScale: 1.2 });
  expect(g.parameters?.['edge:h_h_new']).toBeUndefined();
  expect(g.parameters?.['edge:x_h_new']).toEqual(before.parameters?.['edge:x_h_new']);
  await trainingSettled(page);

  // One node: its bias and incoming weights.
  await nodeLocator(page, 'y').click();
  await page.getByRole('button', { name: 'Re-initialize weights' }).click();
  await expect(page.locator('.cw-notice')).toContainText('node "y"');
  g = await graphNow(page);
  expect(g.parameters?.['bias:y']).toBeUndefined();
  expect(g.parameters?.['edge:h_new_y']).toBeUndefined();
  expect(g.parameters?.['bias:h_new']).toEqual(before.parameters?.['bias:h_new']);
  await screenshot(page, 'stored-weights-reinit.png');

  // Nothing selected: the whole graph (Shift+R is the same command).
  await page.keyboard.press('Escape');
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.getByRole('button', { name: 'Re-initialize weights' }).click();
  g = await graphNow(page);
  expect(g.parameters).toBeUndefined();
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  g = await graphNow(page);
  expect(g.parameters?.['bias:h_new']).toEqual(before.parameters?.['bias:h_new']);
});
