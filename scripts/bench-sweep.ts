/**
 * Benchmark: wall time of one sweep with --jobs 1 and with --jobs 2 (and
 * more, up to the cores, with --max-jobs N). Prints the times and the
 * speed-up; checks that the rows are the same. Not a test: numbers depend on
 * the machine and its load.
 *
 *   npm run bench:sweep                 # 4 LSTM runs on adding (T = 30), 300 steps each
 *   npm run bench:sweep -- --runs 6 --steps 500
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../cli/commands/sweep.ts';
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

console.log(`sweep benchmark: ${runs} LSTM runs (16 units) on adding T = 30, ${steps} steps each; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${availableParallelism()} available, Node ${process.version}`);
const times: Record<number, number> = {};
let reference = '';
for (let jobs = 1; jobs <= maxJobs; jobs++) {
  const out = mkdtempSync(join(tmpdir(), `cw-bench-sweep-${jobs}-`));
  const t0 = performance.now();
  await runSweep(spec, process.cwd(), out, { jobs });
  times[jobs] = (performance.now() - t0) / 1000;
  const csv = strip(readFileSync(join(out, 'results.csv'), 'utf8'));
  if (jobs === 1) reference = csv;
  const same = csv === reference;
  console.log(`--jobs ${jobs}: ${times[jobs].toFixed(2)} s wall${jobs > 1 ? `, ×${(times[1] / times[jobs]).toFixed(2)} vs --jobs 1` : ''}${same ? '' : ' (ROWS DIFFER from --jobs 1!)'}`);
}
