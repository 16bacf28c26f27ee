/**
 * The classic results as data: each preset names its paper, its setup (cells,
 * sizes, T, optimizer, steps, seeds), the paper's criterion and reported
 * result, and a judge that turns measured numbers into PASS or FAIL. Pure:
 * `presetJobs` lists the training runs (the CLI runs them on workers, the
 * app in its background workers), `testSet` builds fresh test data, and
 * `judgePreset` reads the measurements.
 *
 * @example
 * const jobs = presetJobs(PRESETS.adding, 'quick');   // train each job.input with trainRun
 * const report = judgePreset(PRESETS.adding, 'quick', measured);
 * report.pass // true or false, from the measured numbers
 */
import { batchFromData } from '../batch.ts';
import { compile } from '../compile.ts';
import type { StateKind } from '../diagnostics/dynamics.ts';
import { findFixedPoints } from '../diagnostics/dynamics.ts';
import { visitedStates } from '../diagnostics/run-probe.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { runGraph } from '../grad.ts';
import { createParams } from '../params.ts';
import { Session } from '../runtime.ts';
import type { Block } from '../tasks/read.ts';
import { createTask } from '../tasks/index.ts';
import { createTrainer } from '../train/trainer.ts';
import { fmtNum, meanSd } from './sweep.ts';
import { templateForTask } from './models.ts';
import type { RunInput } from './run.ts';

export type PresetMode = 'quick' | 'full';

/** One cell trained in a preset: a template, its size and its training settings. */
export interface Arm {
  /** Short name used in reports and file names, e.g. "lstm". */
  id: string;
  label: string;
  template: string;
  hidden: number;
  forgetBias?: number;
  training: Block;
}

export interface PresetSetup {
  task: Block;
  arms: Arm[];
  seeds: number[];
  /** Sequences in the fresh test set. */
  testSize: number;
}

/** Measured numbers of one arm and seed on the fresh test set. */
export interface ArmMeasure {
  arm: string;
  seed: number;
  /** Test loss and the task's headline metric (and any extras the preset measures). */
  loss: number;
  metricName: string;
  metric: number;
  extra: Record<string, number>;
  steps: number;
  seconds: number;
  diverged: boolean;
  /** Fixed points of the trained network under zero input, as the finder classified them (flip-flop). */
  fixedPoints?: FixedPointSummary[];
}

/** One fixed point as a report lists it: its kind, residual speed q and number of unstable directions. */
export interface FixedPointSummary {
  kind: StateKind;
  q: number;
  unstable: number;
}

/** What a preset's own measurement adds: extra numbers and, for flip-flop, the fixed points found. */
export interface ExtraMeasure {
  extra: Record<string, number>;
  fixedPoints?: FixedPointSummary[];
}

export interface PresetReport {
  preset: string;
  mode: PresetMode;
  pass: boolean;
  /** The criterion as applied in this mode. */
  criterion: string;
  /** One line per check, with the measured numbers. */
  lines: string[];
  /** Per arm: mean test metric over seeds. */
  summary: { arm: string; label: string; metricName: string; mean: number; sd: number; n: number }[];
  notes: string[];
}

export interface Preset {
  name: string;
  title: string;
  paper: string;
  /** The paper's criterion and its reported result, in words. */
  criterion: string;
  reported: string;
  quick: PresetSetup;
  full: PresetSetup;
  /** Extra measurements on the test set (e.g. flip-flop sign accuracy). */
  measure?: (graph: Graph, data: DataFile) => ExtraMeasure;
  judge: (m: ArmMeasure[], mode: PresetMode, setup: PresetSetup) => { pass: boolean; criterion: string; lines: string[]; notes?: string[] };
}

/** Seed of every preset's test set: distinct from the validation seed (20260) and from training streams. */
export const TEST_SEED = 424242;

const adam = (lr: number, steps: number, extra: Block = {}): Block => ({ optimizer: 'adam', lr, clipNorm: 1, batch: 32, steps, validateEvery: Math.max(50, Math.round(steps / 10)), ...extra });

function byArm(m: ArmMeasure[], arm: string, key: 'metric' | 'loss' | string = 'metric'): { mean: number; sd: number; n: number } {
  const xs = m.filter((x) => x.arm === arm).map((x) => (key === 'metric' ? x.metric : key === 'loss' ? x.loss : x.extra[key]));
  return { ...meanSd(xs), n: xs.length };
}

