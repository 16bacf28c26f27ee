import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import { batchFromData } from '../batch.ts';
import type { Program } from '../compile.ts';
import { compile } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { gradReport } from '../grad.ts';
import { createParams } from '../params.ts';
import { Session } from '../runtime.ts';
import type { ProbeError } from './connectivity.ts';
import { lossByStep } from './connectivity.ts';
import { explainGradient, spectralNorm } from './gradient-paths.ts';
import { sequenceOf } from './run-probe.ts';

const at = { x: 0, y: 0 };

/** h_t = act(w·h_{t−1} + x_t) (scalar weight w), readout y = h_new, mse on every step. */
function scalarCell(w: number, activation: 'identity' | 'tanh'): Graph {
  return {
    format: 'cellwright-graph', version: 1,
    nodes: [
      { id: 'x', kind: 'input', size: 1, position: at },
      { id: 'h', kind: 'cell', size: 1, position: at },
      { id: 'h_new', kind: 'gate', size: 1, activation, bias: false, position: at },
      { id: 'y_t', kind: 'target', size: 1, position: at },
      { id: 'loss', kind: 'loss', loss: 'mse', position: at },
    ],
    edges: [
      { id: 'x_h', source: 'x', target: 'h_new', weight: 'identity' },
      { id: 'h_h', source: 'h', target: 'h_new', weight: 'scalar' },
      { id: 'h_new_h', source: 'h_new', target: 'h' },
      { id: 'p', source: 'h_new', target: 'loss', port: 'prediction' },
      { id: 'q', source: 'y_t', target: 'loss', port: 'target' },
    ],
    parameters: { 'edge:h_h': { shape: [1], data: [w] } },
  } as Graph;
}

function noise(T: number, seed = 3): DataFile {
  let s = seed;
  const r = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s / 2 ** 32) * 2 - 1; };
  return {
    inputs: { x: { shape: [T, 1, 1], data: Array.from({ length: T }, r) } },
    targets: { y_t: { shape: [T, 1, 1], data: Array.from({ length: T }, r) } },
  };
}

function setup(g: Graph, d: DataFile, b = 0): { program: Program; theta: Float64Array; batch: Batch } {
  const program = compile(g);
  const theta = createParams(program.layout, g.parameters, { seed: 7, dtype: 'float64' }) as Float64Array;
  return { program, theta, batch: sequenceOf(batchFromData(d, 'float64'), b) };
}

function example(name: string): { g: Graph; d: DataFile } {
  const dir = new URL('../../assets/examples/', import.meta.url);
  return { g: JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Graph, d: JSON.parse(readFileSync(new URL(`${name}.data.json`, dir), 'utf8')) as DataFile };
}

/**
 * ‖∂L_t/∂(state of `cell` written at s)‖ by central finite differences: the
 * run is restarted after step s from the states it reached there (initial
 * states of a shorter sequence), one unit nudged at a time, and the loss
 * computed at step t read back (rescaled to the full run's normalisation).
 */
function fdNorm(program: Program, theta: Float64Array, batch: Batch, cell: string, s: number, t: number, eps = 1e-6): number {
  const { T } = batch;
  const full = new Session(program, { T, B: 1, dtype: 'float64' });
  full.forward(theta, batch);
  const rest = T - s - 1;
  const cut = (r: Record<string, Float64Array | ArrayLike<number>>): Record<string, Float64Array> => Object.fromEntries(Object.entries(r).map(([id, a]) => {
    const n = a.length / T;
    return [id, Float64Array.from({ length: rest * n }, (_, k) => a[(s + 1) * n + k])];
  }));
  const initial: Record<string, Float64Array> = {};
  for (const ci of program.cells) initial[program.nodes[ci].id] = Float64Array.from(full.values(ci).subarray(s * program.nodes[ci].size, (s + 1) * program.nodes[ci].size));
  const short = new Session(program, { T: rest, B: 1, dtype: 'float64' });
  const lossAt = (init: Record<string, Float64Array>): number => {
    short.forward(theta, { T: rest, B: 1, inputs: cut(batch.inputs), targets: cut(batch.targets), initialStates: init });
    let l = 0;
    for (const li of program.losses) {
      const last = program.nodes[li].steps === 'last';
      if (last && t !== T - 1) continue;
      l += short.stepLoss[li][t - s - 1] * (last ? 1 : rest / T);
    }
    return l;
  };
  const size = program.nodes[program.byId.get(cell)!].size;
  let sq = 0;
  for (let u = 0; u < size; u++) {
    const plus = { ...initial, [cell]: Float64Array.from(initial[cell]) };
    const minus = { ...initial, [cell]: Float64Array.from(initial[cell]) };
    plus[cell][u] += eps;
    minus[cell][u] -= eps;
    sq += ((lossAt(plus) - lossAt(minus)) / (2 * eps)) ** 2;
  }
  return Math.sqrt(sq);
}

