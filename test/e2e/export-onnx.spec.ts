/**
 * Export ONNX from the editor: the toolbar button downloads `<graph>.onnx`,
 * and the downloaded bytes run in onnxruntime (the npm wasm build, here in
 * the test's Node process) to the engine's numbers on the example's own data.
 * A graph the exporter refuses says why, naming the node.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ortInputNames, runOrt } from '../onnx-runtime.ts';
import type { DataFile, Graph, TensorJSON } from '../../engine/format/types.ts';
import { runGraph } from '../../engine/grad.ts';
import { valuesInOriginalOrder } from '../../engine/import/tensors.ts';
import { EXAMPLES_DIR, expect, exportJson, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

/** onnxruntime computes in float32, the engine in float64 (on the same float32-rounded data). */
const TOL = 1e-5;

/** Clicks Export ONNX and the dialog's Export (ticking "Initial states as inputs" when `initial` holds); returns the download's name and bytes. */
async function clickExportOnnx(page: Page, initial = false): Promise<{ name: string; bytes: Uint8Array }> {
  await page.getByRole('button', { name: 'Export ONNX' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export ONNX' });
  if (initial) await dialog.getByRole('checkbox', { name: /Initial states as inputs/ }).check();
  if (initial) await screenshot(page, 'export-onnx-dialog.png');
  const [dl] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()]);
  await expect(dialog).toBeHidden();
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(readFileSync(await dl.path())) };
}

/** Runs the model in onnxruntime and `graph` in the engine on the example's data (and, with `initial`, initial states fed as `<cell>.initial`). */
async function compareWithEngine(bytes: Uint8Array, graph: Graph, file: string, initial = false): Promise<{ outputs: string[]; inputs: string[]; worst: number }> {
  const data = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${file}.data.json`), 'utf8')) as DataFile;
  const feeds: Record<string, TensorJSON> = { ...data.inputs };
  if (initial) {
    // Each cell's state at t = 0, fed as `<cell>.initial`: values the graph's own initial state (zeros) is not.
    data.initialStates = {};
    const B = Object.values(data.inputs)[0].shape[1];
    for (const n of graph.nodes.filter((m) => m.kind === 'cell')) {
      const size = n.size as number;
      const t = { shape: [B, size], data: Array.from({ length: B * size }, (_, i) => Math.sin(i + 1) / 2) };
      data.initialStates[n.id] = t;
      feeds[`${n.id}.initial`] = t;
    }
  }
  // The runtime computes in float32: give the engine the same float32-rounded numbers.
  for (const t of [...Object.values(feeds), ...Object.values(data.targets ?? {})]) t.data = Array.from(Float32Array.from(t.data));
  const inputs = await ortInputNames(bytes);
  const got = await runOrt(bytes, feeds);
  const values = valuesInOriginalOrder(graph, runGraph(graph, data, { dtype: 'float64' }).values);
  const outputs = Object.keys(got).sort();
  expect(outputs.length).toBeGreaterThan(0);
  let worst = 0;
  for (const id of outputs) {
    expect(got[id].shape).toEqual(values[id].shape);
    got[id].data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - values[id].data[i]) / (1 + Math.abs(values[id].data[i]))); });
  }
  return { outputs, inputs, worst };
}

const exampleGraph = (file: string): Graph => JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${file}.json`), 'utf8')) as Graph;

/** Opens the example, exports ONNX and compares the download with the example file's graph in the engine. */
async function exportAndCompare(page: Page, example: string, file: string, initial = false): Promise<{ outputs: string[]; inputs: string[]; worst: number }> {
  await openApp(page, `example=${example}`);
  const { name, bytes } = await clickExportOnnx(page, initial);
  const graph = exampleGraph(file);
  // Named after the graph, as Save names an unsaved graph ("2-layer LSTM" → 2-layer-lstm.onnx).
  expect(name).toBe(`${(graph.name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-')}.onnx`);
  await expect(page.getByText(`Exported ${name}:`)).toBeVisible();
  return compareWithEngine(bytes, graph, file, initial);
}

