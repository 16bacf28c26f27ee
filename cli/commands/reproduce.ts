/**
 * `cellwright reproduce --list` and `cellwright reproduce NAME [--out DIR]
 * [--json] [--quick] [--jobs N]`: trains a preset of engine/experiments/presets.ts
 * (the paper's setup, or a quick one that finishes in under a minute), measures
 * every trained graph on fresh test data and prints PASS or FAIL with the
 * numbers. Exit code 0 on PASS, 3 on FAIL. `--out` writes the trained graphs,
 * the test data (for `cellwright run`) and report.md / report.json.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ArmMeasure, PresetMode, PresetReport } from '../../engine/experiments/presets.ts';
import { describeSetup, getPreset, judgePreset, measureOnTest, PRESET_NAMES, PRESETS, presetJobs, reportMarkdown, testSet } from '../../engine/experiments/presets.ts';
import { loadGraphText } from '../../engine/format/parse.ts';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import type { Io } from '../main.ts';
import { runPool } from '../pool.ts';
import { CliError } from '../io.ts';

interface ReproduceOpts {
  list?: boolean;
  out?: string;
  json?: boolean;
  quick?: boolean;
  jobs?: number;
  quiet?: boolean;
}

/** Exit code of a preset that ran and FAILed its criterion (1 and 2 are errors). */
export const FAIL_EXIT = 3;

function jobsArg(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new CliError(`--jobs must be an integer ≥ 1, got "${v}"`, 2);
  return x;
}

export interface ReproduceResult {
  report: PresetReport;
  measures: ArmMeasure[];
  seconds: number;
}

/** Trains and judges a preset; writes DIR when given. */
export async function reproduce(name: string, mode: PresetMode, o: { jobs: number; out?: string; say?: (s: string) => void }): Promise<ReproduceResult> {
  const p = getPreset(name);
  if (!p) throw new CliError(`unknown preset "${name}": use one of ${PRESET_NAMES.join(', ')} (cellwright reproduce --list)`, 2);
  const jobs = presetJobs(p, mode);
  const test = testSet(p, mode);
  if (o.out) mkdirSync(o.out, { recursive: true });
  const started = performance.now();
  const measures: ArmMeasure[] = [];
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  await runPool(jobs.map((j) => ({ key: j.key, input: j.input })), o.jobs, async (reply) => {
    const job = byKey.get(reply.key);
    if (!job) return;
    if (!reply.ok) throw new CliError(`preset ${name}: run ${reply.key} failed: ${reply.error}`);
    const loaded = loadGraphText(reply.graphText);
    if (!loaded.ok) throw new CliError(`preset ${name}: run ${reply.key} wrote a graph that does not load`);
    const t = measureOnTest(p, loaded.graph, test);
    measures.push({ arm: job.arm, seed: job.seed, ...t, steps: reply.result.steps, seconds: reply.seconds, diverged: reply.result.diverged });
    o.say?.(`  ${job.key}: test ${t.metricName} ${t.metric} (loss ${t.loss}) after ${reply.result.steps} steps, ${reply.seconds.toFixed(1)} s`);
    if (o.out) await atomicWrite(join(o.out, `${job.key}.json`), reply.graphText);
  });
  // Reports list arms and seeds in the preset's order, whatever order the workers finished in.
  const order = jobs.map((j) => j.key);
  measures.sort((a, b) => order.indexOf(`${a.arm}-s${a.seed}`) - order.indexOf(`${b.arm}-s${b.seed}`));
  const report = judgePreset(p, mode, measures);
  const seconds = (performance.now() - started) / 1000;
  if (o.out) {
    await atomicWrite(join(o.out, 'test-data.json'), JSON.stringify(test.data));
    await atomicWrite(join(o.out, 'report.md'), reportMarkdown(p, report, measures) + `\nWall time: ${seconds.toFixed(1)} s.\n`);
    await atomicWrite(join(o.out, 'report.json'), JSON.stringify({ ...report, measures, seconds }, null, 2) + '\n');
  }
  return { report, measures, seconds };
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('reproduce')
    .description('Reproduce a classic result: train the paper\'s setup, test on fresh data, print PASS or FAIL with the measured numbers.')
    .argument('[name]', `preset: ${PRESET_NAMES.join(', ')}`)
    .option('--list', 'list the presets with their papers and criteria')
    .option('--quick', 'the quick form (under a minute on 2 cores) with its own, weaker criterion')
    .option('--out <dir>', 'write the trained graphs, test-data.json and report.md / report.json here')
    .option('--json', 'print the report as one JSON object')
    .addOption(new Option('--jobs <n>', 'runs at once on worker threads (default: the machine\'s cores)').argParser(jobsArg))
    .option('--quiet', 'no progress output')
    .action(async (name: string | undefined, o: ReproduceOpts) => {
      if (o.list || !name) {
        if (!o.list) throw new CliError(`name a preset (${PRESET_NAMES.join(', ')}) or give --list`, 2);
        if (o.json) {
          io.out(JSON.stringify(PRESET_NAMES.map((n) => { const p = PRESETS[n]; return { name: n, title: p.title, paper: p.paper, criterion: p.criterion, reported: p.reported, setup: describeSetup(p, 'full'), quick: describeSetup(p, 'quick') }; })));
          return;
        }
        for (const n of PRESET_NAMES) {
          const p = PRESETS[n];
          io.out(`${n}: ${p.title}`);
          io.out(`  paper: ${p.paper}`);
          io.out(`  criterion: ${p.criterion}`);
        }
        return;
      }
      const mode: PresetMode = o.quick ? 'quick' : 'full';
      const p = getPreset(name);
      if (!p) throw new CliError(`unknown preset "${name}": use one of ${PRESET_NAMES.join(', ')} (cellwright reproduce --list)`, 2);
      const say = o.quiet || o.json ? undefined : io.err;
      if (say) {
        say(`${p.title}${mode === 'quick' ? ' (quick)' : ''}`);
        say(`  paper: ${p.paper}`);
        for (const l of describeSetup(p, mode)) say(`  ${l}`);
      }
      const r = await reproduce(name, mode, { jobs: o.jobs ?? availableParallelism(), out: o.out ? resolve(o.out) : undefined, say });
      if (o.json) {
        io.out(JSON.stringify({ ...r.report, measures: r.measures, seconds: r.seconds }));
      } else {
        io.out(`${r.report.pass ? 'PASS' : 'FAIL'} ${name}${mode === 'quick' ? ' --quick' : ''}: ${r.report.criterion}`);
        for (const l of r.report.lines) io.out(`  ${l}`);
        for (const n of r.report.notes) io.out(`  note: ${n}`);
        io.out(`  paper reports: ${p.reported}`);
        io.out(`  ${r.seconds.toFixed(1)} s${o.out ? `; wrote the graphs, test-data.json and report.md to ${o.out}` : ''}`);
      }
      if (!r.report.pass) setExit(FAIL_EXIT);
    });
}
