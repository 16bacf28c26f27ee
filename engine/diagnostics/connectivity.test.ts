import { describe, expect, it } from 'vitest';
import { batchFromData } from '../batch.ts';
import { compile } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { gradReport } from '../grad.ts';
import { createParams } from '../params.ts';
import { connectivity, estimateCost, lossByStep, parsePair, ProbeError } from './connectivity.ts';

const at = { x: 0, y: 0 };

/** h_t = w·h_{t−1} + x_t (identity gate, scalar weight w), readout y = h_new, mse on the given steps. */
function scalarLinear(w: number, steps: 'all' | 'last' = 'all'): Graph {
  return {
    format: 'cellwright-graph', version: 1,
    nodes: [
      { id: 'x', kind: 'input', size: 1, position: at },
      { id: 'h', kind: 'cell', size: 1, position: at },
      { id: 'h_new', kind: 'gate', size: 1, activation: 'identity', bias: false, position: at },
      { id: 'y_t', kind: 'target', size: 1, position: at },
      { id: 'loss', kind: 'loss', loss: 'mse', steps, position: at },
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

function data(T: number, B: number, seed = 1): DataFile {
  let s = seed;
  const r = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s / 2 ** 32) * 2 - 1; };
  return {
    inputs: { x: { shape: [T, B, 1], data: Array.from({ length: T * B }, r) } },
    targets: { y_t: { shape: [T, B, 1], data: Array.from({ length: T * B }, r) } },
  };
}

function setup(g: Graph, d: DataFile): { program: ReturnType<typeof compile>; theta: Float64Array; batch: ReturnType<typeof batchFromData> } {
  const program = compile(g);
  return { program, theta: createParams(program.layout, g.parameters, { seed: 1, dtype: 'float64' }) as Float64Array, batch: batchFromData(d, 'float64') };
}

describe('connectivity through time', () => {
  it.each([[0.9, 1], [-1.3, 1], [0.5, 4]])('a scalar linear cell h ← w·h + x (w = %f, B = %i): M[t][s] = √B·|w|^(t−s), zero above the diagonal', (w, B) => {
    const T = 12;
    const { program, theta, batch } = setup(scalarLinear(w), data(T, B));
    const r = connectivity(program, theta, batch, [parsePair(program, 'h:h'), parsePair(program, 'h:x')]);
    for (const key of ['h:h', 'h:x']) {
      const M = r.connectivity[key];
      expect(M).toHaveLength(T);
      for (let t = 0; t < T; t++) {
        for (let s = 0; s < T; s++) {
          if (s > t) expect(M[t][s], `${key} [${t}][${s}]`).toBe(0);
          else expect(M[t][s] / (Math.sqrt(B) * Math.abs(w) ** (t - s)), `${key} [${t}][${s}]`).toBeCloseTo(1, 12);
        }
      }
    }
    expect(r.cost.sweeps).toBe(2 * T);
  });

  it('counts sweeps per (OUT step, OUT unit) and refuses beyond the limit with the estimate', () => {
    const { program, theta, batch } = setup(scalarLinear(0.5), data(50, 2));
    const pairs = [parsePair(program, 'h:x')];
    const cost = estimateCost(program, 50, 2, pairs, true);
    expect(cost.sweeps).toBe(50 + 50);
    try {
      connectivity(program, theta, batch, pairs, { maxWork: cost.work / 10 });
      expect.unreachable('refused');
    } catch (e) {
      expect(e).toBeInstanceOf(ProbeError);
      expect((e as ProbeError).problem.code).toBe('CW312');
      expect((e as ProbeError).message).toContain('50 backward sweeps');
      expect((e as ProbeError).problem.hint).toContain('--max-work');
    }
  });

  it('reads OUT:IN when ids hold ":", refuses an ambiguous split, an unknown node and a gate as IN', () => {
    const g = scalarLinear(0.5);
    const rename = (id: string, to: string): void => {
      for (const n of g.nodes) if (n.id === id) n.id = to;
      for (const e of g.edges) { if (e.source === id) e.source = to; if (e.target === id) e.target = to; }
    };
    rename('h', 'a:b');
    const program = compile(g);
    expect(parsePair(program, 'h_new:a:b')).toEqual({ out: 'h_new', in: 'a:b' });
    expect(parsePair(program, 'a:b:x')).toEqual({ out: 'a:b', in: 'x' });
    const code = (f: () => unknown): string => { try { f(); return 'none'; } catch (e) { return (e as ProbeError).problem.code; } };
    expect(code(() => parsePair(program, 'nope:x'))).toBe('CW310');
    expect(code(() => parsePair(program, 'x:h_new'))).toBe('CW311');
    const g2 = scalarLinear(0.5);
    g2.nodes.push({ id: 'x:x', kind: 'input', size: 1, position: at } as Graph['nodes'][number]);
    g2.edges.push({ id: 'xx', source: 'x:x', target: 'h_new', weight: 'identity' });
    g2.nodes.push({ id: 'x:x:x', kind: 'input', size: 1, position: at } as Graph['nodes'][number]);
    g2.edges.push({ id: 'xxx', source: 'x:x:x', target: 'h_new', weight: 'identity' });
    expect(code(() => parsePair(compile(g2), 'x:x:x'))).toBe('CW310');
  });
});

describe('loss by step', () => {
  it('itemizes gradNorms: each gradNorm is at most the column sum, and its square at most (terms) × the column sum of squares', () => {
    const g = JSON.parse(JSON.stringify(scalarLinear(0.8))) as Graph;
    const d = data(9, 3);
    const { program, theta, batch } = setup(g, d);
    const M = lossByStep(program, theta, batch).lossByStep.h;
    const norms = gradReport(g, d, { seed: 1 }).gradNorms.h;
    const T = 9;
    for (let s = 0; s < T; s++) {
      let sum = 0;
      let sq = 0;
      let k = 0;
      for (let t = 0; t < T; t++) { sum += M[t][s]; sq += M[t][s] ** 2; if (M[t][s] > 0) k++; }
      expect(norms[s]).toBeLessThanOrEqual(sum * (1 + 1e-12));
      expect(norms[s] ** 2).toBeLessThanOrEqual(k * sq * (1 + 1e-12));
      for (let t = 0; t < s; t++) expect(M[t][s]).toBe(0);
      // The diagonal: L_s's own gradient on h_s is 2/(T·B)·(h_s − y_s) per sequence.
      expect(M[s][s]).toBeGreaterThan(0);
    }
  });

  it('with only a last-step loss, the last row is gradNorms and every other row is zero', () => {
    const g = scalarLinear(1.1, 'last');
    const d = data(7, 2);
    const { program, theta, batch } = setup(g, d);
    const r = lossByStep(program, theta, batch);
    const norms = gradReport(g, d, { seed: 1 }).gradNorms.h;
    for (let s = 0; s < 7; s++) expect(r.lossByStep.h[6][s]).toBeCloseTo(norms[s], 13);
    for (let t = 0; t < 6; t++) expect(r.lossByStep.h[t].every((v) => v === 0)).toBe(true);
    expect(r.cost.sweeps).toBe(1);
  });
});
