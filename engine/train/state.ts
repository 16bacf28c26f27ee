/**
 * The training state a graph file carries in `training.state`, so that a run
 * resumes exactly where it stopped: `train F --steps 100 --out F1` then
 * `train F1 --steps 100` gives bit for bit the parameters of one 200-step run
 * (docs/training-format.md, "Resuming").
 *
 * ```json
 * "state": {
 *   "format": 1, "step": 100, "clippedSteps": 7, "parameterHash": "5b0c2e7a91d3f604",
 *   "rng": { "data": { "words": [3735928559, 1, 2, 3], "spare": null } },
 *   "optimizer": { "name": "adam", "step": 100,
 *                  "moments": { "exp_avg": { "edge:x_h": [0.01, …] }, "exp_avg_sq": { … } } }
 * }
 * ```
 *
 * Numbers are written as JSON numbers: JavaScript prints the shortest decimal
 * that reads back as the same double, so float64 values round-trip exactly;
 * float32 values are doubles too (every float32 is one), so they round-trip
 * exactly into a Float32Array as well.
 */
import type { ParamLayout } from '../params.ts';
import type { RngState } from '../rng.ts';
import type { Block } from '../tasks/read.ts';
import { TaskError } from '../tasks/types.ts';
import type { Arr } from '../tensor.ts';
import type { Optimizer, OptimizerName, OptimizerState } from './optimizers.ts';

export const STATE_FORMAT = 1;

/** Everything of a run that is not in the parameters or the blocks. */
export interface TrainState {
  /** Updates done in total (the learning-rate schedule's position too). */
  step: number;
  /** Steps whose gradient was clipped, of `step`. */
  clippedSteps: number;
  /** The optimizer's name, its own update count and its moment buffers (full layout size). */
  optimizerName: OptimizerName;
  optimizer: OptimizerState;
  /** The training sequences' random stream (absent: start it from the seed). */
  dataRng: RngState | null;
}

/**
 * A fingerprint of a parameter vector (FNV-1a over the float64 bytes of every
 * value, two 32-bit lanes): a state is only used with the parameters it was
 * saved with, so a file edited after training does not resume with moments
 * that belong to other parameters.
 */
