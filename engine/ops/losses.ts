/**
 * The loss registry: each loss at one step, forward and backward side by side.
 * `scale` is the normalization of the spec (1/(S·B·N) for mse and bce, 1/(S·B)
 * for cross_entropy, 1 for sum), so the per-step values add up to the loss.
 * p and y are [R, n] blocks. The target port may read any node, so backward
 * also gives dL/dy when asked.
 */
import type { LossKind } from '../format/types.ts';
import type { Arr } from '../tensor.ts';

export interface LossDef {
  name: string;
  doc: string;
  /** False for `sum`, which has only the prediction port. */
  target: boolean;
  scale(S: number, B: number, n: number): number;
  /** Σ of the loss terms over R rows of n units, times scale. y is null without a target port. */
  forward(p: Arr, po: number, y: Arr | null, yo: number, R: number, n: number, scale: number): number;
  /** dp += dL/dp (dp may be null), dy += dL/dy (dy may be null). */
  backward(p: Arr, po: number, y: Arr | null, yo: number, dp: Arr | null, dpo: number, dy: Arr | null, dyo: number, R: number, n: number, scale: number): void;
  /** The Python function of the export (sum over batch and units; forward() applies the scale). */
  torchName: string;
  torchHelper: string;
}

function sigmoid(p: number): number {
  if (p >= 0) return 1 / (1 + Math.exp(-p));
  const e = Math.exp(p);
  return e / (1 + e);
}

/** log-sum-exp of row o..o+n of p. */
function lse(p: Arr, o: number, n: number): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, p[o + k]);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(p[o + k] - m);
  return m + Math.log(s);
}

const mse: LossDef = {
  name: 'mse', doc: 'mean squared error over steps, batch and units', target: true,
  scale: (S, B, n) => 1 / (S * B * n),
  forward(p, po, y, yo, R, n, scale) {
    let acc = 0;
    for (let i = 0; i < R * n; i++) { const d = p[po + i] - y![yo + i]; acc += d * d; }
    return acc * scale;
  },
  backward(p, po, y, yo, dp, dpo, dy, dyo, R, n, scale) {
    for (let i = 0; i < R * n; i++) {
      const g = 2 * scale * (p[po + i] - y![yo + i]);
      if (dp) dp[dpo + i] += g;
      if (dy) dy[dyo + i] -= g;
    }
  },
  torchName: '_mse',
  torchHelper: `def _mse(p, y):
    """Σ (p − y)² over batch and units (forward() applies the normalization)."""
    return ((p - y) ** 2).sum()
`,
};

const bce: LossDef = {
  name: 'bce', doc: 'binary cross-entropy with logits, mean over steps, batch and units', target: true,
  scale: (S, B, n) => 1 / (S * B * n),
  forward(p, po, y, yo, R, n, scale) {
    let acc = 0;
    // log(1 + e^(−|p|)) + max(p, 0) − p·y: stable for huge logits.
    for (let i = 0; i < R * n; i++) { const v = p[po + i]; acc += Math.max(v, 0) - v * y![yo + i] + Math.log1p(Math.exp(-Math.abs(v))); }
    return acc * scale;
  },
  backward(p, po, y, yo, dp, dpo, dy, dyo, R, n, scale) {
    for (let i = 0; i < R * n; i++) {
      if (dp) dp[dpo + i] += scale * (sigmoid(p[po + i]) - y![yo + i]);
      if (dy) dy[dyo + i] -= scale * p[po + i];
    }
  },
  torchName: '_bce',
  torchHelper: `def _bce(p, y):
    """Σ of binary cross-entropy with logits p over batch and units."""
    return F.binary_cross_entropy_with_logits(p, y, reduction="sum")
`,
};

const crossEntropy: LossDef = {
  name: 'cross_entropy', doc: 'softmax cross-entropy of logits against a one-hot or distribution target, mean over steps and batch', target: true,
  scale: (S, B) => 1 / (S * B),
  forward(p, po, y, yo, R, n, scale) {
    let acc = 0;
    for (let b = 0; b < R; b++) {
      const o = po + b * n;
      const l = lse(p, o, n);
      for (let k = 0; k < n; k++) acc -= y![yo + b * n + k] * (p[o + k] - l);
    }
    return acc * scale;
  },
  backward(p, po, y, yo, dp, dpo, dy, dyo, R, n, scale) {
    for (let b = 0; b < R; b++) {
      const o = po + b * n;
      const l = lse(p, o, n);
      let ysum = 0;
      for (let k = 0; k < n; k++) ysum += y![yo + b * n + k];
      for (let k = 0; k < n; k++) {
        if (dp) dp[dpo + b * n + k] += scale * (ysum * Math.exp(p[o + k] - l) - y![yo + b * n + k]);
        if (dy) dy[dyo + b * n + k] -= scale * (p[o + k] - l);
      }
    }
  },
  torchName: '_cross_entropy',
  torchHelper: `def _cross_entropy(p, y):
    """−Σ_b Σ_k y_k · log softmax(p)_k (p are logits; y one-hot or a distribution)."""
    return -(y * torch.log_softmax(p, dim=-1)).sum()
`,
};

const sum: LossDef = {
  name: 'sum', doc: 'Σ of the prediction (no target): to study how the gradient of one state flows back', target: false,
  scale: () => 1,
  forward(p, po, _y, _yo, R, n, scale) {
    let acc = 0;
    for (let i = 0; i < R * n; i++) acc += p[po + i];
    return acc * scale;
  },
  backward(_p, _po, _y, _yo, dp, dpo, _dy, _dyo, R, n, scale) {
    if (dp) for (let i = 0; i < R * n; i++) dp[dpo + i] += scale;
  },
  torchName: '_sum',
  torchHelper: `def _sum(p):
    """Σ p over batch and units (a \`sum\` loss has no target)."""
    return p.sum()
`,
};

/** The losses, by name (names are part of the file format). */
export const LOSS_DEFS: Record<LossKind, LossDef> = { mse, cross_entropy: crossEntropy, bce, sum };

export function lossScale(kind: LossKind, S: number, B: number, n: number): number {
  return LOSS_DEFS[kind].scale(S, B, n);
}