const f = fmtNum;

function addingBaseline(): number {
  return 1 / 6;
}

const adding: Preset = {
  name: 'adding',
  title: 'The adding problem at T = 100: LSTM vs Elman',
  paper: 'Hochreiter & Schmidhuber 1997, "Long short-term memory", experiment 4 (the adding problem); the reference text\'s story',
  criterion: 'LSTM test MSE ≤ 0.01 on fresh test data (predicting the mean gives 1/6 ≈ 0.167) while the tanh Elman RNN with the same budget stays near that baseline (MSE ≥ 0.1)',
  reported: 'LSTM solves T = 100 (average test error below 0.04 in the paper\'s own criterion); RNNs trained by BPTT fail at such lags',
  full: {
    task: { name: 'adding', length: 100 }, seeds: [1], testSize: 1000,
    arms: [
      { id: 'lstm', label: 'LSTM (16 units, forget bias 1)', template: 'lstm', hidden: 16, forgetBias: 1, training: adam(0.01, 2500) },
      { id: 'elman', label: 'Elman tanh RNN (16 units)', template: 'elman', hidden: 16, training: adam(0.01, 2500) },
    ],
  },
  quick: {
    task: { name: 'adding', length: 20 }, seeds: [1], testSize: 500,
    arms: [
      { id: 'lstm', label: 'LSTM (16 units, forget bias 1)', template: 'lstm', hidden: 16, forgetBias: 1, training: adam(0.01, 400) },
      { id: 'elman', label: 'Elman tanh RNN (16 units)', template: 'elman', hidden: 16, training: adam(0.01, 400) },
    ],
  },
  judge: (m, mode) => {
    const l = byArm(m, 'lstm');
    const e = byArm(m, 'elman');
    const base = addingBaseline();
    if (mode === 'quick') {
      const pass = l.mean <= 0.05 && l.mean < e.mean;
      return { pass, criterion: 'quick (T = 20, 400 steps): LSTM test MSE ≤ 0.05 and below the Elman RNN\'s', lines: [`LSTM test MSE ${f(l.mean)} (≤ 0.05: ${l.mean <= 0.05 ? 'yes' : 'no'})`, `Elman test MSE ${f(e.mean)} (baseline ${f(base)})`] };
    }
    const pass = l.mean <= 0.01 && e.mean >= 0.1;
    return { pass, criterion: adding.criterion, lines: [`LSTM test MSE ${f(l.mean)} (≤ 0.01: ${l.mean <= 0.01 ? 'yes' : 'no'})`, `Elman test MSE ${f(e.mean)} (near the baseline ${f(base)}, ≥ 0.1: ${e.mean >= 0.1 ? 'yes' : 'no'})`] };
  },
};

