/**
 * `cellwright sweep SPEC.json --out DIR [--jobs N]`: trains every run of a
 * SPEC (graphs × grid × seeds, engine/experiments/sweep.ts) on worker
 * threads and writes DIR/results.csv, DIR/runs/<run>.json (each trained
 * graph with its training state: `cellwright train` resumes it) and
 * DIR/summary.md with DIR/summary.svg. docs/sweeps.md describes the SPEC.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { RunConfig, SweepRow, SweepSpec } from '../../engine/experiments/sweep.ts';
import { builtGraph, expandSweep, fmtNum, graphSource, parseSweepSpec, resultsCsv, runInputOf, SpecError, summarise, summaryMarkdown, summarySvg } from '../../engine/experiments/sweep.ts';
import type { Graph } from '../../engine/format/types.ts';
import type { TaskResources } from '../../engine/tasks/types.ts';
import { TaskError } from '../../engine/tasks/types.ts';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import type { Io } from '../main.ts';
import type { RunJob } from '../pool.ts';
import { runPool } from '../pool.ts';
import { CliError, readGraph, readJson, readText } from '../io.ts';

interface SweepOpts {
  out: string;
  jobs?: number;
  quiet?: boolean;
}

function jobsArg(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new CliError(`--jobs must be an integer ≥ 1, got "${v}"`, 2);
  return x;
}

/** The jobs of a SPEC: each run's graph (read or built), task block and file resources. */
export function sweepJobs(spec: SweepSpec, specDir: string): { runs: RunConfig[]; jobs: RunJob[] } {
  const runs = expandSweep(spec);
  const graphs = new Map<number, { graph: Graph; dir: string }>();
  const loaded = (gi: number, run: RunConfig): { graph: Graph; dir: string } => {
    const src = graphSource(spec.graphs[gi], spec.hidden);
    if (src.kind === 'file') {
      const hit = graphs.get(gi);
      if (hit) return hit;
      const path = isAbsolute(src.ref) ? src.ref : resolve(specDir, src.ref);
      const r = { graph: readGraph(path, { validate: true }).graph, dir: dirname(path) };
      graphs.set(gi, r);
      return r;
    }
    // A template is sized to each run's task (a grid over task.length or task.name changes it); an inline graph is the SPEC's own.
    if (src.kind === 'template' && !run.task) throw new CliError(`graphs[${gi}]: the template "${src.ref}" needs a task: add "task" to the SPEC`, 1);
    try {
      return { graph: builtGraph(spec, run)!, dir: specDir };
    } catch (e) {
      if (e instanceof TaskError) throw new CliError(`graphs[${gi}]: ${e.message}`, 1);
      throw e;
    }
  };
  const jobs = runs.map((run) => {
    const { graph, dir } = loaded(run.graph, run);
    const input = runInputOf(graph, run);
    const task = input.task;
    const resources: TaskResources = {};
    if (task && typeof task.file === 'string' && (task.name === 'csv' || task.name === 'text')) {
      const p = isAbsolute(task.file) ? task.file : resolve(dir, task.file);
      resources[task.name] = readText(p, `${task.name} file`);
    }
    return { key: run.id, input: { ...input, resources } };
  });
  return { runs, jobs };
}

