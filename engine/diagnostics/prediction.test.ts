import { describe, expect, it } from 'vitest';
import { comparePrediction } from './prediction.ts';

describe('comparePrediction', () => {
  it('bce: σ(p) thresholded at ½ against the target, every step scored', () => {
    const r = comparePrediction('bce', 'all', new Float32Array([2, -1, -3]), new Float32Array([1, 1, 0]), 3, 1);
    expect(r.kind).toBe('classification');
    expect(r.steps.map((s) => s.correct)).toEqual([true, false, true]);
    expect(r.steps[0].prediction[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it('only the last step has a verdict when the loss reads the last step', () => {
    const r = comparePrediction('bce', 'last', new Float32Array([-2, 5]), new Float32Array([1, 1]), 2, 1);
    expect(r.steps.map((s) => s.correct)).toEqual([null, true]);
    expect(r.accuracy).toBe(1);
  });

  it('cross_entropy: most likely class against a one-hot target or a class index', () => {
    const oneHot = comparePrediction('cross_entropy', 'all', [0, 3, 1, 2, 0, 0], [0, 1, 0, 0, 0, 1], 2, 3);
    expect(oneHot.steps.map((s) => s.predictedClass?.[0])).toEqual([1, 0]);
    expect(oneHot.steps.map((s) => s.correct)).toEqual([true, false]);
    const index = comparePrediction('cross_entropy', 'all', [0, 3, 1, 2, 0, 0], [1, 0], 2, 3, 1);
    expect(index.steps.map((s) => s.correct)).toEqual([true, true]);
    expect(index.steps[0].prediction.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('mse: both curves and the mean squared error of the scored steps', () => {
    const r = comparePrediction('mse', 'all', [1, 2, 3], [1, 1, 1], 3, 1);
    expect(r.kind).toBe('regression');
    expect(r.steps.map((s) => [s.prediction[0], s.target[0]])).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(r.mse).toBeCloseTo((0 + 1 + 4) / 3, 12);
    expect(comparePrediction('mse', 'last', [1, 2, 3], [1, 1, 1], 3, 1).mse).toBe(4);
  });

  it('a sum loss or no target: nothing to compare', () => {
    expect(comparePrediction('sum', 'all', [1], [1], 1, 1).kind).toBe('none');
    expect(comparePrediction('mse', 'all', [1], null, 1, 1).kind).toBe('none');
  });
});
