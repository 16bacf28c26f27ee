/**
 * True resume: N steps, save the graph file (through JSON, as a file is),
 * load it and N more steps give bit for bit the parameters and metric rows of
 * one 2N-step run, for every optimizer, with clipping and a schedule, on a
 * task and on a data file, in float64 and float32.
 */
import { describe, expect, it } from 'vitest';
import type { DataFile, Graph } from '../format/types.ts';
import { Rng } from '../rng.ts';
import type { Block } from '../tasks/read.ts';
import { elman, lstm } from '../templates.ts';
import type { Trainer } from './trainer.ts';
import { createTrainer } from './trainer.ts';

const adding = (): Graph => ({ ...elman({ x: 2, h: 5, y: 1, steps: 'last' }), task: { name: 'adding', length: 8, validation: 16 } });
const parity = (): Graph => ({ ...lstm({ x: 1, h: 3, y: 1 }), task: { name: 'parity', length: 6, validation: 16 } });

/** A small data file for `elman` (x 2, y 1, every step), from a fixed stream. */
function dataFile(): DataFile {
  const rng = new Rng(7);
  const T = 5;
  const B = 3;
  return {
    inputs: { x: { shape: [T, B, 2], data: Array.from({ length: T * B * 2 }, () => rng.range(-1, 1)) } },
    targets: { y_t: { shape: [T, B, 1], data: Array.from({ length: T * B }, () => rng.range(-1, 1)) } },
  };
}

const bytes = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
/** What a file round trip does to a graph. */
const throughFile = (g: Graph): Graph => JSON.parse(JSON.stringify(g)) as Graph;
const rows = (t: Trainer, from: number): string => JSON.stringify(t.history.filter((r) => r.step > from).map((r) => ({ ...r, val: undefined })));

const OPTIMIZERS: [string, Block][] = [
  ['sgd', { optimizer: 'sgd', lr: 0.05 }],
  ['momentum', { optimizer: 'momentum', lr: 0.02 }],
  ['nesterov', { optimizer: 'momentum', lr: 0.02, nesterov: true }],
  ['adam', { optimizer: 'adam', lr: 0.01 }],
  ['rmsprop', { optimizer: 'rmsprop', lr: 0.005, momentum: 0.5, centered: true }],
];
const CLIPPING: [string, Block][] = [['clipNorm 0.5', { clipNorm: 0.5 }], ['clipValue 0.05', { clipValue: 0.05 }]];

function resumeCheck(graph: Graph, training: Block, n: number, data?: DataFile): void {
  const base = { ...training, validateEvery: 3, diagnosticsEvery: 4, seed: 11 };
  const full = createTrainer(graph, { training: { ...base, steps: 2 * n }, ...(data ? { data } : {}) });
  full.step(2 * n);
  const first = createTrainer(graph, { training: { ...base, steps: n }, ...(data ? { data } : {}) });
  first.step(n);
  const saved = throughFile(first.graphWithParameters());
  expect(saved.training?.state).toMatchObject({ step: n });
  const second = createTrainer(saved, { training: { steps: n }, ...(data ? { data } : {}) });
  expect(second.warnings).toEqual([]);
  expect(second.stepCount).toBe(n);
  second.step(n);
  expect(second.stepCount).toBe(2 * n);
  expect(bytes(second.parameters)).toEqual(bytes(full.parameters));
  expect(rows(second, n)).toBe(rows(full, n));
  expect(second.clippedFraction).toBe(full.clippedFraction);
  expect(second.graphWithParameters().training?.state).toEqual(full.graphWithParameters().training?.state);
}

describe('resume: N + N steps equal 2N steps bit for bit', () => {
  for (const [name, opt] of OPTIMIZERS) {
    for (const [clipName, clip] of CLIPPING) {
      it(`${name}, ${clipName}, adding task`, () => resumeCheck(adding(), { ...opt, ...clip, batch: 4 }, 9));
    }
    it(`${name}, clipNorm, data file`, () => resumeCheck(elman({ x: 2, h: 4, y: 1 }), { ...opt, clipNorm: 0.5 }, 8, dataFile()));
  }

  it('parity task, float32, with a step schedule whose boundary falls in the second half', () => {
    resumeCheck(parity(), { optimizer: 'adam', lr: 0.02, clipNorm: 1, dtype: 'float32', batch: 4, schedule: { kind: 'step', every: 11, gamma: 0.5 } }, 8);
  });

  it('with zoneout on the cell: the masks of each update come back with the step count', () => {
    const g = adding();
    const cell = g.nodes.find((n) => n.kind === 'cell')!;
    (cell as unknown as Record<string, unknown>).zoneout = 0.3;
    resumeCheck(g, { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 4 }, 7);
    // The masks matter: without zoneout the run differs.
    const plain = createTrainer(adding(), { training: { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 4, seed: 11 } });
    const noisy = createTrainer(g, { training: { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 4, seed: 11 } });
    plain.step(3);
    noisy.step(3);
    expect(Array.from(noisy.parameters)).not.toEqual(Array.from(plain.parameters));
  });

  it('some clipped steps and some not: the count is carried over', () => {
    const t = createTrainer(adding(), { training: { clipNorm: 0.2, steps: 10, batch: 4 } });
    t.step(10);
    const f = t.clippedFraction;
    expect(f).toBeGreaterThan(0);
    const again = createTrainer(throughFile(t.graphWithParameters()));
    expect(again.clippedFraction).toBe(f);
  });
});

