/**
 * `cellwright train` as a user runs it: trained parameters and the blocks
 * that reproduce the run written back, metrics files, the same seed giving
 * the same file, errors that say what to change, and Ctrl-C saving --out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { elman } from '../../engine/templates.ts';
import { main } from '../main.ts';

const root = new URL('../..', import.meta.url).pathname;
const ex = (f: string): string => join(root, 'assets/examples', f);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cw-train-'));

describe('cellwright train', () => {
  it('trains the LSTM parity example and writes parameters, task and training blocks back, keeping unknown fields', async () => {
    const dir = tmp();
    const src = JSON.parse(readFileSync(ex('lstm.json'), 'utf8')) as Graph;
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ ...src, notes: { keep: 'me' } }));
    const r = await run('train', join(dir, 'g.json'), '--steps', '20', '--lr', '0.02', '--seed', '3', '--quiet', '--out', join(dir, 'out.json'), '--metrics', join(dir, 'm.csv'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trained: 20 steps/);
    expect(r.out).toMatch(/validation loss [\d.]+ accuracy [\d.]+%/);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Graph;
    expect(out.notes).toEqual({ keep: 'me' });
    expect(out.task).toEqual(src.task);
    expect(out.training).toMatchObject({ optimizer: 'adam', lr: 0.02, steps: 20, seed: 3 });
    expect(out.parameters!['edge:x_f'].data).not.toEqual(src.parameters!['edge:x_f'].data);
    const csv = readFileSync(join(dir, 'm.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,loss,accuracy,grad_norm,clipped,lr,val_loss,val_accuracy');
    expect(csv).toHaveLength(22); // header, step 0 (validation), steps 1..20
    // Training the result again continues from its parameters.
    const again = await run('train', join(dir, 'out.json'), '--steps', '1', '--quiet', '--out', join(dir, 'out2.json'), '--metrics', join(dir, 'm2.jsonl'));
    expect(again.code).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, 'm2.jsonl'), 'utf8').split('\n')[0]) as { step: number; val_loss: number };
    expect(first.step).toBe(0);
    expect(first.val_loss).toBeCloseTo(Number(csv[csv.length - 1].split(',')[6]), 12);
  });

  it('the same graph, task and seed give identical metrics files', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 4, y: 1, steps: 'last' })));
    const go = (name: string) => run('train', join(dir, 'g.json'), '--task', 'adding', '--length', '10', '--steps', '15', '--clip-norm', '1', '--quiet', '--out', join(dir, `${name}.json`), '--metrics', join(dir, `${name}.csv`));
    await go('a');
    await go('b');
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a.csv'), 'utf8'));
  });

  it('trains on a data file: every step is all of it', async () => {
    const dir = tmp();
    const r = await run('train', ex('gru.json'), '--data', ex('gru.data.json'), '--steps', '5', '--quiet', '--out', join(dir, 'o.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trained: 5 steps/);
  });

  it('an unknown task: exit 1, listing the tasks there are', async () => {
    const r = await run('train', ex('lstm.json'), '--task', 'sorting', '--out', join(tmp(), 'o.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown task "sorting": use one of parity, adding, copy, sine, text, csv');
  });

  it('a graph whose input size does not fit the task: exit 1, saying which size to set', async () => {
    const r = await run('train', ex('elman.json'), '--task', 'parity', '--out', join(tmp(), 'o.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('the parity task feeds 1 number per step (bit), but input node "x" has size 2: set its size to 1');
  });

  it('a bad CSV: exit 1, each bad row with its line number', async () => {
    const dir = tmp();
    const rows = ['t,a,b', ...Array.from({ length: 30 }, (_, i) => `${i},${i / 10},${i % 3}`)];
    rows[4] = '3,oops,1';
    rows[9] = '8,0.8';
    writeFileSync(join(dir, 'bad.csv'), rows.join('\n') + '\n');
    const r = await run('train', ex('elman.json'), '--csv', join(dir, 'bad.csv'), '--inputs', 'a,b', '--targets', 'b', '--window', '5', '--out', join(dir, 'o.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('2 bad rows; fix them, or skip them ("badRows": "skip"');
    expect(r.err).toContain('--csv-skip-bad');
    expect(r.err).toContain('bad.csv:5: column "a" is "oops", not a number');
    expect(r.err).toContain('bad.csv:10: has 2 fields, needs at least 3');
    // With --csv-skip-bad it trains on the good rows and says what it dropped.
    const ok = await run('train', ex('elman.json'), '--csv', join(dir, 'bad.csv'), '--inputs', 'a,b', '--targets', 'b', '--window', '4', '--csv-skip-bad', '--steps', '2', '--quiet', '--out', join(dir, 'o.json'));
    expect(ok.code).toBe(0);
    expect(ok.err).toContain('2 bad rows skipped');
    const saved = JSON.parse(readFileSync(join(dir, 'o.json'), 'utf8')) as Graph;
    expect(saved.task).toMatchObject({ name: 'csv', file: 'bad.csv', inputs: ['a', 'b'], targets: ['b'], window: 4, badRows: 'skip' });
  });

  it('usage errors exit 2: both kinds of clipping, a non-numeric rate', async () => {
    expect((await run('train', ex('lstm.json'), '--clip-norm', '1', '--clip-value', '1', '--out', 'x.json')).code).toBe(2);
    expect((await run('train', ex('lstm.json'), '--lr', 'fast', '--out', 'x.json')).code).toBe(2);
  });

  it('Ctrl-C stops after the current step and still writes --out', async () => {
    const dir = tmp();
    const out = join(dir, 'o.json');
    const child = spawn(process.execPath, [join(root, 'cli/cellwright.mjs'), 'train', ex('lstm.json'), '--steps', '100000', '--validate-every', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/step 3\//.test(err) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted: \d+ steps/);
    const g = JSON.parse(readFileSync(out, 'utf8')) as Graph;
    expect(g.parameters!['edge:x_f'].data.length).toBe(8);
  });
});
