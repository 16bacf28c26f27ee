import { describe, expect, it } from 'vitest';
import type { Graph } from '../format/types.ts';
import { differingSettings, downsampleCurves, graphForRun, graphWithRuns, parseRuns, runName, runSettings, settingKeys, thinIndices, type RunRecord } from './compare.ts';

const graph = (lr: number, extra: Partial<Graph> = {}): Graph => ({
  version: 1,
  name: 'LSTM',
  nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'h', kind: 'cell', size: 4 }],
  edges: [{ id: 'e1', from: 'x', to: 'h' }],
  task: { name: 'adding', length: 50 },
  training: { optimizer: 'adam', lr, seed: 1 },
  ...extra,
} as unknown as Graph);

function record(id: string, g: Graph, steps = 10): RunRecord {
  const step = Array.from({ length: steps }, (_, i) => i + 1);
  return {
    id, name: runName(1, g), started: '2026-01-01T00:00:00Z', graphName: 'LSTM', graph: graphForRun(g), settings: runSettings(g), seed: 1, steps, metricName: 'mse',
    curves: { step, loss: step.map((s) => 1 / s), valStep: [steps], valLoss: [0.5], valMetric: [0.5] },
    final: { loss: 1 / steps, valLoss: 0.5, metric: 0.5 }, gradFlow: { h: [0.1, 0.2, 1] }, status: 'done',
  };
}

describe('runs for comparison', () => {
  it('thins long curves to the limit and keeps the last point', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const idx = thinIndices(10_001, 200);
    expect(idx.length).toBeLessThanOrEqual(200);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(10_000);
    const c = downsampleCurves({ step: Array.from({ length: 1000 }, (_, i) => i), loss: Array.from({ length: 1000 }, (_, i) => -i), valStep: [], valLoss: [], valMetric: [] }, 50);
    expect(c.step.length).toBeLessThanOrEqual(50);
    expect(c.loss.at(-1)).toBe(-999);
  });

  it('names a run after its cell, optimizer, learning rate and seed', () => {
    expect(runName(3, graph(0.01))).toBe('Run 3 · LSTM · adam 0.01 · seed 1');
    expect(runName(1, { name: '', training: undefined })).toBe('Run 1 · untitled · adam · seed 1');
    expect(runName(2, { name: 'my "cell"\n\tv2' + 'x'.repeat(60), training: { optimizer: 'sgd', lr: 0.1, seed: 7 } } as unknown as Graph)).toBe(`Run 2 · my "cell" v2${'x'.repeat(27)}… · sgd 0.1 · seed 7`);
  });

  it('finds the settings that differ between runs, and only those', () => {
    const a = record('a', graph(0.01));
    const b = record('b', graph(0.003));
    expect(differingSettings([a, b])).toEqual(['training.lr']);
    expect(differingSettings([a, record('c', graph(0.01))])).toEqual([]);
    const gru = record('g', graph(0.01, { name: 'GRU', nodes: [{ id: 'x', kind: 'input', size: 1 }] } as Partial<Graph>));
    expect(differingSettings([a, gru])).toEqual(['graph', 'cell']);
    expect(settingKeys([a]).slice(0, 2)).toEqual(['graph', 'cell']);
    // A setting only one run has differs too.
    const clipped = record('k', graph(0.01, { training: { optimizer: 'adam', lr: 0.01, seed: 1, clipNorm: 1 } } as Partial<Graph>));
    expect(differingSettings([a, clipped])).toEqual(['training.clipNorm']);
  });

  it('keeps no parameters or nested runs in a run', () => {
    const g = { ...graph(0.01), parameters: { 'edge:e1': { shape: [1], data: [1] } }, runs: [1] } as unknown as Graph;
    const kept = graphForRun(g) as Graph & { runs?: unknown };
    expect(kept.parameters).toBeUndefined();
    expect(kept.runs).toBeUndefined();
    expect(kept.nodes).toHaveLength(2);
  });

  it('round-trips runs through the file and skips broken entries', () => {
    const a = record('a', graph(0.01), 5000);
    const saved = graphWithRuns(graph(0.01), [a, { ...record('live', graph(0.1)), status: 'training' }]) as Graph & { runs: RunRecord[] };
    expect(saved.runs.map((r) => r.id)).toEqual(['a']);
    expect(saved.runs[0].curves.step.length).toBeLessThanOrEqual(200);
    const text = JSON.stringify({ ...saved, runs: [...saved.runs, null, { id: 'a', graph: a.graph }, { id: '__proto__' }, 'x'] });
    const { runs, skipped } = parseRuns((JSON.parse(text) as { runs: unknown }).runs);
    expect(skipped).toBe(4);
    expect(runs).toHaveLength(1);
    expect(runs[0].settings['training.lr']).toBe(0.01);
    expect(runs[0].final.loss).toBeCloseTo(1 / 5000);
    expect(runs[0].gradFlow.h).toEqual([0.1, 0.2, 1]);
    expect(parseRuns(undefined)).toEqual({ runs: [], skipped: 0 });
    expect(graphWithRuns(graph(0.01), []) as Graph & { runs?: unknown }).not.toHaveProperty('runs');
  });
});