/** Runs a parsed SPEC and writes DIR; returns the rows (in SPEC order). */
export async function runSweep(spec: SweepSpec, specDir: string, outDir: string, o: { jobs: number; say?: (s: string) => void }): Promise<SweepRow[]> {
  const { runs, jobs } = sweepJobs(spec, specDir);
  mkdirSync(join(outDir, 'runs'), { recursive: true });
  const byId = new Map(runs.map((r) => [r.id, r]));
  const rows = new Map<string, SweepRow>();
  let done = 0;
  await runPool(jobs, o.jobs, async (reply) => {
    const run = byId.get(reply.key);
    if (!run) return;
    const base = { run: run.id, graph: run.label, seed: run.seed, point: run.point, configKey: run.configKey, seconds: reply.seconds };
    if (reply.ok) {
      await atomicWrite(join(outDir, 'runs', `${run.id}.json`), reply.graphText);
      const r = reply.result;
      rows.set(run.id, { ...base, loss: r.loss, metricName: r.metricName, metric: r.metric, trainLoss: r.trainLoss, steps: r.steps, diverged: r.diverged, ...(r.failure ? { error: r.failure } : {}) });
    } else {
      rows.set(run.id, { ...base, loss: NaN, metricName: '', metric: NaN, trainLoss: NaN, steps: 0, diverged: false, error: reply.error });
    }
    done++;
    const row = rows.get(run.id)!;
    o.say?.(`[${done}/${runs.length}] ${run.id}: ${row.error ? `error: ${row.error}` : `${row.metricName} ${row.metric} loss ${row.loss}${row.diverged ? ' (diverged)' : ''}`} (${reply.seconds.toFixed(1)} s)`);
  });
  const ordered = runs.map((r) => rows.get(r.id)!).filter(Boolean);
  const keys = Object.keys(spec.grid);
  await atomicWrite(join(outDir, 'results.csv'), resultsCsv(ordered, keys));
  const sums = summarise(ordered);
  await atomicWrite(join(outDir, 'summary.svg'), summarySvg(sums, `Sweep: ${ordered.length} runs`));
  await atomicWrite(join(outDir, 'summary.md'), summaryMarkdown(spec, ordered, 'summary.svg'));
  return ordered;
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('sweep')
    .description('Train every run of a SPEC (graphs × grid × seeds) and write results.csv, runs/<run>.json and summary.md to a folder.')
    .argument('<spec>', 'sweep SPEC (JSON): {"graphs": [...], "task": {...}, "seeds": [...], "grid": {"training.lr": [...]}, "steps": N}; see docs/sweeps.md')
    .requiredOption('--out <dir>', 'folder for results.csv, runs/ and summary.md (created if absent)')
    .addOption(new Option('--jobs <n>', 'runs at once, each on its own worker thread (default: the machine\'s cores)').argParser(jobsArg))
    .option('--quiet', 'no progress output')
    .action(async (specPath: string, o: SweepOpts) => {
      const raw = readJson(specPath, 'sweep SPEC');
      let spec: SweepSpec;
      try {
        spec = parseSweepSpec(raw);
      } catch (e) {
        if (e instanceof SpecError) throw new CliError(`${specPath}: the sweep SPEC has ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}`, 1, e.problems.map((p) => `  ${p.code} ${p.path}: ${p.message}`));
        throw e;
      }
      const jobs = o.jobs ?? availableParallelism();
      const outDir = resolve(o.out);
      try {
        mkdirSync(outDir, { recursive: true });
      } catch (e) {
        throw new CliError(`--out ${o.out}: cannot create the folder (${(e as Error).message})`);
      }
      const started = performance.now();
      const rows = await runSweep(spec, dirname(resolve(specPath)), outDir, { jobs, say: o.quiet ? undefined : io.err });
      const secs = (performance.now() - started) / 1000;
      const bad = rows.filter((r) => r.error).length;
      io.out(`swept ${rows.length} run${rows.length === 1 ? '' : 's'} in ${secs.toFixed(1)} s with ${Math.min(jobs, rows.length)} job${jobs === 1 ? '' : 's'}${bad ? `; ${bad} could not run (see results.csv)` : ''}`);
      for (const s of summarise(rows)) io.out(`  ${s.graph}${Object.keys(s.point).length ? ` ${JSON.stringify(s.point)}` : ''}: ${s.metricName} ${fmtNum(s.mean)} ± ${fmtNum(s.sd)} (best ${fmtNum(s.best)}, ${s.bestRun})`);
      io.out(`  wrote ${join(o.out, 'results.csv')}, ${join(o.out, 'summary.md')} and ${rows.length - bad} graph${rows.length - bad === 1 ? '' : 's'} in ${join(o.out, 'runs')}/`);
      if (bad) setExit(1);
    });
}
