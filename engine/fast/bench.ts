/**
 * The training-speed benchmark of issue 7, pure so it runs in node, a browser
 * or a worker (the caller passes the clock): a template cell at a workload's
 * sizes with a readout H → X at every step, MSE over all outputs, fixed random
 * data, one SGD step (lr 0.01) = forward over T, BPTT, update.
 */
import type { Batch } from '../batch.ts';
import { compile } from '../compile.ts';
import type { Program } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { createParams } from '../params.ts';
import { Rng } from '../rng.ts';
import { elman, gru, lstm } from '../templates.ts';
import type { Arr, DType } from '../tensor.ts';
import { alloc } from '../tensor.ts';
import type { RunSession } from '../session.ts';

export type BenchCell = 'lstm' | 'gru' | 'rnn';
export type WorkloadName = 'S' | 'M' | 'L';
export interface Workload { X: number; H: number; T: number; B: number }

export const BENCH_CELLS: BenchCell[] = ['lstm', 'gru', 'rnn'];
export const WORKLOADS: Record<WorkloadName, Workload> = {
  S: { X: 8, H: 32, T: 50, B: 16 },
  M: { X: 32, H: 128, T: 100, B: 32 },
  L: { X: 64, H: 512, T: 100, B: 64 },
};
const GATES: Record<BenchCell, number> = { lstm: 4, gru: 3, rnn: 1 };

/** The benchmark's graph: the template at the workload's sizes, readout H → X, MSE. */
export function benchGraph(cell: BenchCell, w: Workload): Graph {
  const s = { x: w.X, h: w.H, y: w.X };
  return cell === 'lstm' ? lstm(s) : cell === 'gru' ? gru(s) : elman(s);
}

/** Matrix-product FLOPs of one training step (the formula): 3 × 2·T·B·(G·H·(X+H) + H·X). */
export function flopsPerStep(cell: BenchCell, w: Workload): number {
  return 3 * 2 * w.T * w.B * (GATES[cell] * w.H * (w.X + w.H) + w.H * w.X);
}

/** Fixed random inputs and targets in [−1, 1). */
export function benchBatch(p: Program, w: Workload, dtype: DType, seed = 7): Batch {
  const rng = new Rng(seed);
  const fill = (n: number): Arr => {
    const a = alloc(dtype, n);
    for (let i = 0; i < n; i++) a[i] = rng.range(-1, 1);
    return a;
  };
  const batch: Batch = { T: w.T, B: w.B, inputs: {}, targets: {} };
  for (const i of p.inputs) batch.inputs[p.nodes[i].id] = fill(w.T * w.B * p.nodes[i].size);
  for (const i of p.targets) batch.targets[p.nodes[i].id] = fill(w.T * w.B * p.nodes[i].size);
  return batch;
}

export interface BenchResult {
  cell: BenchCell;
  workload: WorkloadName;
  dtype: DType;
  threads: number;
  ms_per_step: number;
  min: number;
  max: number;
  steps_per_s: number;
  gflops: number;
  steps: number;
  memory_bytes: number;
  /** The runtime that ran: 'fast' or 'reference' (a graph never falls back silently). */
  runtime: 'fast' | 'reference';
  kernels: string;
  loss_first: number;
  loss_last: number;
}

export interface BenchOptions {
  cell: BenchCell;
  workload: WorkloadName;
  dtype: DType;
  /** A clock in milliseconds (performance.now). */
  now: () => number;
  /** Makes the session under test (default: the fast one). */
  session: (p: Program, opts: { T: number; B: number; dtype: DType }) => RunSession;
  memoryBytes: (p: Program) => number;
  threads?: number;
  warmup?: number;
  minSteps?: number;
  minMs?: number;
  lr?: number;
}

/** Times training steps: `warmup` untimed, then at least minSteps and minMs. */
export function runBench(o: BenchOptions): BenchResult {
  const w = WORKLOADS[o.workload];
  const p = compile(benchGraph(o.cell, w));
  // The session first: a memory budget refuses before anything large is made.
  const s = o.session(p, { T: w.T, B: w.B, dtype: o.dtype });
  const theta = createParams(p.layout, undefined, { seed: 0, dtype: o.dtype });
  const batch = benchBatch(p, w, o.dtype);
  const lr = o.lr ?? 0.01;
  const step = (): number => {
    const l = s.forward(theta, batch);
    s.backward(theta);
    const g = s.gparams;
    for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
    return l;
  };
  try {
    return timeSteps(o, s, step, w);
  } finally {
    s.dispose?.();
  }
}

function timeSteps(o: BenchOptions, s: RunSession, step: () => number, w: Workload): BenchResult {
  const first = step();
  for (let k = 1; k < (o.warmup ?? 2); k++) step();
  const times: number[] = [];
  const minSteps = o.minSteps ?? 5;
  const minMs = o.minMs ?? 2000;
  const start = o.now();
  let last = first;
  while (times.length < minSteps || o.now() - start < minMs) {
    const t0 = o.now();
    last = step();
    times.push(o.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const med = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    cell: o.cell, workload: o.workload, dtype: o.dtype, threads: o.threads ?? 1,
    ms_per_step: med, min: sorted[0], max: sorted[sorted.length - 1], steps_per_s: 1000 / med,
    gflops: flopsPerStep(o.cell, w) / (med * 1e6), steps: times.length,
    memory_bytes: o.memoryBytes(s.program), runtime: s.engine, kernels: 'kernelName' in s && typeof s.kernelName === 'string' ? s.kernelName : 'reference',
    loss_first: first, loss_last: last,
  };
}

/**
 * A large graph for the compile-time benchmark: `layers` stacked LSTMs
 * (13 nodes each: input, readout, target and loss added once), each layer
 * reading the one below; about 300 nodes at 23 layers.
 */
export function stackedLstm(layers: number, size = 8): Graph {
  const g = lstm({ x: size, h: size, y: size });
  const base = g.nodes.filter((n) => n.kind !== 'input' && n.kind !== 'target' && n.kind !== 'loss' && n.id !== 'y');
  const baseEdges = g.edges.filter((e) => base.some((n) => n.id === e.target) && (e.source === 'x' || base.some((n) => n.id === e.source)));
  const nodes: Graph['nodes'] = [{ id: 'x', kind: 'input', size }];
  const edges: Graph['edges'] = [];
  let below = 'x';
  for (let l = 0; l < layers; l++) {
    const id = (s: string): string => (s === 'x' ? below : `${s}${l}`);
    for (const n of base) nodes.push({ ...n, id: id(n.id) });
    for (const e of baseEdges) edges.push({ ...e, id: `${e.id}${l}`, source: id(e.source), target: id(e.target) });
    below = id('m');
  }
  nodes.push({ id: 'y', kind: 'gate', size, activation: 'identity' }, { id: 'y_t', kind: 'target', size }, { id: 'loss', kind: 'loss', loss: 'mse' });
  edges.push({ id: 'm_y', source: below, target: 'y' }, { id: 'y_loss', source: 'y', target: 'loss', port: 'prediction' }, { id: 't_loss', source: 'y_t', target: 'loss', port: 'target' });
  return { ...g, name: `${layers} stacked LSTMs`, nodes, edges };
}