const irnnAdding: Preset = {
  name: 'irnn-adding',
  title: 'IRNN on the adding problem at T = 150: ReLU + identity init vs tanh Elman',
  paper: 'Le, Jaitly & Hinton 2015, "A simple way to initialize recurrent networks of rectified linear units", §4.1',
  criterion: 'the IRNN\'s test MSE ends well below the 1/6 baseline (≤ 0.05) while the tanh Elman RNN with the same budget stays near it (≥ 0.1)',
  reported: 'IRNN reaches near-zero MSE on adding at T = 150–750 where the tanh RNN stays at the baseline (their Figure 2; SGD with clipping, ~10^6 steps)',
  full: {
    // T = 150, the shortest length in Le et al.'s Figure 2. The paper trains with SGD + clipping for ~10^6 steps;
    // within this preset's few-minute budget SGD + clipping (lr 0.01–0.3, clip norm 10, batch 16, up to 6000 steps)
    // left neither cell off the 1/6 baseline (measured), so both arms use Adam + norm clipping with the same
    // budget. At T = 50 the tanh RNN learned too under Adam (0.018), so the contrast needs the long lag.
    task: { name: 'adding', length: 150 }, seeds: [1], testSize: 1000,
    arms: [
      { id: 'irnn', label: 'IRNN (32 ReLU units, identity init)', template: 'irnn', hidden: 32, training: adam(0.001, 8000, { schedule: { kind: 'step', every: 5000, gamma: 0.3 } }) },
      { id: 'elman', label: 'Elman tanh RNN (32 units)', template: 'elman', hidden: 32, training: adam(0.001, 8000, { schedule: { kind: 'step', every: 5000, gamma: 0.3 } }) },
    ],
  },
  quick: {
    task: { name: 'adding', length: 10 }, seeds: [1], testSize: 500,
    arms: [
      { id: 'irnn', label: 'IRNN (32 ReLU units, identity init)', template: 'irnn', hidden: 32, training: adam(0.01, 600) },
      { id: 'elman', label: 'Elman tanh RNN (32 units)', template: 'elman', hidden: 32, training: adam(0.01, 600) },
    ],
  },
  judge: (m, mode) => {
    const i = byArm(m, 'irnn');
    const e = byArm(m, 'elman');
    if (mode === 'quick') {
      // At T = 10 the lag is short enough for tanh too: the quick form checks only that the IRNN trains.
      const pass = i.mean <= 0.05;
      return { pass, criterion: 'quick (T = 10, 600 steps): the IRNN learns the sum (test MSE ≤ 0.05)', lines: [`IRNN test MSE ${f(i.mean)} (≤ 0.05: ${pass ? 'yes' : 'no'})`, `Elman test MSE ${f(e.mean)} (at this short lag tanh learns too)`] };
    }
    const pass = i.mean <= 0.05 && e.mean >= 0.1;
    const notes = ['Optimizer: Adam with norm clipping for both cells, not the paper\'s SGD with clipping: in short trial runs at T = 150 (SGD lr 0.01–0.3, clip norm 10, batch 16, up to 6000 steps) SGD left neither cell off the baseline; the paper trains ~10^6 steps.'];
    if (e.mean < 0.1) notes.push('The tanh Elman RNN learned too at this length and budget: Le et al.\'s contrast is not reproduced.');
    return { pass, criterion: irnnAdding.criterion, lines: [`IRNN test MSE ${f(i.mean)} (≤ 0.05: ${i.mean <= 0.05 ? 'yes' : 'no'})`, `Elman test MSE ${f(e.mean)} (≥ 0.1: ${e.mean >= 0.1 ? 'yes' : 'no'})`], notes };
  },
};

/** The copy task's memoryless baseline: blanks right, then a uniform guess over K symbols for the L recalled ones. */
export function copyBaseline(task: Block): number {
  return createTask(task).meta.baseline!.value;
}

const copy: Preset = {
  name: 'copy',
  title: 'The copy memory task: beat the memoryless baseline',
  paper: 'Arjovsky, Shah & Bengio 2016, "Unitary evolution recurrent neural networks", §4.1 (copying memory problem)',
  criterion: 'test cross-entropy below the memoryless baseline 10·log 8/(T + 20) (10 symbols from 8, recalled after T blanks)',
  reported: 'the uRNN drops below the baseline at T up to 500; LSTM beats it at short delays and gets stuck at it for long ones',
  full: {
    task: { name: 'copy', symbols: 8, sequence: 10, delay: 20 }, seeds: [1], testSize: 500,
    arms: [{ id: 'lstm', label: 'LSTM (64 units, forget bias 1)', template: 'lstm', hidden: 64, forgetBias: 1, training: adam(0.005, 3000) }],
  },
  quick: {
    task: { name: 'copy', symbols: 8, sequence: 10, delay: 5 }, seeds: [1], testSize: 256,
    arms: [{ id: 'lstm', label: 'LSTM (32 units, forget bias 1)', template: 'lstm', hidden: 32, forgetBias: 1, training: adam(0.01, 300) }],
  },
  judge: (m, mode, setup) => {
    const l = byArm(m, 'lstm', 'loss');
    const a = byArm(m, 'lstm');
    const base = copyBaseline(setup.task);
    const T = setup.task.delay as number;
    const pass = l.mean < base;
    return {
      pass, criterion: `${mode === 'quick' ? 'quick (T = 5, 300 steps): ' : ''}test cross-entropy below 10·log 8/(T + 20) = ${f(base)} at T = ${T}`,
      lines: [`LSTM test cross-entropy ${f(l.mean)} vs memoryless baseline ${f(base)} (${pass ? 'beaten' : 'not beaten'})`, `LSTM recall accuracy ${(a.mean * 100).toFixed(1)}% (chance 12.5%)`],
    };
  },
};

