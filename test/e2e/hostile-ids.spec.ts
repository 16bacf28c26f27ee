/**
 * A graph whose ids are names every JavaScript object already answers to
 * (`__proto__`, `constructor`, `toString`…) opens, trains and shows its
 * canvas, problems and heatmap like any other; it exports and autosaves with
 * those ids intact.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Graph } from '../../engine/format/types.ts';
import { EXAMPLES_DIR, expect, exportJson, nodeLocator, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

test.use({ trace: 'off' });

const RENAME: Record<string, string> = { x: '__proto__', h: 'constructor', h_new: 'toString', y: 'hasOwnProperty', y_t: 'valueOf', loss: 'isPrototypeOf' };

/** The Elman example with its node and edge ids replaced by Object.prototype's member names. */
function protoGraphFile(): string {
  const g = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'elman.json'), 'utf8')) as Graph;
  const id = (s: string): string => RENAME[s] ?? s;
  const edgeIds = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
  const edgeRename = new Map(g.edges.map((e, i) => [e.id, edgeIds[i]]));
  const graph: Graph = {
    ...g,
    name: 'constructor',
    nodes: g.nodes.map((n) => ({ ...n, id: id(n.id) })),
    edges: g.edges.map((e) => ({ ...e, id: edgeRename.get(e.id)!, source: id(e.source), target: id(e.target) })),
    task: { name: 'adding', length: 12 },
    training: { ...g.training, batch: 8 },
  };
  delete graph.parameters;
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, 'proto-ids.json');
  writeFileSync(file, `${JSON.stringify(graph, null, 2)}\n`);
  return file;
}

test('ids __proto__, constructor, toString: canvas, problems, training and heatmap work; export and autosave keep them', async ({ page }) => {
  test.setTimeout(90_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const file = protoGraphFile();
  await openApp(page);
  await openFile(page, file);
  for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) await expect(nodeLocator(page, id)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('The graph is valid');

  const heatmap = page.getByRole('img', { name: 'Gate activation heatmap' });
  const pixels = (): Promise<string> => heatmap.evaluate((el) => (el as HTMLCanvasElement).toDataURL());
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(async () => Number(await page.getByLabel('Step count').textContent())).toBeGreaterThanOrEqual(1);
  const first = await pixels();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(pixels).not.toBe(first);
  // The gate and the cell carry their heat strips on the canvas.
  await expect(nodeLocator(page, 'toString').locator('canvas')).toHaveCount(1);
  await expect(nodeLocator(page, 'constructor').locator('canvas')).toHaveCount(1);
  await screenshot(page, 'proto-ids-trained.png');
  // The other views of the dock read the same telemetry by id.
  for (const tab of ['Unrolled', 'Prediction', 'Numbers', 'Dynamics']) await page.getByRole('tab', { name: tab, exact: true }).click();
  await page.getByRole('tab', { name: 'Numbers', exact: true }).click();
  await screenshot(page, 'proto-ids-numbers.png');

  const exported = JSON.parse(await exportJson(page)) as Graph;
  expect(exported.nodes.map((n) => n.id)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']);
  expect(exported.edges.map((e) => e.id)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']);
  // The gradient-flow legend names the cell by its id.
  await expect(page.getByText('constructor', { exact: true }).first()).toBeVisible();

  // An edit is autosaved with the ids intact.
  await nodeLocator(page, 'hasOwnProperty').click();
  await page.keyboard.press('Delete');
  const autosaved = (): Promise<Graph | null> => page.evaluate(() => {
    const record = localStorage.getItem('cellwright:autosave');
    return record === null ? null : JSON.parse((JSON.parse(record) as { text: string }).text) as Graph;
  });
  await expect.poll(async () => (await autosaved())?.nodes.length).toBe(5);
  expect((await autosaved())!.nodes.map((n) => n.id)).toEqual(['__proto__', 'constructor', 'toString', 'valueOf', 'isPrototypeOf']);
  expect(errors).toEqual([]);
});

test('a graph whose run needs gigabytes is refused at once with the estimate and where it comes from; the page stays alive', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const g = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'elman.json'), 'utf8')) as Graph;
  for (const n of g.nodes) if (n.id === 'h' || n.id === 'h_new') (n as { size: number }).size = 900_000;
  for (const e of g.edges) if (e.source === 'h' && e.target === 'h_new') e.weight = 'diagonal';
  delete g.parameters;
  const file = path.join(RESULTS, 'huge-run.json');
  writeFileSync(file, JSON.stringify({ ...g, task: { name: 'adding', length: 50 }, training: { ...g.training, batch: 32 } }));
  await openApp(page);
  await openFile(page, file);
  const message = page.getByText(/this run needs about [\d.]+ GB \(T = 50, B = 32 from task and training\.batch/);
  await expect(message).toBeVisible({ timeout: 20_000 });
  await expect(message).toContainText('the largest part is node "h" (size 900000)');
  await expect(nodeLocator(page, 'h_new')).toBeVisible();
  await screenshot(page, 'huge-run-refused.png');
  expect(errors).toEqual([]);
});
