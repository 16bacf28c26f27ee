import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { createParams } from '../params.ts';
import { Rng } from '../rng.ts';
import { eigen } from './spectral.ts';
import { classify, findFixedPoints, StateMap } from './dynamics.ts';
import { FixedPointFinder } from './fixedpoints.ts';
import { tanhPair } from '../testing/state-maps.ts';
import type { ProbeError } from './connectivity.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function setup(g: Graph): { program: ReturnType<typeof compile>; theta: Float64Array } {
  const program = compile(g);
  return { program, theta: createParams(program.layout, g.parameters, { seed: 5, dtype: 'float64' }) as Float64Array };
}

/** The fixed point of tanh(2h) on (0, ∞), by Newton. */
function root2(): number {
  let h = 1;
  for (let k = 0; k < 50; k++) h -= (Math.tanh(2 * h) - h) / (2 * (1 - Math.tanh(2 * h) ** 2) - 1);
  return h;
}

describe('fixed points in N dimensions', () => {
  it('h\' = tanh(2h) on two decoupled units: exactly nine points, four stable, four saddles, one unstable', () => {
    const { program, theta } = setup(tanhPair([2, 0, 0, 2]));
    const r = findFixedPoints(program, theta);
    expect(r.points).toHaveLength(9);
    const count = (k: string): number => r.points.filter((p) => p.kind === k).length;
    expect([count('stable'), count('saddle'), count('unstable')]).toEqual([4, 4, 1]);
    const a = root2();
    const vals = [-a, 0, a];
    for (const p of r.points) {
      expect(p.q).toBeLessThan(1e-20);
      for (const v of p.state.h) expect(Math.min(...vals.map((c) => Math.abs(v - c)))).toBeLessThan(1e-9);
      // λ = 2·(1 − tanh²(2h)) per unit: 0.16… at ±a, 2 at 0.
      const expected = p.state.h.map((v) => 2 * (1 - Math.tanh(2 * v) ** 2)).sort((x, y) => y - x);
      expect(p.eigenvalues.map(([re]) => re)).toEqual(expected.map((e) => expect.closeTo(e, 9)));
      expect(p.eigenvalues.every(([, im]) => im === 0)).toBe(true);
      expect(p.unstable).toBe(p.state.h.filter((v) => Math.abs(v) < 0.5).length);
    }
    expect(r.slowPoints).toEqual([]);
  });

  it('a constant input moves the points: h\' = tanh(2h + u·x) with x = 0.3 has them where tanh(2h + u·x) = h', () => {
    const { program, theta } = setup(tanhPair([2, 0, 0, 2], [0.5, -0.5]));
    const r = findFixedPoints(program, theta, { input: { x: [0.3] } });
    expect(r.input).toEqual({ x: [0.3] });
    expect(r.points.length).toBeGreaterThan(0);
    for (const p of r.points) {
      expect(Math.abs(Math.tanh(2 * p.state.h[0] + 0.15) - p.state.h[0])).toBeLessThan(1e-10);
      expect(Math.abs(Math.tanh(2 * p.state.h[1] - 0.15) - p.state.h[1])).toBeLessThan(1e-10);
    }
    expect(r.points).toHaveLength(9);
  });

  it('a contracting rotation has one stable focus at 0 with complex eigenvalues', () => {
    const c = 0.9 * Math.cos(0.4);
    const s = 0.9 * Math.sin(0.4);
    const { program, theta } = setup(tanhPair([c, -s, s, c]));
    const r = findFixedPoints(program, theta);
    expect(r.points).toHaveLength(1);
    expect(r.points[0].kind).toBe('stable');
    expect(Math.abs(r.points[0].eigenvalues[0][1])).toBeCloseTo(s, 9);
  });

  it('past a saddle-node bifurcation the vanished pair leaves a slow point (a ghost) with q small but not zero', () => {
    // Unit 1: h' = tanh(2h − 0.6) has one fixed point (negative) and a ghost near h = 1/√2; unit 2: tanh(2h), three points.
    const { program, theta } = setup(tanhPair([2, 0, 0, 2], [-0.6, 0]));
    const r = findFixedPoints(program, theta, { input: { x: [1] }, slowTolerance: 1e-2 });
    expect(r.points).toHaveLength(3);
    for (const p of r.points) expect(p.state.h[0]).toBeLessThan(0);
    expect(r.slowPoints.length).toBeGreaterThanOrEqual(1);
    for (const p of r.slowPoints) {
      expect(p.q).toBeGreaterThan(1e-6);
      expect(p.q).toBeLessThan(1e-2);
      expect(p.state.h[0]).toBeGreaterThan(0.5);
    }
  });

  it('an LSTM\'s joint (h, C) fixed point: residual ~0 and eigenvalues as a finite-difference Jacobian\'s', () => {
    const g = JSON.parse(readFileSync(join(ROOT, 'assets/examples/lstm.json'), 'utf8')) as Graph;
    const program = compile(g);
    const theta = createParams(program.layout, g.parameters, { seed: 1, dtype: 'float64' });
    const r = findFixedPoints(program, theta, { randomSeeds: 40 });
    expect(r.points.length).toBeGreaterThan(0);
    const map = new StateMap(program, theta);
    const D = map.dims;
    expect(D).toBe(16);
    for (const p of r.points) {
      expect(Object.keys(p.state).sort()).toEqual(['c', 'h']);
      const h = Float64Array.from([...p.state.h, ...p.state.c]);
      const F = map.evaluate(h, 1);
      for (let i = 0; i < D; i++) expect(Math.abs(F[i] - h[i])).toBeLessThan(1e-9);
      // Central differences, ε = 1e-6, all 2D perturbations in one batch.
      const eps = 1e-6;
      const H = new Float64Array(2 * D * D);
      for (let j = 0; j < D; j++) { H.set(h, 2 * j * D); H.set(h, (2 * j + 1) * D); H[2 * j * D + j] += eps; H[(2 * j + 1) * D + j] -= eps; }
      const FH = map.evaluate(H, 2 * D);
      const J = new Float64Array(D * D);
      for (let j = 0; j < D; j++) for (let i = 0; i < D; i++) J[i * D + j] = (FH[2 * j * D + i] - FH[(2 * j + 1) * D + i]) / (2 * eps);
      const ev = eigen(J, D);
      const mags = p.eigenvalues.map(([re, im]) => Math.hypot(re, im));
      ev.re.forEach((re, i) => expect(Math.hypot(re, ev.im[i])).toBeCloseTo(mags[i], 6));
      expect(classify(ev.re.map((re, i) => [re, ev.im[i]])).kind).toBe(p.kind);
    }
  });

  it('the exact Jacobian equals central differences on random states of a custom two-cell graph', () => {
    const g = JSON.parse(readFileSync(join(ROOT, 'assets/examples/peephole-lstm.json'), 'utf8')) as Graph;
    const program = compile(g);
    const theta = createParams(program.layout, g.parameters, { seed: 2, dtype: 'float64' });
    const map = new StateMap(program, theta, { x: [0.2, -0.4] });
    const D = map.dims;
    const rng = new Rng(3);
    const h = Float64Array.from({ length: D }, () => rng.range(-1, 1));
    const { J } = map.jacobian(h, 1);
    const eps = 1e-6;
    for (let j = 0; j < D; j += 5) {
      const hp = h.slice(); hp[j] += eps;
      const hm = h.slice(); hm[j] -= eps;
      const fp = map.evaluate(hp, 1);
      const fm = map.evaluate(hm, 1);
      for (let i = 0; i < D; i++) expect(J[i * D + j]).toBeCloseTo((fp[i] - fm[i]) / (2 * eps), 8);
    }
  });

  it('refuses a joint state beyond the limit, saying how to raise it', () => {
    const { program, theta } = setup(tanhPair([2, 0, 0, 2]));
    expect(() => findFixedPoints(program, theta, { maxDims: 1 })).toThrow(/2 units; fixed-point search is limited to 1/);
    try { findFixedPoints(program, theta, { maxDims: 1 }); } catch (e) { expect((e as ProbeError).problem.hint).toContain('--max-dims'); }
  });

  it('the 1-D finder the cobweb draws still works', () => {
    const g = JSON.parse(readFileSync(join(ROOT, 'assets/examples/quadratic-map.json'), 'utf8')) as Graph;
    const program = compile(g);
    const theta = createParams(program.layout, g.parameters, { seed: 1, dtype: 'float64' });
    const d = new FixedPointFinder(program).find(theta);
    expect(d[0].points.map((p) => p.kind)).toEqual(['sink', 'source']);
  });
});