const temporalOrder: Preset = {
  name: 'temporal-order',
  title: 'The temporal order problem',
  paper: 'Hochreiter & Schmidhuber 1997, "Long short-term memory", experiment 6a',
  criterion: 'test accuracy of the order class (XX, XY, YX, YY) at the last step ≥ 95 % (chance 25 %)',
  reported: 'LSTM solves it: all test sequences classified right after ≈ 31,000 training sequences',
  full: {
    // Forget bias 3 (σ(3) ≈ 0.95): with bias 1 the gradient from the end fades over the ~85 steps back to
    // the first X/Y (0.73^85 ≈ 1e-12) and 1500 steps stay at chance (measured: 22 %).
    task: { name: 'temporal-order', length: 100 }, seeds: [1], testSize: 1000,
    arms: [{ id: 'lstm', label: 'LSTM (16 units, forget bias 3)', template: 'lstm', hidden: 16, forgetBias: 3, training: adam(0.01, 1500) }],
  },
  quick: {
    task: { name: 'temporal-order', length: 20 }, seeds: [1], testSize: 500,
    arms: [{ id: 'lstm', label: 'LSTM (16 units, forget bias 1)', template: 'lstm', hidden: 16, forgetBias: 1, training: adam(0.01, 300) }],
  },
  judge: (m, mode) => {
    const a = byArm(m, 'lstm');
    const need = mode === 'quick' ? 0.9 : 0.95;
    const pass = a.mean >= need;
    return { pass, criterion: mode === 'quick' ? 'quick (T = 20, 300 steps): test accuracy ≥ 90 %' : temporalOrder.criterion, lines: [`LSTM test accuracy ${(a.mean * 100).toFixed(1)}% (≥ ${need * 100}%: ${pass ? 'yes' : 'no'})`] };
  },
};

const parity: Preset = {
  name: 'parity',
  title: 'Running parity: LSTM vs Elman',
  paper: 'the reference text\'s example 3 (running parity needs one bit of memory carried across every step)',
  criterion: 'LSTM per-step test accuracy ≥ 99 % on sequences of 50 bits, and the Elman RNN with the same budget is reported beside it',
  reported: 'a hand-built network of step units computes parity exactly (example 3); gated cells learn it',
  full: {
    task: { name: 'parity', length: 50 }, seeds: [1, 2], testSize: 500,
    arms: [
      { id: 'lstm', label: 'LSTM (8 units, forget bias 1)', template: 'lstm', hidden: 8, forgetBias: 1, training: adam(0.01, 1000) },
      { id: 'elman', label: 'Elman tanh RNN (8 units)', template: 'elman', hidden: 8, training: adam(0.01, 1000) },
    ],
  },
  quick: {
    task: { name: 'parity', length: 20 }, seeds: [1], testSize: 256,
    arms: [
      { id: 'lstm', label: 'LSTM (8 units, forget bias 1)', template: 'lstm', hidden: 8, forgetBias: 1, training: adam(0.01, 400) },
      { id: 'elman', label: 'Elman tanh RNN (8 units)', template: 'elman', hidden: 8, training: adam(0.01, 400) },
    ],
  },
  judge: (m, mode) => {
    const l = byArm(m, 'lstm');
    const e = byArm(m, 'elman');
    const need = mode === 'quick' ? 0.95 : 0.99;
    const pass = l.mean >= need;
    return {
      pass, criterion: mode === 'quick' ? 'quick (20 bits, 400 steps): LSTM per-step test accuracy ≥ 95 %' : parity.criterion,
      lines: [`LSTM per-step test accuracy ${(l.mean * 100).toFixed(1)}% (≥ ${need * 100}%: ${pass ? 'yes' : 'no'})`, `Elman per-step test accuracy ${(e.mean * 100).toFixed(1)}%`],
    };
  },
};

/** Flip-flop: share of held outputs (target ≠ 0) whose prediction has the right sign. */
function signAccuracy(graph: Graph, data: DataFile): Record<string, number> {
  const r = runGraph(graph, data);
  const pred = r.values.y.data;
  const y = Object.values(data.targets ?? {})[0].data;
  let hit = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 0) continue;
    n++;
    if (Math.sign(pred[i]) === y[i]) hit++;
  }
  return { signAccuracy: n ? hit / n : NaN };
}

/**
 * The trained network's fixed points under zero input, seeded (as
 * `cellwright dynamics --fixed-points` seeds them) from every joint state the
 * network visits on the test data; counted by the finder's own kinds.
 */
