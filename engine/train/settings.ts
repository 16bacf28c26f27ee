/**
 * Every training and task setting, defined once: its JSON path, type, allowed
 * values or range, default (per optimizer or per task where it differs),
 * command-line flag and help line. `cellwright train` builds its flags from
 * this list, the Training panel its fields, `resolveTraining` and the task
 * modules their validation, and docs/settings.md its table
 * (scripts/make-settings-doc.ts).
 */
import { DEFAULT_FLAG_THRESHOLDS } from '../diagnostics/flags.ts';
import type { TaskName } from '../tasks/types.ts';
import { TASK_NAMES } from '../tasks/types.ts';

/** A setting's value: `pair` settings (Adam's betas) hold two numbers. */
export type SettingValue = number | string | boolean | readonly [number, number];

export interface SettingRange {
  min?: number;
  /** Exclusive lower bound. */
  gt?: number;
  max?: number;
  /** Exclusive upper bound. */
  lt?: number;
}

export interface SettingChoice {
  value: string;
  label: string;
}

export interface Setting {
  block: 'training' | 'task';
  /**
   * The field in its block: `training.<key>` or `task.<key>`. A dotted key
   * names a field of an object field (`schedule.every` is `training.schedule.every`).
   */
  key: string;
  /** `pair`: two numbers, each in `range` (Adam's betas). */
  type: 'number' | 'int' | 'enum' | 'bool' | 'pair';
  /** Enum settings: the allowed values with a label for menus. */
  choices?: readonly SettingChoice[];
  /** Number settings: the allowed range (the engine refuses values outside it). */
  range?: SettingRange;
  /** The default when no optimizer/task below has its own; undefined: none (the setting is off, or derived). */
  default?: SettingValue;
  /** The default in words, when it is not one value (derived from other fields, or off). */
  defaultNote?: string;
  /** Defaults that differ per optimizer (training) or per task (task). */
  defaults?: Readonly<Record<string, SettingValue>>;
  /** Task settings: the tasks that read it. */
  tasks?: readonly TaskName[];
  /** Training settings read by some optimizers only (when `defaults` does not already say which). */
  optimizers?: readonly string[];
  /** Shown under "More settings" in the Training panel (settings most runs leave alone). */
  advanced?: boolean;
  /** Command-line flag of `cellwright train`, with its argument name (`--lr <x>`). */
  flag: string;
  /** One line for `--help`, the panel and the docs. */
  help: string;
  /** The key of a setting of the same block it cannot be given with. */
  conflicts?: string;
  /** The Training panel's label. */
  label: string;
  /** A tighter cap the panel puts on a typed value (a typo guard; the engine takes larger ones). */
  panelMax?: number;
}

export interface TaskInfo {
  name: TaskName;
  /** One line: what the network learns. */
  blurb: string;
}

/** Every task, with one line saying what the network learns (the task menu, `--task` help and the docs). */
export const TASKS: readonly TaskInfo[] = [
  { name: 'parity', blurb: 'running parity of random bits (the reference text’s example 3)' },
  { name: 'adding', blurb: 'sum of the two marked numbers, answered at the last step' },
  { name: 'copy', blurb: 'repeat a few symbols after a delay' },
  { name: 'sine', blurb: 'next value of a noisy sine mixture' },
  { name: 'text', blurb: 'next character of a text' },
  { name: 'csv', blurb: 'your CSV file: target columns from a window of rows' },
  { name: 'temporal-order', blurb: 'the order of two marked symbols among distractors (Hochreiter & Schmidhuber 1997)' },
  { name: 'flip-flop', blurb: 'three outputs each hold the sign of its channel’s last pulse (Sussillo & Barak 2013)' },
];

const OPTIMIZER_CHOICES: readonly SettingChoice[] = [
  { value: 'adam', label: 'Adam' },
  { value: 'sgd', label: 'SGD' },
  { value: 'momentum', label: 'SGD with momentum' },
  { value: 'rmsprop', label: 'RMSProp' },
];

