import { describe, expect, it } from 'vitest';
import type { SweepRow , SpecError} from './sweep.ts';
import { expandSweep, parseSweepSpec, resultsCsv, summarise, summarySvg, taskFor } from './sweep.ts';
import { TEMPLATES, templateForTask } from './models.ts';

describe('sweep SPECs', () => {
  it('expands graphs × grid points × seeds, seeds innermost, with unique file-safe run ids', () => {
    const spec = parseSweepSpec({
      graphs: ['a/lstm.json', 'b/lstm.json', 'template:gru'], task: { name: 'parity' }, seeds: [1, 2],
      grid: { 'training.lr': [0.1, 0.01], 'task.length': [10, 20, 30] }, steps: 50,
    });
    const runs = expandSweep(spec);
    expect(runs).toHaveLength(3 * 6 * 2);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    for (const r of runs) expect(r.id).toMatch(/^[A-Za-z0-9._=,#-]+$/);
    expect(runs[0]).toMatchObject({ label: 'lstm#1', seed: 1, training: { lr: 0.1, steps: 50, seed: 1 }, task: { name: 'parity', length: 10 } });
    expect(runs[1]).toMatchObject({ seed: 2, point: { 'training.lr': 0.1, 'task.length': 10 } });
    expect(runs[2].point).toEqual({ 'training.lr': 0.1, 'task.length': 20 });
    expect(runs[12].label).toBe('lstm#2');
    // Runs differing only in seed share a configuration.
    expect(runs[0].configKey).toBe(runs[1].configKey);
    expect(runs[0].configKey).not.toBe(runs[2].configKey);
  });

  it('hostile labels and values stay file-safe and distinct', () => {
    const spec = parseSweepSpec({
      graphs: [{ template: 'lstm', label: '../../__proto__' }, { template: 'lstm', label: '"quoted"\nname' }], task: { name: 'parity' },
      grid: { 'task.name': ['parity', 'adding'], 'training.schedule': [{ kind: 'step', every: 2 }] },
    });
    const runs = expandSweep(spec);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    for (const r of runs) expect(r.id).not.toMatch(/[/\\\n"]|^\./);
    expect(runs[0].training.schedule).toEqual({ kind: 'step', every: 2 });
  });

  it('refuses what it cannot run, with JSON paths', () => {
    const problems = (v: unknown): string[] => {
      try { parseSweepSpec(v); } catch (e) { return (e as SpecError).problems.map((p) => p.path); }
      return [];
    };
    expect(problems({})).toEqual(['graphs']);
    expect(problems({ graphs: ['x.json'], grid: { 'training.seed': [1] } })).toEqual(['grid["training.seed"]']);
    expect(problems({ graphs: ['x.json'], grid: { 'training.steps': [1] }, steps: 3 })).toEqual(['grid["training.steps"]']);
    expect(problems({ graphs: ['x.json'], grid: { 'task.a.b': [1] } })).toEqual(['grid["task.a.b"]']);
    expect(problems({ graphs: [{ file: 'x.json', hidden: 3 }] })).toEqual(['graphs[0].hidden']);
    expect(problems({ graphs: ['x.json'], steps: -1, seeds: [] })).toEqual(['seeds', 'steps']);
  });

  it('taskFor builds the task block the way `train --task --length` does', () => {
    expect(taskFor({ name: 'adding', length: 50, seed: 3 }, { length: 10 })).toEqual({ name: 'adding', length: 10, seed: 3 });
    expect(taskFor({ name: 'adding', length: 50 }, { name: 'parity', length: 10 })).toEqual({ name: 'parity', length: 10 });
    expect(taskFor({ name: 'adding' }, undefined)).toEqual({ name: 'adding' });
    expect(taskFor(undefined, undefined)).toBeUndefined();
  });
});

describe('summaries', () => {
  const row = (graph: string, seed: number, metric: number, extra: Partial<SweepRow> = {}): SweepRow => ({
    run: `${graph}-s${seed}`, graph, seed, point: { 'training.lr': 0.1 }, loss: metric * 2, metricName: 'mse', metric, trainLoss: 1, steps: 5, seconds: 0.5, diverged: false, configKey: graph, ...extra,
  });

  it('mean ± sample sd and the best run per configuration (lower mse is better; accuracy higher)', () => {
    const s = summarise([row('a', 1, 1), row('a', 2, 3), row('b', 1, 0.5), row('b', 2, NaN, { diverged: true })]);
    expect(s[0]).toMatchObject({ graph: 'a', n: 2, mean: 2, sd: Math.SQRT2, best: 1, bestRun: 'a-s1', goal: 'min' });
    expect(s[1]).toMatchObject({ graph: 'b', mean: 0.5, sd: 0, diverged: 1, best: 0.5 });
    const acc = summarise([row('c', 1, 0.6, { metricName: 'accuracy' }), row('c', 2, 0.9, { metricName: 'accuracy' })]);
    expect(acc[0]).toMatchObject({ best: 0.9, goal: 'max' });
  });

  it('results.csv quotes what needs quoting and keeps full precision', () => {
    const csv = resultsCsv([row('x,"y"', 1, 0.1 + 0.2, { point: { 'training.lr': 0.1 }, error: 'bad\nthing' })], ['training.lr']);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('run,graph,seed,training.lr,loss,metric_name,metric,train_loss,steps,seconds,diverged,error');
    expect(csv).toContain('"x,""y"""');
    expect(csv).toContain(',0.30000000000000004,');
    expect(csv).toContain('"bad\nthing"');
  });

  it('the SVG has a bar per configuration and escapes labels', () => {
    const svg = summarySvg(summarise([row('<script>', 1, 1), row('b', 1, 2)]), 'T & <x>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('T &amp; &lt;x&gt;');
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });
});

describe('templates by name', () => {
  it.each([...TEMPLATES.keys()].map((k) => [k]))('%s fits the adding and temporal-order tasks', (name) => {
    for (const task of [{ name: 'adding', length: 10 }, { name: 'temporal-order', length: 20 }]) {
      const g = templateForTask(name, task, { hidden: 4, forgetBias: 1 });
      expect(g.task).toEqual(task);
      expect(g.nodes.find((n) => n.id === 'x')?.size).toBe(task.name === 'adding' ? 2 : 8);
    }
  });
  it('unknown names list the known ones', () => {
    expect(() => templateForTask('constructor', { name: 'adding' }, { hidden: 4 })).toThrow(/unknown template "constructor" \(CW291\): Use one of elman/);
  });
});
