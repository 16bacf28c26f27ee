/**
 * Benchmark: wall time of `cellwright sweep` (a fresh process each time) with --jobs 1 and --jobs 2 (and
 * more, up to the cores, with --max-jobs N). Prints the times and the
 * speed-up; checks that the rows are the same. Not a test: numbers depend on
 * the machine and its load. With /usr/bin/time it also prints the CPU time
 * each sweep used and its share of a core: on a loaded machine the wall-time
 * speed-up is bounded by the CPU share the process gets, which the CPU
 * columns make visible (what --jobs costs in CPU is its own overhead).
 *
 *   npm run bench:sweep                 # 4 LSTM runs on adding (T = 30), 300 steps each
 *   npm run bench:sweep -- --runs 6 --steps 500 --repeat 5
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseSweepSpec } from '../engine/experiments/sweep.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const runs = arg('runs', 4);
const steps = arg('steps', 300);
const maxJobs = arg('max-jobs', 2);
const spec = parseSweepSpec({
  graphs: ['template:lstm'],
  task: { name: 'adding', length: 30 },
  training: { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 32 },
  seeds: Array.from({ length: runs }, (_, i) => i + 1),
  steps,
});

/** results.csv without its seconds column (the only one that may differ). */
function strip(csv: string): string {
  const lines = csv.split('\n');
  const drop = lines[0].split(',').indexOf('seconds');
  return lines.map((l) => l.split(',').filter((_, i) => i !== drop).join(',')).join('\n');
}

const repeat = arg('repeat', 3);
const root = new URL('../', import.meta.url).pathname;
const bundle = existsSync(join(root, 'dist-cli/sweep-worker.mjs'));
const specFile = join(mkdtempSync(join(tmpdir(), 'cw-bench-spec-')), 'spec.json');
writeFileSync(specFile, JSON.stringify(spec));
console.log(`sweep benchmark: ${runs} LSTM runs (16 units) on adding T = 30, ${steps} steps each, ${repeat} alternating repeats; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${availableParallelism()} available, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, Node ${process.version}, ${bundle ? 'the bundle (dist-cli/)' : 'the TypeScript sources (npm run build:cli for the bundle)'}`);
const times: Record<number, number[]> = {};
const cpu: Record<number, number[]> = {};
const TIME = '/usr/bin/time';
const timed = existsSync(TIME);
let reference = '';
for (let rep = 0; rep < repeat; rep++) {
  // Alternate the order so a change in the machine's load hits both settings alike.
  const order = Array.from({ length: maxJobs }, (_, i) => i + 1);
  if (rep % 2 === 1) order.reverse();
  for (const jobs of order) {
    const out = mkdtempSync(join(tmpdir(), `cw-bench-sweep-${jobs}-`));
    // A fresh `cellwright sweep` process per measurement, as a user runs it (the bundle when built: no tsx compile in the workers).
    const t0 = performance.now();
    const command = [process.execPath, join(root, 'cli/cellwright.mjs'), 'sweep', specFile, '--out', out, '--jobs', String(jobs), '--quiet'];
    const r = timed
      ? spawnSync(TIME, ['-f', 'CWTIME %U %S', ...command], { encoding: 'utf8', env: { ...process.env, ...(bundle ? { CELLWRIGHT_BUNDLE: '1' } : {}) } })
      : spawnSync(command[0], command.slice(1), { encoding: 'utf8', env: { ...process.env, ...(bundle ? { CELLWRIGHT_BUNDLE: '1' } : {}) } });
    const secs = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`cellwright sweep failed: ${r.stderr}`);
    (times[jobs] ??= []).push(secs);
    const used = /CWTIME ([\d.]+) ([\d.]+)/.exec(r.stderr);
    const cpuSecs = used ? Number(used[1]) + Number(used[2]) : NaN;
    (cpu[jobs] ??= []).push(cpuSecs);
    const csv = strip(readFileSync(join(out, 'results.csv'), 'utf8'));
    if (!reference) reference = csv;
    console.log(`  repeat ${rep + 1}, --jobs ${jobs}: ${secs.toFixed(2)} s wall${Number.isFinite(cpuSecs) ? `, ${cpuSecs.toFixed(2)} s CPU (${((cpuSecs / secs) * 100).toFixed(0)} % of a core)` : ''}${csv === reference ? '' : ' (ROWS DIFFER!)'}`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (let jobs = 1; jobs <= maxJobs; jobs++) {
  const m = median(times[jobs]);
  const c = median(cpu[jobs]);
  console.log(`--jobs ${jobs}: median ${m.toFixed(2)} s wall${jobs > 1 ? `, ×${(median(times[1]) / m).toFixed(2)} vs --jobs 1` : ''}${Number.isFinite(c) ? `; median ${c.toFixed(2)} s CPU${jobs > 1 ? ` (${c >= median(cpu[1]) ? '+' : ''}${(c - median(cpu[1])).toFixed(2)} s vs --jobs 1)` : ''}` : ''}`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (on a machine with other work the speed-up shrinks toward its share of the cores)`);
