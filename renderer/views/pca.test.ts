import { describe, expect, it } from 'vitest';
import { pca2, project } from './pca.ts';

describe('pca2', () => {
  it('finds the direction of largest spread first, then the next, orthogonal', () => {
    // Points spread 10× along (1, 1, 0)/√2 and 1× along (0, 0, 1).
    const pts: number[][] = [];
    for (let i = -5; i <= 5; i++) for (let j = -1; j <= 1; j++) pts.push([i * 10 / Math.SQRT2 + 2, i * 10 / Math.SQRT2 - 1, j + 3]);
    const p = pca2(pts);
    expect(Math.abs(p.axes[0][0])).toBeCloseTo(1 / Math.SQRT2, 6);
    expect(Math.abs(p.axes[0][2])).toBeCloseTo(0, 6);
    expect(Math.abs(p.axes[1][2])).toBeCloseTo(1, 6);
    expect(p.variance[0]).toBeGreaterThan(p.variance[1]);
    // The mean projects to the origin.
    const [a, b] = project(p, [2, -1, 3]);
    expect(a).toBeCloseTo(0, 9);
    expect(b).toBeCloseTo(0, 9);
  });
});