/** The settings of the `training` block. */
export const TRAINING_SETTINGS: readonly Setting[] = [
  { block: 'training', key: 'optimizer', type: 'enum', choices: OPTIMIZER_CHOICES, default: 'adam', flag: '--optimizer <name>', label: 'Optimizer', help: 'update rule, as torch.optim' },
  { block: 'training', key: 'lr', type: 'number', range: { gt: 0 }, defaults: { sgd: 0.01, momentum: 0.01, adam: 0.001, rmsprop: 0.01 }, flag: '--lr <x>', label: 'Learning rate', help: 'learning rate', panelMax: 100 },
  { block: 'training', key: 'momentum', type: 'number', range: { min: 0, max: 1 }, defaults: { sgd: 0, momentum: 0.9, rmsprop: 0 }, flag: '--momentum <x>', label: 'Momentum', help: 'momentum factor (momentum, rmsprop)' },
  { block: 'training', key: 'nesterov', type: 'bool', default: false, optimizers: ['sgd', 'momentum'], flag: '--nesterov', label: 'Nesterov momentum', help: 'Nesterov momentum' },
  { block: 'training', key: 'clipNorm', type: 'number', range: { gt: 0 }, conflicts: 'clipValue', defaultNote: 'none (no clipping)', flag: '--clip-norm <x>', label: 'Clip norm at', help: 'clip the gradient\'s global norm to x' },
  { block: 'training', key: 'clipValue', type: 'number', range: { gt: 0 }, defaultNote: 'none (no clipping)', flag: '--clip-value <x>', label: 'Clip each entry at ±', help: 'clamp every gradient entry to [−x, x]' },
  { block: 'training', key: 'steps', type: 'int', range: { min: 0 }, default: 1000, flag: '--steps <n>', label: 'Steps', help: 'training steps', panelMax: 10_000_000 },
  { block: 'training', key: 'batch', type: 'int', range: { min: 1, max: 1 << 16 }, default: 32, flag: '--batch <B>', label: 'Batch', help: 'sequences per step' },
  { block: 'training', key: 'seed', type: 'int', default: 1, flag: '--seed <s>', label: 'Init seed', help: 'seed of the initial parameters and the training sequences' },
  { block: 'training', key: 'dtype', type: 'enum', choices: [{ value: 'float64', label: 'float64' }, { value: 'float32', label: 'float32 (faster)' }], default: 'float64', flag: '--dtype <dtype>', label: 'Numbers', help: 'number precision' },
  { block: 'training', key: 'validateEvery', type: 'int', range: { min: 1 }, default: 100, flag: '--validate-every <n>', label: 'Validate every', help: 'validate every n steps' },
  { block: 'training', key: 'weightDecay', type: 'number', range: { min: 0 }, default: 0, flag: '--weight-decay <x>', label: 'Weight decay', help: 'L2 term added to the gradient (x · θ), as torch.optim', advanced: true },
  { block: 'training', key: 'dampening', type: 'number', range: { min: 0, max: 1 }, defaults: { sgd: 0, momentum: 0 }, flag: '--dampening <x>', label: 'Dampening', help: 'SGD dampening of the momentum', advanced: true },
  { block: 'training', key: 'betas', type: 'pair', range: { min: 0, lt: 1 }, defaults: { adam: [0.9, 0.999] }, flag: '--betas <b1,b2>', label: 'Adam β1, β2', help: 'Adam\'s decay rates of the moment estimates', advanced: true },
  { block: 'training', key: 'eps', type: 'number', range: { gt: 0 }, defaults: { adam: 1e-8, rmsprop: 1e-8 }, flag: '--eps <x>', label: 'Epsilon ε', help: 'added to the denominator (adam, rmsprop)', advanced: true },
  { block: 'training', key: 'alpha', type: 'number', range: { min: 0, max: 1 }, defaults: { rmsprop: 0.99 }, flag: '--alpha <x>', label: 'Smoothing α', help: 'RMSProp\'s smoothing of the squared gradient', advanced: true },
  { block: 'training', key: 'centered', type: 'bool', default: false, optimizers: ['rmsprop'], flag: '--centered', label: 'Centered RMSProp', help: 'divide by the gradient\'s estimated variance instead of its second moment', advanced: true },
  {
    block: 'training', key: 'schedule.every', type: 'int', range: { min: 1 }, defaultNote: 'none (a constant learning rate); 1000 when the file says "kind": "step" without it', flag: '--lr-step-every <n>',
    label: 'Decay the rate every (steps)', help: 'StepLR: multiply the learning rate by the decay factor every n steps', advanced: true,
  },
  {
    block: 'training', key: 'schedule.gamma', type: 'number', range: { gt: 0 }, default: 0.5, flag: '--lr-step-gamma <g>',
    label: 'Decay factor', help: 'StepLR\'s gamma: the learning rate is lr · gamma^⌊step / every⌋ once a decay interval is set', advanced: true,
  },
  { block: 'training', key: 'diagnosticsEvery', type: 'int', range: { min: 1 }, default: 100, flag: '--diagnostics-every <n>', label: 'Diagnostics every', help: 'measure the gradient through time every n steps', advanced: true },
  { block: 'training', key: 'flags.exploding', type: 'number', range: { gt: 0 }, default: DEFAULT_FLAG_THRESHOLDS.exploding, flag: '--flag-exploding <ratio>', label: 'Flag exploding above', help: 'flag a cell exploding when its gradient grows more than this factor from the last step back to the first', advanced: true },
  { block: 'training', key: 'flags.vanishing', type: 'number', range: { gt: 0 }, default: DEFAULT_FLAG_THRESHOLDS.vanishing, flag: '--flag-vanishing <ratio>', label: 'Flag vanishing below', help: 'flag a cell vanishing when its gradient shrinks below this factor from the last step back to the first', advanced: true },
];

