/**
 * The fast runtime computes what the reference Session computes: loss,
 * per-step losses, every parameter gradient, values and gradient norms of
 * every node, and initial-state gradients — on every template, every example
 * graph with its data, and random graphs — in float64 (to 1e-12) and float32.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { batchFromData } from '../batch.ts';
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { compile } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { createParams } from '../params.ts';
import { compileAny, sessionFor } from '../layers/index.ts';
import * as templates from '../templates.ts';
import type { DType } from '../tensor.ts';
import { randomBatch, randomParams } from '../testing/build.ts';
import { FastSession } from './session.ts';
import type { Backend } from './kernels.ts';
import { jsBackend } from './kernels.ts';
import { wasmBackend } from './wasm.ts';
import { compareSessions } from './testing/compare.ts';
import { randomGraph } from './testing/randomGraph.ts';

const TOL: Record<DType, number> = { float64: 1e-12, float32: 2e-4 };
const BACKENDS: [string, (d: DType) => Backend][] = [['js', jsBackend], ['wasm', (d) => wasmBackend(d)]];

function check(p: Program, theta: Float64Array, batch: Batch, dtype: DType, backend: (d: DType) => Backend, inputGrads = false): void {
  const th = dtype === 'float64' ? theta : Float32Array.from(theta);
  // sessionFor: examples with layers run as layered sessions whose parts are reference / fast sessions.
  const ref = sessionFor(p, { T: batch.T, B: batch.B, dtype, inputGrads });
  const fast = sessionFor(p, { T: batch.T, B: batch.B, dtype, inputGrads }, (q, o) => new FastSession(q, { ...o, backend: backend(dtype) }));
  // Twice, so stale state from one step cannot hide in the next.
  for (let rep = 0; rep < 2; rep++) {
    ref.forward(th, batch);
    ref.backward(th);
    fast.forward(th, batch);
    fast.backward(th);
    const d = compareSessions(p, fast, ref, { states: batch.initialStates !== undefined, floor: dtype === 'float64' ? 1e-14 : 1e-6 });
    expect(d.worst, d.where).toBeLessThan(TOL[dtype]);
    if (inputGrads) {
      for (const i of p.inputs) {
        const a = fast.grads[i]!;
        const b = ref.grads[i]!;
        const scale = Math.max(1e-14, ...Array.from(b, Math.abs));
        expect(Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k]))) / scale).toBeLessThan(TOL[dtype]);
      }
    }
    for (let k = 0; k < th.length; k++) th[k] -= 0.1 * ref.gparams[k];
  }
}

const small = { x: 3, h: 5, y: 2 };
const TEMPLATES: [string, Graph][] = [
  ['elman', templates.elman(small)],
  ['irnn', templates.irnn(small)],
  ['lstm', templates.lstm(small)],
  ['peephole lstm', templates.peepholeLstm(small)],
  ['lstmp', templates.lstmp({ ...small, p: 4 })],
  ['gru', templates.gru(small)],
  ['gru, cross entropy on the last step', templates.gru({ ...small, loss: 'cross_entropy', steps: 'last' })],
  ['worked linear', templates.workedLinear()],
  ['worked two-input', templates.workedTwoInput()],
  ['worked parity', templates.workedParity()],
  ['quadratic map', templates.quadraticMap()],
];

describe.each(BACKENDS)('fast runtime (%s kernels) equals the reference Session', (_name, backend) => {
  describe.each(['float64', 'float32'] as DType[])('%s', (dtype) => {
    it.each(TEMPLATES)('template: %s', (_n, g) => {
      const p = compile(g);
      check(p, randomParams(p, 3, 0.6), randomBatch(p, 7, 3, 4, { oneHotTargets: g.nodes.some((n) => n.kind === 'loss' && n.loss === 'cross_entropy') }), dtype, backend);
      check(p, randomParams(p, 5, 0.6), randomBatch(p, 4, 2, 6, { initialStates: true }), dtype, backend, true);
    });

    const dir = new URL('../../assets/examples/', import.meta.url);
    const names = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'));
    it.each(names)('example: %s with its data', (name) => {
      const g = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Graph;
      const data = JSON.parse(readFileSync(new URL(name.replace(/\.json$/, '.data.json'), dir), 'utf8')) as DataFile;
      const p = compileAny(g);
      const theta = createParams(p.layout, g.parameters, { seed: 1, dtype: 'float64' }) as Float64Array;
      check(p, theta, batchFromData(data, 'float64'), dtype, backend);
    });

    it('random graphs (every phase, weight kind, op and loss)', () => {
      let checked = 0;
      for (let seed = 1; checked < 40; seed++) {
        let p: Program;
        try {
          p = compile(randomGraph(seed));
        } catch {
          continue; // the builder may make an invalid graph; the validator's tests cover those
        }
        const ce = p.nodes.some((n) => n.loss === 'cross_entropy');
        const bce = p.nodes.some((n) => n.loss === 'bce');
        const batch = randomBatch(p, 2 + (seed % 6), 1 + (seed % 3), seed, { initialStates: seed % 2 === 0, oneHotTargets: ce && !bce, binaryTargets: bce && !ce });
        check(p, randomParams(p, seed, 0.7), batch, dtype, backend, seed % 3 === 0);
        checked++;
      }
      expect(checked).toBe(40);
    });
  });
});

describe('the plan', () => {
  it('an LSTM runs its four input projections as one product before the loop and its recurrent ones as one product per step', async () => {
    const { makePlan } = await import('./plan.ts');
    const p = compile(templates.lstm(small));
    const plan = makePlan(p);
    const id = (i: number): string => p.nodes[i].id;
    expect(plan.post.map(id)).toEqual(['y', 'loss']);
    expect(plan.pre).toEqual([]);
    const x = plan.groups.find((g) => id(g.source) === 'x')!;
    const h = plan.groups.find((g) => id(g.source) === 'h')!;
    expect(x.hoisted).toBe(true);
    expect(x.width).toBe(4 * small.h);
    expect(h.perStep).toBe(true);
    expect(h.width).toBe(4 * small.h);
    expect(x.slab).toBe(h.slab);
  });
});

describe('matrix-product kernels', () => {
  // Sizes that cross every block edge of the WebAssembly kernels (MC 64, KC 128/256, NC 512) and leave partial tiles.
  // Whole 4×8 tiles with a small B take the unpacked path: [16, 128, 32], [8, 16, 1000].
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [70, 530, 300], [129, 13, 513], [4, 8, 0], [16, 128, 32], [8, 16, 1000]];
  it.each(['float64', 'float32'] as DType[])('%s: WebAssembly SIMD equals the plain loops, for A·B and Aᵀ·B, overwriting and accumulating', (dtype) => {
    for (const [M, N, K] of shapes) {
      const be = wasmBackend(dtype);
      const lda = K + 3;
      const ldb = N + 2;
      const ldc = N + 1;
      const [A, At, Bm, C1, C2] = be.allocate([M * lda, K * (M + 2), K * ldb + 1, M * ldc, M * ldc]);
      const rnd = (a: ArrayLike<number> & { [i: number]: number }, seed: number): void => { for (let i = 0; i < a.length; i++) a[i] = Math.sin(seed * 1000 + i * 1.7); };
      rnd(A, 1); rnd(At, 2); rnd(Bm, 3); rnd(C1, 4);
      for (const acc of [false, true]) {
        for (const tA of [false, true]) {
          C2.set(C1);
          const ref = Float64Array.from(C1);
          const X = tA ? At : A;
          const la = tA ? M + 2 : lda;
          for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += (tA ? X[k * la + m] : X[m * la + k]) * Bm[1 + k * ldb + n];
            ref[m * ldc + n] = (acc ? ref[m * ldc + n] : 0) + s;
          }
          if (tA) be.kernels.gemmTN(M, N, K, X, 0, la, Bm, 1, ldb, C2, 0, ldc, acc);
          else be.kernels.gemmNN(M, N, K, X, 0, la, Bm, 1, ldb, C2, 0, ldc, acc);
          let worst = 0;
          for (let i = 0; i < ref.length; i++) {
            // Columns beyond N (the padding of ldc) must be untouched.
            const want = i % ldc >= N ? C1[i] : ref[i];
            worst = Math.max(worst, Math.abs(C2[i] - want) / (1 + Math.abs(want)));
          }
          expect(worst, `${M}×${N}×${K} acc=${acc} tA=${tA}`).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-4);
        }
      }
    }
  });
  it('long sequences and wide gates (weight gradients over more rows than one block)', () => {
    const p = compile(templates.lstm({ x: 6, h: 33, y: 3 }));
    for (const dtype of ['float64', 'float32'] as DType[]) check(p, randomParams(p, 2, 0.3), randomBatch(p, 45, 7, 9), dtype, (d) => wasmBackend(d));
  });
  it('the benchmark\'s small LSTM (whole tiles: the unpacked product path)', () => {
    const p = compile(templates.lstm({ x: 8, h: 32, y: 8 }));
    for (const dtype of ['float64', 'float32'] as DType[]) check(p, randomParams(p, 4, 0.3), randomBatch(p, 6, 16, 3), dtype, (d) => wasmBackend(d));
  });
});
