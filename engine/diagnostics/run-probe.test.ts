import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFromData } from '../batch.ts';
import { compile } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { gradReport } from '../grad.ts';
import { createParams } from '../params.ts';
import { connectivity, parsePair } from './connectivity.ts';
import { RunProbe, sequenceOf } from './run-probe.ts';

const EX = join(resolve(import.meta.dirname, '../..'), 'assets/examples');
const load = <T>(f: string): T => JSON.parse(readFileSync(join(EX, f), 'utf8')) as T;

/** Sequence b of a data file as a data file of its own. */
function oneOf(d: DataFile, b: number): DataFile {
  const cut = (t: { shape: number[]; data: number[] }): { shape: number[]; data: number[] } => {
    const [T, B, n] = t.shape;
    const data: number[] = [];
    for (let s = 0; s < T; s++) data.push(...t.data.slice((s * B + b) * n, (s * B + b + 1) * n));
    return { shape: [T, 1, n], data };
  };
  const map = (r?: Record<string, { shape: number[]; data: number[] }>): Record<string, { shape: number[]; data: number[] }> => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, cut(v)]));
  const out: DataFile = { inputs: map(d.inputs), targets: map(d.targets) };
  if (d.initialStates) out.initialStates = Object.fromEntries(Object.entries(d.initialStates).map(([k, v]) => [k, { shape: [1, v.shape[1]], data: v.data.slice(b * v.shape[1], (b + 1) * v.shape[1]) }]));
  return out;
}

describe('probe a run', () => {
  const g = load<Graph>('lstm.json');
  const raw = load<DataFile>('lstm.data.json');
  const data: DataFile = { ...raw, initialStates: { h: { shape: [raw.inputs.x.shape[1], 8], data: Array.from({ length: raw.inputs.x.shape[1] * 8 }, (_, i) => Math.sin(i) / 2) } } };
  const program = compile(g);
  const theta = createParams(program.layout, g.parameters, { seed: 1, dtype: 'float64' });

  it('one sequence of a batch: values, gradient norms and initial state are grad\'s on that sequence alone', () => {
    const b = 2;
    const r = new RunProbe(program).measure(theta, sequenceOf(batchFromData(data, 'float64'), b));
    const ref = gradReport(g, oneOf(data, b), { seed: 1 });
    expect(r.B).toBe(1);
    expect(r.loss).toBeCloseTo(ref.loss, 12);
    for (const n of program.nodes) {
      if (n.kind === 'loss') continue;
      expect(Array.from(r.nodes[n.id].values)).toEqual(Array.from(Float32Array.from(ref.values[n.id].data)));
      expect(Array.from(r.nodes[n.id].grad)).toEqual(Array.from(Float32Array.from(ref.gradNorms[n.id] ?? new Array(r.T).fill(0))));
    }
    expect(Array.from(r.initial.h)).toEqual(Array.from(Float32Array.from(data.initialStates!.h.data.slice(b * 8, b * 8 + 8))));
    expect(Object.keys(r.edges).sort()).toEqual(g.edges.map((e) => e.id).sort());
  });

  it('asks for connectivity, loss by step and fixed points in the same call, equal to the standalone functions', () => {
    const batch = batchFromData(data, 'float64');
    const pairs = [parsePair(program, 'y:x')];
    const r = new RunProbe(program).measure(theta, batch, { connectivity: pairs, lossByStep: true, fixedPoints: { randomSeeds: 10 } });
    expect(r.connectivity).toEqual(connectivity(program, theta, batch, pairs).connectivity);
    expect(Object.keys(r.lossByStep!).sort()).toEqual(['c', 'h']);
    expect(r.fixedPoints!.points.length).toBeGreaterThan(0);
    expect(r.fixedPoints!.cost.seeds).toBeGreaterThan(10); // the run's visited states seeded it too
  });

  it('sequenceOf clamps the index and keeps every stream', () => {
    const batch = batchFromData(data, 'float64');
    const last = sequenceOf(batch, 99);
    const B = batch.B;
    expect(last.B).toBe(1);
    expect(Array.from(last.inputs.x)).toEqual(Array.from({ length: batch.T }, (_, t) => batch.inputs.x[t * B + B - 1]));
    expect(Object.keys(last.targets)).toEqual(Object.keys(batch.targets));
  });
});
