/**
 * The registry against PyTorch's autograd (issue 15), generated from the
 * registries: (1) every activation's value and derivative at ordinary points
 * and at its kinks (relu at 0, hardtanh at ±1, …) equal torch's to 1e-12;
 * (2) every primitive case of engine/testing/primitive-cases.ts — each
 * activation, op, loss (target port reading a node too), weight kind, tied
 * edges, zoneout — exported with engine/export/torch-model.ts gives the
 * engine's loss, gradients, per-step values and gradient norms to 1e-9 in
 * float64. No skips under CI=true.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../engine/compile.ts';
import { exportTorch } from '../engine/export/torch.ts';
import { gradReport } from '../engine/grad.ts';
import { activation, activationNames } from '../engine/ops/activations.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { primitiveCases } from '../engine/testing/primitive-cases.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CHECK = join(ROOT, 'test/torch/check_export.py');
const POINTS = join(ROOT, 'test/torch/activation_points.py');
const TOL = 1e-9;
const SLOW = 300_000;

const available = hasTorch();
const run = available || mustRun();

if (!run) {
  console.warn(`skipping the registry's PyTorch checks: ${TORCH_HINT}`);
  it.skip(`registry PyTorch checks: ${TORCH_HINT}`, () => {});
}

interface CaseResult {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  gradNorms: Record<string, number>;
  missing: string[];
  extra: string[];
}

/** The case's graph with generic parameters written in (biases and shifts off zero, gains off one). */
function withParameters(c: ReturnType<typeof primitiveCases>[number]) {
  const program = compile(c.graph);
  const theta = createParams(program.layout, undefined, { seed: 11, dtype: 'float64' });
  for (const e of program.layout.entries) {
    if (e.kind === 'bias' || e.kind === 'shift' || e.kind === 'gain') for (let i = 0; i < e.length; i++) theta[e.offset + i] += 0.1 * Math.sin(3 * i + e.offset);
  }
  return { ...c.graph, parameters: exportParams(program.layout, theta) };
}

describe.runIf(run)('every registered primitive against PyTorch autograd (float64)', () => {
  let dir = '';
  const cases = primitiveCases().map((c) => ({ ...c, graph: withParameters(c) }));
  let results: Record<string, CaseResult> = {};
  let points: Record<string, { y: number[]; dy: number[] }> = {};
  const pointsOf = (name: string): number[] => [...new Set([-2.7, -0.9, -0.3, 0.2, 0.8, 2.2, ...(activation(name).def.kinks ?? [])])];

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-registry-'));
    const helpers = new Map<string, string>();
    const acts = activationNames().map((name) => {
      const def = activation(name).def;
      for (const [k, v] of Object.entries(def.torchHelpers ?? {})) helpers.set(k, v);
      return { name, expr: def.torch('x'), points: pointsOf(name) };
    });
    writeFileSync(join(dir, 'points.json'), JSON.stringify({ helpers: [...helpers.values()].join('\n\n'), activations: acts }));
    const p = runPython([POINTS, join(dir, 'points.json')]);
    if (p.status !== 0) throw new Error(`activation_points.py failed: ${describeRun(p)}`);
    points = JSON.parse(p.stdout) as typeof points;

    const list = cases.map((c, i) => {
      const folder = join(dir, `case${i}`);
      mkdirSync(folder);
      const { files } = exportTorch(c.graph, { seed: 1, dtype: 'float64' });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
      writeFileSync(join(folder, 'data.json'), JSON.stringify(c.data));
      writeFileSync(join(folder, 'report.json'), JSON.stringify(gradReport(c.graph, c.data, { seed: 1, dtype: 'float64' })));
      return { name: c.name, dir: folder, data: join(folder, 'data.json'), report: join(folder, 'report.json') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([CHECK, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`check_export.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, CaseResult>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(activationNames().map((n) => [n]))('activation %s: value and derivative = torch autograd, kinks included', (name) => {
    const r = points[name];
    expect(r, `no result for ${name}`).toBeDefined();
    const a = activation(name);
    pointsOf(name).forEach((z, i) => {
      const y = a.f(z);
      const d = a.def.df(z, y);
      expect(Math.abs(y - r.y[i]), `${name}(${z}): engine ${y}, torch ${r.y[i]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
      expect(Math.abs(d - r.dy[i]), `${name}′(${z}): engine ${d}, torch ${r.dy[i]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(d)));
    });
  });

  it.each(cases.map((c) => [c.name]))('%s: exported model = engine (loss, gradients, values, gradient norms)', (name) => {
    const r = results[name];
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    const c = cases.find((x) => x.name === name)!;
    expect(Object.keys(r.gradients).sort()).toEqual(Object.keys(gradReport(c.graph, c.data, { seed: 1 }).gradients).sort());
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.gradNorms)) expect(e, `gradNorms ${k}`).toBeLessThanOrEqual(TOL);
  });
});
