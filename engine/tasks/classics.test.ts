import { describe, expect, it } from 'vitest';
import { templateForTask } from '../experiments/models.ts';
import { Rng } from '../rng.ts';
import { createTrainer } from '../train/trainer.ts';
import { createTask } from './index.ts';

describe('temporal-order (Hochreiter & Schmidhuber 1997, experiment 6a)', () => {
  const T = 100;
  const B = 64;
  const task = createTask({ name: 'temporal-order', length: T });
  const x = new Float64Array(T * B * 8);
  const y = new Float64Array(T * B * 4);
  task.fill(new Rng(3), B, x, y);
  const sym = (t: number, b: number): number => x.subarray((t * B + b) * 8, (t * B + b + 1) * 8).indexOf(1);

  it('B first, E last, distractors a–d, and X/Y exactly once in each window (10–20, 50–60)', () => {
    expect(task.meta).toMatchObject({ inputSize: 8, targetSize: 4, lossSteps: 'last', metric: 'accuracy', baseline: { value: 0.25 } });
    for (let b = 0; b < B; b++) {
      expect(sym(0, b)).toBe(6);
      expect(sym(T - 1, b)).toBe(7);
      const rel: number[] = [];
      for (let t = 1; t < T - 1; t++) {
        const s = sym(t, b);
        if (s >= 4) rel.push(t); else expect(s).toBeGreaterThanOrEqual(0);
      }
      expect(rel).toHaveLength(2);
      expect(rel[0]).toBeGreaterThanOrEqual(10);
      expect(rel[0]).toBeLessThanOrEqual(20);
      expect(rel[1]).toBeGreaterThanOrEqual(50);
      expect(rel[1]).toBeLessThanOrEqual(60);
      // The class at the last step is the order: XX 0, XY 1, YX 2, YY 3.
      const cls = 2 * (sym(rel[0], b) - 4) + (sym(rel[1], b) - 4);
      expect(y.subarray(((T - 1) * B + b) * 4, ((T - 1) * B + b + 1) * 4).indexOf(1)).toBe(cls);
    }
  });
  it('all four classes occur, and the same seed gives the same sequences', () => {
    const classes = new Set<number>();
    for (let b = 0; b < B; b++) classes.add(y.subarray(((T - 1) * B + b) * 4, ((T - 1) * B + b + 1) * 4).indexOf(1));
    expect(classes.size).toBe(4);
    const x2 = new Float64Array(x.length);
    task.fill(new Rng(3), B, x2, new Float64Array(y.length));
    expect(x2).toEqual(x);
  });
  it('refuses a length too short for its windows, naming task.length', () => {
    expect(() => createTask({ name: 'temporal-order', length: 5 })).toThrow(/task.length must be at least 10/);
  });
});

describe('flip-flop (Sussillo & Barak 2013)', () => {
  const T = 200;
  const B = 16;
  const task = createTask({ name: 'flip-flop', length: T, rate: 0.05 });
  const x = new Float64Array(T * B * 3);
  const y = new Float64Array(T * B * 3);
  task.fill(new Rng(5), B, x, y);

  it('pulses are ±1 and each output holds the sign of its channel\'s last pulse (0 before the first)', () => {
    let pulses = 0;
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 3; k++) {
        let held = 0;
        for (let t = 0; t < T; t++) {
          const v = x[(t * B + b) * 3 + k];
          expect([0, 1, -1]).toContain(v);
          if (v !== 0) { held = v; pulses++; }
          expect(y[(t * B + b) * 3 + k]).toBe(held);
        }
      }
    }
    // About rate · T · B · 3 = 480 pulses.
    expect(pulses).toBeGreaterThan(350);
    expect(pulses).toBeLessThan(620);
  });
  it('its baseline is the MSE of answering 0 on the validation set', () => {
    const v = task.validation();
    const mse = v.y.reduce((a, b) => a + b * b, 0) / v.y.length;
    expect(task.meta.baseline?.value).toBeCloseTo(mse, 12);
    expect(mse).toBeGreaterThan(0.5);
  });
});

describe('the new tasks train and resume', () => {
  it.each([['temporal-order', 'lstm'], ['flip-flop', 'gru']])('%s trains a %s template, and a resumed run continues the data stream exactly', (name, template) => {
    const g = templateForTask(template, { name, length: 20 }, { hidden: 6 });
    const a = createTrainer(g, { training: { steps: 6, batch: 4, seed: 2 } });
    a.step(6);
    const half = createTrainer(g, { training: { steps: 3, batch: 4, seed: 2 } });
    half.step(3);
    const rest = createTrainer(half.graphWithParameters(), { training: { steps: 3, batch: 4, seed: 2 } });
    rest.step(3);
    expect(Array.from(rest.parameters)).toEqual(Array.from(a.parameters));
    expect(Number.isFinite(a.history.at(-1)!.loss)).toBe(true);
  });
});
