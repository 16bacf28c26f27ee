/**
 * The PyTorch export of graphs with layers (docs/layers.md) against the engine:
 * the layered examples and templates, given initial states of nested cells, a
 * layer that is no standard cell (zoneout), and a reverse layer read by an
 * outer cell. model.py gives the engine's loss, every gradient (parameters and
 * initial states) and every reported value (`l1`, `l1/h`, `bi/reverse/h` …) to
 * 1e-9 in float64 and 1e-6 in float32 (the default); without per-step values
 * (what train.py runs) standard layers run in PyTorch's LSTM/GRU kernel, one
 * call per layer and direction, with the same loss and gradients; and
 * torch.jit.script compiles the module.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTorch } from '../engine/export/torch.ts';
import type { DataFile, Graph, TensorJSON } from '../engine/format/types.ts';
import { importOnnx } from '../engine/import/onnx.ts';
import { dataFromSource } from '../engine/import/tensors.ts';
import { gradReport } from '../engine/grad.ts';
import { stackedLstm } from '../engine/layers/templates.ts';
import { dataFor, hostileLayered, outerCellOnLayers, zoneoutBiGru } from './torch/layered-graphs.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'test/torch/check_layers_export.py');
const SLOW = 300_000;
const TOL64 = 1e-9;
/** float32 parameters against the engine's float64, relative to each tensor's scale. */
const TOL32 = 1e-6;

interface Result {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  missing: string[];
  extra: string[];
  fast: { loss: number; gradients: number; kernels: string[] };
  script: { error?: string; loss: number; values: number };
}

/** kernels: submodules PyTorch's kernel can run; calls: the comment of each kernel call model.py makes (one per run of layers). */
interface Case { name: string; graph: Graph; data: DataFile; dtype: 'float32' | 'float64'; kernels: string[]; calls?: string[] }

const example = (name: string): { graph: Graph; data: DataFile } => ({
  graph: JSON.parse(readFileSync(join(ROOT, `assets/examples/${name}.json`), 'utf8')) as Graph,
  data: JSON.parse(readFileSync(join(ROOT, `assets/examples/${name}.data.json`), 'utf8')) as DataFile,
});

/** An ONNX fixture imported, with a data file from the fixture's own inputs. */
function imported(name: string): { graph: Graph; data: DataFile } {
  const dir = join(ROOT, 'test/fixtures/models');
  const r = importOnnx(new Uint8Array(readFileSync(join(dir, `${name}.onnx`))));
  const f = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { inputs: Record<string, TensorJSON> };
  return { graph: r.graph, data: dataFromSource(r, f.inputs) };
}

function cases(): Case[] {
  const bilstm2 = stackedLstm({ x: 2, h: 3, y: 1, bidirectional: true });
  const zo = zoneoutBiGru();
  const outer = outerCellOnLayers();
  const out: Case[] = [];
  for (const dtype of ['float64', 'float32'] as const) {
    out.push(
      { name: `lstm-2-layer example (${dtype})`, ...example('lstm-2-layer'), dtype, kernels: ['l1', 'l2'], calls: ['nn.LSTM(num_layers=2)'] },
      { name: `gru-bidirectional example (${dtype})`, ...example('gru-bidirectional'), dtype, kernels: ['bi', 'bi_reverse'], calls: ['nn.GRU(num_layers=1, bidirectional=True)'] },
    );
  }
  out.push(
    { name: '2-layer bidirectional LSTM, given initial states', graph: bilstm2, data: dataFor(bilstm2, 5, 2, 5, true), dtype: 'float64', kernels: ['l1', 'l1_reverse', 'l2', 'l2_reverse'], calls: ['nn.LSTM(num_layers=2, bidirectional=True)'] },
    { name: 'bidirectional GRU with zoneout (no kernel), given initial states', graph: zo, data: dataFor(zo, 6, 2, 6, true), dtype: 'float64', kernels: [] },
    { name: 'reverse second layer and an outer cell, given initial states', graph: outer, data: dataFor(outer, 6, 3, 7, true), dtype: 'float64', kernels: ['l1', 'l2'], calls: ['nn.LSTM(num_layers=1)'] },
    // Hostile ids in the outer graph and in every nested graph (quotes, line breaks, __import__ calls).
    { name: 'hostile ids, 2-layer bidirectional LSTM', ...hostileLayered(bilstm2, dataFor(bilstm2, 4, 2, 8, false)), dtype: 'float64', kernels: [], calls: ['nn.LSTM(num_layers=2, bidirectional=True)'] },
    // An imported bidirectional LSTM with sequence_lens: its layer has two ports (x and the length mask).
    { name: 'imported bidirectional LSTM with sequence_lens (two ports)', ...imported('lstm_bidirectional_sequence_lens'), dtype: 'float64', kernels: [] },
  );
  return out;
}

