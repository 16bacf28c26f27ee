/**
 * Editing behaviour a person relies on: algebraic loops shown on the nodes
 * that form them, connections refused with a reason, templates pasted with
 * renamed ids, files that are not graphs refused without harm.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Graph } from '../../engine/format/types.ts';
import { connect, download, dragFromPalette, EXAMPLES_DIR, expect, exportJson, nodeLocator, openApp, openFile, RESULTS, screenshot, SCREENSHOTS, test } from './fixtures.ts';

test('an algebraic loop is reported and drawn on the nodes that form it', async ({ page }) => {
  await openApp(page, 'empty');
  await dragFromPalette(page, 'Input', { x: 120, y: 260 });
  await dragFromPalette(page, 'Gate', { x: 360, y: 180 });
  await dragFromPalette(page, 'Gate', { x: 360, y: 380 });
  await dragFromPalette(page, 'Gate', { x: 620, y: 260 });
  await connect(page, 'x', 'g1');
  await connect(page, 'g1', 'g2');
  await connect(page, 'g2', 'g1');
  await connect(page, 'g2', 'g3');

  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).toContainText(/algebraic loop/i);
  await expect(nodeLocator(page, 'g1').locator('.cw-node')).toHaveClass(/in-loop/);
  await expect(nodeLocator(page, 'g2').locator('.cw-node')).toHaveClass(/in-loop/);
  await expect(nodeLocator(page, 'g3').locator('.cw-node')).not.toHaveClass(/in-loop/);
  await expect(nodeLocator(page, 'x').locator('.cw-node')).not.toHaveClass(/in-loop/);

  // Clicking the problem selects the loop's nodes.
  await problems.getByRole('button', { name: /algebraic loop/i }).click();
  await expect(nodeLocator(page, 'g1')).toHaveClass(/selected/);

  // Routing the loop through a cell makes it legal: delete g2 → g1, go through a cell.
  await dragFromPalette(page, 'Cell', { x: 120, y: 460 });
  await connect(page, 'g2', 'h');
  await connect(page, 'h', 'g1');
  await page.locator('.react-flow__edge[data-id="e_g2_g1"] .cw-edge-label').click();
  await page.keyboard.press('Delete');
  await expect(problems).not.toContainText(/algebraic loop/i);
  await expect(nodeLocator(page, 'g1').locator('.cw-node')).not.toHaveClass(/in-loop/);
});

test('impossible connections are refused at the drop with the reason', async ({ page }) => {
  await openApp(page, 'empty');
  await dragFromPalette(page, 'Target', { x: 140, y: 220 });
  await dragFromPalette(page, 'Gate', { x: 420, y: 220 });
  await dragFromPalette(page, 'Input', { x: 140, y: 420 });
  await dragFromPalette(page, 'Loss', { x: 680, y: 300 });
  await connect(page, 'y', 'g1');
  await expect(page.getByRole('alert')).toContainText('A target can only feed a loss');
  await connect(page, 'g1', 'x');
  await expect(page.getByRole('alert')).toContainText('An input takes no edges');
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  // The same target into the loss's target port is fine.
  await connect(page, 'y', 'loss', 'target');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
});

test('a pasted template gets renamed ids and keeps its internal edges', async ({ page }) => {
  await openApp(page, 'empty');
  await dragFromPalette(page, 'GRU', { x: 300, y: 300 });
  const first = JSON.parse(await exportJson(page)) as Graph;
  const template = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'gru.json'), 'utf8')) as Graph;
  expect(first.nodes.map((n) => n.id)).toEqual(template.nodes.map((n) => n.id));

  // The inserted group is selected: copy and paste it.
  await page.locator('.react-flow__pane').focus();
  await page.keyboard.press('Control+C');
  await page.keyboard.press('Control+V');
  const both = JSON.parse(await exportJson(page)) as Graph;
  expect(both.nodes).toHaveLength(2 * template.nodes.length);
  expect(both.edges).toHaveLength(2 * template.edges.length);
  const ids = new Set(both.nodes.map((n) => n.id));
  expect(ids.size).toBe(both.nodes.length);
  for (const node of template.nodes) expect(ids.has(`${node.id}_2`), `${node.id}_2`).toBe(true);
  // Every copied edge joins two copied nodes, mirroring the original edge.
  for (const edge of template.edges) {
    expect(both.edges.some((e) => e.source === `${edge.source}_2` && e.target === `${edge.target}_2`), `${edge.source}_2 → ${edge.target}_2`).toBe(true);
  }
  await expect(nodeLocator(page, `${template.nodes[0].id}_2`)).toBeVisible();
  // Learned parameters travel with their renamed owners.
  for (const key of Object.keys(template.parameters ?? {})) {
    const [prefix, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    const original = template.edges.find((e) => e.id === id);
    const renamed = prefix === 'edge'
      ? both.edges.find((e) => e.source === `${original?.source}_2` && e.target === `${original?.target}_2`)?.id
      : `${id}_2`;
    expect(both.parameters?.[`${prefix}:${renamed}`], `${prefix}:${renamed}`).toEqual(template.parameters![key]);
  }
  await expect(page.getByRole('region', { name: 'Problems' })).not.toContainText('duplicate');
});

test('a file that is not a graph is refused with a clear message and changes nothing', async ({ page }) => {
  await openApp(page);
  const before = await exportJson(page);
  mkdirSync(RESULTS, { recursive: true });
  const bogus = path.join(RESULTS, 'not-a-graph.json');
  writeFileSync(bogus, '{"hello": "world"}');
  await openFile(page, bogus);
  await expect(page.getByRole('alert')).toContainText('not-a-graph.json was not opened');
  expect(await exportJson(page)).toBe(before);
});

test('an LSTM with a validation error shows it on the node and in the list', async ({ page }) => {
  await openApp(page);
  await nodeLocator(page, 'f').click();
  const size = page.getByRole('region', { name: 'Inspector' }).getByLabel('Size', { exact: true });
  await size.fill('4');
  await size.press('Enter');
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('fc');
  await expect(nodeLocator(page, 'fc').locator('.cw-round')).toHaveClass(/has-error/);
  await screenshot(page, 'lstm-validation-error.png');
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('none');
});

test('dark theme', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await nodeLocator(page, 'c').click();
  await screenshot(page, 'dark-theme.png');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(page.getByRole('dialog')).toContainText('Undo');
  await screenshot(page, 'shortcuts-dark.png');
});

test('a template collapses into one box with its outside ports and expands again', async ({ page }) => {
  await openApp(page, 'empty');
  await dragFromPalette(page, 'Input', { x: 110, y: 420 });
  await dragFromPalette(page, 'IRNN', { x: 420, y: 300 });
  // Feed the template's cell update from outside so the box has an input port.
  const before = JSON.parse(await exportJson(page)) as Graph & { groups?: Record<string, { name: string }> };
  const group = before.nodes.find((n) => n.id !== 'x')?.group as string;
  expect(before.groups?.[group]?.name).toBe('IRNN');
  const gate = before.nodes.find((n) => n.group === group && n.kind === 'gate')!;
  await page.keyboard.press('Escape');
  await connect(page, 'x', gate.id);
  await page.getByRole('button', { name: 'Collapse IRNN' }).click();
  const box = page.locator(`.react-flow__node[data-id="group:${group}"]`);
  await expect(box).toContainText('IRNN');
  await expect(box).toContainText(gate.id);
  await expect(nodeLocator(page, gate.id)).toHaveCount(0);
  // The edge from x now ends on the box.
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  // Moving the box moves every member; it is one undo entry.
  const b = (await box.boundingBox())!;
  await page.mouse.move(b.x + 40, b.y + 12);
  await page.mouse.down();
  await page.mouse.move(b.x + 140, b.y + 72, { steps: 10 });
  await page.mouse.up();
  const moved = JSON.parse(await exportJson(page)) as Graph;
  const dx = moved.nodes.find((n) => n.id === gate.id)!.position!.x - gate.position!.x;
  expect(dx).toBeGreaterThan(50);
  for (const node of moved.nodes.filter((n) => n.group === group)) {
    expect(node.position!.x - before.nodes.find((n) => n.id === node.id)!.position!.x).toBe(dx);
  }
  await box.getByRole('button', { name: 'Expand IRNN' }).click();
  await expect(nodeLocator(page, gate.id)).toBeVisible();
  await page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' }).click();
  expect((JSON.parse(await exportJson(page)) as Graph).nodes.find((n) => n.id === gate.id)!.position).toEqual(gate.position);
});

test('the canvas exports as PNG and SVG', async ({ page }) => {
  await openApp(page);
  const png = await download(page, () => page.getByRole('button', { name: 'Export PNG' }).click());
  expect(png.download.suggestedFilename()).toMatch(/\.png$/);
  const bytes = readFileSync(await png.download.path());
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(bytes.length).toBeGreaterThan(10_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, 'export-lstm.png'), bytes);
  const svg = await download(page, () => page.getByRole('button', { name: 'Export SVG' }).click());
  expect(svg.download.suggestedFilename()).toMatch(/\.svg$/);
  expect(svg.text).toContain('<svg');
  for (const text of ['forget', 'candidate', 'readout', 'memory']) expect(svg.text).toContain(text);
  expect((svg.text.match(/<path d=/g) ?? []).length).toBeGreaterThanOrEqual(22);
});

test('closing with unsaved changes asks first', async ({ page }) => {
  await openApp(page);
  await nodeLocator(page, 'f').click();
  await page.keyboard.press('Delete');
  await expect(page.locator('.cw-dirty')).toBeVisible();
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  expect((await dialog).type()).toBe('beforeunload');
});
