/**
 * Character-level language modelling: one-hot characters in, the next
 * character's distribution out (cross-entropy); the metric is bits per
 * character, bpc = cross-entropy / ln 2. The text is split in time: the first
 * part trains, the last `validationFraction` validates.
 */
import type { Rng } from '../rng.ts';
import type { Arr } from '../tensor.ts';
import { DECLARATION } from './corpus.ts';
import type { Block } from './read.ts';
import { BlockReader } from './read.ts';
import type { SeqSet, Task, TaskMeta, TaskResources } from './types.ts';
import { TaskError } from './types.ts';
import { readTaskNumber } from '../train/settings.ts';

/** How a symbol is shown in labels ("␣" for a space, "⏎" for a line end). */
export function showChar(c: string): string {
  return c === ' ' ? '␣' : c === '\n' ? '⏎' : c === '\t' ? '⇥' : c;
}

export function textTask(block: Block, res: TaskResources = {}): Task {
  const r = new BlockReader(block, 'task');
  const T = readTaskNumber(r, 'text', 'length');
  const lowercase = r.bool('lowercase', true);
  const frac = readTaskNumber(r, 'text', 'validationFraction');
  const maxVal = readTaskNumber(r, 'text', 'validation');
  const file = r.optStr('file');
  if (file !== undefined && res.text === undefined) {
    throw new TaskError(`task.file "${file}" was not read: the text task needs the file's contents`, 'task.file');
  }
  let text = (res.text ?? DECLARATION).replace(/\r\n?/g, '\n');
  if (lowercase) text = text.toLowerCase();
  const chars = Array.from(text);
  const vocab = [...new Set(chars)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const codes = Int32Array.from(chars, (c) => index.get(c)!);
  const V = vocab.length;
  const nVal = Math.floor(codes.length * frac);
  const nTrain = codes.length - nVal;
  const source = file ?? 'the bundled Declaration of Independence';
  if (nTrain < T + 1) throw new TaskError(`the training part of ${source} has ${nTrain} characters, fewer than length + 1 = ${T + 1}: lower task.length or use a longer text`, 'task.length');
  const valCount = Math.min(maxVal, Math.floor((nVal - 1) / T));
  if (valCount < 1) throw new TaskError(`the validation part of ${source} (${nVal} characters) is shorter than length + 1 = ${T + 1}: raise task.validationFraction or lower task.length`, 'task.validationFraction');

  // Unigram entropy of the training part: what a model with no memory gets.
  const counts = new Float64Array(V);
  for (let i = 0; i < nTrain; i++) counts[codes[i]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / nTrain) * Math.log2(c / nTrain);

  const labels = vocab.map(showChar);
  const meta: TaskMeta = {
    name: 'text', description: `predict the next character of ${source} (${codes.length} characters, ${V} symbols)`,
    kind: 'language', metric: 'bpc', metricGoal: 'min', note: 'language model: report bits per character (lower is better) and next-character accuracy',
    T, inputSize: V, targetSize: V, inputLabels: labels, targetLabels: labels,
    losses: ['cross_entropy'], lossSteps: 'all', metricSteps: { from: 0 },
    baseline: { value: h, what: 'bits per character of the character frequencies (no memory)' },
    validationSize: valCount, vocab, warnings: [],
  };
  const write = (B: number, b: number, start: number, x: Arr, y: Arr): void => {
    for (let t = 0; t < T; t++) {
      const o = (t * B + b) * V;
      x[o + codes[start + t]] = 1;
      y[o + codes[start + t + 1]] = 1;
    }
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    x.fill(0, 0, T * B * V);
    y.fill(0, 0, T * B * V);
    for (let b = 0; b < B; b++) write(B, b, rng.int(nTrain - T), x, y);
  };
  let cached: SeqSet | null = null;
  const validation = (): SeqSet => {
    if (!cached) {
      const B = valCount;
      const x = new Float64Array(T * B * V);
      const y = new Float64Array(T * B * V);
      for (let b = 0; b < B; b++) write(B, b, nTrain + b * T, x, y);
      cached = { B, x, y };
    }
    return cached;
  };
  return { meta, fill, validation };
}
