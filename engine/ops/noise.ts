/**
 * Training noise (dropout masks, zoneout masks) as a pure function of
 * (training seed, training step, node, row, unit): a counter-based hash, so the
 * reference and the fast runtime — which visit rows in different orders —
 * draw the same masks, a backward pass recomputes its forward's masks without
 * storing them, and a run is reproducible from its seed.
 *
 * Rows are t·B + b (time step t, sequence b), so every step and sequence gets
 * a fresh mask, and every training step (`round`) a fresh set.
 */

/** The noise of one training pass; null in evaluation (run, grad, validation, export). */
export interface Noise {
  seed: number;
  /** The training step: a fresh set of masks per update. */
  round: number;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [0, 1) for (noise, node, row, unit). */
export function noiseUniform(n: Noise, node: number, row: number, unit: number): number {
  let h = mix(0x243f6a88, n.seed);
  h = mix(h, n.round);
  h = mix(h, node);
  h = mix(h, row);
  h = mix(h, unit);
  return h / 4294967296;
}

/** A dropout unit is kept with probability 1 − p. */
export function dropoutKeep(n: Noise, node: number, row: number, unit: number, p: number): boolean {
  return noiseUniform(n, node, row, unit) >= p;
}

/** A zoneout unit keeps its previous state with probability p. */
export function zoneoutKeep(n: Noise, node: number, row: number, unit: number, p: number): boolean {
  return noiseUniform(n, node, row, unit) < p;
}
