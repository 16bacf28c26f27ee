/**
 * The `training` block of a graph file: how a graph is trained. With the
 * `task` block and the graph's parameters it holds everything to reproduce a
 * run bit for bit (docs/training-format.md).
 *
 * ```json
 * "training": {
 *   "optimizer": "adam", "lr": 0.01, "batch": 32, "steps": 2000, "seed": 1,
 *   "dtype": "float64", "clipNorm": 1,
 *   "schedule": {"kind": "step", "every": 500, "gamma": 0.5},
 *   "validateEvery": 100, "diagnosticsEvery": 100
 * }
 * ```
 */
import type { FlagThresholds } from '../diagnostics/flags.ts';
import { DEFAULT_FLAG_THRESHOLDS } from '../diagnostics/flags.ts';
import type { Block } from '../tasks/read.ts';
import { BlockReader } from '../tasks/read.ts';
import { TaskError } from '../tasks/types.ts';
import type { DType } from '../tensor.ts';
import type { OptimizerConfig, OptimizerName, Schedule } from './optimizers.ts';
import { OPTIMIZERS } from './optimizers.ts';
import { defaultNumber, numberRule, pairValue, rangeText, setting, settingDefault } from './settings.ts';

/** Steps between decays of a `{"kind": "step"}` schedule that gives no `every` (the registry's schedule.every says so). */
const STEP_EVERY = 1000;

