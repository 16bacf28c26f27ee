import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { Rng } from '../rng.ts';
import { elman, lstm } from '../templates.ts';
import { DECLARATION } from './corpus.ts';
import { parseCsv } from './csv-parse.ts';
import { bindTask, createTask, TaskError } from './index.ts';

function draw(block: Record<string, unknown>, B: number, seed = 1, res = {}) {
  const task = createTask(block, res);
  const m = task.meta;
  const x = new Float64Array(m.T * B * m.inputSize);
  const y = new Float64Array(m.T * B * m.targetSize);
  task.fill(new Rng(seed), B, x, y);
  return { task, m, x, y };
}

describe('parity', () => {
  it('targets the running parity of the bits shown (reference example 3)', () => {
    const { x, y, m } = draw({ name: 'parity', length: 30 }, 4);
    for (let b = 0; b < 4; b++) {
      let p = 0;
      for (let t = 0; t < m.T; t++) {
        const bit = x[t * 4 + b];
        expect(bit === 0 || bit === 1).toBe(true);
        p ^= bit;
        expect(y[t * 4 + b]).toBe(p);
      }
    }
    expect(m.note).toContain('accuracy');
  });
});

describe('adding', () => {
  it('marks one value in each half and targets their sum; predicting the mean gives MSE ≈ 0.167', () => {
    const B = 4000;
    const { x, y, m } = draw({ name: 'adding', length: 50 }, B);
    let se = 0;
    for (let b = 0; b < B; b++) {
      const marked: number[] = [];
      for (let t = 0; t < 50; t++) if (x[(t * B + b) * 2 + 1] === 1) marked.push(t);
      expect(marked.length).toBe(2);
      expect(marked[0]).toBeLessThan(25);
      expect(marked[1]).toBeGreaterThanOrEqual(25);
      const sum = x[(marked[0] * B + b) * 2] + x[(marked[1] * B + b) * 2];
      expect(y[49 * B + b]).toBeCloseTo(sum, 12);
      se += (y[49 * B + b] - 1) ** 2;
    }
    expect(se / B).toBeGreaterThan(0.155);
    expect(se / B).toBeLessThan(0.18);
    expect(m.lossSteps).toBe('last');
  });
});

describe('copy', () => {
  it('shows L symbols, a go marker after the delay, and targets the symbols in the last L steps', () => {
    const { x, y, m } = draw({ name: 'copy', symbols: 4, sequence: 3, delay: 5 }, 2);
    expect(m.T).toBe(11);
    expect(m.inputSize).toBe(6);
    expect(m.targetSize).toBe(5);
    const argmax = (a: Float64Array, o: number, n: number): number => { let k = 0; for (let i = 1; i < n; i++) if (a[o + i] > a[o + k]) k = i; return k; };
    for (let b = 0; b < 2; b++) {
      const shown = [0, 1, 2].map((t) => argmax(x, (t * 2 + b) * 6, 6));
      shown.forEach((s) => expect(s).toBeLessThan(4));
      expect(argmax(x, (7 * 2 + b) * 6, 6)).toBe(5); // go at step L + D − 1 = 7
      expect([8, 9, 10].map((t) => argmax(y, (t * 2 + b) * 5, 5))).toEqual(shown);
      for (let t = 0; t < 8; t++) expect(argmax(y, (t * 2 + b) * 5, 5)).toBe(4); // blank
    }
  });
});

describe('sine', () => {
  it('targets the next clean value; the same seed gives the same sequences', () => {
    const a = draw({ name: 'sine', length: 40, noise: 0 }, 3, 7);
    const b = draw({ name: 'sine', length: 40, noise: 0 }, 3, 7);
    expect(a.x).toEqual(b.x);
    for (let t = 0; t < 39; t++) for (let k = 0; k < 3; k++) expect(a.y[t * 3 + k]).toBeCloseTo(a.x[(t + 1) * 3 + k], 12);
    expect(a.m.baseline!.value).toBeGreaterThan(0);
  });
});

describe('text', () => {
  it('ships the public-domain corpus in assets/data and the engine', () => {
    const file = readFileSync(new URL('../../assets/data/declaration-of-independence.txt', import.meta.url), 'utf8');
    expect(DECLARATION).toBe(file);
  });

  it('one-hot characters in, the next character out; bpc baseline from character frequencies', () => {
    const { x, y, m } = draw({ name: 'text', length: 16 }, 2);
    const V = m.inputSize;
    expect(m.vocab!.length).toBe(V);
    expect(m.vocab).toContain(' ');
    const decode = (a: Float64Array, t: number, b: number): string => m.vocab![a.subarray((t * 2 + b) * V, (t * 2 + b + 1) * V).indexOf(1)];
    for (let b = 0; b < 2; b++) {
      const s = Array.from({ length: 16 }, (_, t) => decode(x, t, b)).join('');
      const next = Array.from({ length: 16 }, (_, t) => decode(y, t, b)).join('');
      expect(DECLARATION.toLowerCase()).toContain(s + next.slice(-1));
      expect(next.slice(0, -1)).toBe(s.slice(1));
    }
    expect(m.baseline!.value).toBeGreaterThan(3);
    expect(m.baseline!.value).toBeLessThan(Math.log2(V));
    expect(m.metric).toBe('bpc');
  });

  it('uses a text the host supplies', () => {
    const { m } = draw({ name: 'text', length: 4, file: 'a.txt', validationFraction: 0.3 }, 1, 1, { text: 'abababababababababababababababab' });
    expect(m.vocab).toEqual(['a', 'b']);
  });
});

