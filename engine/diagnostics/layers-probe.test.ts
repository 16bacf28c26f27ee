/**
 * Seeing inside graphs with layers (kind "layer"): connectivity through the
 * layers, the loss by step and the gradient's sources for nested cells (a
 * reverse copy's time runs the other way), and the fixed points of the first
 * layer's cell — each checked against the LayeredSession that trains them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import { batchFromData } from '../batch.ts';
import type { Program } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { compileAny, sessionFor } from '../layers/index.ts';
import { createParams } from '../params.ts';
import type { ProbeError } from './connectivity.ts';
import { connectivity, lossByStep, parsePair } from './connectivity.ts';
import { findFixedPoints, fixedPointCells } from './dynamics.ts';
import { explainGradient } from './gradient-paths.ts';
import { RunProbe } from './run-probe.ts';

function example(name: string): { graph: Graph; data: DataFile; program: Program; theta: Float64Array; batch: Batch } {
  const dir = new URL('../../assets/examples/', import.meta.url);
  const graph = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Graph;
  const data = JSON.parse(readFileSync(new URL(`${name}.data.json`, dir), 'utf8')) as DataFile;
  const program = compileAny(graph);
  const theta = createParams(program.layout, graph.parameters, { seed: 3, dtype: 'float64' }) as Float64Array;
  return { graph, data, program, theta, batch: batchFromData(data, 'float64') };
}

/** ‖∂L/∂ values[i]‖ per step from the LayeredSession's own backward. */
function gradNorms(program: Program, theta: Float64Array, batch: Batch, id: string): Float64Array {
  const s = sessionFor(program, { T: batch.T, B: batch.B, dtype: 'float64' });
  s.forward(theta, batch);
  s.backward(theta);
  return s.gradNorms[program.byId.get(id)!];
}

describe('connectivity, loss by step and gradients through layers', () => {
  it('bidirectional GRU: ‖∂y_t/∂x_s‖ matches finite differences through both copies, the future included', () => {
    const { program, theta, batch } = example('gru-bidirectional');
    const { T, B } = batch;
    const M = connectivity(program, theta, batch, [parsePair(program, 'y:x')]).connectivity['y:x'];
    const s0 = sessionFor(program, { T, B, dtype: 'float64' });
    const yi = program.byId.get('y')!;
    const eps = 1e-6;
    const x = batch.inputs.x as Float64Array;
    const yAt = (): Float64Array => { s0.forward(theta, batch); return Float64Array.from(s0.values(yi)); };
    const fd = Array.from({ length: T }, () => new Array<number>(T).fill(0));
    for (let s = 0; s < T; s++) {
      for (let b = 0; b < B; b++) {
        const k = s * B + b;
        const keep = x[k];
        x[k] = keep + eps; const up = yAt();
        x[k] = keep - eps; const down = yAt();
        x[k] = keep;
        // y_t of sequence b against x_s of sequence b (sequences never mix).
        for (let t = 0; t < T; t++) fd[t][s] += ((up[t * B + b] - down[t * B + b]) / (2 * eps)) ** 2;
      }
    }
    for (let t = 0; t < T; t++) for (let s = 0; s < T; s++) expect(M[t][s]).toBeCloseTo(Math.sqrt(fd[t][s]), 7);
    // The reverse copy carries the future back: entries above the diagonal.
    expect(M[0][T - 1]).toBeGreaterThan(0);
  });

  it('bidirectional GRU: y_t hears the forward cell at s ≤ t only and the reverse cell at s ≥ t only', () => {
    const { program, theta, batch } = example('gru-bidirectional');
    const T = batch.T;
    const r = connectivity(program, theta, batch, [parsePair(program, 'y:bi/h'), parsePair(program, 'y:bi/reverse/h')]).connectivity;
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < T; s++) {
        if (s > t) expect(r['y:bi/h'][t][s]).toBe(0); else expect(r['y:bi/h'][t][s]).toBeGreaterThan(0);
        if (s < t) expect(r['y:bi/reverse/h'][t][s]).toBe(0); else expect(r['y:bi/reverse/h'][t][s]).toBeGreaterThan(0);
      }
    }
  });

  it('2-layer LSTM: with a last-step loss the loss by step of every nested cell is the gradient the training session computes', () => {
    const ex = example('lstm-2-layer');
    const graph = JSON.parse(JSON.stringify(ex.graph)) as Graph;
    for (const n of graph.nodes) if (n.kind === 'loss') (n as { steps?: string }).steps = 'last';
    const program = compileAny(graph);
    const M = lossByStep(program, ex.theta, ex.batch).lossByStep;
    expect(Object.keys(M).sort()).toEqual(['l1/c', 'l1/h', 'l2/c', 'l2/h']);
    const T = ex.batch.T;
    for (const id of Object.keys(M)) {
      const g = gradNorms(program, ex.theta, ex.batch, id);
      for (let s = 0; s < T; s++) expect(M[id][T - 1][s] / g[s]).toBeCloseTo(1, 10);
    }
  });

  it('a nested cell\'s gradient: the total is the training gradient; a reverse copy\'s sources are the losses at or before its step', () => {
    const { program, theta, batch } = example('gru-bidirectional');
    const T = batch.T;
    const s = 3;
    const fwd = explainGradient(program, theta, batch, 'bi/h', s, { maxSources: 100 });
    const rev = explainGradient(program, theta, batch, 'bi/reverse/h', s, { maxSources: 100 });
    expect(fwd.total / gradNorms(program, theta, batch, 'bi/h')[s]).toBeCloseTo(1, 10);
    expect(rev.total / gradNorms(program, theta, batch, 'bi/reverse/h')[s]).toBeCloseTo(1, 10);
    expect(fwd.sources.every((x) => x.step >= s)).toBe(true);
    expect(fwd.sourceCount).toBe(T - s);
    expect(rev.sources.every((x) => x.step <= s)).toBe(true);
    expect(rev.sourceCount).toBe(s + 1);
    // The story says which way time runs for the reverse copy.
    expect(rev.reverse).toBe(true);
    expect(fwd.reverse).toBeUndefined();
    expect(rev.story).toMatch(/steps? earlier in the data \(later for this copy, which reads time backwards\)/);
    expect(fwd.story).not.toContain('earlier in the data');
    // The reverse path walks forward in data time, from the loss step up to s.
    const steps = rev.path!.steps.map((x) => x.step);
    expect(steps).toEqual(Array.from({ length: rev.path!.source.distance }, (_, k) => rev.path!.from + k));
    const M = lossByStep(program, theta, batch).lossByStep['bi/reverse/h'];
    for (const x of rev.sources) expect(x.norm / M[x.step][s]).toBeCloseTo(1, 10);
    for (const st of rev.path!.steps) expect(st.gain).toBeCloseTo(M[rev.path!.from][st.step + 1] / M[rev.path!.from][st.step], 10);
  });

  it('refuses an OUT inside a layer, naming the layer and what to pick instead', () => {
    const { program } = example('gru-bidirectional');
    try {
      parsePair(program, 'bi/h:x');
      expect.unreachable('refused');
    } catch (e) {
      expect((e as ProbeError).problem.code).toBe('CW320');
      expect((e as ProbeError).message).toContain('inside layer "bi"');
      expect((e as ProbeError).problem.hint).toContain('--connectivity bi:bi/h');
    }
    // The layer itself is a fine OUT: its output at each step.
    expect(parsePair(program, 'bi:x')).toEqual({ out: 'bi', in: 'x' });
  });
});

