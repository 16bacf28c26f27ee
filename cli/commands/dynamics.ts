/**
 * `cellwright dynamics GRAPH [--input zeros|JSON|DATA --at t] --fixed-points [--json]`:
 * fixed points and slow points of the joint state map under a constant input
 * (engine/diagnostics/dynamics.ts).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { batchFromData } from '../../engine/batch.ts';
import { compileAny, sessionFor } from '../../engine/layers/index.ts';
import { ProbeError } from '../../engine/diagnostics/connectivity.ts';
import type { FixedPointsReport, StatePoint } from '../../engine/diagnostics/dynamics.ts';
import { findFixedPoints, MAX_FIXED_POINT_DIMS } from '../../engine/diagnostics/dynamics.ts';
import { visitedStates } from '../../engine/diagnostics/run-probe.ts';
import { problem } from '../../engine/errors.ts';
import { idTable } from '../../engine/format/dict.ts';
import type { Graph } from '../../engine/format/types.ts';
import { createParams } from '../../engine/params.ts';
import type { Io } from '../main.ts';
import { CliError, readData, readGraph } from '../io.ts';
import { positive, probeFailure } from './grad.ts';

interface Opts {
  input: string;
  at?: number;
  seq: number;
  fixedPoints?: boolean;
  json?: boolean;
  seeds: number;
  seed: number;
  slowTolerance: number;
  maxDims: number;
}

function count(name: string, min: number) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new CliError(`${name} must be an integer ≥ ${min}, got "${v}"`, 2);
    return x;
  };
}

const bad = (detail: string): never => {
  throw new ProbeError(problem('CW313', { detail }, { path: '--input' }));
};

/** A JSON vector (the graph's only input) or {"<input id>": vector} → per input id. */
export function parseInputVector(text: string, program: ReturnType<typeof compileAny>): Record<string, number[]> {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { return bad(`not valid JSON: ${(e as Error).message}`); }
  const inputs = program.inputs.map((i) => program.nodes[i]);
  const table: [string, unknown][] = Array.isArray(v)
    ? (inputs.length === 1 ? [[inputs[0].id, v]] : bad(`a bare vector needs exactly one input node; this graph has ${inputs.length} (${inputs.map((n) => `"${n.id}"`).join(', ')}): give {"<input id>": [...]}`))
    : (typeof v === 'object' && v !== null ? Object.entries(v) : bad(`expected a vector or an object, got ${JSON.stringify(v)}`));
  const out = idTable<number[]>();
  for (const [id, vec] of table) {
    const n = inputs.find((x) => x.id === id);
    if (!n) bad(`"${id}" is not an input node of the graph (inputs: ${inputs.map((x) => `"${x.id}"`).join(', ') || 'none'})`);
    if (!Array.isArray(vec) || vec.length !== n!.size || !vec.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      bad(`"${id}" needs ${n!.size} finite numbers, got ${JSON.stringify(vec).slice(0, 60)}`);
    }
    out[id] = vec as number[];
  }
  return out;
}

function fmt(x: number): string {
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, '');
}

function line(p: StatePoint): string {
  const state = Object.entries(p.state).map(([k, v]) => `${k}=[${v.map(fmt).join(', ')}]`).join(' ');
  const radius = p.eigenvalues.length ? Math.hypot(...p.eigenvalues[0]) : 0;
  return `  ${p.kind.padEnd(8)} unstable directions ${p.unstable}, max |λ| ${fmt(radius)}, q ${p.q.toExponential(1)}  ${state}`;
}

