/**
 * `cellwright bench`: training speed of the template cells (issue 7) on the
 * workloads S, M, L; the memory one step needs; and, with --compile, the time
 * to validate, compile and plan a 300-node graph.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { compile } from '../../engine/compile.ts';
import type { Program } from '../../engine/compile.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import type { BenchCell, BenchResult, WorkloadName } from '../../engine/fast/bench.ts';
import { BENCH_CELLS, WORKLOADS, runBench, stackedLstm } from '../../engine/fast/bench.ts';
import { MemoryBudgetError, createSession, estimateMemory, makePlan } from '../../engine/fast/index.ts';
import type { DType } from '../../engine/tensor.ts';
import type { Io } from '../main.ts';
import { CliError } from '../io.ts';
import { nodeThreadHost } from '../threads.ts';
import { dtypeOption } from './run.ts';

interface BenchOpts {
  cell: BenchCell | 'all';
  workload: WorkloadName | 'all';
  dtype: DType;
  threads: number;
  json?: boolean;
  memoryBudget?: number;
  engine: 'fast' | 'reference';
  kernels: 'auto' | 'wasm' | 'js';
  minSteps: number;
  minSeconds: number;
  compile?: boolean;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0) throw new CliError(`${name} must be a positive whole number, got "${v}"`, 2);
    return x;
  };
}
function positive(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new CliError(`${name} must be a positive number, got "${v}"`, 2);
    return x;
  };
}

const MB = 1048576;

function line(r: BenchResult): string {
  const f = (x: number, d = 2): string => x.toFixed(d);
  return `${r.cell.padEnd(4)} ${r.workload} ${r.dtype}  ${f(r.ms_per_step).padStart(9)} ms/step (min ${f(r.min)}, max ${f(r.max)}, ${r.steps} steps)  ` +
    `${f(r.steps_per_s, 1).padStart(7)} steps/s  ${f(r.gflops).padStart(6)} GFLOP/s  ${f(r.memory_bytes / MB, 1).padStart(7)} MB  [${r.runtime} runtime, ${r.kernels} kernels, ${r.threads} thread${r.threads === 1 ? '' : 's'}]`;
}

/** Median of n timings of f, in ms. */
function timeIt(n: number, f: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

export function register(program: Command, io: Io, setExit: (c: number) => void): void {
  program
    .command('bench')
    .description('Training speed (ms per step = forward over T, BPTT, SGD update) of the LSTM, GRU and Elman templates on workloads S (X=8, H=32, T=50, B=16), M (32, 128, 100, 32), L (64, 512, 100, 64), with the memory one step needs.')
    .addOption(new Option('--cell <cell>', 'which template').choices(['lstm', 'gru', 'rnn', 'all']).default('all'))
    .addOption(new Option('--workload <w>', 'which workload').choices(['S', 'M', 'L', 'all']).default('all'))
    .addOption(dtypeOption('float32'))
    .addOption(new Option('--threads <n>', 'threads for the large matrix products (elementwise work stays on one)').argParser(positiveInt('--threads')).default(1))
    .option('--json', 'one JSON object per line: cell, workload, dtype, threads, ms_per_step, min, max, gflops, steps_per_s, memory_bytes, …')
    .addOption(new Option('--memory-budget <MB>', 'refuse a workload whose training step would need more memory than this').argParser(positive('--memory-budget')))
    .addOption(new Option('--engine <engine>', 'fast (default) or the unfused reference runtime').choices(['fast', 'reference']).default('fast'))
    .addOption(new Option('--kernels <k>', 'matrix-product kernels of the fast engine').choices(['auto', 'wasm', 'js']).default('auto'))
    .addOption(new Option('--min-steps <n>', 'timed steps at least').argParser(positiveInt('--min-steps')).default(5))
    .addOption(new Option('--min-seconds <s>', 'timed seconds at least').argParser(positive('--min-seconds')).default(2))
    .option('--compile', 'instead: time validating, compiling and planning a 300-node graph')
    .action((opts: BenchOpts) => {
      if (opts.compile) {
        const g = stackedLstm(27);
        const t0 = performance.now();
        let program: Program | null = compile(g);
        makePlan(program);
        const cold = performance.now() - t0; // the first compile in this process: nothing JIT-compiled yet
        for (let i = 0; i < 3; i++) program = compile(g);
        const validate = timeIt(15, () => validateGraph(g));
        const comp = timeIt(15, () => { program = compile(g); });
        const plan = timeIt(15, () => makePlan(program!));
        const r = { graph: g.name, nodes: g.nodes.length, edges: g.edges.length, validate_ms: validate, compile_ms: comp, plan_ms: plan, total_ms: comp + plan, first_ms: cold };
        if (opts.json) io.out(JSON.stringify(r));
        else io.out(`${r.nodes} nodes, ${r.edges} edges: compile ${comp.toFixed(2)} ms (of which validate ${validate.toFixed(2)} ms), fast-runtime plan ${plan.toFixed(2)} ms; total ${(comp + plan).toFixed(2)} ms, the first time in a fresh process ${cold.toFixed(1)} ms (goal ≤ 50 ms)`);
        return;
      }
      const cells = opts.cell === 'all' ? BENCH_CELLS : [opts.cell];
      const loads = opts.workload === 'all' ? (Object.keys(WORKLOADS) as WorkloadName[]) : [opts.workload];
      const budget = opts.memoryBudget !== undefined ? opts.memoryBudget * MB : undefined;
      for (const w of loads) {
        for (const cell of cells) {
          try {
            const r = runBench({
              cell, workload: w, dtype: opts.dtype, now: () => performance.now(), threads: opts.threads,
              minSteps: opts.minSteps, minMs: opts.minSeconds * 1000,
              session: (p, o) => createSession(p, {
                ...o, engine: opts.engine, kernels: opts.kernels, threads: opts.threads, threadHost: nodeThreadHost,
                ...(budget !== undefined ? { memoryBudget: budget } : {}),
              }),
              memoryBytes: (p) => estimateMemory(p, { T: WORKLOADS[w].T, B: WORKLOADS[w].B, dtype: opts.dtype }).bytes,
            });
            if (opts.engine === 'reference') r.kernels = 'reference';
            io.out(opts.json ? JSON.stringify({ engine: 'cellwright', ...r }) : line(r));
          } catch (e) {
            if (!(e instanceof MemoryBudgetError)) throw e;
            setExit(1);
            const msg = `${cell} ${w} ${opts.dtype}: refused: ${e.message}`;
            if (opts.json) io.out(JSON.stringify({ engine: 'cellwright', cell, workload: w, dtype: opts.dtype, refused: true, memory_bytes: e.needed, budget_bytes: e.budget, message: e.message }));
            io.err(`cellwright bench: ${msg}`);
          }
        }
      }
    });
}
