import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { createParams } from '../params.ts';
import { Rng } from '../rng.ts';
import { Session } from '../runtime.ts';
import { elman } from '../templates.ts';
import { drawIndex, sampleText } from './sample.ts';

const VOCAB = ['a', 'b', 'c'];

function setup(seed: number) {
  const g = elman({ x: 3, h: 5, y: 3 });
  const p = compile(g);
  const theta = createParams(p.layout, undefined, { seed, dtype: 'float64' });
  const at = (id: string) => p.nodes.findIndex((n) => n.id === id);
  return { p, theta, input: at('x'), prediction: at('y') };
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

describe('sampleText', () => {
  it('greedy sampling one step at a time is what a whole-sequence forward pass predicts (the state is carried)', () => {
    for (const seed of [1, 2, 3]) {
      const { p, theta, input, prediction } = setup(seed);
      const prime = 'abca';
      const text = sampleText(p, theta, { input, prediction, vocab: VOCAB, prime, length: 8, temperature: 0, seed: 0 });
      expect(text).toHaveLength(8);
      // Teacher-force prime + sample through one T-step session: each step's argmax is the next character.
      const seq = prime + text;
      const T = seq.length - 1;
      const x = new Float64Array(T * 3);
      for (let t = 0; t < T; t++) x[t * 3 + VOCAB.indexOf(seq[t])] = 1;
      const s = new Session(p, { T, B: 1, dtype: 'float64' });
      s.forward(theta, { T, B: 1, inputs: { x }, targets: { y_t: new Float64Array(T * 3) } });
      const y = s.values(prediction);
      for (let t = prime.length - 1; t < T; t++) expect(VOCAB[argmax(y.subarray(t * 3, t * 3 + 3))]).toBe(seq[t + 1]);
    }
  });

  it('the same seed gives the same text; temperature spreads the choices', () => {
    const { p, theta, input, prediction } = setup(4);
    const o = { input, prediction, vocab: VOCAB, prime: 'ab', length: 200, temperature: 1.5, seed: 7 };
    expect(sampleText(p, theta, o)).toBe(sampleText(p, theta, o));
    const hot = new Set(sampleText(p, theta, o));
    expect(hot.size).toBe(3);
  });

  it('drawIndex follows softmax(logits / temperature)', () => {
    const rng = new Rng(11);
    const counts = [0, 0];
    for (let i = 0; i < 20000; i++) counts[drawIndex([0, Math.log(3)], 1, rng)]++;
    expect(counts[1] / 20000).toBeCloseTo(0.75, 1);
    expect(drawIndex([0.2, 0.9, 0.1], 0, rng)).toBe(1);
  });

  it('refuses a graph whose input is not one unit per symbol', () => {
    const { p, theta, input, prediction } = setup(1);
    expect(() => sampleText(p, theta, { input, prediction, vocab: ['a', 'b'], prime: '', length: 1, temperature: 0, seed: 0 })).toThrow(/one unit per symbol/);
  });
});
