import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../engine/train/trainer.ts';
import { appendRows, backgroundSlots } from './pool.ts';

const row = (step: number, loss: number, val?: number): MetricRow => ({ step, loss, metrics: {}, gradNorm: 1, clipped: false, lr: 0.01, ...(val === undefined ? {} : { val: { loss: val, metrics: { accuracy: val / 2 } } }) } as MetricRow);

describe('background runs', () => {
  it('append a snapshot\'s rows to the run\'s curves (the step-0 row has no training loss)', () => {
    const curves = { step: [], loss: [], valStep: [], valLoss: [], valMetric: [] };
    appendRows(curves, [row(0, NaN, 2), row(1, 0.5), row(2, 0.25, 1)], 'accuracy');
    expect(curves).toEqual({ step: [1, 2], loss: [0.5, 0.25], valStep: [0, 2], valLoss: [2, 1], valMetric: [1, 0.5] });
  });

  it('use the cores the foreground trainer leaves, at least one', () => {
    expect(backgroundSlots(4, 0)).toBe(3);
    expect(backgroundSlots(4, 3)).toBe(0);
    expect(backgroundSlots(1, 0)).toBe(1);
    expect(backgroundSlots(2, 1)).toBe(0);
  });
});
