/**
 * Export ONNX from the editor: the toolbar button downloads `<graph>.onnx`,
 * and the downloaded bytes run in onnxruntime (the npm wasm build, here in
 * the test's Node process) to the engine's numbers on the example's own data.
 * A graph the exporter refuses says why, naming the node.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { DataFile, Graph, TensorJSON } from '../../engine/format/types.ts';
import { runGraph } from '../../engine/grad.ts';
import { valuesInOriginalOrder } from '../../engine/import/tensors.ts';
import { EXAMPLES_DIR, expect, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

/** onnxruntime computes in float32, the engine in float64 (on the same float32-rounded data). */
const TOL = 1e-5;

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

async function runOrt(bytes: Uint8Array, feeds: Record<string, TensorJSON>): Promise<Record<string, TensorJSON>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
  const r = await session.run(f);
  await session.release();
  const out: Record<string, TensorJSON> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { shape: [...v.dims], data: Array.from(v.data as Float32Array) };
  return out;
}

/** Opens the example, clicks Export ONNX, runs the download in onnxruntime and the file's graph in the engine on the example's data. */
async function exportAndCompare(page: import('@playwright/test').Page, example: string, file: string): Promise<{ outputs: string[]; worst: number }> {
  await openApp(page, `example=${example}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export ONNX' }).click()]);
  const graph = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${file}.json`), 'utf8')) as Graph;
  // Named after the graph, as Save names an unsaved graph ("2-layer LSTM" → 2-layer-lstm.onnx).
  const name = `${(graph.name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-')}.onnx`;
  expect(dl.suggestedFilename()).toBe(name);
  const bytes = new Uint8Array(readFileSync(await dl.path()));
  const data = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${file}.data.json`), 'utf8')) as DataFile;
  // The runtime computes in float32: give the engine the same float32-rounded numbers.
  for (const t of [...Object.values(data.inputs), ...Object.values(data.targets ?? {})]) t.data = Array.from(Float32Array.from(t.data));
  const got = await runOrt(bytes, data.inputs);
  const values = valuesInOriginalOrder(graph, runGraph(graph, data, { dtype: 'float64' }).values);
  const outputs = Object.keys(got).sort();
  let worst = 0;
  for (const id of outputs) {
    expect(got[id].shape).toEqual(values[id].shape);
    got[id].data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - values[id].data[i]) / (1 + Math.abs(values[id].data[i]))); });
  }
  await expect(page.getByText(`Exported ${name}:`)).toBeVisible();
  return { outputs, worst };
}

test('Export ONNX downloads <graph>.onnx that onnxruntime runs to the engine\'s outputs (LayerNorm LSTM, a Scan over the step)', async ({ page }) => {
  const { outputs, worst } = await exportAndCompare(page, 'layernorm-lstm', 'layernorm-lstm');
  // Every loss's prediction and every cell, as the CLI's default.
  expect(outputs).toEqual(expect.arrayContaining(['h', 'c']));
  expect(worst).toBeLessThan(TOL);
  await screenshot(page, 'export-onnx-toolbar.png');
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
  const error = page.getByText(/Not exported to ONNX: the id "h\\u0000bad" holds a NUL character/);
  await expect(error).toBeVisible();
  await expect(error).toContainText('rename the node');
  expect(downloaded).toBe(false);
  await screenshot(page, 'export-onnx-refused.png');
});