describe('csv', () => {
  const csv = 'time,temp,load\n' + Array.from({ length: 50 }, (_, i) => `${i},${Math.sin(i / 3).toFixed(4)},${i % 7}`).join('\n') + '\n';

  it('windows chosen columns, normalizes with training statistics, predicts a target 1 row ahead of itself', () => {
    const { x, y, m } = draw({ name: 'csv', file: 'w.csv', inputs: ['temp', 'load'], targets: ['temp'], window: 10, validationFraction: 0.3 }, 3, 1, { csv });
    expect(m.T).toBe(10);
    expect(m.inputSize).toBe(2);
    // shift 1: the target at step t is the input temp at t + 1.
    for (let t = 0; t < 9; t++) for (let b = 0; b < 3; b++) expect(y[t * 3 + b]).toBeCloseTo(x[((t + 1) * 3 + b) * 2], 12);
  });

  it('validates on the last rows only, and says when they are too few for a window', () => {
    // 50 rows, 20 %: rows 40..49 validate; windows of 4 + shift 1 → 2 windows.
    const t = createTask({ name: 'csv', file: 'w.csv', inputs: ['temp'], targets: ['temp'], window: 4, validationFraction: 0.2, normalize: 'none' }, { csv });
    const v = t.validation();
    expect(v.B).toBe(2);
    expect(v.x[0]).toBeCloseTo(Math.sin(40 / 3), 4);
    expect(v.x[1]).toBeCloseTo(Math.sin(45 / 3), 4);
    expect(() => createTask({ name: 'csv', file: 'w.csv', inputs: ['temp'], targets: ['temp'], window: 10, validationFraction: 0.2 }, { csv }))
      .toThrow('w.csv: the validation part has 10 rows, fewer than window + shift = 11: raise task.validationFraction or lower task.window');
  });

  it('reports bad rows with their line numbers, or skips them when asked', () => {
    const bad = 'a,b\n1,2\n3,x\n5,6\n7\n' + Array.from({ length: 40 }, (_, i) => `${i},${i}`).join('\n');
    let err: unknown;
    try { createTask({ name: 'csv', file: 'bad.csv', inputs: ['a'], targets: ['b'], window: 5 }, { csv: bad }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TaskError);
    const te = err as TaskError;
    expect(te.message).toContain('2 bad rows');
    expect(te.lines.join('\n')).toContain('bad.csv:3: column "b" is "x", not a number');
    expect(te.lines.join('\n')).toContain('bad.csv:5: has 1 field, needs at least 2');
    const ok = createTask({ name: 'csv', file: 'bad.csv', inputs: ['a'], targets: ['b'], window: 5, badRows: 'skip' }, { csv: bad });
    expect(ok.meta.warnings[0]).toContain('2 bad rows skipped');
  });

  it('names the columns the file has when a column is missing', () => {
    expect(() => createTask({ name: 'csv', file: 'w.csv', inputs: ['pressure'], targets: ['temp'] }, { csv })).toThrow(/column "pressure".*"time", "temp", "load"/);
  });

  it('parses quoted fields across lines and keeps physical line numbers', () => {
    const r = parseCsv('a,b\n"x\ny",2\n3,"q""q"\r\n\n5,6');
    expect(r.records.map((x) => x.line)).toEqual([1, 2, 4, 6]);
    expect(r.records[1].fields).toEqual(['x\ny', '2']);
    expect(r.records[2].fields).toEqual(['3', 'q"q']);
  });
});

describe('binding a task to a graph', () => {
  it('says what to change when the input size does not fit', () => {
    const p = compile(elman({ x: 1, h: 4, y: 1, steps: 'last' }));
    expect(() => bindTask(p, createTask({ name: 'adding' }), { name: 'adding' })).toThrow('the adding task feeds 2 numbers per step (value, marker), but input node "x" has size 1: set its size to 2');
  });

  it('asks for a last-step loss on adding and for cross-entropy on copy', () => {
    const p = compile(elman({ x: 2, h: 4, y: 1 }));
    expect(() => bindTask(p, createTask({ name: 'adding' }), { name: 'adding' })).toThrow(/set its "steps" to "last"/);
    const q = compile(lstm({ x: 10, h: 4, y: 9 }));
    expect(() => bindTask(q, createTask({ name: 'copy' }), { name: 'copy' })).toThrow(/needs a "cross_entropy" loss/);
  });

  it('rejects an unknown task by listing the known ones', () => {
    expect(() => createTask({ name: 'sorting' })).toThrow('unknown task "sorting": use one of parity, adding, copy, sine, text, csv');
  });
});
