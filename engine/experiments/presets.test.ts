/**
 * The flip-flop preset's fixed points come from the N-D finder: its report
 * lists the points with their kinds, its counts are read from that list, and
 * the full form's verdict needs exactly 8 stable points (Sussillo & Barak 2013).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../format/types.ts';
import type { ArmMeasure, FixedPointSummary } from './presets.ts';
import { judgePreset, PRESETS, testSet, zeroInputFixedPoints } from './presets.ts';

const FIXTURE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/dynamics/flipflop-3bit.json');
const ff = PRESETS['flip-flop'];

describe('flip-flop: fixed points of the trained network under zero input', () => {
  it('counts the finder\'s own kinds: a trained 3-bit flip-flop shows 8 stable points, the rest saddles', () => {
    const g = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Graph;
    const r = zeroInputFixedPoints(g, testSet(ff, 'quick').data);
    const list = r.fixedPoints!;
    expect(list.length).toBe(r.extra.fixedPoints);
    for (const k of ['stable', 'saddle', 'unstable', 'marginal'] as const) expect(r.extra[`${k}FixedPoints`]).toBe(list.filter((p) => p.kind === k).length);
    expect(r.extra.stableFixedPoints).toBe(8);
    expect(r.extra.saddleFixedPoints).toBeGreaterThan(0);
    for (const p of list) {
      expect(p.q).toBeLessThan(1e-6);
      expect(p.kind === 'stable').toBe(p.unstable === 0);
    }
  }, 60_000);
});

describe('flip-flop verdict', () => {
  const pts = (stable: number, saddle = 3): FixedPointSummary[] => [
    ...Array.from({ length: stable }, () => ({ kind: 'stable' as const, q: 0, unstable: 0 })),
    ...Array.from({ length: saddle }, () => ({ kind: 'saddle' as const, q: 0, unstable: 1 })),
  ];
  const m = (signAccuracy: number, fixedPoints?: FixedPointSummary[]): ArmMeasure => ({ arm: 'gru', seed: 1, loss: 0.01, metricName: 'mse', metric: 0.01, extra: { signAccuracy }, steps: 1, seconds: 0, diverged: false, fixedPoints });

  it('full form: PASS needs the accuracy AND 8 stable points, counted from the listed kinds', () => {
    expect(judgePreset(ff, 'full', [m(0.99, pts(8))]).pass).toBe(true);
    expect(judgePreset(ff, 'full', [m(0.99, pts(7, 8))]).pass).toBe(false);
    expect(judgePreset(ff, 'full', [m(0.99, pts(9))]).pass).toBe(false);
    expect(judgePreset(ff, 'full', [m(0.9, pts(8))]).pass).toBe(false);
    expect(judgePreset(ff, 'full', [m(0.99)]).pass).toBe(false);
    const r = judgePreset(ff, 'full', [m(0.99, pts(8, 5))]);
    expect(r.lines.join('\n')).toContain('8 stable (= 8: yes), 5 saddle, 0 unstable');
    expect(r.notes.join(' ')).not.toMatch(/pending/);
  });
  it('quick form: reports the count but keeps the accuracy rule', () => {
    const r = judgePreset(ff, 'quick', [m(0.95, pts(7, 16))]);
    expect(r.pass).toBe(true);
    expect(r.lines.join('\n')).toContain('7 stable, 16 saddle');
    expect(judgePreset(ff, 'quick', [m(0.8, pts(8))]).pass).toBe(false);
  });
});