function isPlain(v: unknown): v is Block {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface TrainingConfig {
  optimizer: OptimizerConfig;
  /** Base learning rate. Default: adam 0.001, rmsprop 0.01, sgd/momentum 0.01 (torch's defaults where it has one). */
  lr: number;
  schedule: Schedule;
  /** Clip the gradient's global norm to this (torch clip_grad_norm_), or null. */
  clipNorm: number | null;
  /** Clamp every gradient entry to [−v, v] (torch clip_grad_value_), or null. */
  clipValue: number | null;
  /** Sequences per step (ignored with a data file: its B is the batch). */
  batch: number;
  /** Steps of a full run. */
  steps: number;
  /** Seeds the parameters that the graph does not give and the training sequences. */
  seed: number;
  dtype: DType;
  /** Validate every this many steps (and at step 0 and the end). */
  validateEvery: number;
  /** Measure diagnostics every this many steps (and at step 0). */
  diagnosticsEvery: number;
  /** Explode/vanish flag thresholds (flags.ts). */
  flags: FlagThresholds;
}

/** Learning rate per optimizer when the block gives none (engine/train/settings.ts). */
export const DEFAULT_LR: Record<OptimizerName, number> = Object.fromEntries(OPTIMIZERS.map((o) => [o, defaultNumber('training', 'lr', o)])) as Record<OptimizerName, number>;

/** Reads a number setting of the training block with the registry's default and range. */
function num(r: BlockReader, key: string): number {
  return r.num(key, defaultNumber('training', key), numberRule(setting('training', key)));
}

function optNum(r: BlockReader, key: string): number | undefined {
  return r.optNum(key, numberRule(setting('training', key)));
}

/**
 * Reads a training block (merged: `overrides` win over `block`). Throws a
 * TaskError naming the field for a bad value.
 *
 * @example
 * resolveTraining({ optimizer: 'sgd', lr: 0.1 }).clipNorm // null
 */
export function resolveTraining(block: Block = {}, overrides: Block = {}): TrainingConfig {
  const merged: Block = { ...block };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    // An object field given in part (`flags.vanishing` from a flag) keeps the block's other fields.
    const was = merged[k];
    merged[k] = isPlain(v) && isPlain(was) ? { ...was, ...v } : v;
  }
  // A CLI flag for one kind of clipping replaces the block's other kind.
  const given = (k: string): boolean => overrides[k] !== undefined && overrides[k] !== null;
  if (given('clipNorm') && !given('clipValue')) delete merged.clipValue;
  if (given('clipValue') && !given('clipNorm')) delete merged.clipNorm;
  const r = new BlockReader(merged, 'training');
  const name = r.oneOf<OptimizerName>('optimizer', OPTIMIZERS, settingDefault(setting('training', 'optimizer')) as OptimizerName);
  const optimizer: OptimizerConfig = { name };
  const mom = optNum(r, 'momentum');
  if (mom !== undefined) optimizer.momentum = mom;
  if (r.has('nesterov')) optimizer.nesterov = r.bool('nesterov', settingDefault(setting('training', 'nesterov')) === true);
  if (r.has('betas')) {
    const betas = pairValue(setting('training', 'betas'), merged.betas);
    if (!betas) throw new TaskError(`training.betas must be ${rangeText(setting('training', 'betas'))}, such as [0.9, 0.999], got ${JSON.stringify(merged.betas)}`, 'training.betas');
    optimizer.betas = betas;
  }
  for (const key of ['dampening', 'eps', 'alpha', 'weightDecay'] as const) {
    const v = optNum(r, key);
    if (v !== undefined) optimizer[key] = v;
  }
  if (r.has('centered')) optimizer.centered = r.bool('centered', settingDefault(setting('training', 'centered')) === true);
  if (optimizer.nesterov && (optimizer.momentum ?? (name === 'momentum' ? 0.9 : 0)) <= 0) {
    throw new TaskError('training.nesterov needs a momentum > 0: use "optimizer": "momentum" or set training.momentum', 'training.nesterov');
  }
  const lr = r.num('lr', DEFAULT_LR[name], numberRule(setting('training', 'lr')));
  let schedule: Schedule = { kind: 'constant' };
  const s = merged.schedule;
  if (s !== undefined && s !== null && s !== 'constant') {
    const sb: Block = isPlain(s) ? s : { kind: s };
    const sr = new BlockReader(sb, 'training.schedule');
    // {"every": n} alone means a step schedule (what --lr-step-every and the panel write).
    const kind = sr.oneOf<'constant' | 'step'>('kind', ['constant', 'step'], sr.has('every') ? 'step' : 'constant');
    if (kind === 'constant' && !sr.has('kind') && sr.has('gamma')) {
      throw new TaskError('training.schedule.gamma needs training.schedule.every (how many steps between decays; --lr-step-every)', 'training.schedule.every');
    }
    const every = setting('training', 'schedule.every');
    if (kind === 'step') schedule = { kind, every: sr.num('every', STEP_EVERY, numberRule(every)), gamma: sr.num('gamma', defaultNumber('training', 'schedule.gamma'), numberRule(setting('training', 'schedule.gamma'))) };
  }
  const clipNorm = optNum(r, 'clipNorm') ?? null;
  const clipValue = optNum(r, 'clipValue') ?? null;
  if (clipNorm !== null && clipValue !== null) {
    throw new TaskError('training has both clipNorm and clipValue: keep one (clipping by norm is the usual choice)', 'training.clipValue');
  }
  const steps = num(r, 'steps');
  const fl = merged.flags;
  const flags = { ...DEFAULT_FLAG_THRESHOLDS };
  if (fl !== undefined && fl !== null) {
    const fr = new BlockReader(fl as Block, 'training.flags');
    for (const key of ['exploding', 'vanishing'] as const) flags[key] = fr.num(key, flags[key], numberRule(setting('training', `flags.${key}`)));
  }
  return {
    optimizer, lr, schedule, clipNorm, clipValue,
    batch: num(r, 'batch'),
    steps,
    seed: num(r, 'seed'),
    dtype: r.oneOf<DType>('dtype', setting('training', 'dtype').choices!.map((c) => c.value as DType), settingDefault(setting('training', 'dtype')) as DType),
    validateEvery: num(r, 'validateEvery'),
    diagnosticsEvery: num(r, 'diagnosticsEvery'),
    flags,
  };
}

/** The training block to write back into a graph file: every resolved value, so the run reproduces. */
export function trainingBlock(c: TrainingConfig, original: Block = {}): Block {
  const o = c.optimizer;
  const out: Block = { ...original, optimizer: o.name, lr: c.lr };
  for (const k of ['momentum', 'nesterov', 'dampening', 'betas', 'eps', 'alpha', 'centered', 'weightDecay'] as const) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  out.schedule = c.schedule.kind === 'constant' ? 'constant' : { ...c.schedule };
  delete out.clipNorm;
  delete out.clipValue;
  if (c.clipNorm !== null) out.clipNorm = c.clipNorm;
  if (c.clipValue !== null) out.clipValue = c.clipValue;
  if (c.flags.exploding !== DEFAULT_FLAG_THRESHOLDS.exploding || c.flags.vanishing !== DEFAULT_FLAG_THRESHOLDS.vanishing) out.flags = { ...c.flags };
  else delete out.flags;
  Object.assign(out, { batch: c.batch, steps: c.steps, seed: c.seed, dtype: c.dtype, validateEvery: c.validateEvery, diagnosticsEvery: c.diagnosticsEvery });
  return out;
}