export function register(program: Command, io: Io): void {
  program
    .command('dynamics')
    .description('Fixed points and slow points of the state map (all cells jointly) under a constant input, classified by the step Jacobian\'s eigenvalues.')
    .argument('<graph>', 'graph file (its parameters, else the seeded initialization as in grad)')
    .option('--fixed-points', 'find fixed points and slow points (minimise ½‖F(h) − h‖² from many seeds)')
    .option('--input <zeros|JSON|DATA>', 'the constant input: zeros, a JSON vector (or {"<input id>": [...]}), or a data file with --at', 'zeros')
    .addOption(new Option('--at <t>', 'with a data file: the input at step t (1-based); its states also seed the search').argParser(count('--at', 1)))
    .addOption(new Option('--seq <b>', 'with a data file: which sequence (1-based)').argParser(count('--seq', 1)).default(1))
    .addOption(new Option('--seeds <n>', 'random seeds (plus a grid for small states, visited states and runs of the map)').argParser(count('--seeds', 0)).default(200))
    .addOption(new Option('--seed <n>', 'seed of the random seeds').argParser(count('--seed', 0)).default(1))
    .addOption(new Option('--slow-tolerance <q>', 'a local minimum with q below this (and not ~0) is a slow point').argParser(positive('--slow-tolerance')).default(1e-4))
    .addOption(new Option('--max-dims <n>', 'refuse a joint state larger than this').argParser(count('--max-dims', 1)).default(MAX_FIXED_POINT_DIMS))
    .option('--json', 'print one JSON object {points, slowPoints, input, cost}')
    .action((graphPath: string, opts: Opts) => {
      if (!opts.fixedPoints) throw new CliError('nothing to do: pass --fixed-points', 2);
      const { graph } = readGraph(graphPath, { validate: true });
      let r: FixedPointsReport;
      try {
        r = fixedPointsOf(graph, opts);
      } catch (e) {
        probeFailure(e);
      }
      if (opts.json) {
        io.out(JSON.stringify(r));
        return;
      }
      const inp = Object.entries(r.input).map(([k, v]) => `${k}=[${v.map(fmt).join(', ')}]`).join(' ') || 'none';
      if (r.layer) io.out(`state map of layer ${r.layer.id} (cells ${r.layer.cells.join(', ')}); later layers and the outer graph's cells are not part of it`);
      io.out(`input ${inp}`);
      io.out(`fixed points: ${r.points.length}`);
      for (const p of r.points) io.out(line(p));
      io.out(`slow points: ${r.slowPoints.length}`);
      for (const p of r.slowPoints) io.out(line(p));
      io.out(`searched from ${r.cost.seeds} seeds: ${r.cost.iterations} iterations, ${r.cost.sweeps} Jacobian sweeps, ${r.cost.ms} ms`);
    });
}

function fixedPointsOf(graph: Graph, opts: Opts): FixedPointsReport {
  // A graph with layers: the first layer's cell is searched (the report says so in "layer").
  const program = compileAny(graph);
  const seed = typeof graph.training?.seed === 'number' ? graph.training.seed : 1;
  const theta = createParams(program.layout, graph.parameters, { seed, dtype: 'float64' });
  const common = { randomSeeds: opts.seeds, seed: opts.seed, slowTolerance: opts.slowTolerance, maxDims: opts.maxDims };
  const text = opts.input.trim();
  if (text === 'zeros') {
    if (opts.at !== undefined) bad('--at goes with a data file, not with zeros');
    return findFixedPoints(program, theta, common);
  }
  if (text.startsWith('[') || text.startsWith('{')) {
    if (opts.at !== undefined) bad('--at goes with a data file, not with a vector');
    return findFixedPoints(program, theta, { ...common, input: parseInputVector(text, program) });
  }
  if (opts.at === undefined) bad(`"${opts.input}" is read as a data file: say which step's input with --at t`);
  const data = readData(opts.input, graph);
  const batch = batchFromData(data, 'float64');
  const t = opts.at! - 1;
  if (t >= batch.T) throw new ProbeError(problem('CW314', { at: opts.at!, T: batch.T }, { path: '--at' }));
  if (opts.seq > batch.B) bad(`--seq ${opts.seq}: the data has ${batch.B} sequences`);
  const b = opts.seq - 1;
  const session = sessionFor(program, { T: batch.T, B: batch.B, dtype: 'float64' });
  session.forward(theta, batch);
  // The input as the step sees it (a reversed input node reads its sequence backwards).
  const input = idTable<number[]>();
  for (const i of program.inputs) {
    const n = program.nodes[i];
    const v = session.values(i);
    input[n.id] = Array.from(v.subarray((t * batch.B + b) * n.size, (t * batch.B + b + 1) * n.size));
  }
  // Every state the run visited seeds the search.
  const visited = visitedStates(program, session);
  return findFixedPoints(program, theta, { ...common, input, visited });
}