export function zeroInputFixedPoints(graph: Graph, data: DataFile): ExtraMeasure {
  const program = compile(graph);
  const seed = typeof graph.training?.seed === 'number' ? graph.training.seed : 1;
  const theta = createParams(program.layout, graph.parameters, { seed, dtype: 'float64' });
  const batch = batchFromData(data, 'float64');
  const session = new Session(program, { T: batch.T, B: batch.B, dtype: 'float64' });
  session.forward(theta, batch);
  const r = findFixedPoints(program, theta, { visited: visitedStates(program, session) });
  const fixedPoints = r.points.map((x) => ({ kind: x.kind, q: x.q, unstable: x.unstable }));
  const count = (k: StateKind): number => fixedPoints.filter((x) => x.kind === k).length;
  return { fixedPoints, extra: { fixedPoints: fixedPoints.length, stableFixedPoints: count('stable'), saddleFixedPoints: count('saddle'), unstableFixedPoints: count('unstable'), marginalFixedPoints: count('marginal') } };
}

function flipFlopMeasure(graph: Graph, data: DataFile): ExtraMeasure {
  const fp = zeroInputFixedPoints(graph, data);
  return { fixedPoints: fp.fixedPoints, extra: { ...signAccuracy(graph, data), ...fp.extra } };
}

const flipFlop: Preset = {
  name: 'flip-flop',
  title: 'The 3-bit flip-flop',
  paper: 'Sussillo & Barak 2013, "Opening the black box: low-dimensional dynamics in high-dimensional recurrent neural networks", §3',
  criterion: 'the held sign of every channel is right at ≥ 98 % of the steps after its first pulse (test set), and the trained network has exactly 8 stable fixed points under zero input',
  reported: 'the trained network holds all 8 memories as stable fixed points, with saddles between them',
  full: {
    task: { name: 'flip-flop', length: 100, bits: 3, rate: 0.05 }, seeds: [1], testSize: 500,
    arms: [{ id: 'gru', label: 'GRU (24 units)', template: 'gru', hidden: 24, training: adam(0.01, 1500) }],
  },
  quick: {
    task: { name: 'flip-flop', length: 40, bits: 3, rate: 0.1 }, seeds: [1], testSize: 256,
    arms: [{ id: 'gru', label: 'GRU (16 units)', template: 'gru', hidden: 16, training: adam(0.01, 300) }],
  },
  measure: flipFlopMeasure,
  judge: (m, mode) => {
    const a = byArm(m, 'gru', 'signAccuracy');
    const e = byArm(m, 'gru');
    const need = mode === 'quick' ? 0.9 : 0.98;
    const accurate = a.mean >= need;
    const runs = m.filter((x) => x.arm === 'gru');
    // Each run's count of stable points is read from the finder's list (a run without one counts as not measured).
    const stable = runs.map((x) => (x.fixedPoints ? x.fixedPoints.filter((p) => p.kind === 'stable').length : NaN));
    const eight = runs.length > 0 && stable.every((k) => k === 8);
    const pass = mode === 'quick' ? accurate : accurate && eight;
    const fpLines = runs.map((x, i) => {
      const list = x.fixedPoints ?? [];
      const n = (k: StateKind): number => list.filter((p) => p.kind === k).length;
      const head = runs.length > 1 ? `seed ${x.seed}: ` : '';
      if (!x.fixedPoints) return `${head}fixed points under zero input: not yet re-measured (this run predates the count, so it cannot PASS the full criterion; re-run the preset to measure them)`;
      return `${head}fixed points under zero input: ${stable[i]} stable${mode === 'full' ? ` (= 8: ${stable[i] === 8 ? 'yes' : 'no'})` : ''}, ${n('saddle')} saddle, ${n('unstable')} unstable, ${n('marginal')} marginal`;
    });
    return {
      pass,
      criterion: mode === 'quick' ? 'quick (T = 40, 300 steps): held signs right at ≥ 90 % of the steps (the fixed points are counted, not judged)' : flipFlop.criterion,
      lines: [`GRU held-sign accuracy ${(a.mean * 100).toFixed(1)}% (≥ ${need * 100}%: ${accurate ? 'yes' : 'no'}), test MSE ${f(e.mean)}`, ...fpLines],
      notes: ['Fixed points: the N-D finder of `cellwright dynamics --fixed-points` (engine/diagnostics/dynamics.ts) under zero input, seeded from the states the trained network visits on the test set.'],
    };
  },
};

