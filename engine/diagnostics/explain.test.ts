import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFromData } from '../batch.ts';
import { compile } from '../compile.ts';
import type { DataFile, Graph } from '../format/types.ts';
import { createParams } from '../params.ts';
import { explainRun } from './explain.ts';
import { sequenceOf } from './run-probe.ts';

const EX = join(resolve(import.meta.dirname, '../..'), 'assets/examples');
const load = <T>(f: string): T => JSON.parse(readFileSync(join(EX, f), 'utf8')) as T;

describe('explain a value', () => {
  const g = load<Graph>('elman.json');
  const program = compile(g);
  const theta = createParams(program.layout, g.parameters, { seed: 3, dtype: 'float64' });
  const batch = sequenceOf(batchFromData(load<DataFile>('elman.data.json'), 'float64'), 1);

  it('a gate: bias + one W·x term per edge sum to the pre-activation, whose activation is the value', () => {
    for (const t of [0, 1, 7]) {
      const e = explainRun(program, theta, batch, 'h_new', t);
      expect(e.terms.map((x) => x.source)).toEqual([null, 'x', 'h']);
      for (let k = 0; k < e.value.length; k++) {
        const sum = e.terms.reduce((a, x) => a + x.contribution[k], 0);
        expect(Math.abs(sum - e.preActivation![k])).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(sum)));
        expect(Math.tanh(e.preActivation![k])).toBeCloseTo(e.value[k], 12);
      }
      // The cell is read at the step before: its initial state at t = 1.
      expect(e.terms[2].sourceStep).toBe(t - 1 < 0 ? -1 : t - 1);
    }
  });

  it('the readout (identity): the terms add up to the value itself', () => {
    const e = explainRun(program, theta, batch, 'y', 4);
    const sum = e.terms.reduce((a, x) => a + x.contribution[0], 0);
    expect(sum).toBeCloseTo(e.value[0], 12);
  });

  it('a cell is explained by the node that writes it, at the same step', () => {
    const e = explainRun(program, theta, batch, 'h', 3);
    expect(e.terms).toHaveLength(1);
    expect(e.terms[0].source).toBe('h_new');
    expect(e.terms[0].contribution).toEqual(e.value);
  });

  it('refuses an unknown node and a step outside the sequence, naming them', () => {
    expect(() => explainRun(program, theta, batch, '__proto__', 0)).toThrow(/__proto__/);
    expect(() => explainRun(program, theta, batch, 'h_new', batch.T)).toThrow(/outside 1…/);
  });
});
