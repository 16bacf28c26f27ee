/**
 * `cellwright train` as a user runs it: trained parameters and the blocks
 * that reproduce the run written back, metrics files, the same seed giving
 * the same file, errors that say what to change, and Ctrl-C saving --out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
    // Training the result again resumes it: its metrics continue at step 21.
    const again = await run('train', join(dir, 'out.json'), '--steps', '1', '--quiet', '--out', join(dir, 'out2.json'), '--metrics', join(dir, 'm2.jsonl'));
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/trained: 1 steps .*, now at step 21/);
    const first = JSON.parse(readFileSync(join(dir, 'm2.jsonl'), 'utf8').split('\n')[0]) as { step: number };
    expect(first.step).toBe(21);
  });

  it('takes the optimizer details, the learning-rate decay and the flag thresholds as flags, over the file\'s blocks', async () => {
    const dir = tmp();
    const g = elman({ x: 2, h: 4, y: 1, steps: 'last' });
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ ...g, training: { flags: { exploding: 30 } } }));
    const r = await run('train', join(dir, 'g.json'), '--task', 'adding', '--length', '10', '--validation-sequences', '16', '--steps', '6', '--betas', '0.8,0.99',
      '--lr-step-every', '2', '--lr-step-gamma', '0.1', '--flag-vanishing', '0.001', '--quiet', '--out', join(dir, 'out.json'), '--metrics', join(dir, 'm.csv'));
    expect(r.err).toBe('');
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Graph;
    expect(out.training).toMatchObject({ betas: [0.8, 0.99], schedule: { kind: 'step', every: 2, gamma: 0.1 }, flags: { exploding: 30, vanishing: 0.001 } });
    expect(out.task).toMatchObject({ name: 'adding', length: 10, validation: 16 });
    // The decay took effect: lr at steps 1–2, then ×0.1 at 3–4, ×0.01 at 5–6.
    const rows = readFileSync(join(dir, 'm.csv'), 'utf8').trim().split('\n');
    const col = rows[0].split(',').indexOf('lr');
    const lrs = rows.slice(2).map((line) => Number(line.split(',')[col]));
    expect(lrs[2] / lrs[0]).toBeCloseTo(0.1, 12);
    expect(lrs[4] / lrs[0]).toBeCloseTo(0.01, 12);
    const bad = await run('train', join(dir, 'g.json'), '--task', 'adding', '--lr-step-gamma', '0.1', '--steps', '1', '--quiet', '--out', join(dir, 'x.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/training\.schedule\.gamma needs training\.schedule\.every/);
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

  it('Ctrl-C twice: the second one, during the write, neither interrupts nor corrupts it', async () => {
    const dir = tmp();
    const out = join(dir, 'o.json');
    const child = spawn(process.execPath, [join(root, 'cli/cellwright.mjs'), 'train', ex('lstm.json'), '--steps', '100000', '--validate-every', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/step 3\//.test(err) && !child.killed) child.kill('SIGINT');
        // The first Ctrl-C is acknowledged: press it again, as an impatient user does.
        if (/stopping after this step/.test(err) && !/again-sent/.test(err)) { err += 'again-sent'; child.kill('SIGINT'); child.kill('SIGINT'); }
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(err).toContain(`cellwright: still writing ${out}`);
    const g = JSON.parse(readFileSync(out, 'utf8')) as Graph;
    expect((g.training!.state as { step: number }).step).toBeGreaterThanOrEqual(3);
  });

  it('SIGTERM writes the state and exits 143; the saved file resumes where it stopped', async () => {
    const dir = tmp();
    const out = join(dir, 'o.json');
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 4, y: 1, steps: 'last' })));
    const child = spawn(process.execPath, [join(root, 'cli/cellwright.mjs'), 'train', join(dir, 'g.json'), '--task', 'adding', '--length', '8', '--batch', '4', '--steps', '100000', '--validate-every', '5', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/step 10\//.test(err) && !child.killed) child.kill('SIGTERM');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(143);
    const stopped = JSON.parse(readFileSync(out, 'utf8')) as Graph;
    const k = (stopped.training!.state as { step: number }).step;
    expect(k).toBeGreaterThanOrEqual(10);
    expect(err).toContain(`stopped at step ${k} of 100000`);
    // k steps then 3 more equal k + 3 steps in one run.
    expect((await run('train', out, '--steps', '3', '--quiet', '--out', join(dir, 'resumed.json'))).code).toBe(0);
    expect((await run('train', join(dir, 'g.json'), '--task', 'adding', '--length', '8', '--batch', '4', '--steps', String(k + 3), '--validate-every', '5', '--quiet', '--out', join(dir, 'once.json'))).code).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8')) as Graph;
    const b = JSON.parse(readFileSync(join(dir, 'once.json'), 'utf8')) as Graph;
    expect(a.parameters).toEqual(b.parameters);
    expect((a.training!.state as { step: number }).step).toBe(k + 3);
  });

  it.each([
    ['sgd', '0.05'], ['momentum', '0.01', '--nesterov'], ['adam', '0.01'], ['rmsprop', '0.002'],
  ])('100 + 100 resumed steps equal 200 steps bit for bit, metrics included: %s with clipping, on a task and on a data file', async (optimizer, lr, ...extra) => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 4, y: 1, steps: 'last' })));
    const opt = ['--optimizer', optimizer, '--lr', lr, ...extra];
    const task = ['--task', 'adding', '--length', '8', '--batch', '8', ...opt, '--clip-norm', '0.5', '--validate-every', '30', '--seed', '5'];
    const data = ['--data', ex('gru.data.json'), ...opt, '--clip-value', '0.05'];
    for (const [name, graph, flags] of [['task', join(dir, 'g.json'), task], ['data', ex('gru.json'), data]] as const) {
      const go = async (src: string, steps: number, out: string): Promise<void> => {
        const r = await run('train', src, ...flags, '--steps', String(steps), '--quiet', '--out', join(dir, `${name}-${out}.json`), '--metrics', join(dir, `${name}-${out}.csv`));
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
      };
      await go(graph, 100, 'half');
      await go(join(dir, `${name}-half.json`), 100, 'resumed');
      await go(graph, 200, 'full');
      const read = (f: string): Graph => JSON.parse(readFileSync(join(dir, `${name}-${f}.json`), 'utf8')) as Graph;
      expect(read('half').parameters).not.toEqual(read('full').parameters);
      expect(read('resumed').parameters).toEqual(read('full').parameters);
      expect(JSON.stringify(read('resumed').parameters)).toBe(JSON.stringify(read('full').parameters));
      expect(read('resumed').training!.state).toEqual(read('full').training!.state);
      expect((read('resumed').training!.state as { step: number }).step).toBe(200);
      // The resumed metrics are rows 101..200 of the full run's (header aside).
      const csv = (f: string): string[] => readFileSync(join(dir, `${name}-${f}.csv`), 'utf8').trim().split('\n');
      const full = csv('full');
      const resumed = csv('resumed');
      expect(resumed[0]).toBe(full[0]);
      expect(resumed[1].startsWith('101,')).toBe(true);
      expect(resumed.slice(1)).toEqual(full.filter((l) => /^\d+,/.test(l) && Number(l.split(',')[0]) > 100));
    }
  });

  it('--checkpoint-every N writes the state every N steps; a checkpoint resumes like the run it came from', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 4, y: 1, steps: 'last' })));
    const flags = ['--task', 'adding', '--length', '8', '--batch', '4', '--validate-every', '4'];
    const r = await run('train', join(dir, 'g.json'), ...flags, '--steps', '12', '--checkpoint-every', '5', '--checkpoint', join(dir, 'ck.json'), '--out', join(dir, 'out.json'), '--metrics', join(dir, 'm.csv'));
    expect(r.code).toBe(0);
    expect(r.err).toContain(`checkpoint: step 5 written to ${join(dir, 'ck.json')}`);
    expect(r.err).toContain('checkpoint: step 10 written');
    const ck = JSON.parse(readFileSync(join(dir, 'ck.json'), 'utf8')) as Graph;
    expect((ck.training!.state as { step: number }).step).toBe(10);
    expect((await run('train', join(dir, 'ck.json'), '--steps', '2', '--quiet', '--out', join(dir, 'from-ck.json'))).code).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'from-ck.json'), 'utf8')) as Graph;
    const b = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Graph;
    expect(a.parameters).toEqual(b.parameters);
    // Without --checkpoint the checkpoints go to --out; --checkpoint alone is a usage error.
    expect((await run('train', join(dir, 'g.json'), ...flags, '--steps', '2', '--checkpoint', join(dir, 'x.json'), '--out', join(dir, 'y.json'))).code).toBe(2);
    expect((await run('train', join(dir, 'g.json'), ...flags, '--steps', '2', '--checkpoint-every', '1', '--out', '-')).err).toContain('give --checkpoint FILE');
  });

  it('--restart ignores the saved state', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 4, y: 1, steps: 'last' })));
    await run('train', join(dir, 'g.json'), '--task', 'adding', '--length', '8', '--batch', '4', '--steps', '5', '--quiet', '--out', join(dir, 'a.json'));
    const r = await run('train', join(dir, 'a.json'), '--steps', '2', '--restart', '--quiet', '--out', join(dir, 'b.json'));
    expect(r.out).not.toContain('now at step');
    expect((JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as Graph).training!.state).toMatchObject({ step: 2 });
  });

  it('--out, --metrics and --checkpoint are checked before the first step, with the reason and the fix', async () => {
    const dir = tmp();
    const g = ex('elman.json');
    const t = ['train', g, '--task', 'adding', '--steps', '1', '--quiet'];
    const cases: [string[], string][] = [
      [['--out', join(dir, 'missing/o.json')], `--out ${join(dir, 'missing/o.json')}: the folder ${join(dir, 'missing')} does not exist; create it first`],
      [['--out', dir], `--out ${dir}: is a directory; give a file name`],
      [['--out', join(dir, 'o.json'), '--metrics', join(dir, 'nope/m.csv')], `--metrics ${join(dir, 'nope/m.csv')}: the folder`],
      [['--out', join(dir, 'o.json'), '--checkpoint-every', '1', '--checkpoint', dir], `--checkpoint ${dir}: is a directory`],
      [['--out', join(dir, 'o.json'), '--metrics', join(dir, 'o.json').replace('.json', '.csv'), '--checkpoint-every', '1', '--checkpoint', join(dir, 'o.csv')], 'is also given to another option'],
    ];
    writeFileSync(join(dir, 'file'), 'x');
    cases.push([['--out', join(dir, 'file/o.json')], `${join(dir, 'file')} is not a folder`]);
    for (const [args, message] of cases) {
      const r = await run(...t, ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(message);
      expect(r.out).toBe('');
      expect(existsSync(join(dir, 'o.json'))).toBe(false);
    }
    if (process.getuid?.() !== 0) {
      mkdirSync(join(dir, 'ro'));
      chmodSync(join(dir, 'ro'), 0o555);
      expect((await run(...t, '--out', join(dir, 'ro/o.json'))).err).toContain('no permission to create files in');
    }
  });

  it('--out through a symlink: the link stays a link, its target is replaced, its mode kept', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs/latest.json'), '{}', { mode: 0o640 });
    chmodSync(join(dir, 'runs/latest.json'), 0o640);
    symlinkSync('runs/latest.json', join(dir, 'current.json'));
    const r = await run('train', ex('elman.json'), '--task', 'adding', '--length', '5', '--batch', '2', '--steps', '2', '--quiet', '--out', join(dir, 'current.json'));
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'current.json')).isSymbolicLink()).toBe(true);
    expect((JSON.parse(readFileSync(join(dir, 'runs/latest.json'), 'utf8')) as Graph).training).toMatchObject({ state: { step: 2 } });
    expect(statSync(join(dir, 'runs/latest.json')).mode & 0o777).toBe(0o640);
  });

  it('--out - writes the graph to stdout and every message to stderr; - reads the graph from stdin', () => {
    const r = spawnSync(process.execPath, [join(root, 'cli/cellwright.mjs'), 'train', '-', '--task', 'adding', '--length', '5', '--batch', '2', '--steps', '2', '--out', '-'], { input: readFileSync(ex('elman.json')), encoding: 'utf8' });
    expect(r.status).toBe(0);
    const g = JSON.parse(r.stdout) as Graph;
    expect(g.name).toBe('Elman RNN (tanh)');
    expect(g.training).toMatchObject({ steps: 2, state: { step: 2 } });
    expect(r.stderr).toContain('trained: 2 steps');
    expect(r.stderr).toContain('wrote standard output');
  });

  it('a learning rate of 1e308: a clear error naming the step and the parameter; the last finite parameters are written', async () => {
    const dir = tmp();
    const out = join(dir, 'o.json');
    const r = await run('train', ex('elman.json'), '--task', 'adding', '--length', '5', '--batch', '4', '--steps', '20', '--lr', '1e308', '--quiet', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cellwright: training step (\d+): parameter "[^"]+" entry \[\d+(, \d+)?\] became -?Infinity in the adam update with learning rate 1e\+308; that update was not applied, the parameters of step \d+ are kept/);
    expect(r.err).toContain(`${out} holds the parameters of step`);
    const g = JSON.parse(readFileSync(out, 'utf8')) as Graph;
    expect(Object.values(g.parameters!).every((p) => p.data.every(Number.isFinite))).toBe(true);
  });
  it('--max-memory refuses a run over it before the first step with the estimate; raising it lets the run go', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 64, y: 1, steps: 'last' })));
    const args = ['train', join(dir, 'g.json'), '--task', 'adding', '--length', '100', '--batch', '64', '--steps', '1', '--quiet', '--out', join(dir, 'out.json')];
    const refused = await run(...args, '--max-memory', '5');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/this run needs about [\d.]+ MB \(T = 100, B = 64 from task and training\.batch, float64: values [\d.]+ MB/);
    expect(refused.err).toContain('over the memory limit of 5 MB');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const need = Number(/needs about ([\d.]+) MB/.exec(refused.err)![1]);
    const ok = await run(...args, '--max-memory', String(Math.ceil(need) + 1));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/trained: 1 steps/);
    // --limits sets the same limit and the others; a bad one is a usage error.
    expect((await run(...args, '--limits', 'maxMemoryMB=5')).err).toContain('over the memory limit of 5 MB');
    const batch = await run(...args, '--limits', 'maxBatch=8');
    expect(batch.code).toBe(1);
    expect(batch.err).toMatch(/B = 64.*over the limit of 8/);
    const bad = await run(...args, '--max-memory', 'lots');
    expect(bad.code).toBe(2);
  });

  it('--max-memory also bounds a run on a data file, naming the data file\'s shape', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'g.json'), JSON.stringify(elman({ x: 2, h: 64, y: 1, steps: 'all' })));
    const T = 100;
    const B = 8;
    writeFileSync(join(dir, 'd.json'), JSON.stringify({
      inputs: { x: { shape: [T, B, 2], data: new Array<number>(T * B * 2).fill(0.5) } },
      targets: { y_t: { shape: [T, B, 1], data: new Array<number>(T * B).fill(0.1) } },
    }));
    const args = ['train', join(dir, 'g.json'), '--data', join(dir, 'd.json'), '--steps', '1', '--quiet', '--out', join(dir, 'out.json')];
    const refused = await run(...args, '--max-memory', '1');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/this run needs about [\d.]+ MB \(T = 100, B = 8 from inputs\.x\.shape/);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const ok = await run(...args, '--max-memory', '100');
    expect(ok.code, ok.err).toBe(0);
  });
});