const GREFF = ['vanilla', 'nig', 'nfg', 'nog', 'niaf', 'noaf', 'np', 'cifg', 'fgr'];

const greffVariants: Preset = {
  name: 'greff-variants',
  title: 'Greff et al.\'s eight LSTM variants on one task',
  paper: 'Greff, Srivastava, Koutník, Steunebrink & Schmidhuber 2015, "LSTM: A Search Space Odyssey"',
  criterion: 'the variants are trained with one budget on temporal order (T = 30); a variant "hurts" when its mean test loss is more than 1.5× the vanilla LSTM\'s; the paper\'s finding holds when NFG (no forget gate) or NOAF (no output activation) hurts',
  reported: 'removing the forget gate (NFG) or the output activation (NOAF) hurts most; CIFG and NP do not hurt significantly',
  full: {
    task: { name: 'temporal-order', length: 30 }, seeds: [1, 2], testSize: 500,
    arms: GREFF.map((v) => ({ id: v, label: v === 'vanilla' ? 'vanilla LSTM (peepholes)' : v.toUpperCase(), template: `lstm-${v}`, hidden: 16, forgetBias: 1, training: adam(0.01, 600) })),
  },
  quick: {
    task: { name: 'temporal-order', length: 20 }, seeds: [1], testSize: 256,
    arms: GREFF.map((v) => ({ id: v, label: v === 'vanilla' ? 'vanilla LSTM (peepholes)' : v.toUpperCase(), template: `lstm-${v}`, hidden: 8, forgetBias: 1, training: adam(0.01, 120) })),
  },
  judge: (m, mode) => {
    const base = byArm(m, 'vanilla', 'loss').mean;
    const lines: string[] = [];
    const hurt: string[] = [];
    for (const v of GREFF) {
      const l = byArm(m, v, 'loss');
      const a = byArm(m, v);
      const ratio = l.mean / base;
      if (v !== 'vanilla' && !(ratio <= 1.5)) hurt.push(v.toUpperCase());
      lines.push(`${v === 'vanilla' ? 'vanilla' : v.toUpperCase()}: test loss ${f(l.mean)} (${v === 'vanilla' ? 'reference' : `×${f(ratio)}`}), accuracy ${(a.mean * 100).toFixed(1)}%`);
    }
    lines.push(`hurt (loss > 1.5× vanilla): ${hurt.length ? hurt.join(', ') : 'none'}`);
    const pass = hurt.includes('NFG') || hurt.includes('NOAF');
    const solved = GREFF.every((v) => byArm(m, v).mean >= 0.99);
    const notes = solved ? ['Every variant solves the task (accuracy ≥ 99 %): the loss ratios compare small residual losses, weak evidence next to the paper’s speech, handwriting and music tasks.'] : [];
    return { pass, criterion: `${mode === 'quick' ? 'quick (T = 20, 8 units, 120 steps): ' : ''}${greffVariants.criterion}`, lines, notes };
  },
};

/** Every preset by name, in the order `reproduce --list` shows them. */
export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  adding, 'irnn-adding': irnnAdding, copy, 'temporal-order': temporalOrder, parity, 'flip-flop': flipFlop, 'greff-variants': greffVariants,
});

export const PRESET_NAMES = Object.keys(PRESETS);

/** A preset by name, or undefined (own properties only: `__proto__` is no preset). */
export function getPreset(name: string): Preset | undefined {
  return Object.prototype.hasOwnProperty.call(PRESETS, name) ? PRESETS[name] : undefined;
}

/** One training run of a preset. */
export interface PresetJob {
  key: string;
  arm: string;
  seed: number;
  input: RunInput;
}

/** The training runs of a preset: each arm × seed, the template sized to the task, the seed in its training block. */
export function presetJobs(p: Preset, mode: PresetMode): PresetJob[] {
  const s = p[mode];
  return s.arms.flatMap((arm) => s.seeds.map((seed) => {
    const graph = templateForTask(arm.template, s.task, { hidden: arm.hidden, forgetBias: arm.forgetBias });
    const named = { ...graph, name: `${arm.label} — ${p.name}${mode === 'quick' ? ' (quick)' : ''}` };
    return { key: `${arm.id}-s${seed}`, arm: arm.id, seed, input: { graph: named, task: { ...s.task }, training: { ...arm.training, seed } } };
  }));
}