export function parameterHash(theta: Arr): string {
  const buf = new DataView(new ArrayBuffer(8));
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < theta.length; i++) {
    buf.setFloat64(0, theta[i], true);
    for (let k = 0; k < 8; k++) {
      const byte = buf.getUint8(k);
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte ^ (k << 4), 0x01000193);
    }
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The `training.state` object for a file. Moments are stored per trainable parameter key. */
export function encodeState(s: TrainState, layout: ParamLayout, theta: Arr): Block {
  const moments: Record<string, Record<string, number[]>> = {};
  for (const [name, buf] of Object.entries(s.optimizer.buffers)) {
    const perKey: Record<string, number[]> = {};
    for (const e of layout.entries) if (e.trainable && e.length > 0) perKey[e.key] = Array.from(buf.subarray(e.offset, e.offset + e.length));
    moments[name] = perKey;
  }
  return {
    format: STATE_FORMAT,
    step: s.step,
    clippedSteps: s.clippedSteps,
    parameterHash: parameterHash(theta),
    ...(s.dataRng ? { rng: { data: { words: [...s.dataRng.words], spare: s.dataRng.spare } } } : {}),
    optimizer: { name: s.optimizerName, step: s.optimizer.step, moments },
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function bad(path: string, expected: string, got: unknown): never {
  const shown = JSON.stringify(got);
  throw new TaskError(`${path} must be ${expected}, got ${shown === undefined ? 'nothing' : shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}. Remove "state" from the training block to start the optimizer afresh.`, path);
}

function count(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(path, 'a whole number from 0 to 2^53 − 1', v);
  return v;
}

/**
 * Reads `training.state` for a trainer whose parameters are `theta` and whose
 * optimizer is `optimizer`. Returns null (with a warning saying why) when the
 * state cannot be used as it is: it belongs to other parameters. A state for
 * another optimizer keeps the step count and data stream and starts the
 * moments afresh; a parameter the state does not cover starts from zero
 * moments. Throws a TaskError naming the JSON path for a malformed state.
 */
export function decodeState(raw: unknown, layout: ParamLayout, theta: Arr, optimizer: Optimizer, optimizerName: OptimizerName, warnings: string[]): TrainState | null {
  const P = 'training.state';
  if (!isObj(raw)) bad(P, 'an object (written by cellwright train)', raw);
  const format = own(raw, 'format');
  if (format !== STATE_FORMAT) bad(`${P}.format`, `${STATE_FORMAT} (this version of Cellwright reads state format ${STATE_FORMAT})`, format);
  const step = count(own(raw, 'step'), `${P}.step`);
  const clippedSteps = count(own(raw, 'clippedSteps') ?? 0, `${P}.clippedSteps`);
  if (clippedSteps > step) bad(`${P}.clippedSteps`, `at most step (${step})`, clippedSteps);
  const hash = own(raw, 'parameterHash');
  if (typeof hash !== 'string') bad(`${P}.parameterHash`, 'a string', hash);
  if (hash !== parameterHash(theta)) {
    warnings.push(`${P} was saved with other parameters (the file was changed after training): the step count, optimizer moments and data stream start afresh`);
    return null;
  }
  let dataRng: RngState | null = null;
  const rng = own(raw, 'rng');
  if (rng !== undefined) {
    if (!isObj(rng)) bad(`${P}.rng`, 'an object', rng);
    const d = own(rng, 'data');
    if (d !== undefined) {
      if (!isObj(d)) bad(`${P}.rng.data`, 'an object {"words": [4 numbers], "spare": null}', d);
      const words = own(d, 'words');
      const okWords = Array.isArray(words) && words.length === 4 && words.every((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) <= 0xffffffff) && words.some((w) => w !== 0);
      if (!okWords) bad(`${P}.rng.data.words`, 'four whole numbers in [0, 2^32), not all zero', words);
      const spare = own(d, 'spare') ?? null;
      if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) bad(`${P}.rng.data.spare`, 'a finite number or null', spare);
      dataRng = { words: [...(words as number[])] as RngState['words'], spare: spare as number | null };
    }
  }
  const opt = own(raw, 'optimizer');
  if (!isObj(opt)) bad(`${P}.optimizer`, 'an object', opt);
  const name = own(opt, 'name');
  const fresh = optimizer.saveState();
  for (const b of Object.values(fresh.buffers)) b.fill(0);
  fresh.step = 0;
  if (name !== optimizerName) {
    warnings.push(`${P} holds ${typeof name === 'string' ? name : 'another optimizer'}'s moments but this run uses ${optimizerName}: its moments start afresh (the step count and data stream continue)`);
    return { step, clippedSteps, optimizerName, optimizer: fresh, dataRng };
  }
  fresh.step = count(own(opt, 'step'), `${P}.optimizer.step`);
  const moments = own(opt, 'moments') ?? {};
  if (!isObj(moments)) bad(`${P}.optimizer.moments`, 'an object', moments);
  const missing: string[] = [];
  for (const bufName of optimizer.bufferNames) {
    const perKey = own(moments, bufName);
    if (perKey !== undefined && !isObj(perKey)) bad(`${P}.optimizer.moments.${bufName}`, 'an object of parameter keys', perKey);
    const target = fresh.buffers[bufName];
    for (const e of layout.entries) {
      if (!e.trainable || e.length === 0) continue;
      const data = perKey ? own(perKey, e.key) : undefined;
      const path = `${P}.optimizer.moments.${bufName}[${JSON.stringify(e.key)}]`;
      if (data === undefined) { missing.push(`${bufName}[${JSON.stringify(e.key)}]`); continue; }
      if (!Array.isArray(data) || data.length !== e.length) bad(path, `an array of ${e.length} numbers (the parameter's size)`, Array.isArray(data) ? `${data.length} entries` : data);
      for (let i = 0; i < e.length; i++) {
        const x = data[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${path}[${i}]`, 'a finite number', x);
        target[e.offset + i] = x;
      }
    }
  }
  if (missing.length > 0) {
    warnings.push(`${P} has no optimizer moments for ${missing.length <= 3 ? missing.join(', ') : `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more`}: they start from zero`);
  }
  return { step, clippedSteps, optimizerName, optimizer: fresh, dataRng };
}
