/**
 * Losses at one step, forward and backward side by side. `scale` is the
 * normalization of the spec (1/(S·B·N) for mse and bce, 1/(S·B) for
 * cross_entropy, 1 for sum), so the per-step values add up to the loss.
 * p and y are [B, n] blocks at this step.
 */
import type { LossKind } from '../format/types.ts';
import type { Arr } from '../tensor.ts';

export function lossScale(kind: LossKind, S: number, B: number, n: number): number {
  switch (kind) {
    case 'mse':
    case 'bce': return 1 / (S * B * n);
    case 'cross_entropy': return 1 / (S * B);
    case 'sum': return 1;
    default: {
      const never: never = kind;
      throw new Error(`unknown loss ${String(never)}`);
    }
  }
}

/** log(1 + e^(−|p|)) + max(p, 0) − p·y: BCE with logits, stable. */
function bceTerm(p: number, y: number): number {
  return Math.max(p, 0) - p * y + Math.log1p(Math.exp(-Math.abs(p)));
}

function sigmoid(p: number): number {
  if (p >= 0) return 1 / (1 + Math.exp(-p));
  const e = Math.exp(p);
  return e / (1 + e);
}

/** The loss contribution of this step. y is ignored for `sum`. */
export function lossForward(kind: LossKind, p: Arr, po: number, y: Arr | null, yo: number, B: number, n: number, scale: number): number {
  let acc = 0;
  switch (kind) {
    case 'mse':
      for (let i = 0; i < B * n; i++) { const d = p[po + i] - y![yo + i]; acc += d * d; }
      break;
    case 'bce':
      for (let i = 0; i < B * n; i++) acc += bceTerm(p[po + i], y![yo + i]);
      break;
    case 'sum':
      for (let i = 0; i < B * n; i++) acc += p[po + i];
      break;
    case 'cross_entropy':
      for (let b = 0; b < B; b++) {
        const o = po + b * n;
        let m = -Infinity;
        for (let k = 0; k < n; k++) m = Math.max(m, p[o + k]);
        let s = 0;
        for (let k = 0; k < n; k++) s += Math.exp(p[o + k] - m);
        const lse = m + Math.log(s);
        for (let k = 0; k < n; k++) acc -= y![yo + b * n + k] * (p[o + k] - lse);
      }
      break;
    default: {
      const never: never = kind;
      throw new Error(`unknown loss ${String(never)}`);
    }
  }
  return acc * scale;
}

/** dp += dL/dp for this step. */
export function lossBackward(kind: LossKind, p: Arr, po: number, y: Arr | null, yo: number, dp: Arr, dpo: number, B: number, n: number, scale: number): void {
  switch (kind) {
    case 'mse':
      for (let i = 0; i < B * n; i++) dp[dpo + i] += 2 * scale * (p[po + i] - y![yo + i]);
      return;
    case 'bce':
      for (let i = 0; i < B * n; i++) dp[dpo + i] += scale * (sigmoid(p[po + i]) - y![yo + i]);
      return;
    case 'sum':
      for (let i = 0; i < B * n; i++) dp[dpo + i] += scale;
      return;
    case 'cross_entropy':
      for (let b = 0; b < B; b++) {
        const o = po + b * n;
        let m = -Infinity;
        for (let k = 0; k < n; k++) m = Math.max(m, p[o + k]);
        let s = 0;
        for (let k = 0; k < n; k++) s += Math.exp(p[o + k] - m);
        let ysum = 0;
        for (let k = 0; k < n; k++) ysum += y![yo + b * n + k];
        for (let k = 0; k < n; k++) {
          const soft = Math.exp(p[o + k] - m) / s;
          dp[dpo + b * n + k] += scale * (ysum * soft - y![yo + b * n + k]);
        }
      }
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown loss ${String(never)}`);
    }
  }
}
