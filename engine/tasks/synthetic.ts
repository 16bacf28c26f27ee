/**
 * The generated tasks: parity, adding, copy, sine, temporal-order, flip-flop. Each draws every random
 * number from the Rng it is given, so the same seed gives the same sequences.
 */
import { Rng } from '../rng.ts';
import type { Arr } from '../tensor.ts';
import type { Block } from './read.ts';
import { BlockReader } from './read.ts';
import type { SeqSet, Task, TaskMeta } from './types.ts';
import type { TaskName } from './types.ts';
import { TaskError } from './types.ts';
import { defaultNumber, readTaskNumber } from '../train/settings.ts';

/** Seed of the validation set when the task block gives none: fixed, so runs with different training seeds are compared on the same sequences. */
export const DEFAULT_VALIDATION_SEED = defaultNumber('task', 'seed');

function validationSet(meta: TaskMeta, fill: Task['fill'], seed: number): () => SeqSet {
  let cached: SeqSet | null = null;
  return () => {
    if (!cached) {
      const B = meta.validationSize;
      const x = new Float64Array(meta.T * B * meta.inputSize);
      const y = new Float64Array(meta.T * B * meta.targetSize);
      fill(new Rng(seed), B, x, y);
      cached = { B, x, y };
    }
    return cached;
  };
}

function common(r: BlockReader, task: TaskName): { T: number; V: number; seed: number } {
  return {
    T: readTaskNumber(r, task, 'length'),
    V: readTaskNumber(r, task, 'validation'),
    seed: readTaskNumber(r, task, 'seed'),
  };
}

/**
 * Running parity of a random bit stream (the reference text's example 3):
 * the target at step t is 1 while the number of 1s so far is odd.
 */
export function parityTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const { T, V, seed } = common(r, 'parity');
  const meta: TaskMeta = {
    name: 'parity', description: `running parity of ${T} random bits: output 1 while the count of 1s so far is odd`,
    kind: 'classification', metric: 'accuracy', metricGoal: 'max', note: 'classification: report accuracy (per step)',
    T, inputSize: 1, targetSize: 1, inputLabels: ['bit'], targetLabels: ['parity'],
    losses: ['bce', 'mse'], lossSteps: 'all', metricSteps: { from: 0 },
    baseline: { value: 0.5, what: 'accuracy of guessing' }, validationSize: V, warnings: [],
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    for (let b = 0; b < B; b++) {
      let p = 0;
      for (let t = 0; t < T; t++) {
        const bit = rng.uniform() < 0.5 ? 0 : 1;
        p ^= bit;
        x[t * B + b] = bit;
        y[t * B + b] = p;
      }
    }
  };
  return { meta, fill, validation: validationSet(meta, fill, seed) };
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997): each step shows a value
 * in [0, 1) and a marker; two steps are marked (one in each half); the target
 * at the last step is the sum of the two marked values. Always predicting the
 * mean, 1, gives MSE = Var(U + U′) = 1/6 ≈ 0.167.
 */
export function addingTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const { T, V, seed } = common(r, 'adding');
  const meta: TaskMeta = {
    name: 'adding', description: `adding problem over ${T} steps: sum the two marked values, answer at the last step`,
    kind: 'regression', metric: 'mse', metricGoal: 'min', note: 'regression: report MSE at the last step (predicting the mean gives ≈ 0.167)',
    T, inputSize: 2, targetSize: 1, inputLabels: ['value', 'marker'], targetLabels: ['sum'],
    losses: ['mse'], lossSteps: 'last', metricSteps: { from: T - 1 },
    baseline: { value: 1 / 6, what: 'MSE of always predicting the mean' }, validationSize: V, warnings: [],
  };
  const half = Math.floor(T / 2);
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    for (let b = 0; b < B; b++) {
      const first = rng.int(half);
      const second = half + rng.int(T - half);
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const v = rng.uniform();
        const o = (t * B + b) * 2;
        x[o] = v;
        const marked = t === first || t === second;
        x[o + 1] = marked ? 1 : 0;
        if (marked) sum += v;
      }
      // The target stream has all T steps (spec); only the last is read.
      for (let t = 0; t < T; t++) y[t * B + b] = sum;
    }
  };
  return { meta, fill, validation: validationSet(meta, fill, seed) };
}

/**
 * The copy task: a sequence of `sequence` random symbols, then `delay` steps of
 * blanks ending with a "go" marker, then the network must reproduce the
 * symbols in order. Inputs are one-hot over the K symbols, blank and go;
 * targets one-hot over the K symbols and blank.
 */
