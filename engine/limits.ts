/**
 * Size limits, checked before anything is allocated: a small file that asks
 * for gigabytes (a node of 10⁹ units, T = 10⁸, a batch of 10⁷) is refused at
 * once, saying how much it would need and where that comes from.
 *
 * The defaults fit a desktop machine; every limit can be raised (the CLI's
 * `--max-memory MB` and `--limits key=value,…`, the `limits` option of
 * compile, validateGraph, loadGraphText, gradReport and the trainer).
 *
 * | limit          | default     | what it bounds |
 * | ---            | ---         | --- |
 * | maxNodes       | 100 000     | nodes in a graph |
 * | maxEdges       | 400 000     | edges in a graph |
 * | maxNodeSize    | 1 048 576   | units of one node |
 * | maxParameters  | 100 000 000 | learned numbers (one parameter and all together) |
 * | maxSteps       | 1 000 000   | sequence length T |
 * | maxBatch       | 1 000 000   | sequences per batch B |
 * | maxMemoryMB    | 4 096       | estimated memory of one run: values, gradients, parameters and optimizer state |
 * | maxJsonDepth   | 256         | nesting of arrays and objects in a file |
 *
 * @example
 * checkRun(program, { T: 100, B: 32, dtype: 'float32' }); // [] or CW114–CW116 problems
 */
import { problem } from './errors.ts';
import type { Program } from './compile.ts';
import { GraphError } from './compile.ts';
import type { Problem } from './format/types.ts';
import type { DType } from './tensor.ts';

export interface Limits {
  maxNodes: number;
  maxEdges: number;
  maxNodeSize: number;
  maxParameters: number;
  maxSteps: number;
  maxBatch: number;
  maxMemoryMB: number;
  maxJsonDepth: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxNodes: 100_000,
  maxEdges: 400_000,
  maxNodeSize: 1_048_576,
  maxParameters: 100_000_000,
  maxSteps: 1_000_000,
  maxBatch: 1_000_000,
  maxMemoryMB: 4096,
  maxJsonDepth: 256,
});

export const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** The defaults with the given limits over them. */
export function resolveLimits(given: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...given };
}

/**
 * Parses `maxMemoryMB=8192,maxNodeSize=4000000` (the CLI's --limits). Throws
 * an Error naming the bad key or value and the known keys.
 */
export function parseLimits(text: string): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = Number(eq < 0 ? NaN : part.slice(eq + 1).trim());
    if (!(LIMIT_KEYS as string[]).includes(key)) throw new Error(`unknown limit "${key}": known limits are ${LIMIT_KEYS.join(', ')}`);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`limit ${key} must be a positive number, got "${part}"`);
    out[key as keyof Limits] = value;
  }
  return out;
}

const MB = 1024 * 1024;

/** `3474 GB`, `1.50 GB`, `320 MB`, `12 kB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 100 * 1024 * MB) return `${Math.round(bytes / (1024 * MB))} GB`;
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toPrecision(3)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toPrecision(3)} MB`;
  return `${Math.ceil(bytes / 1024)} kB`;
}

export interface RunEstimate {
  bytes: number;
  parts: { values: number; gradients: number; parameters: number };
  /** The biggest single contributor, in words: `node "h" (size 4096) × (T + 1 = 101) × B = 32, values and gradients`. */
  largest: string;
}

export interface RunShape {
  T: number;
  B: number;
  dtype?: DType;
  /** Where T and B come from, for messages: e.g. `inputs["x"].shape` or `task.length`. */
  from?: { T?: string; B?: string };
  /** Buffers per parameter beyond θ and its gradient (Adam: 2 moments; default 2, the most any optimizer keeps). */
  optimizerStates?: number;
}

/**
 * The memory of one training run of a compiled graph: every node's values and
 * gradients over T steps and B sequences (a cell keeps T + 1 states), and the
 * parameters with their gradients and optimizer state: what the reference
 * runtime allocates up front (the fast runtime adds buffers for its fused
 * products, engine/fast estimateMemory). O(nodes), allocates nothing.
 */
export function estimateRun(p: Program, run: RunShape): RunEstimate {
  const el = (run.dtype ?? 'float64') === 'float64' ? 8 : 4;
  let values = 0;
  let gradients = 0;
  let largest = { bytes: 0, what: '' };
  for (const n of p.nodes) {
    if (n.kind === 'loss') continue;
    const steps = n.kind === 'cell' ? run.T + 1 : run.T;
    const v = steps * run.B * n.size * el;
    const g = n.kind === 'target' ? 0 : v;
    values += v;
    gradients += g;
    if (v + g > largest.bytes) {
      const t = n.kind === 'cell' ? `(T + 1 = ${run.T + 1})` : `T = ${run.T}`;
      largest = { bytes: v + g, what: `node "${n.id}" (size ${n.size}) × ${t} × B = ${run.B}, ${g > 0 ? 'values and gradients' : 'values'}: ${formatBytes(v + g)}` };
    }
  }
  const perParam = (2 + (run.optimizerStates ?? 2)) * el;
  const parameters = p.layout.size * perParam;
  for (const e of p.layout.entries) {
    if (e.length * perParam > largest.bytes) {
      largest = { bytes: e.length * perParam, what: `parameter "${e.key}" [${e.shape.join(', ')}] with its gradient and optimizer state: ${formatBytes(e.length * perParam)}` };
    }
  }
  return { bytes: values + gradients + parameters, parts: { values, gradients, parameters }, largest: largest.what };
}

/**
 * Runs `allocate` (the buffers of a run at T × B); an allocation the engine
 * refuses (RangeError: "Invalid array length", "Array buffer allocation
 * failed") becomes a GraphError CW118 with the estimate, not an internal error.
 */
export function allocating<T>(p: Program, run: RunShape, allocate: () => T): T {
  try {
    return allocate();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const need = formatBytes(estimateRun(p, run).bytes);
    throw new GraphError([problem('CW118', { need, T: run.T, B: run.B, detail: e.message }, { path: run.from?.T ?? '' })]);
  }
}

/**
 * The problems of running a compiled graph at T × B: T or B over their limits
 * (CW114, CW115), or a memory estimate over maxMemoryMB (CW116, with the
 * estimate and its largest part). Empty when the run fits.
 */
export function checkRun(p: Program, run: RunShape, limits?: Partial<Limits>): Problem[] {
  const l = resolveLimits(limits);
  const out: Problem[] = [];
  const fromT = run.from?.T ?? '';
  const fromB = run.from?.B ?? '';
  if (run.T > l.maxSteps) out.push(problem('CW114', { dim: 'T', value: run.T, limit: l.maxSteps, from: fromT }, { path: fromT }));
  if (run.B > l.maxBatch) out.push(problem('CW115', { dim: 'B', value: run.B, limit: l.maxBatch, from: fromB }, { path: fromB }));
  const est = estimateRun(p, run);
  if (est.bytes > l.maxMemoryMB * MB) {
    out.push(problem('CW116', {
      need: formatBytes(est.bytes), limitMB: l.maxMemoryMB, T: run.T, B: run.B, dtype: run.dtype ?? 'float64',
      from: fromT === fromB ? fromT : [fromT, fromB].filter((x) => x !== '').join(' and '),
      parts: `values ${formatBytes(est.parts.values)}, gradients ${formatBytes(est.parts.gradients)}, parameters and optimizer state ${formatBytes(est.parts.parameters)}`,
      largest: est.largest,
    }, { path: fromT }));
  }
  return out;
}
