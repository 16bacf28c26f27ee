/**
 * Writes assets/examples/*.json (graphs with parameters drawn once with a fixed
 * seed, so every example reproduces exactly) and their small data files.
 * Run: npx tsx scripts/make-examples.ts
 */
import { writeFileSync } from 'node:fs';
import { compileAny } from '../engine/layers/index.ts';
import * as L from '../engine/layers/templates.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { Rng } from '../engine/rng.ts';
import * as T from '../engine/templates.ts';

const dir = new URL('../assets/examples/', import.meta.url);

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Six significant digits: readable, and small initial weights (IRNN's 0.001 scale) survive. */
function sig6(x: number): number {
  return Number(x.toPrecision(6));
}

/** Draws parameters once (seeded) and stores them rounded, so files stay readable. */
function withParams(g: Graph, seed: number): Graph {
  const p = compileAny(g);
  const theta = createParams(p.layout, g.parameters, { seed, dtype: 'float64' });
  const params = exportParams(p.layout, theta);
  for (const v of Object.values(params)) {
    v.data = v.data.map(sig6);
  }
  return { ...g, parameters: params };
}

function stream(T: number, B: number, n: number, f: (t: number, b: number, i: number) => number): { shape: number[]; data: number[] } {
  const data: number[] = [];
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) data.push(round(f(t, b, i)));
  return { shape: [T, B, n], data };
}

function write(name: string, g: Graph, data: DataFile): void {
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(g, null, 2) + '\n');
  writeFileSync(new URL(`${name}.data.json`, dir), JSON.stringify(data, null, 2) + '\n');
}

const rng = new Rng(2026);

// Adding problem data (value, marker) → sum of the two marked values at the last step.
function addingData(T: number, B: number): DataFile {
  const vals = Array.from({ length: T * B }, () => rng.uniform());
  const marks = new Array(T * B).fill(0);
  const sums: number[] = [];
  for (let b = 0; b < B; b++) {
    const a = rng.int(Math.max(1, Math.floor(T / 2)));
    let c = Math.floor(T / 2) + rng.int(Math.ceil(T / 2));
    if (c === a) c = T - 1;
    marks[a * B + b] = 1;
    marks[c * B + b] = 1;
    sums.push(vals[a * B + b] + vals[c * B + b]);
  }
  return {
    inputs: { x: stream(T, B, 2, (t, b, i) => (i === 0 ? vals[t * B + b] : marks[t * B + b])) },
    targets: { y_t: stream(T, B, 1, (_t, b) => sums[b]) },
  };
}

function parityData(T: number, B: number): DataFile {
  const bits = Array.from({ length: T * B }, () => (rng.uniform() < 0.5 ? 0 : 1));
  const par: number[] = new Array(T * B).fill(0);
  for (let b = 0; b < B; b++) {
    let p = 0;
    for (let t = 0; t < T; t++) { p ^= bits[t * B + b]; par[t * B + b] = p; }
  }
  return { inputs: { x: stream(T, B, 1, (t, b) => bits[t * B + b]) }, targets: { y_t: stream(T, B, 1, (t, b) => par[t * B + b]) } };
}

function sineData(T: number, B: number): DataFile {
  const phase = Array.from({ length: B }, () => rng.range(0, 2 * Math.PI));
  const f = (t: number, b: number): number => Math.sin(0.3 * t + phase[b]) + 0.5 * Math.sin(0.11 * t + 2 * phase[b]);
  return { inputs: { x: stream(T, B, 1, (t, b) => f(t, b)) }, targets: { y_t: stream(T, B, 1, (t, b) => f(t + 1, b)) } };
}

// Task and training blocks (docs/training-format.md): each example trains as it is.
const adding = { name: 'adding', length: 50 };
const sine = { name: 'sine', length: 50 };
const addingTraining = { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 32, steps: 800, seed: 1 };

write('elman', withParams({ ...T.elman({ x: 2, h: 16, y: 1, steps: 'last' }), task: adding, training: addingTraining }, 11), addingData(8, 3));
write('irnn', withParams({
  ...T.irnn({ x: 2, h: 32, y: 1, steps: 'last' }), task: adding,
  training: { optimizer: 'adam', lr: 0.0003, clipNorm: 1, batch: 32, steps: 12000, seed: 1, schedule: { kind: 'step', every: 8000, gamma: 0.3 } },
}, 12), addingData(8, 3));
write('lstm', withParams({
  ...T.lstm({ x: 1, h: 8, y: 1, loss: 'bce', forgetBias: 1 }), task: { name: 'parity', length: 20 },
  training: { optimizer: 'adam', lr: 0.01, batch: 32, steps: 600, seed: 1 },
}, 13), parityData(10, 3));
write('peephole-lstm', withParams({ ...T.peepholeLstm({ x: 2, h: 16, y: 1, steps: 'last', forgetBias: 1 }), task: adding, training: addingTraining }, 14), addingData(8, 3));
const sineTraining = { optimizer: 'adam', lr: 0.01, batch: 32, steps: 1000, seed: 1 };
write('lstmp', withParams({ ...T.lstmp({ x: 1, h: 16, p: 8, y: 1, forgetBias: 1 }), task: sine, training: sineTraining }, 15), sineData(8, 3));
write('gru', withParams({ ...T.gru({ x: 1, h: 16, y: 1 }), task: sine, training: sineTraining }, 16), sineData(8, 3));

write('layernorm-lstm', withParams({ ...T.layerNormLstm({ x: 1, h: 8, y: 1, loss: 'bce' }), task: { name: 'parity', length: 20 }, training: { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 32, steps: 600, seed: 1 } }, 17), parityData(10, 3));
write('slstm', withParams({ ...T.sLstm({ x: 1, h: 8, y: 1 }), task: sine, training: sineTraining }, 18), sineData(8, 3));
write('tied-transition-rnn', withParams({ ...T.tiedTransitionRnn({ x: 2, h: 16, y: 1, steps: 'last' }), task: adding, training: addingTraining }, 19), addingData(8, 3));

write('worked-1-linear', T.workedLinear(), { inputs: { x: { shape: [4, 1, 1], data: [2, -0.5, 1, 1] } } });
write('worked-2-two-input', T.workedTwoInput(), {
  inputs: { x: { shape: [3, 1, 2], data: [2, -2, 0, 3.5, 1, 2.2] } },
  targets: { y_t: { shape: [3, 1, 1], data: [1, 1, 0] } },
});
const bits = [0, 1, 0, 1, 1, 0, 1, 0, 1, 1];
const parity = [0, 1, 1, 0, 1, 1, 0, 0, 1, 0];
write('worked-3-parity', T.workedParity(), {
  inputs: { x: { shape: [10, 1, 1], data: bits } },
  targets: { p_t: { shape: [10, 1, 1], data: parity } },
});
write('quadratic-map', T.quadraticMap(), {
  inputs: { x: { shape: [20, 1, 1], data: new Array(20).fill(0) } },
  initialStates: { h: { shape: [1, 1], data: [0.5] } },
});
// Layers (docs/layers.md); written last so the examples above keep their random draws.
write('lstm-2-layer', withParams({
  ...L.stackedLstm({ x: 1, h: 8, y: 1, loss: 'bce' }), task: { name: 'parity', length: 20 },
  training: { optimizer: 'adam', lr: 0.01, batch: 32, steps: 600, seed: 1 },
}, 17), parityData(10, 3));
write('gru-bidirectional', withParams({ ...L.bidirectionalGru({ x: 1, h: 8, y: 1 }), task: sine, training: sineTraining }, 18), sineData(8, 3));
console.log('examples written');