/**
 * Fresh test data for a preset: the task's sequences drawn from TEST_SEED
 * (never seen in training or validation), as a data file for `cellwright run`
 * on the preset's graphs (input node x, target node y_t).
 */
export function testSet(p: Preset, mode: PresetMode): { task: Block; data: DataFile } {
  const s = p[mode];
  const task = { ...s.task, seed: TEST_SEED, validation: s.testSize };
  const t = createTask(task);
  const v = t.validation();
  const m = t.meta;
  const data: DataFile = {
    inputs: { x: { shape: [m.T, v.B, m.inputSize], data: Array.from(v.x) } },
    targets: { y_t: { shape: [m.T, v.B, m.targetSize], data: Array.from(v.y) } },
  };
  return { task, data };
}

/** A trained graph's loss and metrics on the test set (the trainer's validation pass, on the test sequences). */
export function measureOnTest(p: Preset, graph: Graph, test: { task: Block; data: DataFile }): { loss: number; metricName: string; metric: number; extra: Record<string, number>; fixedPoints?: FixedPointSummary[] } {
  const t = createTrainer(graph, { task: test.task, training: { steps: 0 }, resume: false });
  const v = t.validate(false)!;
  const metricName = t.metricNames()[0];
  const own = p.measure ? p.measure(graph, test.data) : { extra: {} };
  return { loss: v.loss, metricName, metric: (v.metrics as Record<string, number | undefined>)[metricName] ?? NaN, ...own };
}

/** PASS or FAIL from the measured numbers, with the lines that show them. */
export function judgePreset(p: Preset, mode: PresetMode, m: ArmMeasure[]): PresetReport {
  const s = p[mode];
  const j = p.judge(m, mode, s);
  const summary = s.arms.map((a) => ({ arm: a.id, label: a.label, metricName: m.find((x) => x.arm === a.id)?.metricName ?? '', ...byArm(m, a.id) }));
  const diverged = m.filter((x) => x.diverged).map((x) => `${x.arm} seed ${x.seed}`);
  return {
    preset: p.name, mode, pass: j.pass, criterion: j.criterion, lines: j.lines, summary,
    notes: [...(j.notes ?? []), ...(diverged.length ? [`diverged: ${diverged.join(', ')}`] : [])],
  };
}

/** The setup in words: cells, sizes, T, optimizer, steps, seeds. */
export function describeSetup(p: Preset, mode: PresetMode): string[] {
  const s = p[mode];
  const meta = createTask(s.task).meta;
  return [
    `task: ${meta.description}`,
    ...s.arms.map((a) => {
      const t = a.training;
      return `${a.label}: ${t.optimizer} lr ${t.lr}${t.clipNorm ? `, clip norm ${t.clipNorm}` : ''}, batch ${t.batch}, ${t.steps} steps${t.schedule ? `, lr ×${(t.schedule as Block).gamma} every ${(t.schedule as Block).every}` : ''}`;
    }),
    `seeds: ${s.seeds.join(', ')}; test set: ${s.testSize} fresh sequences (seed ${TEST_SEED})`,
  ];
}

/** The report as Markdown (written to --out DIR/report.md). */
export function reportMarkdown(p: Preset, r: PresetReport, m: ArmMeasure[]): string {
  const lines = [
    `# ${p.title} (${r.mode})`, '',
    `**${r.pass ? 'PASS' : 'FAIL'}** — ${r.criterion}`, '',
    `Paper: ${p.paper}. Reported: ${p.reported}.`, '',
    '## Setup', '', ...describeSetup(p, r.mode).map((l) => `- ${l}`), '',
    '## Measured', '', ...r.lines.map((l) => `- ${l}`), '',
    '| arm | seed | test loss | test metric | steps | seconds | diverged |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...m.map((x) => `| ${x.arm} | ${x.seed} | ${f(x.loss)} | ${x.metricName} ${f(x.metric)}${Object.entries(x.extra).map(([k, v]) => `, ${k} ${f(v)}`).join('')} | ${x.steps} | ${x.seconds.toFixed(1)} | ${x.diverged ? 'yes' : 'no'} |`),
    '', ...(r.notes.length ? ['## Notes', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    'The trained graphs are in this folder (`<arm>-s<seed>.json`); `test-data.json` is the test set: `cellwright run <arm>-s<seed>.json test-data.json` gives the test loss above.', '',
  ];
  return lines.join('\n');
}