export function copyTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const K = readTaskNumber(r, 'copy', 'symbols');
  const L = readTaskNumber(r, 'copy', 'sequence');
  const D = readTaskNumber(r, 'copy', 'delay');
  const V = readTaskNumber(r, 'copy', 'validation');
  const seed = readTaskNumber(r, 'copy', 'seed');
  if (r.has('length')) throw new TaskError('task.length is not used by copy: its length is 2·sequence + delay; set task.sequence and task.delay instead', 'task.length');
  const T = 2 * L + D;
  const syms = Array.from({ length: K }, (_, k) => `s${k}`);
  const meta: TaskMeta = {
    name: 'copy', description: `remember ${L} of ${K} symbols across ${D} steps, then repeat them`,
    kind: 'classification', metric: 'accuracy', metricGoal: 'max', note: 'classification: report accuracy over the recall steps',
    T, inputSize: K + 2, targetSize: K + 1, inputLabels: [...syms, 'blank', 'go'], targetLabels: [...syms, 'blank'],
    losses: ['cross_entropy'], lossSteps: 'all', metricSteps: { from: T - L },
    baseline: { value: (L * Math.log(K)) / T, what: 'cross-entropy of blanks then a uniform guess' }, validationSize: V, warnings: [],
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    const nx = K + 2;
    const ny = K + 1;
    x.fill(0, 0, T * B * nx);
    y.fill(0, 0, T * B * ny);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        let inSym = K;
        let outSym = K;
        if (t < L) inSym = rng.int(K);
        if (t === L + D - 1) inSym = K + 1;
        x[(t * B + b) * nx + inSym] = 1;
        if (t >= T - L) {
          // The symbol shown at step t − (L + D).
          const src = t - L - D;
          for (let k = 0; k < K; k++) if (x[(src * B + b) * nx + k] === 1) outSym = k;
        }
        y[(t * B + b) * ny + outSym] = 1;
      }
    }
  };
  return { meta, fill, validation: validationSet(meta, fill, seed) };
}

const SINE_FREQS = [0.3, 0.11, 0.53, 0.07, 0.71, 0.19];

/**
 * Next-value prediction of a noisy sine mixture: x_t = Σ_k a_k·sin(ω_k·t + φ_k) + noise,
 * with fixed frequencies ω (0.3, 0.11, …), random phases φ and amplitudes
 * a ∈ [0.5, 1] per sequence; the target at step t is the clean signal at t + 1.
 */
export function sineTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const { T, V, seed } = common(r, 'sine');
  const C = readTaskNumber(r, 'sine', 'components');
  const noise = readTaskNumber(r, 'sine', 'noise');
  const meta: TaskMeta = {
    name: 'sine', description: `predict the next value of a mixture of ${C} sines (noise σ = ${noise})`,
    kind: 'regression', metric: 'mse', metricGoal: 'min', note: 'regression: report MSE of the next-value prediction',
    T, inputSize: 1, targetSize: 1, inputLabels: ['x_t'], targetLabels: ['x_{t+1}'],
    losses: ['mse'], lossSteps: 'all', metricSteps: { from: 0 }, validationSize: V, warnings: [],
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    const amp = new Float64Array(C);
    const ph = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < C; k++) { amp[k] = rng.range(0.5, 1); ph[k] = rng.range(0, 2 * Math.PI); }
      const s = (t: number): number => {
        let v = 0;
        for (let k = 0; k < C; k++) v += amp[k] * Math.sin(SINE_FREQS[k] * t + ph[k]);
        return v;
      };
      for (let t = 0; t < T; t++) {
        x[t * B + b] = s(t) + (noise > 0 ? noise * rng.normal() : 0);
        y[t * B + b] = s(t + 1);
      }
    }
  };
  const validation = validationSet(meta, fill, seed);
  // Baseline: repeat the current input as the prediction.
  const vs = validation();
  let se = 0;
  for (let i = 0; i < vs.x.length; i++) se += (vs.x[i] - vs.y[i]) ** 2;
  meta.baseline = { value: se / vs.x.length, what: 'MSE of predicting the current value' };
  return { meta, fill, validation };
}

const TEMPORAL_SYMBOLS = ['a', 'b', 'c', 'd', 'X', 'Y', 'B', 'E'];
const TEMPORAL_CLASSES = ['XX', 'XY', 'YX', 'YY'];

/**
 * The temporal order problem (Hochreiter & Schmidhuber 1997, experiment 6a):
 * a sequence of distractor symbols a–d that starts with B and ends with E;
 * two steps, one at a random position in [0.1·T, 0.2·T] and one in
 * [0.5·T, 0.6·T] (10–20 and 50–60 at the paper's T ≈ 100), show X or Y
 * instead. At the last step the network names the order among 4 classes:
 * XX, XY, YX, YY. Inputs one-hot over the 8 symbols, target one-hot over the
 * 4 classes (given at every step, read at the last).
 */
