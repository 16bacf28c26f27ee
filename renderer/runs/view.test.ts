import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../engine/experiments/compare.ts';
import { gradFlowPath, gradFlowRange, joinCurves, runStatusText } from './view.ts';

const run = (step: number[], loss: number[], extra: Partial<RunRecord> = {}): RunRecord => ({
  id: 'r', name: 'r', started: '', graphName: '', graph: { version: 1, nodes: [], edges: [] } as unknown as RunRecord['graph'], settings: { 'training.steps': 100 }, seed: 1, steps: step.at(-1) ?? 0, metricName: null,
  curves: { step, loss, valStep: [], valLoss: [], valMetric: [] }, final: { loss: null, valLoss: null, metric: null }, gradFlow: {}, status: 'done', ...extra,
});

describe('compare view', () => {
  it('joins runs of different lengths on one step axis', () => {
    const [xs, a, b] = joinCurves([run([1, 2, 3], [3, 2, 1]), run([2, 4], [5, -1])], 'loss', true);
    expect(xs).toEqual([1, 2, 3, 4]);
    expect(a).toEqual([3, 2, 1, null]);
    expect(b).toEqual([null, 5, null, null]); // −1 has no place on a log axis
    expect(joinCurves([run([2, 4], [5, -1])], 'loss', false)[1]).toEqual([5, -1]);
  });

  it('draws gradient flow on a shared log scale, breaking at non-finite norms', () => {
    expect(gradFlowPath([1, 10, 100], 20, 10, 0, 2)).toBe('M0.0,10.0L10.0,5.0L20.0,0.0');
    expect(gradFlowPath([1, NaN, 100], 20, 10, 0, 2)).toBe('M0.0,10.0M20.0,0.0');
    expect(gradFlowRange([run([], [], { gradFlow: { h: [0.003, 2, 0] } })])).toEqual([-3, 1]);
    expect(gradFlowRange([])).toEqual([-1, 0]);
  });

  it('says how far a run got', () => {
    expect(runStatusText(run([1, 50], [1, 1]))).toBe('step 50 / 100 · finished');
    expect(runStatusText(run([], [], { status: 'training' }), { step: 7, steps: 20 })).toBe('step 7 / 20 · training');
  });
});