/** The settings of the `task` block that have a flag and a field (the csv columns and files have their own controls). */
export const TASK_SETTINGS: readonly Setting[] = [
  {
    block: 'task', key: 'length', type: 'int', range: { min: 2, max: 100000 },
    defaults: { parity: 20, adding: 50, sine: 50, text: 64, 'temporal-order': 100, 'flip-flop': 100 },
    tasks: ['parity', 'adding', 'sine', 'text', 'temporal-order', 'flip-flop'], flag: '--length <T>', label: 'Sequence length T', help: 'sequence length',
  },
  { block: 'task', key: 'symbols', type: 'int', range: { min: 2, max: 256 }, defaults: { copy: 8 }, tasks: ['copy'], flag: '--symbols <K>', label: 'Symbols', help: 'number of symbols' },
  { block: 'task', key: 'sequence', type: 'int', range: { min: 1, max: 10000 }, defaults: { copy: 5 }, tasks: ['copy'], flag: '--sequence <L>', label: 'Symbols shown', help: 'symbols to remember' },
  { block: 'task', key: 'delay', type: 'int', range: { min: 1, max: 100000 }, defaults: { copy: 10 }, tasks: ['copy'], flag: '--delay <D>', label: 'Delay (steps between the symbols and their recall)', help: 'steps between the sequence and its recall' },
  { block: 'task', key: 'components', type: 'int', range: { min: 1, max: 6 }, defaults: { sine: 2 }, tasks: ['sine'], flag: '--components <C>', label: 'Components', help: 'number of sines mixed' },
  { block: 'task', key: 'noise', type: 'number', range: { min: 0 }, defaults: { sine: 0.05 }, tasks: ['sine'], flag: '--noise <sigma>', label: 'Noise', help: 'input noise', panelMax: 10 },
  { block: 'task', key: 'window', type: 'int', range: { min: 1, max: 100000 }, defaults: { csv: 20 }, tasks: ['csv'], flag: '--window <T>', label: 'Window (rows per sequence)', help: 'rows per sequence' },
  { block: 'task', key: 'shift', type: 'int', range: { min: 0 }, tasks: ['csv'], flag: '--shift <n>', label: 'Shift (rows ahead)', defaultNote: '1 when a target is also an input, else 0', help: 'predict targets n rows ahead', panelMax: 100000 },
  {
    block: 'task', key: 'normalize', type: 'enum', choices: [{ value: 'zscore', label: 'z-score' }, { value: 'minmax', label: 'min–max' }, { value: 'none', label: 'none' }],
    defaults: { csv: 'zscore' }, tasks: ['csv'], flag: '--normalize <how>', label: 'Normalize', help: 'column normalization',
  },
  {
    block: 'task', key: 'validationFraction', type: 'number', range: { gt: 0, max: 0.9 }, defaults: { csv: 0.2, text: 0.1 }, tasks: ['csv', 'text'],
    flag: '--validation-fraction <x>', label: 'Validation split', help: 'share of rows/characters (at the end) used for validation',
  },
  {
    block: 'task', key: 'validation', type: 'int', range: { min: 1, max: 1 << 20 },
    defaults: { parity: 256, adding: 512, copy: 256, sine: 256, text: 64, csv: 256, 'temporal-order': 512, 'flip-flop': 256 },
    tasks: ['parity', 'adding', 'copy', 'sine', 'text', 'csv', 'temporal-order', 'flip-flop'], flag: '--validation-sequences <n>',
    label: 'Validation sequences', help: 'sequences in the validation set (text, csv: at most this many windows)', advanced: true,
  },
  {
    block: 'task', key: 'seed', type: 'int', default: 20260, tasks: ['parity', 'adding', 'copy', 'sine', 'temporal-order', 'flip-flop'], flag: '--validation-seed <s>',
    label: 'Validation seed', help: 'seed of the validation sequences (fixed, so runs with different training seeds are compared on the same ones)', advanced: true,
  },
];