describe('explain a gradient: where ∂L/∂h_s comes from', () => {
  it('a scalar linear cell h ← w·h + x: every source fades as |w|^(t−s), every step back multiplies by |w|, the route is w', () => {
    const w = 0.8;
    const T = 12;
    const { program, theta, batch } = setup(scalarCell(w, 'identity'), noise(T));
    const s = 2;
    const g = explainGradient(program, theta, batch, 'h', s, { maxSources: 100 });
    expect(g.sourceCount).toBe(T - s);
    for (const src of g.sources) {
      expect(src.norm / (src.atSource * w ** src.distance)).toBeCloseTo(1, 12);
      expect(src.perStep).toBeCloseTo(src.distance === 0 ? 1 : w, 12);
    }
    expect(g.sources.map((x) => x.norm)).toEqual([...g.sources.map((x) => x.norm)].sort((a, b) => b - a));
    const shares = g.sources.reduce((a, x) => a + x.share, 0);
    expect(shares).toBeCloseTo(1, 12);
    // The total is gradNorms (tested against PyTorch elsewhere).
    expect(g.total / gradReport(scalarCell(w, 'identity'), noise(T), { seed: 7 }).gradNorms.h[s]).toBeCloseTo(1, 12);
    const path = g.path!;
    expect(path.from).toBe(g.sources.find((x) => x.distance > 0)!.step);
    expect(path.source.step).toBe(path.from);
    expect(path.steps.map((x) => x.step)).toEqual(Array.from({ length: path.source.distance }, (_, k) => path.from - k));
    for (const st of path.steps) expect(st.gain).toBeCloseTo(w, 12);
    expect(path.routes).toHaveLength(1);
    const r = path.routes[0];
    expect(r.edge).toBe('h_h');
    expect(r.factors.derivative).toBeCloseTo(1, 12);
    expect(r.factors.weightNorm).toBeCloseTo(w, 12);
    expect(r.factors.bound).toBeCloseTo(w, 12);
    expect(g.story).toContain(`at t = ${s + 1}`);
    expect(g.story).toContain('through h_h');
    expect(g.story).toMatch(/vanishes like 0\.8\^\(t−s\)/);
  });

  it('a scalar tanh cell: each step back multiplies by |w · tanh′(z_k)|, and the route factors name tanh′ and |w|', () => {
    const w = 1.7;
    const T = 10;
    const { program, theta, batch } = setup(scalarCell(w, 'tanh'), noise(T, 11));
    const g = explainGradient(program, theta, batch, 'h', 0);
    const sess = new Session(program, { T, B: 1, dtype: 'float64' });
    sess.forward(theta, batch);
    const h = sess.values(program.byId.get('h')!);
    for (const st of g.path!.steps) {
      const k = st.step;
      const z = w * h[k - 1] + batch.inputs.x[k];
      expect(st.gain).toBeCloseTo(Math.abs(w * (1 - Math.tanh(z) ** 2)), 10);
    }
    const f = g.path!.routes[0].factors;
    expect(f.activation).toBe('tanh');
    expect(f.weightNorm).toBeCloseTo(w, 12);
    const ks = g.path!.steps.map((x) => x.step);
    const meanD = ks.reduce((a, k) => a + (1 - Math.tanh(w * h[k - 1] + batch.inputs.x[k]) ** 2), 0) / ks.length;
    expect(f.derivative).toBeCloseTo(meanD, 10);
    expect(g.story).toContain('tanh′');
  });

  it.each(['elman', 'lstm'])('%s: each source and each step of the path agree with finite differences on the restarted run, and with lossByStep', (name) => {
    const { g: graph, d } = example(name);
    const { program, theta, batch } = setup(graph, d, 1);
    const s = 1;
    // h: its writer has no same-step reader besides the output, so restarting the run from (h_s, c_s) moves exactly ∂L_t/∂h_s (t > s).
    const cell = 'h';
    const g = explainGradient(program, theta, batch, cell, s, { maxSources: 100 });
    const M = lossByStep(program, theta, batch).lossByStep[cell];
    expect(g.sources.length).toBeGreaterThan(0);
    for (const src of g.sources) {
      expect(src.norm / M[src.step][s]).toBeCloseTo(1, 12);
      if (src.distance > 0) expect(src.norm / fdNorm(program, theta, batch, cell, s, src.step)).toBeCloseTo(1, 6);
    }
    const path = g.path!;
    for (const st of path.steps) {
      if (st.step < path.from) expect(st.norm / fdNorm(program, theta, batch, cell, st.step, path.from)).toBeCloseTo(1, 6);
      expect(st.gain).toBeCloseTo(M[path.from][st.step - 1] / M[path.from][st.step], 10);
    }
    const routes = path.routes.map((r) => r.edge);
    const outOfCell = program.nodes[program.byId.get(cell)!].outEdges.map((e) => e.id).filter((e) => !e.startsWith('loss'));
    expect(new Set(routes)).toEqual(new Set(outOfCell));
    expect(path.routes[0].share).toBeGreaterThanOrEqual(path.routes.at(-1)!.share);
    if (name === 'lstm') {
      expect(path.routes.every((r) => r.factors.activation !== undefined && r.factors.weightNorm! > 0)).toBe(true);
      // c goes back through f ⊙ c: the factor is the forget gate's mean.
      const c = explainGradient(program, theta, batch, 'c', s);
      const fc = c.path!.routes.find((r) => r.target === 'fc')!;
      expect(fc.factors.gate?.node).toBe('f');
      expect(fc.factors.gate!.mean).toBeGreaterThan(0);
      expect(fc.factors.gate!.mean).toBeLessThan(1);
    } else {
      const W = program.edges.find((e) => e.source === program.byId.get('h'))!;
      expect(path.routes[0].factors.weightNorm).toBeCloseTo(spectralNorm(theta, W.param!.offset, 16, 16), 10);
    }
  });

  it('the largest singular value: of a diagonal matrix, a rank-one matrix and a rotation', () => {
    expect(spectralNorm([3, 0, 0, -5], 0, 2, 2)).toBeCloseTo(5, 10);
    // u vᵀ with ‖u‖ = 5, ‖v‖ = √2: σ = 5√2.
    expect(spectralNorm([3, 3, 4, 4], 0, 2, 2)).toBeCloseTo(5 * Math.SQRT2, 10);
    const c = Math.cos(0.3);
    const sn = Math.sin(0.3);
    expect(spectralNorm([9, c, -sn, sn, c], 1, 2, 2)).toBeCloseTo(1, 10);
    expect(spectralNorm([1, 2, 3, 4, 5, 6], 0, 2, 3)).toBeCloseTo(9.508032000695723, 8);
  });

  it('refuses a node that is not a cell, a step outside the sequence and work beyond the limit, saying what to do', () => {
    const { program, theta, batch } = setup(scalarCell(0.5, 'tanh'), noise(6));
    const code = (f: () => unknown): [string, string] => {
      try { f(); return ['none', '']; } catch (e) { return [(e as ProbeError).problem.code, (e as ProbeError).message]; }
    };
    expect(code(() => explainGradient(program, theta, batch, 'h_new', 0))).toEqual(['CW318', expect.stringContaining('"h_new" is a gate node')]);
    expect(code(() => explainGradient(program, theta, batch, '__proto__', 0))[0]).toBe('CW318');
    expect(code(() => explainGradient(program, theta, batch, 'h', 6))).toEqual(['CW319', expect.stringContaining('step 7 is not a step of the sequence (1 … 6)')]);
    expect(code(() => explainGradient(program, theta, batch, 'h', 0, { maxWork: 10 }))[0]).toBe('CW312');
  });

  it('with only a last-step loss, the one source is the last step and the story counts the steps back', () => {
    const g0 = scalarCell(0.5, 'identity');
    (g0.nodes[4] as { steps?: string }).steps = 'last';
    const { program, theta, batch } = setup(g0, noise(20));
    const g = explainGradient(program, theta, batch, 'h', 0);
    expect(g.sources).toHaveLength(1);
    expect(g.sources[0]).toMatchObject({ step: 19, distance: 19, share: 1 });
    expect(g.sources[0].perStep).toBeCloseTo(0.5, 12);
    expect(g.story).toContain('from the loss at t = 20, 19 steps later');
    // At the last step itself: nothing travels back.
    const last = explainGradient(program, theta, batch, 'h', 19);
    expect(last.path).toBeNull();
    expect(last.story).toContain('this same step');
  });
});
