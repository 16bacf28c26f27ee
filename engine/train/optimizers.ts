/**
 * Optimizers, learning-rate schedules and gradient clipping with PyTorch's
 * exact update rules (torch 1.13, `torch/optim/*.py` single-tensor paths and
 * `torch/nn/utils/clip_grad.py`), so a run can be compared with PyTorch step
 * for step. They work on the flat parameter vector of a ParamLayout and touch
 * only the trainable ranges (an edge with `trainable: false` has no gradient
 * in PyTorch terms: it is skipped by the norm, the clipping and the update).
 *
 * The arithmetic is done in float64 and stored in the vector's dtype, so a
 * float32 run keeps float32 parameters and optimizer state, as torch does.
 */
import type { ParamLayout } from '../params.ts';
import type { Arr, DType } from '../tensor.ts';
import { alloc } from '../tensor.ts';

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'rmsprop'];

export interface OptimizerConfig {
  name: OptimizerName;
  /** SGD/momentum: momentum factor (sgd default 0, momentum default 0.9); rmsprop: default 0. */
  momentum?: number;
  /** torch.optim.SGD's dampening (default 0). */
  dampening?: number;
  /** Nesterov momentum (sgd/momentum only). */
  nesterov?: boolean;
  /** Adam's (β1, β2), default (0.9, 0.999). */
  betas?: [number, number];
  /** Adam and RMSProp ε, default 1e-8. */
  eps?: number;
  /** RMSProp smoothing constant, default 0.99. */
  alpha?: number;
  /** RMSProp centered variant (default false). */
  centered?: boolean;
  /** L2 penalty added to the gradient as torch does (default 0). */
  weightDecay?: number;
}

/** Half-open index ranges [start, end) of the trainable entries of a layout, merged. */
export type Ranges = readonly (readonly [number, number])[];

export function trainableRanges(layout: ParamLayout): Ranges {
  const out: [number, number][] = [];
  for (const e of layout.entries) {
    if (!e.trainable || e.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last[1] === e.offset) last[1] = e.offset + e.length;
    else out.push([e.offset, e.offset + e.length]);
  }
  return out;
}

/** The optimizer's mutable state, for checkpoints (copied, never shared). */
export interface OptimizerState {
  step: number;
  buffers: Record<string, Float64Array | Float32Array>;
}

export interface Optimizer {
  readonly config: Required<OptimizerConfig>;
  /** Number of updates applied so far. */
  readonly steps: number;
  /** One update θ ← θ − lr·(rule(g)); `grad` is read, not modified. */
  step(theta: Arr, grad: Arr, lr: number): void;
  /** Forgets all state (as a freshly constructed torch optimizer). */
  reset(): void;
  /** A copy of the state; with `into` (an earlier saveState's result), copied into its buffers without allocating. */
  saveState(into?: OptimizerState): OptimizerState;
  loadState(s: OptimizerState): void;
  /** Names of the moment buffers this optimizer keeps (torch's state names, e.g. exp_avg, exp_avg_sq). */
  readonly bufferNames: readonly string[];
}

/** Fills the defaults of torch.optim for a config. */
export function resolveOptimizer(c: OptimizerConfig): Required<OptimizerConfig> {
  return {
    name: c.name,
    momentum: c.momentum ?? (c.name === 'momentum' ? 0.9 : 0),
    dampening: c.dampening ?? 0,
    nesterov: c.nesterov ?? false,
    betas: c.betas ?? [0.9, 0.999],
    eps: c.eps ?? 1e-8,
    alpha: c.alpha ?? 0.99,
    centered: c.centered ?? false,
    weightDecay: c.weightDecay ?? 0,
  };
}

/**
 * Creates an optimizer for a parameter vector of `size` entries.
 *
 * @example
 * const opt = createOptimizer({ name: 'adam' }, layout.size, trainableRanges(layout), 'float64');
 * opt.step(theta, session.gparams, 0.01);
 */