export const SETTINGS: readonly Setting[] = [...TRAINING_SETTINGS, ...TASK_SETTINGS];

/** `training.lr`, `task.length`. */
export function settingPath(s: Setting): string {
  return `${s.block}.${s.key}`;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A setting's value in its block (a dotted key reads a field of an object
 * field), or undefined when the block does not give it.
 *
 * @example
 * settingValue({ schedule: { every: 100 } }, setting('training', 'schedule.every')) // 100
 */
export function settingValue(block: Obj | undefined, s: Setting): unknown {
  if (!block) return undefined;
  const [head, field] = s.key.split('.', 2);
  if (!Object.hasOwn(block, head)) return undefined;
  if (field === undefined) return block[head];
  const inner = block[head];
  return isObj(inner) && Object.hasOwn(inner, field) ? inner[field] : undefined;
}

/**
 * A copy of the block with the setting set (undefined removes it; an object
 * field left empty is removed). Keys are copied onto plain objects, so a
 * hostile key cannot reach a prototype.
 *
 * @example
 * withSetting({}, setting('training', 'flags.vanishing'), 0.001) // { flags: { vanishing: 0.001 } }
 */
export function withSetting(block: Obj | undefined, s: Setting, value: unknown): Obj {
  const out: Obj = { ...(block ?? {}) };
  const [head, field] = s.key.split('.', 2);
  if (field === undefined) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const inner: Obj = isObj(out[head]) ? { ...(out[head] as Obj) } : {};
  if (value === undefined) delete inner[field];
  else inner[field] = value;
  if (Object.keys(inner).length > 0) out[head] = inner;
  else delete out[head];
  return out;
}

/** The setting of a block by key. Throws for a key the registry does not have (a programming error). */
export function setting(block: 'training' | 'task', key: string): Setting {
  const s = SETTINGS.find((x) => x.block === block && x.key === key);
  if (!s) throw new Error(`no ${block} setting "${key}" in engine/train/settings.ts`);
  return s;
}

/**
 * A setting's default for an optimizer (training) or a task (task), or
 * undefined when it has none there.
 *
 * @example
 * settingDefault(setting('training', 'lr'), 'adam') // 0.001
 */
export function settingDefault(s: Setting, by?: string): SettingValue | undefined {
  if (by !== undefined && s.defaults && Object.hasOwn(s.defaults, by)) return s.defaults[by];
  return s.default;
}

