/**
 * A 2-D principal-component projection of state vectors (for the fixed-point
 * map of a cell with several units): the mean and the two leading directions
 * of the visited states by power iteration with deflation.
 */
export interface Projection {
  mean: Float64Array;
  axes: [Float64Array, Float64Array];
  /** Variance along each axis. */
  variance: [number, number];
}

/**
 * @example
 * const p = pca2(states); project(p, states[0]) // [pc1, pc2]
 */
export function pca2(states: readonly ArrayLike<number>[]): Projection {
  const D = states[0]?.length ?? 0;
  const n = states.length;
  const mean = new Float64Array(D);
  for (const s of states) for (let d = 0; d < D; d++) mean[d] += s[d] / n;
  const centered = states.map((s) => Float64Array.from({ length: D }, (_, d) => s[d] - mean[d]));
  const cov = (v: Float64Array): Float64Array => {
    const out = new Float64Array(D);
    for (const c of centered) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += c[d] * v[d];
      for (let d = 0; d < D; d++) out[d] += (c[d] * dot) / Math.max(1, n - 1);
    }
    return out;
  };
  const axes: Float64Array[] = [];
  const variance: number[] = [];
  for (let k = 0; k < 2; k++) {
    let v: Float64Array = Float64Array.from({ length: D }, (_, d) => 1 + ((d * 7 + k * 3) % 5) / 5);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = cov(v);
      for (const a of axes) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += w[d] * a[d];
        for (let d = 0; d < D; d++) w[d] -= dot * a[d];
      }
      const norm = Math.hypot(...w);
      if (!(norm > 0)) {
        // No spread left in this direction: any unit vector orthogonal enough will do.
        w.fill(0);
        if (D > k) w[k] = 1;
        v = w;
        lambda = 0;
        break;
      }
      for (let d = 0; d < D; d++) w[d] /= norm;
      lambda = norm;
      v = w;
    }
    axes.push(v);
    variance.push(lambda);
  }
  return { mean, axes: [axes[0], axes[1]], variance: [variance[0], variance[1]] };
}

export function project(p: Projection, s: ArrayLike<number>): [number, number] {
  let a = 0;
  let b = 0;
  for (let d = 0; d < p.mean.length; d++) {
    const c = s[d] - p.mean[d];
    a += c * p.axes[0][d];
    b += c * p.axes[1][d];
  }
  return [a, b];
}
