/**
 * Flags for gradients that explode or vanish through time. For each cell,
 * ratio = gradNorms[first step] / gradNorms[latest step with a non-zero
 * gradient]; perStep = ratio^(1/(span−1)). The reference text's story: over
 * 50 steps a recurrent weight of 1.1 multiplies the gradient by ~107, 0.9 by
 * ~0.0057 — so the defaults flag a change of two orders of magnitude.
 */
export interface FlagThresholds {
  /** Flag `exploding` when ratio > this. Default 100. */
  exploding: number;
  /** Flag `vanishing` when ratio < this. Default 0.01. */
  vanishing: number;
}

export const DEFAULT_FLAG_THRESHOLDS: FlagThresholds = { exploding: 100, vanishing: 0.01 };

export type FlagKind = 'exploding' | 'vanishing' | 'nonfinite';

export interface Flag {
  node: string;
  kind: FlagKind;
  ratio: number;
  perStep: number;
  /** 1-based step where a non-finite gradient first appears (nonfinite only). */
  step?: number;
}

/**
 * Classifies one node's gradient norms over time (index 0 = step 1).
 *
 * @example
 * flagSeries('h', [106.7, ..., 1], DEFAULT_FLAG_THRESHOLDS) // → { kind: 'exploding', ... }
 */
export function flagSeries(node: string, norms: ArrayLike<number>, th: FlagThresholds = DEFAULT_FLAG_THRESHOLDS): Flag | null {
  const T = norms.length;
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(norms[t])) return { node, kind: 'nonfinite', ratio: NaN, perStep: NaN, step: t + 1 };
  }
  let last = -1;
  for (let t = T - 1; t >= 0; t--) if (norms[t] !== 0) { last = t; break; }
  if (last < 1) return null;
  const ratio = norms[0] / norms[last];
  const span = last + 1;
  const perStep = Math.pow(ratio, 1 / (span - 1));
  if (ratio > th.exploding) return { node, kind: 'exploding', ratio, perStep };
  if (ratio < th.vanishing) return { node, kind: 'vanishing', ratio, perStep };
  return null;
}