describe('the random stream\'s position', () => {
  it('getState/setState continue the stream exactly, a pending normal included, through JSON', () => {
    const a = new Rng(3);
    a.uniform();
    a.normal(); // leaves the second Box–Muller value pending
    const saved = JSON.parse(JSON.stringify(a.getState())) as ReturnType<Rng['getState']>;
    expect(saved.spare).not.toBeNull();
    const want = [a.normal(), a.uniform(), a.int(1000), a.normal()];
    const b = new Rng(99);
    b.setState(saved);
    expect([b.normal(), b.uniform(), b.int(1000), b.normal()]).toEqual(want);
    expect(() => b.setState({ words: [0, 0, 0, 0], spare: null })).toThrow(/not all zero/);
  });
});

describe('the saved state', () => {
  const trained = (): Graph => {
    const t = createTrainer(adding(), { training: { optimizer: 'adam', steps: 5, batch: 4 } });
    t.step(5);
    return throughFile(t.graphWithParameters());
  };

  it('is recorded with the right step count, moments per parameter key, and the data stream', () => {
    const g = trained();
    const s = g.training!.state as { step: number; format: number; optimizer: { name: string; step: number; moments: Record<string, Record<string, number[]>> }; rng: { data: { words: number[] } } };
    expect(s.format).toBe(1);
    expect(s.step).toBe(5);
    expect(s.optimizer).toMatchObject({ name: 'adam', step: 5 });
    expect(Object.keys(s.optimizer.moments).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
    expect(s.optimizer.moments.exp_avg['edge:h_h_new']).toHaveLength(25);
    expect(s.rng.data.words).toHaveLength(4);
  });

  it('a file with no state trains from step 0 as before', () => {
    const g = trained();
    delete g.training!.state;
    const t = createTrainer(g);
    expect(t.stepCount).toBe(0);
    expect(t.warnings).toEqual([]);
  });

  it('resume: false starts afresh from the parameters', () => {
    expect(createTrainer(trained(), { resume: false }).stepCount).toBe(0);
  });

  it('parameters edited after the state was saved: the state is not used, with a warning saying why', () => {
    const g = trained();
    g.parameters!['bias:h_new'].data[0] += 1;
    const t = createTrainer(g);
    expect(t.stepCount).toBe(0);
    expect(t.warnings.join('\n')).toContain('training.state was saved with other parameters');
  });

  it('another optimizer: the step count continues, the moments start afresh, with a warning', () => {
    const t = createTrainer(trained(), { training: { optimizer: 'sgd' } });
    expect(t.stepCount).toBe(5);
    expect(t.warnings.join('\n')).toContain("holds adam's moments but this run uses sgd");
  });

  it('a malformed state is an error naming the JSON path, never a crash', () => {
    const cases: [(s: Record<string, unknown>) => void, string][] = [
      [(s) => { s.step = -1; }, 'training.state.step must be a whole number'],
      [(s) => { s.step = 1e300; }, 'training.state.step must be a whole number from 0 to 2^53 − 1'],
      [(s) => { s.format = 99; }, 'training.state.format must be 1'],
      [(s) => { (s.rng as { data: { words: unknown } }).data.words = [0, 0, 0, 0]; }, 'training.state.rng.data.words'],
      [(s) => { (s.optimizer as { moments: Record<string, Record<string, unknown>> }).moments.exp_avg['edge:x_h_new'] = [1, 2]; }, 'training.state.optimizer.moments.exp_avg["edge:x_h_new"] must be an array of 10 numbers'],
      [(s) => { (s.optimizer as { moments: Record<string, Record<string, unknown[]>> }).moments.exp_avg_sq['bias:h_new'][2] = 'x'; }, 'training.state.optimizer.moments.exp_avg_sq["bias:h_new"][2] must be a finite number'],
      [(s) => { (s.optimizer as { moments: unknown }).moments = JSON.parse('{"__proto__": {"exp_avg": 1}}'); }, 'has no optimizer moments for exp_avg'],
    ];
    for (const [mutate, message] of cases) {
      const g = trained();
      mutate(g.training!.state as Record<string, unknown>);
      let text = '';
      try {
        const t = createTrainer(g);
        text = t.warnings.join('\n');
      } catch (e) {
        text = (e as Error).message;
        expect((e as Error).name).toBe('TaskError');
      }
      expect(text).toContain(message);
    }
  });
});

describe('non-finite parameters are never kept', () => {
  it('an update that overflows a parameter is undone; the failure names the step and the parameter', () => {
    const t = createTrainer(adding(), { training: { optimizer: 'sgd', lr: 1e300, steps: 50, batch: 4 } });
    t.step(50);
    expect(t.failure).not.toBeNull();
    expect(t.failure!.step).toBe(t.stepCount + 1);
    expect(Array.from(t.parameters).every(Number.isFinite)).toBe(true);
    if (t.failure!.where === 'parameter') {
      expect(t.failure!.message).toMatch(new RegExp(`^training step ${t.failure!.step}: parameter "${t.failure!.parameter}" entry \\[[\\d, ]+\\] became (-?Infinity|NaN)`));
      expect(t.failure!.message).toContain(`the parameters of step ${t.stepCount} are kept`);
    }
    // The saved state is the last good step's, so resuming is consistent.
    const saved = throughFile(t.graphWithParameters());
    expect((saved.training!.state as { step: number } | undefined)?.step ?? 0).toBe(t.stepCount);
    expect(Object.values(saved.parameters!).every((p) => p.data.every(Number.isFinite))).toBe(true);
  });

  it('adam with a huge rate fails on a parameter (not only through the loss)', () => {
    const t = createTrainer(adding(), { training: { optimizer: 'adam', lr: 1e308, steps: 5, batch: 4 } });
    t.step(5);
    expect(t.failure?.where).toBe('parameter');
    expect(t.failure?.message).toMatch(/^training step \d+: parameter "[^"]+" entry \[[\d, ]+\] became -?Infinity in the adam update with learning rate 1e\+308/);
    expect(Array.from(t.parameters).every(Number.isFinite)).toBe(true);
  });
});
