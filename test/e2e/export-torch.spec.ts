/**
 * File → Export → PyTorch from the editor: a zip holding the exported folder,
 * whose model.py and params.json are the engine's exporter output for the
 * graph on the canvas.
 */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import path from 'node:path';
import { EXAMPLES_DIR, expect, openApp, test } from './fixtures.ts';

test('Export PyTorch saves a zip with model.py, params.json and train.py for the graph on the canvas', async ({ page }) => {
  await openApp(page, 'example=gru');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PyTorch' }).click()]);
  expect(dl.suggestedFilename()).toMatch(/-torch\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(await dl.path())));
  const names = Object.keys(files).map((n) => n.replace(/^[^/]+\//, '')).sort();
  expect(names).toEqual(expect.arrayContaining(['README.md', 'graph.json', 'model.py', 'params.json', 'train.py']));
  const model = strFromU8(files[Object.keys(files).find((n) => n.endsWith('/model.py'))!]);
  expect(model).toContain('class ');
  expect(model).toContain('nn.Parameter');
  const params = JSON.parse(strFromU8(files[Object.keys(files).find((n) => n.endsWith('/params.json'))!])) as Record<string, unknown>;
  const graph = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'gru.json'), 'utf8')) as { parameters: Record<string, { data: number[] }> };
  // The export starts from exactly the graph's parameters.
  expect(JSON.stringify(params)).toContain(String(graph.parameters['edge:h_z'].data[0]));
});

test('Export PyTorch of a graph with layers (the 2-layer LSTM): model.py has a submodule per layer, params.json the namespaced keys', async ({ page }) => {
  await openApp(page, 'example=lstm-2-layer');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PyTorch' }).click()]);
  const files = unzipSync(new Uint8Array(readFileSync(await dl.path())));
  const model = strFromU8(files[Object.keys(files).find((n) => n.endsWith('/model.py'))!]);
  expect(model).toContain('class Layer_l1(nn.Module)');
  expect(model).toContain('class Layer_l2(nn.Module)');
  const params = JSON.parse(strFromU8(files[Object.keys(files).find((n) => n.endsWith('/params.json'))!])) as Record<string, unknown>;
  expect(Object.keys(params)).toEqual(expect.arrayContaining(['layer:l1/edge:x_i', 'layer:l2/edge:h_o']));
  await expect(page.getByText(/Exported .*-torch\.zip: unzip it/)).toBeVisible();
  await page.screenshot({ path: 'test-results/export-torch-layers.png' });
});
