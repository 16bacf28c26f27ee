/**
 * "Probe a run": everything the views show about a trained graph on one batch
 * — values of every node at every step, ‖dL/d value‖ through time, the
 * gradient each edge carries back, the initial states, and on request the
 * connectivity through time, the loss by step and the fixed points — from
 * one engine call. The training worker is only the transport: it picks the
 * sequence (sequenceOf) and posts what measure() returns.
 *
 * Float64 reference runtime, evaluation mode (no dropout or zoneout noise),
 * so a probe equals `cellwright grad` on the same sequence.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { idTable } from '../format/dict.ts';
import { sessionFor } from '../layers/index.ts';
import type { RunSession } from '../session.ts';
import type { Arr } from '../tensor.ts';
import type { ConnectivityPair, SweepOptions } from './connectivity.ts';
import { connectivity, lossByStep } from './connectivity.ts';
import type { FixedPointOptions, FixedPointsReport } from './dynamics.ts';
import { findFixedPoints, fixedPointCells } from './dynamics.ts';

/** The reference Session and the LayeredSession also report what each edge carries back. */
type ProbeSession = RunSession & { edgeGradNorms(params: Arr): Float64Array[] };

export interface ProbeOptions extends SweepOptions {
  /** OUT:IN pairs for connectivity through time. */
  connectivity?: ConnectivityPair[];
  /** The loss itemized by step for every cell. */
  lossByStep?: boolean;
  /** Fixed points of the state map (visited states of this batch seed the search). */
  fixedPoints?: FixedPointOptions;
}

export interface ProbeResult {
  T: number;
  B: number;
  loss: number;
  /** values: [T, B, size] (a cell: the states written); grad: ‖dL/d value‖ per step. */
  nodes: Record<string, { size: number; values: Float32Array; grad: Float32Array }>;
  /** Initial state of each cell, [B, size]. */
  initial: Record<string, Float32Array>;
  /** Per edge: the norm of the gradient it carries back at each step. */
  edges: Record<string, Float32Array>;
  connectivity?: Record<string, number[][]>;
  lossByStep?: Record<string, number[][]>;
  fixedPoints?: FixedPointsReport;
}

/**
 * Sequence b of a batch as a batch of one (inputs, targets, initial states).
 *
 * @example
 * const one = sequenceOf(batchFromData(data, 'float64'), 2); // the third sequence
 */
export function sequenceOf(batch: Batch, b: number): Batch {
  const { T, B } = batch;
  const k = Math.max(0, Math.min(B - 1, Math.floor(b)));
  const pick = (r: Record<string, Arr>): Record<string, Float64Array> => {
    const out = idTable<Float64Array>();
    for (const [id, a] of Object.entries(r)) {
      const n = a.length / (T * B);
      const one = new Float64Array(T * n);
      for (let s = 0; s < T; s++) for (let u = 0; u < n; u++) one[s * n + u] = a[(s * B + k) * n + u];
      out[id] = one;
    }
    return out;
  };
  const one: Batch = { T, B: 1, inputs: pick(batch.inputs), targets: pick(batch.targets) };
  if (batch.initialStates) {
    const init = idTable<Float64Array>();
    for (const [id, a] of Object.entries(batch.initialStates)) {
      const n = a.length / B;
      init[id] = Float64Array.from(a.subarray(k * n, (k + 1) * n));
    }
    one.initialStates = init;
  }
  return one;
}

/**
 * Probes runs of one program, reusing its session while T and B stay the same.
 *
 * @example
 * const probe = new RunProbe(program);
 * const r = probe.measure(theta, sequenceOf(batch, 0), { lossByStep: true });
 * r.nodes.h.values; r.lossByStep!.h
 */
export class RunProbe {
  private session: ProbeSession | null = null;

  constructor(readonly program: Program) {}

  measure(theta: Arr, batch: Batch, opts: ProbeOptions = {}): ProbeResult {
    const p = this.program;
    const th = theta instanceof Float64Array ? theta : Float64Array.from(theta);
    if (!this.session || this.session.T !== batch.T || this.session.B !== batch.B) {
      // A graph with layers runs as a LayeredSession of reference sessions (its nested nodes under ids like l1/h).
      this.session = sessionFor(p, { T: batch.T, B: batch.B, dtype: 'float64', inputGrads: true }) as ProbeSession;
    }
    const s = this.session;
    const loss = s.forward(th, batch);
    s.backward(th);
    const nodes: ProbeResult['nodes'] = idTable();
    for (const n of p.nodes) {
      if (n.kind === 'loss') continue;
      nodes[n.id] = { size: n.size, values: Float32Array.from(s.values(n.index)), grad: Float32Array.from(s.gradNorms[n.index]) };
    }
    const initial: ProbeResult['initial'] = idTable();
    for (const i of p.cells) initial[p.nodes[i].id] = Float32Array.from(s.vals[i].subarray(0, batch.B * p.nodes[i].size));
    const flows = s.edgeGradNorms(th);
    const edges: ProbeResult['edges'] = idTable();
    for (const e of p.edges) edges[e.id] = Float32Array.from(flows[e.index]);
    const out: ProbeResult = { T: batch.T, B: batch.B, loss, nodes, initial, edges };
    const sweep = { maxWork: opts.maxWork };
    if (opts.connectivity && opts.connectivity.length > 0) out.connectivity = connectivity(p, th, batch, opts.connectivity, sweep).connectivity;
    if (opts.lossByStep) out.lossByStep = lossByStep(p, th, batch, sweep).lossByStep;
    if (opts.fixedPoints) out.fixedPoints = findFixedPoints(p, th, { ...opts.fixedPoints, visited: opts.fixedPoints.visited ?? visitedStates(p, s) });
    return out;
  }
}

/** Every joint state (the cells fixedPointCells names, in its order) a session's last forward visited. */
export function visitedStates(p: Program, s: { T: number; B: number; values(i: number): Arr }): Float64Array[] {
  // With layers: the first layer's cells, the state the fixed-point search works in.
  const cells = fixedPointCells(p);
  const D = cells.reduce((a, i) => a + p.nodes[i].size, 0);
  const out: Float64Array[] = [];
  for (let t = 0; t < s.T; t++) {
    for (let b = 0; b < s.B; b++) {
      const h = new Float64Array(D);
      let o = 0;
      for (const ci of cells) {
        const n = p.nodes[ci].size;
        h.set(s.values(ci).subarray((t * s.B + b) * n, (t * s.B + b + 1) * n), o);
        o += n;
      }
      out.push(h);
    }
  }
  return out;
}