const available = hasTorch();
if (!available && !mustRun()) {
  console.warn(`skipping the layered export checks: ${TORCH_HINT}`);
  it.skip(`PyTorch export of layers: ${TORCH_HINT}`, () => {});
}

describe.runIf(available || mustRun())('PyTorch export of graphs with layers equals the engine', () => {
  const all = cases();
  let dir = '';
  let results: Record<string, Result> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-layers-export-'));
    const list = all.map((c, i) => {
      const folder = join(dir, String(i));
      mkdirSync(folder);
      const { files } = exportTorch(c.graph, { dtype: c.dtype });
      // The layers PyTorch's kernel runs, in as few calls as nn.LSTM / nn.GRU would make.
      expect([...files['model.py'].matchAll(/one call of PyTorch's \w+ kernel, as (nn\.\w+\([^)]*\))/g)].map((m) => m[1]), c.name).toEqual(c.calls ?? []);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
      writeFileSync(join(folder, 'data.json'), JSON.stringify(c.data));
      writeFileSync(join(folder, 'report.json'), JSON.stringify(gradReport(c.graph, c.data, { dtype: 'float64' })));
      return { name: c.name, dir: folder, data: join(folder, 'data.json'), report: join(folder, 'report.json') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([SCRIPT, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`check_layers_export.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hostile ids are data: running the hostile model.py made no PWNED file', () => {
    for (const where of [ROOT, dir, ...readdirSync(dir).map((d) => join(dir, d)).filter((d) => !d.endsWith('.json'))]) expect(readdirSync(where)).not.toContain('PWNED');
    expect(results['hostile ids, 2-layer bidirectional LSTM']?.error).toBeUndefined();
  });

  it.each(all.map((c) => [c.name]))('%s: loss, every gradient and every reported value; the kernel path; TorchScript', (name) => {
    const r = results[name];
    const c = all.find((x) => x.name === name)!;
    const TOL = c.dtype === 'float32' ? TOL32 : TOL64;
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
    const report = gradReport(c.graph, c.data);
    expect(Object.keys(r.gradients).sort()).toEqual(Object.keys(report.gradients).sort());
    expect(Object.keys(r.values).sort()).toEqual(Object.keys(report.values).sort());
    expect(Object.keys(r.values).some((k) => k.includes('/'))).toBe(true);
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
    if (!name.startsWith('hostile')) expect(r.fast.kernels.sort()).toEqual([...c.kernels].sort());
    expect(r.fast.loss).toBeLessThanOrEqual(TOL);
    expect(r.fast.gradients).toBeLessThanOrEqual(TOL);
    expect(r.script.error, r.script.error).toBeUndefined();
    expect(r.script.loss).toBeLessThanOrEqual(1e-12);
    expect(r.script.values).toBeLessThanOrEqual(1e-12);
  });
});

describe.runIf(available || mustRun())('train.py trains an exported graph with layers', () => {
  it('the bidirectional GRU example: 20 steps of train.py; the engine\'s loss of its graph file on its evaluation data is the final loss it printed', { timeout: SLOW }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-torch-layers-train-'));
    try {
      const { files } = exportTorch(example('gru-bidirectional').graph);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const r = runPython(['train.py', '--steps', '20', '--dtype', 'float64', '--summary', 'summary.json'], { cwd: dir });
      expect(r.status, describeRun(r)).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { losses: number[]; final_loss: number; eval_data: string; out: string };
      expect(summary.losses.at(-1)!).toBeLessThan(summary.losses[0]);
      const trained = JSON.parse(readFileSync(join(dir, 'trained.json'), 'utf8')) as Graph;
      expect(Object.keys(trained.parameters!)).toEqual(expect.arrayContaining(['layer:bi/edge:x_r', 'layer:bi/reverse/edge:x_r']));
      const data = JSON.parse(readFileSync(summary.eval_data, 'utf8')) as DataFile;
      const engine = gradReport(trained, data).loss;
      expect(Math.abs(engine - summary.final_loss) / Math.abs(engine)).toBeLessThan(1e-9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