/** A default that must exist (the engine's reads of its own registry). */
export function defaultNumber(block: 'training' | 'task', key: string, by?: string): number {
  const v = settingDefault(setting(block, key), by);
  if (typeof v !== 'number') throw new Error(`${block}.${key} has no number default${by ? ` for ${by}` : ''}`);
  return v;
}

/** The `BlockReader.num` options of a number setting. */
export function numberRule(s: Setting): { int: boolean; min?: number; gt?: number; max?: number } {
  return { int: s.type === 'int', ...s.range };
}

/** The commander option name of a flag: `--validate-every <n>` → `validateEvery`. */
export function flagKey(flag: string): string {
  const name = flag.split(' ')[0].replace(/^--/, '');
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Which values a range allows, in words: "an integer ≥ 1 and ≤ 65536", "two numbers, each ≥ 0 and < 1". */
export function rangeText(s: Setting): string {
  const parts: string[] = [s.type === 'int' ? 'an integer' : s.type === 'pair' ? 'two numbers, each' : 'a number'];
  const r = s.range ?? {};
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  if (r.lt !== undefined) parts.push(`< ${r.lt}`);
  return parts.length === 1 ? parts[0] : `${parts[0]} ${parts.slice(1).join(' and ')}`;
}

/** Whether a number is inside a setting's range. */
export function inRange(s: Setting, x: number): boolean {
  const r = s.range ?? {};
  return Number.isFinite(x) && (s.type !== 'int' || Number.isInteger(x))
    && !(r.min !== undefined && x < r.min) && !(r.gt !== undefined && x <= r.gt)
    && !(r.max !== undefined && x > r.max) && !(r.lt !== undefined && x >= r.lt);
}

/** A `pair` setting's value, or null when it is not two numbers in the setting's range. */
export function pairValue(s: Setting, v: unknown): [number, number] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [a, b] = v as unknown[];
  return typeof a === 'number' && typeof b === 'number' && inRange(s, a) && inRange(s, b) ? [a, b] : null;
}

/** The registry is consistent with the task list (checked by its test). */
export function unknownTasks(): string[] {
  const known = new Set<string>(TASK_NAMES);
  const bad: string[] = [];
  for (const t of TASKS) if (!known.has(t.name)) bad.push(t.name);
  for (const s of TASK_SETTINGS) for (const t of s.tasks ?? []) if (!known.has(t)) bad.push(`${s.key}: ${t}`);
  return bad;
}

/**
 * Reads a number setting of a task block with the registry's default for that
 * task (or `fallback`, for a default that depends on other fields) and range.
 */
export function readTaskNumber(r: { num(key: string, def: number, o: SettingRange & { int?: boolean }): number }, task: TaskName, key: string, fallback?: number): number {
  const s = setting('task', key);
  const def = settingDefault(s, task) ?? fallback;
  if (typeof def !== 'number') throw new Error(`task.${key} has no number default for ${task}`);
  return r.num(key, def, numberRule(s));
}

/** The choices of an enum setting, as its values. */
export function choiceValues<T extends string>(s: Setting): T[] {
  return (s.choices ?? []).map((c) => c.value as T);
}

function shownValue(v: SettingValue): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

/**
 * A setting's defaults in words, for `--help` and the docs: "1000",
 * "sgd 0.01, momentum 0.01, adam 0.001, rmsprop 0.01", or "none".
 */
export function defaultText(s: Setting): string {
  const parts: string[] = [];
  for (const [by, v] of Object.entries(s.defaults ?? {})) parts.push(`${by} ${shownValue(v)}`);
  if (s.default !== undefined) parts.push(parts.length ? `else ${shownValue(s.default)}` : shownValue(s.default));
  if (s.defaultNote) parts.push(s.defaultNote);
  return parts.length ? parts.join(', ') : 'none';
}

/** The help line of a setting's flag: which tasks read it, what it is, its default. */
export function flagHelp(s: Setting): string {
  const who = s.tasks ? `${s.tasks.join(', ')}: ` : '';
  return `${who}${s.help} (default: ${defaultText(s)})`;
}
