/**
 * Activations, forward and backward side by side. Forward maps the
 * pre-activation z to y; backward maps dL/dy to dL/dz using the OUTPUT y
 * (every activation here has a derivative expressible in y, so the runtime
 * keeps only y).
 */
import type { Activation } from '../format/types.ts';
import type { Arr } from '../tensor.ts';

export interface ActivationOp {
  /** y[yo+i] = f(z[zo+i]) for i < n. z and y may be the same buffer and offset. */
  forward(z: Arr, zo: number, y: Arr, yo: number, n: number): void;
  /** dz[i] = dy[i] · f′ expressed through y[i]. */
  backward(y: Arr, yo: number, dy: Arr, dyo: number, dz: Arr, dzo: number, n: number): void;
  /** f′ as a function of the output y (for diagnostics such as saturation). */
  derivative(y: number): number;
  /** Scalar forward, for diagnostics (fixed points) and tests. */
  f(z: number): number;
}

const identity: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = z[zo + i]; },
  backward(_y, _yo, dy, dyo, dz, dzo, n) { for (let i = 0; i < n; i++) dz[dzo + i] = dy[dyo + i]; },
  derivative: () => 1,
  f: (z) => z,
};

function sig(z: number): number {
  // Stable for large |z|.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

const sigmoid: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = sig(z[zo + i]); },
  backward(y, yo, dy, dyo, dz, dzo, n) {
    for (let i = 0; i < n; i++) { const s = y[yo + i]; dz[dzo + i] = dy[dyo + i] * s * (1 - s); }
  },
  derivative: (s) => s * (1 - s),
  f: sig,
};

const tanh: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = Math.tanh(z[zo + i]); },
  backward(y, yo, dy, dyo, dz, dzo, n) {
    for (let i = 0; i < n; i++) { const t = y[yo + i]; dz[dzo + i] = dy[dyo + i] * (1 - t * t); }
  },
  derivative: (t) => 1 - t * t,
  f: Math.tanh,
};

const relu: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) { const v = z[zo + i]; y[yo + i] = v > 0 ? v : 0; } },
  backward(y, yo, dy, dyo, dz, dzo, n) { for (let i = 0; i < n; i++) dz[dzo + i] = y[yo + i] > 0 ? dy[dyo + i] : 0; },
  derivative: (y) => (y > 0 ? 1 : 0),
  f: (z) => (z > 0 ? z : 0),
};

/** 1 where z > 0, else 0; its derivative is taken as 0 (spec). */
const step: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = z[zo + i] > 0 ? 1 : 0; },
  backward(_y, _yo, _dy, _dyo, dz, dzo, n) { for (let i = 0; i < n; i++) dz[dzo + i] = 0; },
  derivative: () => 0,
  f: (z) => (z > 0 ? 1 : 0),
};

function softplusF(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** log(1 + e^z); its derivative σ(z) = 1 − e^(−y). */
const softplus: ActivationOp = {
  forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = softplusF(z[zo + i]); },
  backward(y, yo, dy, dyo, dz, dzo, n) { for (let i = 0; i < n; i++) dz[dzo + i] = dy[dyo + i] * -Math.expm1(-y[yo + i]); },
  derivative: (y) => -Math.expm1(-y),
  f: softplusF,
};

export const ACTIVATION_OPS: Record<Activation, ActivationOp> = { identity, sigmoid, tanh, relu, step, softplus };
