/**
 * The registry's table-driven gradient test (tinygrad's helper_test_op,
 * tfjs's gradient tests): every registered activation, op, loss and weight
 * kind, tied edges and zoneout — one small recurrent graph each
 * (engine/testing/primitive-cases.ts) — against central finite differences in
 * float64 on the reference AND the fast runtime (h = 1e-5; relative error
 * < 1e-6 with an absolute floor of 1e-4·, as engine/testing/gradcheck.ts
 * states), the two runtimes against each other (1e-10), and float32 against
 * float64 (2e-3 of the largest gradient). PyTorch's autograd checks the same
 * cases in test/torch-registry.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { batchFromData } from '../batch.ts';
import { compile } from '../compile.ts';
import { FastSession } from '../fast/session.ts';
import { wasmAvailable, wasmBackend } from '../fast/wasm.ts';
import { createParams } from '../params.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';
import { gradcheck } from '../testing/gradcheck.ts';
import { OP_ROWS, primitiveCases } from '../testing/primitive-cases.ts';
import { activation, activationNames, registerActivation } from './activations.ts';
import { LOSS_DEFS } from './losses.ts';
import { opNames } from './ops.ts';
import { WEIGHT_KIND_DEFS } from './weights.ts';

const TOL = 1e-6;
const NOISE = { seed: 7, round: 3 };
const cases = primitiveCases();

function setup(c: (typeof cases)[number]) {
  const program = compile(c.graph);
  const theta = createParams(program.layout, undefined, { seed: 11, dtype: 'float64' }) as Float64Array;
  // Biases and layer-norm shifts start at zero: move them off so their gradients are generic.
  for (const e of program.layout.entries) if (e.kind === 'bias' || e.kind === 'shift') for (let i = 0; i < e.length; i++) theta[e.offset + i] = 0.1 * Math.sin(3 * i + e.offset);
  const batch = batchFromData(c.data, 'float64');
  return { program, theta, batch };
}

function maxRel(a: Arr, b: Arr): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

describe('every registered primitive has a row', () => {
  it('activations, ops, losses and weight kinds are all in the cases, and no row is stale', () => {
    const names = new Set(cases.map((c) => `${c.registry} ${c.primitive}`));
    for (const a of activationNames()) expect(names.has(`activation ${a}`), a).toBe(true);
    for (const o of opNames()) expect(names.has(`op ${o}`), o).toBe(true);
    for (const l of Object.keys(LOSS_DEFS)) expect(names.has(`loss ${l}`), l).toBe(true);
    for (const w of Object.keys(WEIGHT_KIND_DEFS)) expect(names.has(`weight ${w}`), w).toBe(true);
    expect(Object.keys(OP_ROWS).filter((o) => !opNames().includes(o))).toEqual([]);
    expect(names.has('feature tie') && names.has('feature zoneout')).toBe(true);
  });
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const { program, theta, batch } = setup(c);
  const fast = (p: typeof program, T: number, B: number) => new FastSession(p, { T, B, dtype: 'float64' });

  it('reference runtime = central finite differences (float64)', () => {
    const r = gradcheck(program, theta, batch);
    expect(r.checked).toBeGreaterThan(0);
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
    if (c.noisy) {
      const n = gradcheck(program, theta, batch, { noise: NOISE });
      expect(n.maxRelError, `with training noise: ${JSON.stringify(n.worst)}`).toBeLessThan(TOL);
    }
  });

  it('fast runtime = central finite differences (float64), and = the reference', () => {
    const r = gradcheck(program, theta, batch, { session: fast });
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
    for (const noise of c.noisy ? [null, NOISE] : [null]) {
      const ref = new Session(program, { T: batch.T, B: batch.B });
      const fs = new FastSession(program, { T: batch.T, B: batch.B });
      ref.setNoise(noise);
      fs.setNoise(noise);
      const lr = ref.forward(theta, batch);
      const lf = fs.forward(theta, batch);
      ref.backward(theta);
      fs.backward(theta);
      expect(Math.abs(lr - lf) / Math.max(1e-300, Math.abs(lr))).toBeLessThan(1e-12);
      expect(maxRel(ref.gparams, fs.gparams), 'dL/dθ').toBeLessThan(1e-10);
      for (const n of program.nodes) {
        if (n.kind === 'loss') continue;
        expect(maxRel(ref.values(n.index), fs.values(n.index)), `values of ${n.id}`).toBeLessThan(1e-12);
        expect(maxRel(ref.gradNorms[n.index], fs.gradNorms[n.index]), `gradNorms of ${n.id}`).toBeLessThan(1e-10);
      }
    }
  });

  it('float32 (reference and fast, WebAssembly kernels where available) ≈ float64', () => {
    const exact = new Session(program, { T: batch.T, B: batch.B });
    exact.forward(theta, batch);
    exact.backward(theta);
    const b32 = batchFromData(c.data, 'float32');
    const t32 = Float32Array.from(theta);
    const sessions = [
      new Session(program, { T: batch.T, B: batch.B, dtype: 'float32' }),
      new FastSession(program, { T: batch.T, B: batch.B, dtype: 'float32', ...(wasmAvailable() ? { backend: wasmBackend('float32') } : {}) }),
    ];
    for (const s of sessions) {
      s.forward(t32, b32);
      s.backward(t32);
      expect(maxRel(exact.gparams, s.gparams), s.constructor.name).toBeLessThan(2e-3);
    }
  });
});

describe('activations: closed forms and PyTorch\'s conventions at kinks', () => {
  const at = (name: string, z: number): { y: number; d: number } => {
    const a = activation(name);
    const zs = Float64Array.of(z);
    const y = new Float64Array(1);
    a.forward(zs, 0, y, 0, 1);
    const d = new Float64Array(1);
    a.backward(zs, 0, y, 0, Float64Array.of(1), 0, d, 0, 1);
    return { y: y[0], d: d[0] };
  };
  it.each([
    ['relu', 0, 0, 0], ['leaky_relu', 0, 0, 0.01], ['leaky_relu', -2, -0.02, 0.01], ['elu', 0, 0, 1], ['elu', -1, Math.expm1(-1), Math.exp(-1)],
    ['hard_sigmoid', 3, 1, 0], ['hard_sigmoid', -3, 0, 0], ['hard_sigmoid', 0.6, 0.6 / 6 + 0.5, 1 / 6], ['hard_tanh', 1, 1, 0], ['hard_tanh', -1, -1, 0], ['hard_tanh', 0.5, 0.5, 1],
    ['gelu', 0, 0, 0.5], ['silu', 0, 0, 0.5], ['sin', Math.PI / 2, 1, Math.cos(Math.PI / 2)], ['exp', 1, Math.E, Math.E],
  ] as const)('%s(%f) = %f, derivative %f', (name, z, y, d) => {
    const r = at(name, z);
    expect(r.y).toBeCloseTo(y, 14);
    expect(r.d).toBeCloseTo(d, 14);
  });
  it('activations that keep only y write their derivative in y (df(NaN, y) = df(z, y))', () => {
    for (const name of activationNames()) {
      const a = activation(name);
      if (a.def.usesInput) continue;
      for (const z of [-2.5, -0.7, -0.01, 0.3, 1.4, 2.9]) expect(a.def.df(NaN, a.f(z)), `${name} at ${z}`).toBe(a.def.df(z, a.f(z)));
    }
  });
  it('gelu uses the exact erf: Φ(1) and Φ(−6) to 1e-15 relative', () => {
    // Φ(1) = 0.8413447460685429…, Φ(−6) = 9.865876450376981e−10 (tabulated).
    expect(Math.abs(activation('gelu').f(1) - 0.8413447460685429) / 0.8413447460685429).toBeLessThan(1e-15);
    expect(Math.abs(activation('gelu').f(-6) / -6 - 9.865876450376981e-10) / 9.865876450376981e-10).toBeLessThan(1e-13);
  });
});

describe('adding an activation is one registry entry', () => {
  it('a test-only activation compiles, runs on both runtimes and passes the gradient check', () => {
    const undo = registerActivation({
      name: 'cube_test', symbol: 'x³', doc: 'y = z³ (test only)', f: (z) => z * z * z, df: (z) => 3 * z * z, usesInput: true, torch: (x) => `${x} ** 3`,
    });
    try {
      const c = primitiveCases().find((x) => x.primitive === 'cube_test')!;
      expect(c).toBeDefined();
      const program = compile(c.graph);
      const theta = createParams(program.layout, undefined, { seed: 3, dtype: 'float64' }) as Float64Array;
      const batch = batchFromData(c.data, 'float64');
      expect(gradcheck(program, theta, batch).maxRelError).toBeLessThan(TOL);
      expect(gradcheck(program, theta, batch, { session: (p, T, B) => new FastSession(p, { T, B }) }).maxRelError).toBeLessThan(TOL);
    } finally {
      undo();
    }
  });
});

describe('training noise: dropout and zoneout', () => {
  const dropCase = cases.find((c) => c.name === 'op dropout')!;
  const zoneCase = cases.find((c) => c.name === 'cell zoneout')!;

  it('dropout: evaluation passes x through; training zeroes about p of the units, scales the rest by 1/(1 − p), fresh per step, sequence and update', () => {
    const program = compile(dropCase.graph);
    const theta = createParams(program.layout, undefined, { seed: 2, dtype: 'float64' });
    const T = 40;
    const B = 8;
    const batch = batchFromData({ inputs: { x: { shape: [T, B, 3], data: Array.from({ length: T * B * 3 }, (_, i) => Math.sin(i)) } }, targets: { t: { shape: [T, B, 2], data: new Array(T * B * 2).fill(0) } } }, 'float64');
    const o = program.byId.get('o')!;
    const a = program.byId.get('a0')!;
    const s = new Session(program, { T, B });
    s.forward(theta, batch);
    expect(Array.from(s.values(o))).toEqual(Array.from(s.values(a)));
    const masks = (round: number): number[] => {
      s.setNoise({ seed: 5, round });
      s.forward(theta, batch);
      const x = s.values(a);
      const y = s.values(o);
      return Array.from(y, (v, i) => {
        if (v === 0) return 0;
        expect(v).toBeCloseTo(x[i] / 0.7, 12);
        return 1;
      });
    };
    const m1 = masks(1);
    const dropped = m1.filter((k) => k === 0).length / m1.length;
    expect(dropped).toBeGreaterThan(0.25);
    expect(dropped).toBeLessThan(0.35);
    const N = program.nodes[o].size;
    const row = (t: number, b: number): string => m1.slice((t * B + b) * N, (t * B + b + 1) * N).join('');
    const distinctRows = new Set(Array.from({ length: T * B }, (_, r) => row(Math.floor(r / B), r % B)));
    expect(distinctRows.size).toBeGreaterThan(4); // 2^3 patterns: masks differ across steps and sequences
    expect(masks(2)).not.toEqual(m1);
    expect(masks(1)).toEqual(m1);
  });

  it('zoneout: evaluation is p·h_{t−1} + (1 − p)·new; training keeps each unit\'s old value or takes the new one', () => {
    const program = compile(zoneCase.graph);
    const theta = createParams(program.layout, undefined, { seed: 4, dtype: 'float64' });
    const batch = batchFromData(zoneCase.data, 'float64');
    const h = program.byId.get('h')!;
    const g = program.byId.get('g')!;
    const s = new Session(program, { T: batch.T, B: batch.B });
    s.forward(theta, batch);
    const hs = s.vals[h];
    const gs = s.vals[g];
    const sz = batch.B * 3;
    for (let t = 0; t < batch.T; t++) for (let k = 0; k < sz; k++) expect(hs[(t + 1) * sz + k]).toBeCloseTo(0.25 * hs[t * sz + k] + 0.75 * gs[t * sz + k], 14);
    s.setNoise({ seed: 1, round: 0 });
    s.forward(theta, batch);
    let kept = 0;
    for (let t = 0; t < batch.T; t++) {
      for (let k = 0; k < sz; k++) {
        const v = s.vals[h][(t + 1) * sz + k];
        if (v === s.vals[h][t * sz + k]) kept++;
        else expect(v).toBe(s.vals[g][t * sz + k]);
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(batch.T * sz);
  });
});
