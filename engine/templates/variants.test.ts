import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import type { Program } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { hasErrors, validateGraph } from '../format/validate.ts';
import { exportParams } from '../params.ts';
import { Session } from '../runtime.ts';
import { lstm } from '../templates.ts';
import { randomBatch, randomParams } from '../testing/build.ts';
import { gradcheck } from '../testing/gradcheck.ts';
import type { GruVariant, LstmVariant } from './variants.ts';
import { GRU_VARIANTS, gruVariant, LSTM_VARIANTS, lstmVariant } from './variants.ts';

const T = 4;
const B = 2;

/** Forward pass of a graph on random data; values by node id, time-major [t][b·size + u]. */
function forward(g: Graph, seed = 1): { p: Program; theta: Float64Array; v: (id: string, t: number) => Float64Array; prev: (id: string, t: number) => Float64Array; param: (k: string) => number[] } {
  const p = compile(g);
  const theta = randomParams(p, seed, 0.9);
  const s = new Session(p, { T, B, dtype: 'float64' });
  s.forward(theta, randomBatch(p, T, B, seed + 1));
  const vals = new Map<string, Float64Array>();
  for (const n of p.nodes) if (n.kind !== 'loss') vals.set(n.id, Float64Array.from(s.values(n.index)));
  const size = (id: string): number => p.nodes[p.byId.get(id)!].size;
  const v = (id: string, t: number): Float64Array => vals.get(id)!.slice(t * B * size(id), (t + 1) * B * size(id));
  // A cell's state before step t: zero at t = 0 (no initial states given).
  const prev = (id: string, t: number): Float64Array => (t === 0 ? new Float64Array(B * size(id)) : v(id, t - 1));
  const params = exportParams(p.layout, theta);
  return { p, theta, v, prev, param: (k) => params[k].data };
}

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** Recomputes gate `id` from its incoming edges (full, diagonal or identity weights) and bias. */
function gateByHand(f: ReturnType<typeof forward>, id: string, t: number, act: (z: number) => number): Float64Array {
  const n = f.p.nodes[f.p.byId.get(id)!];
  const H = n.size;
  const out = new Float64Array(B * H);
  const bias = n.kind === 'gate' && f.p.layout.entries.some((e) => e.key === `bias:${id}`) ? f.param(`bias:${id}`) : null;
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < H; u++) {
      let z = bias ? bias[u] : 0;
      for (const e of n.inEdges) {
        const src = f.p.nodes[e.source];
        const x = src.kind === 'cell' ? f.prev(src.id, t) : f.v(src.id, t);
        const key = `edge:${e.id}`;
        const w = f.p.layout.entries.some((en) => en.key === key) ? f.param(key) : null;
        if (!w) z += x[b * src.size + u];
        else if (e.weight === 'diagonal') z += w[u] * x[b * H + u];
        else for (let k = 0; k < src.size; k++) z += w[u * src.size + k] * x[b * src.size + k];
      }
      out[b * H + u] = act(z);
    }
  }
  return out;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `entry ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
}

const SIZES = { x: 3, h: 3, y: 2 };

describe('LSTM variants (Greff et al. 2015)', () => {
  it.each([...LSTM_VARIANTS, 'vanilla'] as LstmVariant[])('%s is a valid graph whose BPTT gradient matches finite differences', (v) => {
    const g = lstmVariant(v, { x: 2, h: 3, y: 2 });
    expect(hasErrors(validateGraph(g))).toBe(false);
    const p = compile(g);
    const r = gradcheck(p, randomParams(p, 7, 0.5), randomBatch(p, 4, 2, 8));
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
  });

  it('CIFG: the input gate is exactly 1 − f', () => {
    const f = forward(lstmVariant('CIFG', SIZES));
    for (let t = 0; t < T; t++) close(f.v('i', t), f.v('f', t).map((x) => 1 - x), 1e-15);
  });
  it('NIG: C_t = f ⊙ C_{t−1} + g (no input gate)', () => {
    const f = forward(lstmVariant('NIG', SIZES));
    expect(f.p.byId.has('i')).toBe(false);
    for (let t = 0; t < T; t++) close(f.v('c_new', t), f.v('f', t).map((x, k) => x * f.prev('c', t)[k] + f.v('g', t)[k]));
  });
  it('NFG: C_t = C_{t−1} + i ⊙ g (no forget gate)', () => {
    const f = forward(lstmVariant('NFG', SIZES));
    expect(f.p.byId.has('f')).toBe(false);
    for (let t = 0; t < T; t++) close(f.v('c_new', t), f.prev('c', t).map((x, k) => x + f.v('i', t)[k] * f.v('g', t)[k]));
  });
  it('NOG: h_t = tanh(C_t) (no output gate)', () => {
    const f = forward(lstmVariant('NOG', SIZES));
    expect(f.p.byId.has('o')).toBe(false);
    for (let t = 0; t < T; t++) close(f.v('h', t), f.v('c_new', t).map(Math.tanh));
  });
  it('NIAF: the candidate is W x + U h + b, not squashed', () => {
    const f = forward(lstmVariant('NIAF', SIZES));
    let big = 0;
    for (let t = 0; t < T; t++) {
      close(f.v('g', t), gateByHand(f, 'g', t, (z) => z));
      big = Math.max(big, ...f.v('g', t).map(Math.abs));
    }
    expect(big).toBeGreaterThan(1);
  });
  it('NOAF: h_t = o ⊙ C_t (no output activation)', () => {
    const f = forward(lstmVariant('NOAF', SIZES));
    for (let t = 0; t < T; t++) close(f.v('h', t), f.v('o', t).map((x, k) => x * f.v('c_new', t)[k]));
  });
  it('vanilla has peepholes (o sees C_t); NP is the plain LSTM template, number for number', () => {
    const van = forward(lstmVariant('vanilla', SIZES));
    for (let t = 0; t < T; t++) close(van.v('o', t), gateByHand(van, 'o', t, sig));
    const np = lstmVariant('NP', SIZES);
    expect(np.edges.some((e) => e.weight === 'diagonal')).toBe(false);
    const a = forward(np, 3);
    const b = forward(lstm(SIZES), 3);
    expect(a.p.layout.size).toBe(b.p.layout.size);
    for (let t = 0; t < T; t++) close(a.v('h', t), b.v('h', t), 0);
  });
  it('FGR: every gate reads the previous step\'s i, f and o', () => {
    const g = lstmVariant('FGR', SIZES);
    for (const to of ['i', 'f', 'o']) for (const from of ['i', 'f', 'o']) expect(g.edges.some((e) => e.source === `${from}_prev` && e.target === to)).toBe(true);
    const f = forward(g);
    for (let t = 0; t < T; t++) for (const gid of ['i', 'f', 'o']) close(f.v(gid, t), gateByHand(f, gid, t, sig));
    // And that input matters: i_prev at step 1 is i at step 0.
    close(f.v('i_prev', 0), f.v('i', 0), 0);
  });
});

describe('GRU family (MGU; Jozefowicz et al. 2015 MUT1–3)', () => {
  it.each(GRU_VARIANTS.flatMap((v) => [[v, 2], [v, 3]] as [GruVariant, number][]))('%s (X = %i, H = 3) is valid and its BPTT gradient matches finite differences', (v, x) => {
    const g = gruVariant(v, { x, h: 3, y: 2 });
    expect(hasErrors(validateGraph(g))).toBe(false);
    const p = compile(g);
    const r = gradcheck(p, randomParams(p, 7, 0.5), randomBatch(p, 4, 2, 8));
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
  });
  it.each(GRU_VARIANTS.map((v) => [v]))('%s: h_t = (1 − gate) ⊙ h_{t−1} + gate ⊙ candidate', (v) => {
    const f = forward(gruVariant(v, SIZES));
    const gid = v === 'MGU' ? 'f' : 'z';
    for (let t = 0; t < T; t++) close(f.v('h', t), f.v(gid, t).map((z, k) => (1 - z) * f.prev('h', t)[k] + z * f.v('n', t)[k]));
  });
  it('MGU: one gate, and the candidate sees f ⊙ h_{t−1}', () => {
    const g = gruVariant('MGU', SIZES);
    expect(g.nodes.filter((n) => n.kind === 'gate' && n.activation === 'sigmoid').map((n) => n.id)).toEqual(['f']);
    const f = forward(g);
    for (let t = 0; t < T; t++) close(f.v('rh', t), f.v('f', t).map((x, k) => x * f.prev('h', t)[k]));
  });
  it('MUT1: z reads only x_t; the candidate adds tanh(x_t) (identity when X = H)', () => {
    const g = gruVariant('MUT1', SIZES);
    expect(g.edges.filter((e) => e.target === 'z').map((e) => e.source)).toEqual(['x']);
    const f = forward(g);
    for (let t = 0; t < T; t++) {
      close(f.v('z', t), gateByHand(f, 'z', t, sig));
      close(f.v('tx', t), f.v('x', t).map(Math.tanh));
    }
  });
  it('MUT2: r = σ(x_t + U h_{t−1} + b) with x_t itself when X = H', () => {
    const g = gruVariant('MUT2', SIZES);
    expect(g.edges.find((e) => e.source === 'x' && e.target === 'r')?.weight).toBe('identity');
    const f = forward(g);
    for (let t = 0; t < T; t++) close(f.v('r', t), gateByHand(f, 'r', t, sig));
  });
  it('MUT3: z = σ(W x_t + U tanh(h_{t−1}) + b)', () => {
    const f = forward(gruVariant('MUT3', SIZES));
    for (let t = 0; t < T; t++) {
      close(f.v('th', t), f.prev('h', t).map(Math.tanh));
      close(f.v('z', t), gateByHand(f, 'z', t, sig));
    }
  });
});