describe('fixed points of a graph with layers', () => {
  it('2-layer LSTM: the first layer\'s joint (h, c) points, each one step of the training session maps to itself', () => {
    const { program, theta } = example('lstm-2-layer');
    const r = findFixedPoints(program, theta, { randomSeeds: 40 });
    expect(r.layer).toEqual({ id: 'l1', cells: ['l1/h', 'l1/c'] });
    expect(fixedPointCells(program).map((i) => program.nodes[i].id)).toEqual(['l1/h', 'l1/c']);
    expect(r.points.length).toBeGreaterThan(0);
    const s = sessionFor(program, { T: 1, B: 1, dtype: 'float64' });
    for (const p of r.points) {
      expect(Object.keys(p.state).sort()).toEqual(['l1/c', 'l1/h']);
      const init = { 'l1/h': Float64Array.from(p.state['l1/h']), 'l1/c': Float64Array.from(p.state['l1/c']) };
      s.forward(theta, { T: 1, B: 1, inputs: { x: new Float64Array(1) }, targets: { y_t: new Float64Array(1) }, initialStates: init });
      const h = s.values(program.byId.get('l1/h')!);
      const c = s.values(program.byId.get('l1/c')!);
      p.state['l1/h'].forEach((v, u) => expect(h[u]).toBeCloseTo(v, 7));
      p.state['l1/c'].forEach((v, u) => expect(c[u]).toBeCloseTo(v, 7));
    }
  });

  it('the run probe of a layered graph seeds the search with the first layer\'s visited states', () => {
    const { program, theta, batch } = example('lstm-2-layer');
    const r = new RunProbe(program).measure(theta, batch, { fixedPoints: { randomSeeds: 10 }, lossByStep: true, connectivity: [parsePair(program, 'y:l1/c')] });
    expect(r.fixedPoints!.layer?.id).toBe('l1');
    expect(r.fixedPoints!.cost.seeds).toBeGreaterThan(10);
    expect(Object.keys(r.lossByStep!)).toContain('l2/h');
    expect(r.connectivity!['y:l1/c'][batch.T - 1][0]).toBeGreaterThan(0);
  });
});
