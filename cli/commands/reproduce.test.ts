/**
 * `cellwright reproduce`: the list, the quick adding preset end to end
 * (PASS from measured numbers, graphs and test data written, `cellwright run`
 * reproducing the reported MSE), and PASS/FAIL computed from the numbers for
 * every preset's judge.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArmMeasure } from '../../engine/experiments/presets.ts';
import { copyBaseline, judgePreset, PRESET_NAMES, PRESETS, presetJobs } from '../../engine/experiments/presets.ts';
import { createTask } from '../../engine/tasks/index.ts';
import { runCli } from '../testing.ts';

describe('cellwright reproduce', () => {
  it('--list names every preset with its paper and criterion; --json lists their setups', async () => {
    const r = await runCli('reproduce', '--list');
    expect(r.code).toBe(0);
    for (const n of ['adding', 'irnn-adding', 'copy', 'temporal-order', 'parity', 'flip-flop', 'greff-variants']) expect(r.out).toContain(`${n}: `);
    expect(r.out).toMatch(/paper: Le, Jaitly & Hinton 2015/);
    const j = JSON.parse((await runCli('reproduce', '--list', '--json')).out) as { name: string; setup: string[]; quick: string[] }[];
    expect(j.map((p) => p.name)).toEqual(PRESET_NAMES);
    expect(j[0].setup.join('\n')).toMatch(/adding problem over 100 steps/);
  });

  it('refuses an unknown preset (also __proto__) with the list, exit 2', async () => {
    for (const name of ['nope', '__proto__', 'constructor']) {
      const r = await runCli('reproduce', name, '--quick');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unknown preset "${name}": use one of adding, irnn-adding`);
    }
  });

  describe('adding --quick --out DIR', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cw-repro-')), 'adding');
    let r: { code: number; out: string; err: string };
    beforeAll(async () => {
      r = await runCli('reproduce', 'adding', '--quick', '--jobs', '2', '--out', dir, '--json');
    }, 120_000);

    it('PASSes, and the report\'s numbers are the measured ones', () => {
      expect(r.code).toBe(0);
      const rep = JSON.parse(r.out) as { pass: boolean; lines: string[]; measures: ArmMeasure[]; summary: { arm: string; mean: number }[] };
      expect(rep.pass).toBe(true);
      const lstm = rep.measures.find((m) => m.arm === 'lstm')!;
      const elman = rep.measures.find((m) => m.arm === 'elman')!;
      expect(lstm.metricName).toBe('mse');
      expect(lstm.metric).toBeLessThanOrEqual(0.05);
      expect(lstm.metric).toBeLessThan(elman.metric);
      expect(lstm.steps).toBe(400);
      expect(rep.summary.find((s) => s.arm === 'lstm')!.mean).toBe(lstm.metric);
      // What it says is what it measured: the judge on these numbers gives this verdict.
      expect(judgePreset(PRESETS.adding, 'quick', rep.measures).pass).toBe(rep.pass);
      const md = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(md).toContain('**PASS**');
      expect(md).toMatch(/LSTM test MSE \d/);
    });

    it('its written graph reproduces the test MSE with `cellwright run` on the written test data', async () => {
      const rep = JSON.parse(r.out) as { measures: ArmMeasure[] };
      const lstm = rep.measures.find((m) => m.arm === 'lstm')!;
      const run = await runCli('run', join(dir, 'lstm-s1.json'), join(dir, 'test-data.json'), '--json');
      expect(run.code).toBe(0);
      const loss = (JSON.parse(run.out) as { loss: number }).loss;
      expect(Math.abs(loss - lstm.metric) / lstm.metric).toBeLessThan(1e-9);
      const data = JSON.parse(readFileSync(join(dir, 'test-data.json'), 'utf8')) as { inputs: { x: { shape: number[] } } };
      expect(data.inputs.x.shape).toEqual([20, 500, 2]);
    });
  });
});

describe('quick presets end to end: the verdict is the judge\'s on the measured numbers', () => {
  it.each([['parity'], ['flip-flop']])('%s --quick', async (name) => {
    const r = await runCli('reproduce', name, '--quick', '--jobs', '2', '--json');
    expect([0, 3]).toContain(r.code);
    const rep = JSON.parse(r.out) as { pass: boolean; measures: ArmMeasure[]; lines: string[] };
    expect(rep.measures.length).toBe(presetJobs(PRESETS[name], 'quick').length);
    for (const x of rep.measures) expect(Number.isFinite(x.metric)).toBe(true);
    expect(judgePreset(PRESETS[name], 'quick', rep.measures)).toMatchObject({ pass: rep.pass, lines: rep.lines });
    expect(r.code).toBe(rep.pass ? 0 : 3);
    if (name === 'flip-flop') {
      const x = rep.measures[0];
      expect(x.extra.signAccuracy).toBeGreaterThan(0);
      // The count is the finder's: the report lists the fixed points with their kinds, and the number of stable ones is the count it prints.
      const stable = x.fixedPoints!.filter((p) => p.kind === 'stable').length;
      expect(x.fixedPoints!.length).toBeGreaterThan(0);
      expect(x.extra.stableFixedPoints).toBe(stable);
      expect(x.extra.saddleFixedPoints).toBe(x.fixedPoints!.filter((p) => p.kind === 'saddle').length);
      expect(rep.lines.join('\n')).toContain(`fixed points under zero input: ${stable} stable, `);
    }
  }, 120_000);
});

describe('presets as data', () => {
  const m = (arm: string, metric: number, loss = metric, extra: Record<string, number> = {}): ArmMeasure => ({ arm, seed: 1, loss, metricName: 'mse', metric, extra, steps: 1, seconds: 0, diverged: false });

  it.each(PRESET_NAMES.map((n) => [n]))('%s: every job is a template sized to its task, seeded, in both forms', (name) => {
    const p = PRESETS[name];
    for (const mode of ['quick', 'full'] as const) {
      const jobs = presetJobs(p, mode);
      expect(jobs.length).toBe(p[mode].arms.length * p[mode].seeds.length);
      for (const j of jobs) {
        const meta = createTask(j.input.task!).meta;
        expect(j.input.graph.nodes.find((n) => n.id === 'x')?.size).toBe(meta.inputSize);
        expect(j.input.training!.seed).toBe(j.seed);
        expect(j.input.training!.steps).toBeGreaterThan(0);
      }
      // The quick form is the smaller budget.
    }
    const steps = (mode: 'quick' | 'full'): number => presetJobs(p, mode).reduce((a, j) => a + (j.input.training!.steps as number) * createTask(j.input.task!).meta.T, 0);
    expect(steps('quick')).toBeLessThan(steps('full'));
  });

  it('adding: PASS needs LSTM ≤ 0.01 and Elman near the baseline (full); the numbers decide', () => {
    expect(judgePreset(PRESETS.adding, 'full', [m('lstm', 0.004), m('elman', 0.16)]).pass).toBe(true);
    expect(judgePreset(PRESETS.adding, 'full', [m('lstm', 0.02), m('elman', 0.16)]).pass).toBe(false);
    expect(judgePreset(PRESETS.adding, 'full', [m('lstm', 0.004), m('elman', 0.01)]).pass).toBe(false);
    expect(judgePreset(PRESETS.adding, 'full', [m('lstm', NaN), m('elman', 0.16)]).pass).toBe(false);
    expect(judgePreset(PRESETS.adding, 'full', [m('lstm', 0.004), m('elman', 0.16)]).lines[0]).toContain('LSTM test MSE 0.004');
  });
  it('copy: PASS is beating 10·log 8/(T + 20)', () => {
    const base = copyBaseline(PRESETS.copy.full.task);
    expect(base).toBeCloseTo((10 * Math.log(8)) / (20 + 20), 12);
    expect(judgePreset(PRESETS.copy, 'full', [m('lstm', 0.5, base * 0.99)]).pass).toBe(true);
    expect(judgePreset(PRESETS.copy, 'full', [m('lstm', 0.5, base * 1.01)]).pass).toBe(false);
  });
  it('flip-flop reads the held-sign accuracy and the stable fixed points the finder listed', () => {
    const eight = Array.from({ length: 8 }, () => ({ kind: 'stable' as const, q: 0, unstable: 0 }));
    const r = judgePreset(PRESETS['flip-flop'], 'full', [{ ...m('gru', 0.01, 0.01, { signAccuracy: 0.99 }), fixedPoints: eight }]);
    expect(r.pass).toBe(true);
    expect(r.lines.join('\n')).toContain('8 stable (= 8: yes)');
    expect(judgePreset(PRESETS['flip-flop'], 'full', [m('gru', 0.01, 0.01, { signAccuracy: 0.99 })]).pass).toBe(false);
    expect(judgePreset(PRESETS['flip-flop'], 'full', [{ ...m('gru', 0.01, 0.01, { signAccuracy: 0.9 }), fixedPoints: eight }]).pass).toBe(false);
  });
  it('greff-variants names the variants that hurt, and PASSes when NFG or NOAF is among them', () => {
    const arms = ['vanilla', 'nig', 'nfg', 'nog', 'niaf', 'noaf', 'np', 'cifg', 'fgr'];
    const r = judgePreset(PRESETS['greff-variants'], 'full', arms.map((a) => m(a, 0.9, a === 'noaf' ? 0.5 : 0.1)));
    expect(r.lines.at(-1)).toBe('hurt (loss > 1.5× vanilla): NOAF');
    expect(r.pass).toBe(true);
    expect(judgePreset(PRESETS['greff-variants'], 'full', arms.map((a) => m(a, 0.9, a === 'cifg' ? 0.5 : 0.1))).pass).toBe(false);
  });
});
