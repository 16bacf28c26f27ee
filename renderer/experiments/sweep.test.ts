/**
 * The app's Sweep… against `cellwright sweep`: the form becomes a SPEC
 * holding the graph inline, the app runs exactly the SPEC it exports, and
 * every row equals the CLI's row on that exported file bit for bit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec, resultsCsv } from '../../engine/experiments/sweep.ts';
import { loadGraphText } from '../../engine/format/parse.ts';
import type { Graph } from '../../engine/format/types.ts';
import { runCli } from '../../cli/testing.ts';
import { runsStore } from '../runs/store.ts';
import { defaultForm, parseList, planSweep, sweepGraph, sweepKeys } from './plan.ts';
import { inProcessLane } from './lanes.ts';
import { csvRow, startSweep, sweepStore } from './runner.ts';

const root = new URL('../..', import.meta.url).pathname;
const loaded = loadGraphText(readFileSync(join(root, 'assets/examples/elman.json'), 'utf8'));
if (!loaded.ok) throw new Error('elman.json does not load');
const elman: Graph = { ...loaded.graph, task: { name: 'adding', length: 8 }, parameters: { 'W:h': { shape: [1], data: [1] } } } as unknown as Graph;

/** results.csv without its wall-time column. */
const withoutSeconds = (csv: string): string[] => {
  const [head, ...lines] = csv.trim().split('\n');
  const at = head.split(',').indexOf('seconds');
  return [head, ...lines].map((l) => l.split(',').filter((_, i) => i !== at).join(','));
};

describe('Sweep… in the app', () => {
  it('runs the SPEC it exports, and each row equals cellwright sweep on that file bit for bit', async () => {
    const form = { keys: ['training.lr', 'training.batch'] as [string, string], values: ['0.03, 0.01', '4'] as [string, string], seeds: '1 2', steps: '6' };
    const planned = planSweep(elman, form);
    if (!planned.ok) throw new Error(planned.problems.join('; '));
    expect(planned.runs).toBe(4);
    // Stored weights are not part of a sweep: every run starts from its seed.
    expect(JSON.parse(planned.text).graphs[0].graph).not.toHaveProperty('parameters');

    runsStore.setState({ runs: [], counter: 0 });
    await startSweep(planned, { lanes: 2, lane: inProcessLane });
    const sweep = sweepStore.getState().sweep!;
    expect(sweep.rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    // Each row is a run in the run history, with its curves and the swept settings.
    const runs = runsStore.getState().runs;
    expect(runs).toHaveLength(4);
    expect(runs[0].name).toMatch(/^Run 1 · .* · adam 0\.03 · seed 1 · sweep lr=0\.03, batch=4$/);
    expect(runs[0].settings['training.batch']).toBe(4);
    expect(runs.every((r) => r.curves.step.length === 6 && r.curves.valStep.length >= 1 && r.status === 'done')).toBe(true);
    expect(runs[0].final.valLoss).toBe(sweep.rows[0].result!.loss);
    // The gradient flow through time of the last batch: one norm per step of the task (length 8), finite, not all zero.
    const flow = Object.values(runs[0].gradFlow);
    expect(flow).toHaveLength(1);
    expect(flow[0]).toHaveLength(8);
    expect(flow[0].every(Number.isFinite) && flow[0].some((x) => x > 0)).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'cw-app-sweep-'));
    writeFileSync(join(dir, 'sweep.json'), planned.text);
    const cli = await runCli('sweep', join(dir, 'sweep.json'), '--out', join(dir, 'out'), '--jobs', '1', '--quiet');
    expect(cli.err).toBe('');
    expect(cli.code).toBe(0);
    const appCsv = resultsCsv(sweep.rows.map(csvRow), sweep.keys);
    const cliCsv = readFileSync(join(dir, 'out', 'results.csv'), 'utf8');
    expect(withoutSeconds(appCsv)).toEqual(withoutSeconds(cliCsv));
    expect(withoutSeconds(cliCsv)).toHaveLength(5);
    // Full precision: the rows differ between learning rates, and are the same numbers, not rounded ones.
    for (const row of sweep.rows) expect(cliCsv).toContain(`,${row.result!.loss},`);
  }, 120_000);

  it('reads typed values and refuses what cannot run, saying which field', () => {
    expect(parseList('0.01, 0.003 1e-4')).toEqual([0.01, 0.003, 1e-4]);
    expect(parseList('adam, sgd')).toEqual(['adam', 'sgd']);
    expect(parseList('{"kind": "step", "every": 2}, "constant"')).toEqual([{ kind: 'step', every: 2 }, 'constant']);
    const bad = (form: Partial<ReturnType<typeof defaultForm>>) => {
      const r = planSweep(elman, { ...defaultForm(elman), ...form });
      return r.ok ? [] : r.problems;
    };
    expect(bad({})).toEqual([]);
    expect(bad({ values: ['', ''] })[0]).toMatch(/^training\.lr: give at least one value/);
    expect(bad({ seeds: '1, x' })[0]).toMatch(/^seeds: whole numbers/);
    expect(bad({ steps: '0' })[0]).toMatch(/^steps:/);
    expect(bad({ keys: ['training.lr', 'training.lr'], values: ['1', '2'] })[0]).toMatch(/chosen twice/);
    expect(bad({ keys: ['training.seed', ''] })[0]).toMatch(/grid\["training\.seed"\]: seeds go in "seeds"/);
    expect(bad({ values: [Array.from({ length: 200 }, (_, i) => i + 1).join(','), ''] })[0]).toMatch(/^200 runs: the app starts at most 100/);
    // A hostile graph name is only a label.
    const named = planSweep({ ...elman, name: '__proto__ "x"\n' }, defaultForm(elman));
    expect(named.ok && parseSweepSpec(JSON.parse(named.text)).graphs[0]).toMatchObject({ label: '__proto__ "x"' });
  });

  it('offers the common settings, then the graph\'s own; a sweep graph has no weights, runs or training state', () => {
    const keys = sweepKeys(elman);
    expect(keys.slice(0, 2)).toEqual(['training.lr', 'training.batch']);
    expect(keys).not.toContain('training.seed');
    expect(keys).not.toContain('task.name');
    const g = sweepGraph({ ...elman, training: { ...elman.training, state: { step: 3 } }, runs: [] } as unknown as Graph);
    expect(g).not.toHaveProperty('parameters');
    expect(g).not.toHaveProperty('runs');
    expect(g.training).not.toHaveProperty('state');
  });
});

describe('an inline graph in a SPEC', () => {
  it('is checked as a graph file is, its problems named under graphs[i].graph', () => {
    const problems = (v: unknown): string[] => {
      try { parseSweepSpec(v); } catch (e) { return (e as { problems: Array<{ path: string }> }).problems.map((p) => p.path); }
      return [];
    };
    expect(problems({ graphs: [{ graph: elman }] })).toEqual([]);
    expect(problems({ graphs: [{ graph: { format: 'cellwright-graph', version: 1, nodes: 'no', edges: [] } }] })).toEqual(['graphs[0].graph.nodes']);
    expect(problems({ graphs: [{ graph: elman, extra: 1 }] })).toEqual(['graphs[0].extra']);
  });
});