test('Export ONNX downloads <graph>.onnx that onnxruntime runs to the engine\'s outputs (LayerNorm LSTM, a Scan over the step)', async ({ page }) => {
  const { inputs, outputs, worst } = await exportAndCompare(page, 'layernorm-lstm', 'layernorm-lstm');
  // The input by id; the initial states are inside the model (the checkbox is off by default).
  expect(inputs).toEqual(['x']);
  // Every loss's prediction and every cell, as the CLI's default.
  expect(outputs).toEqual(expect.arrayContaining(['h', 'c']));
  expect(worst).toBeLessThan(TOL);
  await screenshot(page, 'export-onnx-toolbar.png');
});

test('Export ONNX with "Initial states as inputs": the model takes h.initial and c.initial and computes from them what the engine does', async ({ page }) => {
  const { inputs, worst } = await exportAndCompare(page, 'layernorm-lstm', 'layernorm-lstm', true);
  expect(inputs).toEqual(['c.initial', 'h.initial', 'x']);
  expect(worst).toBeLessThan(TOL);
});

test('Export ONNX of a standard peephole LSTM (the fused ONNX LSTM op) runs in onnxruntime to the engine\'s outputs', async ({ page }) => {
  const { outputs, worst } = await exportAndCompare(page, 'peephole-lstm', 'peephole-lstm');
  expect(outputs).toEqual(['h', 'y']);
  expect(worst).toBeLessThan(TOL);
});

test('Export ONNX of a graph with layers (the 2-layer LSTM) runs in onnxruntime to the engine\'s outputs', async ({ page }) => {
  const { outputs, worst } = await exportAndCompare(page, 'lstm-2-layer', 'lstm-2-layer');
  expect(outputs.some((id) => id.startsWith('l2'))).toBe(true);
  expect(worst).toBeLessThan(TOL);
});

test('Export ONNX after training (with weights ticked) writes the trained weights: the model computes what the trained graph does, not the file\'s', async ({ page }) => {
  await openApp(page, 'example=elman');
  for (let i = 1; i <= 5; i++) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(page.getByLabel('Step count')).toHaveText(String(i));
  }
  const { bytes } = await clickExportOnnx(page);
  const trained = JSON.parse(await exportJson(page)) as Graph;
  expect((await compareWithEngine(bytes, trained, 'elman')).worst).toBeLessThan(TOL);
  expect((await compareWithEngine(bytes, exampleGraph('elman'), 'elman')).worst).toBeGreaterThan(1e-4);
});

test('Export ONNX of a graph the exporter refuses names the node and downloads nothing', async ({ page }) => {
  const g = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'elman.json'), 'utf8')) as Graph;
  const bad = 'h\u0000bad';
  const graph: Graph = {
    ...g,
    nodes: g.nodes.map((n) => (n.id === 'h' ? { ...n, id: bad } : n)),
    edges: g.edges.map((e) => ({ ...e, source: e.source === 'h' ? bad : e.source, target: e.target === 'h' ? bad : e.target })),
  };
  delete graph.parameters;
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, 'nul-id.json');
  writeFileSync(file, `${JSON.stringify(graph, null, 2)}\n`);
  await openApp(page);
  await openFile(page, file);
  let downloaded = false;
  page.on('download', () => { downloaded = true; });
  await page.getByRole('button', { name: 'Export ONNX' }).click();
  await page.getByRole('dialog', { name: 'Export ONNX' }).getByRole('button', { name: 'Export', exact: true }).click();
  const error = page.getByText(/Not exported to ONNX: the id "h\\u0000bad" holds a NUL character/);
  await expect(error).toBeVisible();
  await expect(error).toContainText('rename the node');
  expect(downloaded).toBe(false);
  await screenshot(page, 'export-onnx-refused.png');
});
