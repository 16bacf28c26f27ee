/**
 * `cellwright sweep` as a user runs it: a SPEC's rows equal single
 * `cellwright train` runs bit for bit (through worker threads too), its
 * files are written and resumable, and a bad SPEC is refused naming the
 * JSON path of every problem.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { templateForTask } from '../../engine/experiments/models.ts';
import { runCli } from '../testing.ts';

const root = new URL('../..', import.meta.url).pathname;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cw-sweep-'));

/** results.csv as objects, values as the text written (so numbers compare exactly). */
function readCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

describe('cellwright sweep', () => {
  const dir = tmp();
  const out = join(dir, 'out');
  let r: { code: number; out: string; err: string };
  beforeAll(async () => {
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({
      graphs: [join(root, 'assets/examples/elman.json'), 'template:lstm-cifg'],
      task: { name: 'adding' },
      training: { batch: 4 },
      seeds: [1, 2],
      grid: { 'training.lr': [0.01, 0.03], 'task.length': [6] },
      steps: 12,
    }));
    r = await runCli('sweep', join(dir, 'spec.json'), '--out', out, '--jobs', '2', '--quiet');
  }, 120_000);

  it('writes one row per run (graphs × grid × seeds) with every grid key, results.csv, runs/ and summary.md with its SVG plot', () => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/swept 8 runs/);
    const rows = readCsv(join(out, 'results.csv'));
    expect(rows).toHaveLength(8);
    expect(Object.keys(rows[0])).toEqual(['run', 'graph', 'seed', 'training.lr', 'task.length', 'loss', 'metric_name', 'metric', 'train_loss', 'steps', 'seconds', 'diverged', 'error']);
    expect(new Set(rows.map((x) => `${x.graph} ${x.seed} ${x['training.lr']}`)).size).toBe(8);
    for (const x of rows) {
      expect(x.metric_name).toBe('mse');
      expect(Number(x.steps)).toBe(12);
      expect(Number.isFinite(Number(x.loss))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'runs', `${x.run}.json`), 'utf8')).training.state.step).toBe(12);
    }
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| elman \| 0\.01 \| 6 \| [\d.e-]+ ± [\d.e-]+ \|/);
    expect(md).toContain('![validation mse per configuration](summary.svg)');
    const svg = readFileSync(join(out, 'summary.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
  });

  it('a row (from a worker thread) equals `cellwright train` with the same settings and seed, bit for bit: parameters, state and metrics', async () => {
    const rows = readCsv(join(out, 'results.csv'));
    const row = rows.find((x) => x.graph === 'elman' && x.seed === '2' && x['training.lr'] === '0.03')!;
    const t = await runCli('train', join(root, 'assets/examples/elman.json'), '--task', 'adding', '--length', '6', '--batch', '4', '--lr', '0.03', '--seed', '2', '--steps', '12',
      '--quiet', '--out', join(dir, 'single.json'), '--metrics', join(dir, 'single.csv'));
    expect(t.code).toBe(0);
    const single = JSON.parse(readFileSync(join(dir, 'single.json'), 'utf8')) as Graph;
    const swept = JSON.parse(readFileSync(join(out, 'runs', `${row.run}.json`), 'utf8')) as Graph;
    expect(swept.parameters).toEqual(single.parameters);
    expect(swept.training).toEqual(single.training);
    const m = readCsv(join(dir, 'single.csv')).at(-1)!;
    expect(row.loss).toBe(m.val_loss);
    expect(row.metric).toBe(m.val_mse);
    expect(row.train_loss).toBe(m.loss);
  });

  it('a template row equals training the template graph with `cellwright train`', async () => {
    const rows = readCsv(join(out, 'results.csv'));
    const row = rows.find((x) => x.graph === 'lstm-cifg' && x.seed === '1' && x['training.lr'] === '0.01')!;
    writeFileSync(join(dir, 'cifg.json'), JSON.stringify(templateForTask('lstm-cifg', { name: 'adding', length: 6 }, { hidden: 16 })));
    const t = await runCli('train', join(dir, 'cifg.json'), '--batch', '4', '--lr', '0.01', '--seed', '1', '--steps', '12', '--quiet', '--out', join(dir, 'cifg-out.json'), '--metrics', join(dir, 'cifg.csv'));
    expect(t.code).toBe(0);
    const single = JSON.parse(readFileSync(join(dir, 'cifg-out.json'), 'utf8')) as Graph;
    expect((JSON.parse(readFileSync(join(out, 'runs', `${row.run}.json`), 'utf8')) as Graph).parameters).toEqual(single.parameters);
    expect(row.metric).toBe(readCsv(join(dir, 'cifg.csv')).at(-1)!.val_mse);
  });

  it('runs in this thread with --jobs 1 and gives the same rows', async () => {
    const one = join(dir, 'one');
    const r1 = await runCli('sweep', join(dir, 'spec.json'), '--out', one, '--jobs', '1', '--quiet');
    expect(r1.code).toBe(0);
    const strip = (rows: Record<string, string>[]): Record<string, string>[] => rows.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(readCsv(join(one, 'results.csv')))).toEqual(strip(readCsv(join(out, 'results.csv'))));
  }, 60_000);

  it('a run\'s graph resumes with `cellwright train`', async () => {
    const row = readCsv(join(out, 'results.csv'))[0];
    const t = await runCli('train', join(out, 'runs', `${row.run}.json`), '--steps', '3', '--quiet', '--out', join(dir, 'resumed.json'));
    expect(t.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8')).training.state.step).toBe(15);
  });

  it('refuses a bad SPEC, naming the JSON path of every problem', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ graphs: ['template:lstm', { template: 'gru', hidden: 0 }], seeds: [1.5], grid: { lr: [0.1], 'training.batch': [] }, extra: 1 }));
    const b = await runCli('sweep', bad, '--out', join(dir, 'bad-out'));
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/the sweep SPEC has \d+ problems/);
    for (const where of ['graphs[1].hidden', 'seeds[0]', 'grid.lr', 'grid["training.batch"]', 'extra']) expect(b.err).toContain(`CW290 ${where}:`);
    writeFileSync(bad, JSON.stringify({ graphs: ['template:lstm'], seeds: [1] }));
    const c = await runCli('sweep', bad, '--out', join(dir, 'bad-out'));
    expect(c.err).toContain('CW292 graphs[0]: a template has no task of its own');
    writeFileSync(bad, JSON.stringify({ graphs: ['template:nope'], task: { name: 'parity' } }));
    const d = await runCli('sweep', bad, '--out', join(dir, 'bad-out'));
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/graphs\[0\]: unknown template "nope" \(CW291\): Use one of elman, irnn, lstm/);
    const e = await runCli('sweep', bad, '--out', join(dir, 'bad-out'), '--jobs', '0');
    expect(e.code).toBe(2);
    expect(e.err).toContain('--jobs must be an integer ≥ 1');
  });
});
