/**
 * Prediction against target for one sequence, step by step, as the loss
 * reads them: for mse both values per unit; for bce the probability σ(p) and
 * whether thresholding it at ½ gives the target (every unit); for
 * cross_entropy the softmax's most likely class against the target's class.
 * Only the steps the loss scores (all, or the last) get a verdict.
 *
 * @example
 *   comparePrediction('bce', 'all', new Float32Array([2, -1]), new Float32Array([1, 1]), 2, 1, 1)
 *   // → { kind: 'classification', steps: [{ t: 1, correct: true, … }, { t: 2, correct: false, … }], accuracy: 0.5 }
 */
import type { LossKind, LossSteps } from '../format/types.ts';

export interface StepComparison {
  /** 1-based time step. */
  t: number;
  /** What the model says, in the target's terms (σ(p) for bce, softmax for cross_entropy). */
  prediction: number[];
  target: number[];
  /** Classification: the predicted class (cross_entropy) or 0/1 per unit (bce). */
  predictedClass?: number[];
  targetClass?: number[];
  /** null where the loss does not score this step, or for regression. */
  correct: boolean | null;
}

export interface PredictionReport {
  kind: 'regression' | 'classification' | 'none';
  steps: StepComparison[];
  /** Fraction of scored steps that are right (classification), else null. */
  accuracy: number | null;
  /** Mean squared error over scored steps (regression), else null. */
  mse: number | null;
}

function sigmoid(p: number): number {
  if (p >= 0) return 1 / (1 + Math.exp(-p));
  const e = Math.exp(p);
  return e / (1 + e);
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * `pred` and `target` are [T, size] row-major (one sequence). `targetSize`
 * may differ from `size` for cross_entropy with class-index targets (size 1).
 */
export function comparePrediction(
  loss: LossKind,
  lossSteps: LossSteps,
  pred: ArrayLike<number>,
  target: ArrayLike<number> | null,
  T: number,
  size: number,
  targetSize: number = size,
): PredictionReport {
  if (loss === 'sum' || !target) return { kind: 'none', steps: [], accuracy: null, mse: null };
  const steps: StepComparison[] = [];
  let right = 0;
  let scored = 0;
  let sq = 0;
  let count = 0;
  for (let t = 0; t < T; t++) {
    const p = Array.from({ length: size }, (_, u) => pred[t * size + u]);
    const y = Array.from({ length: targetSize }, (_, u) => target[t * targetSize + u]);
    const scores = lossSteps === 'all' || t === T - 1;
    if (loss === 'mse') {
      if (scores) for (let u = 0; u < Math.min(size, targetSize); u++) { sq += (p[u] - y[u]) ** 2; count++; }
      steps.push({ t: t + 1, prediction: p, target: y, correct: null });
      continue;
    }
    let predictedClass: number[];
    let targetClass: number[];
    let shown: number[];
    if (loss === 'bce') {
      shown = p.map(sigmoid);
      predictedClass = shown.map((q) => (q > 0.5 ? 1 : 0));
      targetClass = y.map((v) => (v > 0.5 ? 1 : 0));
    } else {
      shown = softmax(p);
      predictedClass = [argmax(shown)];
      targetClass = [targetSize === 1 && size > 1 ? Math.round(y[0]) : argmax(y)];
    }
    const ok = predictedClass.length === targetClass.length && predictedClass.every((c, i) => c === targetClass[i]);
    if (scores) { scored++; if (ok) right++; }
    steps.push({ t: t + 1, prediction: shown, target: y, predictedClass, targetClass, correct: scores ? ok : null });
  }
  if (loss === 'mse') return { kind: 'regression', steps, accuracy: null, mse: count ? sq / count : null };
  return { kind: 'classification', steps, accuracy: scored ? right / scored : null, mse: null };
}
