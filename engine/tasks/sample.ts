/**
 * Sampling text from a character model: the graph is run one step at a time
 * (a T = 1 session, the state carried from step to step through the cells'
 * initial states), first over a prime, then on its own output, each next
 * character drawn from softmax(logits / temperature). Temperature 0 takes
 * the most likely character (greedy).
 *
 * @example
 *   sampleText(program, theta, { input, prediction, vocab, prime: 'the ', length: 80, temperature: 0.8, seed: 1 })
 */
import type { Program } from '../compile.ts';
import { StepProbe } from '../diagnostics/probe.ts';
import { Rng } from '../rng.ts';
import type { Arr } from '../tensor.ts';

export interface SampleOptions {
  /** Node index of the one-hot input, and of the logits the loss reads. */
  input: number;
  prediction: number;
  vocab: readonly string[];
  /** Fed first (characters not in the vocabulary are skipped); empty: start from the first symbol. */
  prime: string;
  /** How many characters to draw. */
  length: number;
  temperature: number;
  seed: number;
}

/** The index drawn from softmax(logits / temperature) (the largest for temperature ≤ 0). */
export function drawIndex(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (!(temperature > 0)) return best;
  const m = logits[best];
  const p = Array.from(logits, (v) => Math.exp((v - m) / temperature));
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng.uniform() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return best;
}

export function sampleText(program: Program, theta: Arr, o: SampleOptions): string {
  const V = o.vocab.length;
  if (program.nodes[o.input].size !== V || program.nodes[o.prediction].size !== V) {
    throw new Error(`sampling needs the input and the prediction to have one unit per symbol (${V}); they have ${program.nodes[o.input].size} and ${program.nodes[o.prediction].size}`);
  }
  const index = new Map(o.vocab.map((c, i) => [c, i]));
  const probe = new StepProbe(program, 1);
  const x = probe.input(o.input);
  const rng = new Rng(o.seed);
  let logits: Arr | null = null;
  const feed = (c: number) => {
    x.fill(0);
    x[c] = 1;
    probe.run(theta);
    logits = probe.session.values(o.prediction);
    for (const cell of program.cells) probe.state(cell).set(probe.next(cell).subarray(0, program.nodes[cell].size));
  };
  const primed = Array.from(o.prime).map((c) => index.get(c)).filter((c): c is number => c !== undefined);
  for (const c of primed.length > 0 ? primed : [0]) feed(c);
  let out = '';
  for (let i = 0; i < o.length; i++) {
    const c = drawIndex(logits!, o.temperature, rng);
    out += o.vocab[c];
    feed(c);
  }
  return out;
}
