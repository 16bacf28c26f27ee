/**
 * The report of `cellwright grad` and `run` (spec: "What grad reports"):
 * loss, dL/dθ per parameter key, values per node and step, gradient norms
 * through time, and the explode/vanish flags.
 */
import { batchFromData, dataRunShape } from './batch.ts';
import type { Program } from './compile.ts';
import { GraphError } from './compile.ts';
import type { Limits } from './limits.ts';
import { allocating, checkRun } from './limits.ts';
import type { Flag, FlagThresholds } from './diagnostics/flags.ts';
import { DEFAULT_FLAG_THRESHOLDS, flagSeries } from './diagnostics/flags.ts';
import type { SweepCost } from './diagnostics/connectivity.ts';
import { connectivity, lossByStep, parsePair } from './diagnostics/connectivity.ts';
import type { DataFile, Graph, TensorJSON } from './format/types.ts';
import { createParams } from './params.ts';
import type { SessionLike } from './fast/index.ts';
import { compileAny, LayeredSession, nestedFlags, sessionFor } from './layers/index.ts';
import type { Arr, DType } from './tensor.ts';
import { idTable, own } from './format/dict.ts';

export interface GradReport {
  loss: number;
  gradients: Record<string, TensorJSON>;
  values: Record<string, TensorJSON>;
  gradNorms: Record<string, number[]>;
  flags: Flag[];
  /** With GradOptions.connectivity: "OUT:IN" → M[t][s] (engine/diagnostics/connectivity.ts). */
  connectivity?: Record<string, number[][]>;
  /** With GradOptions.lossByStep: cell id → M[t][s] = ‖∂L_t/∂h_s‖. */
  lossByStep?: Record<string, number[][]>;
  /** What connectivity / lossByStep cost (backward sweeps, multiply-adds, ms). */
  cost?: { connectivity?: SweepCost; lossByStep?: SweepCost };
}

export interface RunReport {
  loss: number;
  losses: Record<string, number>;
  values: Record<string, TensorJSON>;
}

export interface GradOptions {
  /** Size limits over the defaults (engine/limits.ts): a run over them throws GraphError before allocating. */
  limits?: Partial<Limits>;
  dtype?: DType;
  /** Seed for parameters the graph does not give (default: training.seed, else 1 — as the trainer does). */
  seed?: number;
  thresholds?: Partial<FlagThresholds>;
  /** "OUT:IN" pairs to report connectivity through time for. */
  connectivity?: string[];
  /** Report the loss itemized by step for every cell. */
  lossByStep?: boolean;
  /** Refuse connectivity / lossByStep beyond this many multiply-adds (default DEFAULT_MAX_WORK). */
  maxWork?: number;
}

function tensor(shape: number[], a: Arr): TensorJSON {
  return { shape, data: Array.from(a) };
}

interface Prepared { program: Program; session: SessionLike; theta: Arr; batch: ReturnType<typeof batchFromData> }

/**
 * Compiles, checks the run against the limits, then allocates and runs
 * `body`; an allocation the engine refuses anywhere in it (buffers, the
 * report's arrays) is a GraphError CW118 with the estimate.
 */
function withRun<R>(graph: Graph, data: DataFile, opts: GradOptions, body: (p: Prepared) => R): R {
  const dtype = opts.dtype ?? 'float64';
  const program = compileAny(graph, { limits: opts.limits });
  const run = dataRunShape(data, dtype);
  const refused = checkRun(program, run, opts.limits);
  if (refused.length > 0) throw new GraphError(refused);
  return allocating(program, run, () => {
    const batch = batchFromData(data, dtype);
    const seed = opts.seed ?? (typeof graph.training?.seed === 'number' ? graph.training.seed : 1);
    const theta = createParams(program.layout, graph.parameters, { seed, dtype });
    const session = sessionFor(program, { T: batch.T, B: batch.B, dtype, inputGrads: true });
    return body({ program, session, theta, batch });
  });
}

function valuesOf(program: Program, session: SessionLike): Record<string, TensorJSON> {
  const values = idTable<TensorJSON>();
  for (const n of program.nodes) {
    if (n.kind === 'loss') values[n.id] = tensor([session.T, 1, 1], Float64Array.from(session.stepLoss[n.index]));
    else values[n.id] = tensor([session.T, session.B, n.size], session.values(n.index));
  }
  return values;
}

/** Forward only: loss, per-loss totals, values of every node at every step. */
export function runGraph(graph: Graph, data: DataFile, opts: GradOptions = {}): RunReport {
  return withRun(graph, data, opts, (p) => runPrepared(p));
}

function runPrepared({ program, session, theta, batch }: Prepared): RunReport {
  const loss = session.forward(theta, batch);
  const losses = idTable<number>();
  for (const i of program.losses) losses[program.nodes[i].id] = session.stepLoss[i].reduce((a, b) => a + b, 0);
  return { loss, losses, values: valuesOf(program, session) };
}

/**
 * Loss, gradients, values, gradient norms and flags for a graph on a data file.
 *
 * @example
 * const r = gradReport(graph, data); r.gradients['edge:e_hh'].data
 */
export function gradReport(graph: Graph, data: DataFile, opts: GradOptions = {}): GradReport {
  return withRun(graph, data, opts, (p) => gradPrepared(p, data, opts));
}

function gradPrepared({ program, session, theta, batch }: Prepared, data: DataFile, opts: GradOptions): GradReport {
  // Parse the pairs first: a bad one is refused before any work.
  const pairs = (opts.connectivity ?? []).map((s) => parsePair(program, s));
  const loss = session.forward(theta, batch);
  session.backward(theta);
  const gradients = idTable<TensorJSON>();
  for (const e of program.layout.entries) gradients[e.key] = tensor(e.shape, session.gparams.subarray(e.offset, e.offset + e.length));
  for (const i of program.cells) {
    const n = program.nodes[i];
    if (own(batch.initialStates, n.id)) gradients[`state:${n.id}`] = tensor([batch.B, n.size], session.initialStateGrad(i));
  }
  if (session instanceof LayeredSession) {
    for (const { id, grad } of session.nestedStateGrads(batch)) gradients[`state:${id}`] = tensor([batch.B, grad.length / batch.B], grad);
  }
  const gradNorms = idTable<number[]>();
  for (const n of program.nodes) {
    if (n.kind === 'loss' || n.kind === 'target') continue;
    gradNorms[n.id] = Array.from(session.gradNorms[n.index]);
  }
  const th = { ...DEFAULT_FLAG_THRESHOLDS, ...opts.thresholds };
  const flags: Flag[] = [];
  for (const i of program.cells) {
    const f = flagSeries(program.nodes[i].id, session.gradNorms[i], th);
    if (f) flags.push(f);
  }
  flags.push(...nestedFlags(program, session.gradNorms, th));
  const report: GradReport = { loss, gradients, values: valuesOf(program, session), gradNorms, flags };
  if (pairs.length > 0 || opts.lossByStep) {
    // The sweeps are exact in float64 whatever dtype the report was asked in.
    const theta64 = Float64Array.from(theta);
    const batch64 = session.dtype === 'float64' ? batch : batchFromData(data, 'float64');
    const sweep = { maxWork: opts.maxWork };
    report.cost = {};
    if (pairs.length > 0) {
      const c = connectivity(program, theta64, batch64, pairs, sweep);
      report.connectivity = c.connectivity;
      report.cost.connectivity = c.cost;
    }
    if (opts.lossByStep) {
      const l = lossByStep(program, theta64, batch64, sweep);
      report.lossByStep = l.lossByStep;
      report.cost.lossByStep = l.cost;
    }
  }
  return report;
}
