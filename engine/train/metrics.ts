/**
 * Task metrics from a forward pass: accuracy, MSE and bits per character,
 * over the steps a task counts (every step, the last, or the recall steps of
 * copy). Predictions are what the loss node reads: logits for bce and
 * cross_entropy, values for mse.
 */
import type { LossKind } from '../format/types.ts';
import type { MetricName, TaskMeta } from '../tasks/types.ts';

export type Metrics = Partial<Record<MetricName, number>>;

/** Which metrics a task reports: its headline one, plus accuracy for text. */
export function metricNames(meta: TaskMeta): MetricName[] {
  return meta.metric === 'bpc' ? ['bpc', 'accuracy'] : [meta.metric];
}

/**
 * @param pred prediction values [T, B, N] (time-major)
 * @param y target values [T, B, N]
 *
 * @example
 * taskMetrics(meta, 'bce', predLogits, targets, T, B, 1) // → { accuracy: 0.93 }
 */
export function taskMetrics(meta: TaskMeta, loss: LossKind, pred: ArrayLike<number>, y: ArrayLike<number>, T: number, B: number, N: number): Metrics {
  const from = Math.max(0, Math.min(T - 1, meta.metricSteps.from));
  const out: Metrics = {};
  for (const m of metricNames(meta)) {
    switch (m) {
      case 'mse': {
        let s = 0;
        for (let i = from * B * N; i < T * B * N; i++) s += (pred[i] - y[i]) ** 2;
        out.mse = s / ((T - from) * B * N);
        break;
      }
      case 'accuracy':
        out.accuracy = accuracy(loss, pred, y, from, T, B, N);
        break;
      case 'bpc': {
        let s = 0;
        for (let r = from * B; r < T * B; r++) s += crossEntropyRow(pred, y, r * N, N);
        out.bpc = s / ((T - from) * B) / Math.LN2;
        break;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown metric ${String(never)}`);
      }
    }
  }
  return out;
}

function accuracy(loss: LossKind, pred: ArrayLike<number>, y: ArrayLike<number>, from: number, T: number, B: number, N: number): number {
  let hit = 0;
  let count = 0;
  if (loss === 'cross_entropy') {
    for (let r = from * B; r < T * B; r++) {
      const o = r * N;
      let pi = 0;
      let yi = 0;
      for (let k = 1; k < N; k++) {
        if (pred[o + k] > pred[o + pi]) pi = k;
        if (y[o + k] > y[o + yi]) yi = k;
      }
      if (pi === yi) hit++;
      count++;
    }
    return hit / count;
  }
  // bce reads logits (class 1 where > 0); mse values (class 1 where > 0.5).
  const cut = loss === 'bce' ? 0 : 0.5;
  for (let i = from * B * N; i < T * B * N; i++) {
    if ((pred[i] > cut) === (y[i] > 0.5)) hit++;
    count++;
  }
  return hit / count;
}

/** −Σ_k y_k log softmax(p)_k for one row. */
function crossEntropyRow(p: ArrayLike<number>, y: ArrayLike<number>, o: number, N: number): number {
  let mx = -Infinity;
  for (let k = 0; k < N; k++) mx = Math.max(mx, p[o + k]);
  let z = 0;
  for (let k = 0; k < N; k++) z += Math.exp(p[o + k] - mx);
  const lz = Math.log(z) + mx;
  let s = 0;
  for (let k = 0; k < N; k++) if (y[o + k] !== 0) s -= y[o + k] * (p[o + k] - lz);
  return s;
}