export function temporalOrderTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const { T, V, seed } = common(r, 'temporal-order');
  if (T < 10) throw new TaskError(`task.length must be at least 10 for temporal-order (its relevant symbols sit in windows at 10–20% and 50–60% of the length), got ${T}`, 'task.length');
  const w1: [number, number] = [Math.floor(0.1 * T), Math.floor(0.2 * T)];
  const w2: [number, number] = [Math.floor(0.5 * T), Math.floor(0.6 * T)];
  const meta: TaskMeta = {
    name: 'temporal-order', description: `temporal order over ${T} steps: X or Y at steps ${w1[0]}–${w1[1]} and ${w2[0]}–${w2[1]} among distractors; name the order (XX, XY, YX, YY) at the end`,
    kind: 'classification', metric: 'accuracy', metricGoal: 'max', note: 'classification: report accuracy of the class at the last step',
    T, inputSize: TEMPORAL_SYMBOLS.length, targetSize: TEMPORAL_CLASSES.length, inputLabels: [...TEMPORAL_SYMBOLS], targetLabels: [...TEMPORAL_CLASSES],
    losses: ['cross_entropy'], lossSteps: 'last', metricSteps: { from: T - 1 },
    baseline: { value: 0.25, what: 'accuracy of guessing one of 4 classes' }, validationSize: V, warnings: [],
  };
  const nx = TEMPORAL_SYMBOLS.length;
  const ny = TEMPORAL_CLASSES.length;
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    x.fill(0, 0, T * B * nx);
    y.fill(0, 0, T * B * ny);
    for (let b = 0; b < B; b++) {
      const t1 = w1[0] + rng.int(w1[1] - w1[0] + 1);
      const t2 = w2[0] + rng.int(w2[1] - w2[0] + 1);
      const s1 = rng.int(2);
      const s2 = rng.int(2);
      for (let t = 0; t < T; t++) {
        // Distractors are drawn at every step so the stream's use of rng does not depend on the positions.
        let sym = rng.int(4);
        if (t === 0) sym = 6;
        else if (t === T - 1) sym = 7;
        else if (t === t1) sym = 4 + s1;
        else if (t === t2) sym = 4 + s2;
        x[(t * B + b) * nx + sym] = 1;
        y[(t * B + b) * ny + 2 * s1 + s2] = 1;
      }
    }
  };
  return { meta, fill, validation: validationSet(meta, fill, seed) };
}

/**
 * The 3-bit flip-flop (Sussillo & Barak 2013): `bits` input channels carry
 * sparse pulses of +1 or −1 (each channel pulses at a step with probability
 * `rate`); output k holds the sign of channel k's last pulse (0 before its
 * first). A trained network stores 2^bits memories as stable fixed points.
 */
export function flipFlopTask(block: Block): Task {
  const r = new BlockReader(block, 'task');
  const { T, V, seed } = common(r, 'flip-flop');
  const K = r.num('bits', 3, { int: true, min: 1, max: 16 });
  const rate = r.num('rate', 0.05, { gt: 0, max: 1 });
  const chans = Array.from({ length: K }, (_, k) => `bit ${k + 1}`);
  const meta: TaskMeta = {
    name: 'flip-flop', description: `${K}-bit flip-flop over ${T} steps: each output holds the sign of its channel's last ±1 pulse (pulse rate ${rate})`,
    kind: 'regression', metric: 'mse', metricGoal: 'min', note: 'regression: report MSE of the held signs (every step)',
    T, inputSize: K, targetSize: K, inputLabels: chans, targetLabels: chans,
    losses: ['mse'], lossSteps: 'all', metricSteps: { from: 0 }, validationSize: V, warnings: [],
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        let held = 0;
        for (let t = 0; t < T; t++) {
          const o = (t * B + b) * K + k;
          const pulse = rng.uniform() < rate;
          const sign = rng.uniform() < 0.5 ? -1 : 1;
          x[o] = pulse ? sign : 0;
          if (pulse) held = sign;
          y[o] = held;
        }
      }
    }
  };
  const validation = validationSet(meta, fill, seed);
  const vs = validation();
  let s = 0;
  for (let i = 0; i < vs.y.length; i++) s += vs.y[i] ** 2;
  meta.baseline = { value: s / vs.y.length, what: 'MSE of always answering 0' };
  return { meta, fill, validation };
}
