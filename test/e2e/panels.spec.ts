/**
 * Panels fail alone: a panel that throws is replaced by what failed and a
 * "Reload this panel" button; the rest of the editor and the document stay.
 * The failure is injected with the `?test-hooks&fail-panel=<name>` hook.
 */
import { expect, nodeLocator, openApp, test } from './fixtures.ts';

test('a failing inspector shows what failed, the canvas keeps working, reload recovers it', async ({ page }) => {
  await openApp(page, 'test-hooks&fail-panel=Inspector');
  const failed = page.getByRole('alert', { name: 'Inspector failed' });
  await expect(failed).toContainText('The Inspector panel stopped working');
  await expect(failed).toContainText('test failure injected into Inspector');
  // The rest is alive: the canvas has the graph, the charts are there, the toolbar answers.
  await expect(nodeLocator(page, 'c')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Training charts' })).toBeVisible();
  await expect(page.locator('.cw-doc-name')).toContainText('LSTM');
  await failed.getByRole('button', { name: 'Reload this panel' }).click();
  await expect(failed).toHaveCount(0);
  await nodeLocator(page, 'c').click();
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText('Cell');
});

test('a failing canvas keeps the document: the inspector still edits it and reload brings the graph back', async ({ page }) => {
  await openApp(page, 'empty&test-hooks&fail-panel=Canvas');
  const failed = page.getByRole('alert', { name: 'Canvas failed' });
  await expect(failed).toContainText('test failure injected into Canvas');
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  const name = page.getByLabel('Graph name');
  await name.fill('Kept while the canvas failed');
  await name.press('Enter');
  await failed.getByRole('button', { name: 'Reload this panel' }).click();
  await expect(failed).toHaveCount(0);
  await expect(page.locator('.react-flow__pane')).toBeVisible();
  await expect(page.locator('.cw-doc-name')).toContainText('Kept while the canvas failed');
});

test('a failing chart leaves the other charts drawn', async ({ page }) => {
  await openApp(page, 'test-hooks&fail-panel=Gradient flow');
  await expect(page.getByRole('alert', { name: 'Gradient flow failed' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Loss and metric' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Gate activations' })).toBeVisible();
});

test('panes collapse and resize, and the layout is still there after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openApp(page);
  await page.getByRole('button', { name: 'Hide the Blocks panel' }).click();
  await expect(page.getByRole('button', { name: 'Input', exact: true })).toHaveCount(0);
  const charts = page.getByRole('separator', { name: 'Charts height' });
  const before = Number(await charts.getAttribute('aria-valuenow'));
  await charts.focus();
  await charts.press('ArrowUp');
  await charts.press('ArrowUp');
  await expect(charts).toHaveAttribute('aria-valuenow', String(before + 32));
  const dock = await page.getByRole('region', { name: 'Training charts' }).boundingBox();
  expect(Math.round(dock!.height)).toBe(before + 32);
  await page.reload();
  await expect(page.getByRole('toolbar', { name: 'Toolbar' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Show the Blocks panel' })).toBeVisible();
  await expect(page.getByRole('separator', { name: 'Charts height' })).toHaveAttribute('aria-valuenow', String(before + 32));
  await page.getByRole('button', { name: 'Show the Blocks panel' }).click();
  await expect(page.getByRole('button', { name: 'Input', exact: true })).toBeVisible();
});