export function createOptimizer(cfg: OptimizerConfig, size: number, ranges: Ranges, dtype: DType): Optimizer {
  const c = resolveOptimizer(cfg);
  if (c.nesterov && (c.momentum <= 0 || c.dampening !== 0)) {
    throw new Error('Nesterov momentum requires a momentum > 0 and zero dampening (as torch.optim.SGD)');
  }
  const names = bufferNames(c);
  let buffers: Record<string, Arr> = {};
  let steps = 0;
  const fresh = (): void => {
    buffers = {};
    for (const n of names) buffers[n] = alloc(dtype, size);
    steps = 0;
  };
  fresh();
  const wd = c.weightDecay;
  return {
    config: c,
    get steps() { return steps; },
    reset: fresh,
    bufferNames: names,
    saveState(into) {
      if (!into) return { step: steps, buffers: Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, v.slice()])) };
      into.step = steps;
      for (const n of names) into.buffers[n].set(buffers[n]);
      return into;
    },
    loadState(s) {
      steps = s.step;
      for (const n of names) buffers[n].set(s.buffers[n]);
    },
    step(theta, grad, lr) {
      steps++;
      switch (c.name) {
        case 'sgd':
        case 'momentum': {
          const mu = c.momentum;
          const buf = buffers.momentum;
          for (const [a, b] of ranges) {
            for (let i = a; i < b; i++) {
              let d = grad[i];
              if (wd !== 0) d = d + wd * theta[i];
              if (mu !== 0) {
                // torch: the buffer starts as a copy of the first gradient.
                const m = steps === 1 ? d : buf[i] * mu + d * (1 - c.dampening);
                buf[i] = m;
                d = c.nesterov ? d + mu * buf[i] : buf[i];
              }
              theta[i] = theta[i] - lr * d;
            }
          }
          return;
        }
        case 'adam': {
          const [b1, b2] = c.betas;
          const m = buffers.exp_avg;
          const v = buffers.exp_avg_sq;
          const bc1 = 1 - b1 ** steps;
          const bc2 = 1 - b2 ** steps;
          const stepSize = lr / bc1;
          const bc2sqrt = Math.sqrt(bc2);
          for (const [a, b] of ranges) {
            for (let i = a; i < b; i++) {
              let g = grad[i];
              if (wd !== 0) g = g + wd * theta[i];
              m[i] = m[i] * b1 + g * (1 - b1);
              v[i] = v[i] * b2 + g * g * (1 - b2);
              const denom = Math.sqrt(v[i]) / bc2sqrt + c.eps;
              theta[i] = theta[i] - stepSize * (m[i] / denom);
            }
          }
          return;
        }
        case 'rmsprop': {
          const al = c.alpha;
          const sq = buffers.square_avg;
          const ga = buffers.grad_avg;
          const mb = buffers.momentum;
          for (const [a, b] of ranges) {
            for (let i = a; i < b; i++) {
              let g = grad[i];
              if (wd !== 0) g = g + wd * theta[i];
              sq[i] = sq[i] * al + g * g * (1 - al);
              let avg: number;
              if (c.centered) {
                ga[i] = ga[i] * al + g * (1 - al);
                avg = Math.sqrt(sq[i] - ga[i] * ga[i]);
              } else {
                avg = Math.sqrt(sq[i]);
              }
              avg += c.eps;
              if (c.momentum > 0) {
                mb[i] = mb[i] * c.momentum + g / avg;
                theta[i] = theta[i] - lr * mb[i];
              } else {
                theta[i] = theta[i] - lr * (g / avg);
              }
            }
          }
          return;
        }
        default: {
          const never: never = c.name;
          throw new Error(`unknown optimizer ${String(never)}`);
        }
      }
    },
  };
}

function bufferNames(c: Required<OptimizerConfig>): string[] {
  switch (c.name) {
    case 'sgd':
    case 'momentum':
      return c.momentum !== 0 ? ['momentum'] : [];
    case 'adam':
      return ['exp_avg', 'exp_avg_sq'];
    case 'rmsprop':
      return ['square_avg', ...(c.centered ? ['grad_avg'] : []), ...(c.momentum > 0 ? ['momentum'] : [])];
    default: {
      const never: never = c.name;
      throw new Error(`unknown optimizer ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------- schedules

/** Learning-rate schedule: constant, or torch's StepLR (×gamma every `every` steps). */
export type Schedule = { kind: 'constant' } | { kind: 'step'; every: number; gamma: number };

/** The learning rate used for update number `step` (0-based). */
export function learningRate(base: number, schedule: Schedule, step: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(step / schedule.every);
    default: {
      const never: never = schedule;
      throw new Error(`unknown schedule ${JSON.stringify(never)}`);
    }
  }
}

// ----------------------------------------------------------------- clipping

/** Euclidean norm of the gradient over the trainable ranges. */
export function gradNorm(grad: Arr, ranges: Ranges): number {
  let s = 0;
  for (const [a, b] of ranges) for (let i = a; i < b; i++) s += grad[i] * grad[i];
  return Math.sqrt(s);
}

export interface ClipResult {
  /** The gradient norm before clipping (over trainable parameters). */
  norm: number;
  /** Whether clipping changed the gradient. */
  clipped: boolean;
}

/**
 * torch.nn.utils.clip_grad_norm_: coef = max / (norm + 1e-6), and the
 * gradient is multiplied by min(coef, 1). Modifies `grad` in place.
 */
export function clipGradNorm(grad: Arr, ranges: Ranges, maxNorm: number): ClipResult {
  const norm = gradNorm(grad, ranges);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  if (coef < 1) for (const [a, b] of ranges) for (let i = a; i < b; i++) grad[i] = grad[i] * coef;
  return { norm, clipped: coef < 1 };
}

/** torch.nn.utils.clip_grad_value_: clamps every entry to [−v, v]. Modifies `grad` in place. */
export function clipGradValue(grad: Arr, ranges: Ranges, v: number): ClipResult {
  const norm = gradNorm(grad, ranges);
  let clipped = false;
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++) {
      const g = grad[i];
      if (g > v) { grad[i] = v; clipped = true; } else if (g < -v) { grad[i] = -v; clipped = true; }
    }
  }
  return { norm, clipped };
}
