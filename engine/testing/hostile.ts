/**
 * Graphs whose ids are the names JavaScript objects already have
 * (`__proto__`, `constructor`, `toString`…): on a plain `{}` they read as
 * inherited members or, written, replace the prototype. Every table keyed by
 * ids must take them as ordinary keys.
 */
import type { DataFile, Graph } from '../format/types.ts';

/** The names a plain object answers to without owning them. */
export const PROTO_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** Defines own properties, whatever the key (`{ [k]: v }` too would, `o[k] = v` would not for `__proto__`). */
function record<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * An Elman RNN (input `__proto__`, cell `constructor`, gate `toString`, readout
 * `hasOwnProperty`, target `valueOf`; edges named the same way), with a learned
 * initial state, and a data file T = 4, B = 2 that gives the target stream.
 */
export function protoElman(): { graph: Graph; data: DataFile } {
  const [x, h, hNew, y, yt] = PROTO_IDS;
  const graph: Graph = {
    format: 'cellwright-graph',
    version: 1,
    name: 'toString',
    nodes: [
      { id: x, kind: 'input', size: 2, label: '__proto__' },
      { id: h, kind: 'cell', size: 3, initial: 'learned' },
      { id: hNew, kind: 'gate', size: 3, activation: 'tanh' },
      { id: y, kind: 'gate', size: 1, activation: 'identity' },
      { id: yt, kind: 'target', size: 1 },
      { id: 'isPrototypeOf', kind: 'loss', loss: 'mse' },
    ],
    edges: [
      { id: '__proto__', source: x, target: hNew },
      { id: 'constructor', source: h, target: hNew, init: 'orthogonal' },
      { id: 'toString', source: hNew, target: h },
      { id: 'hasOwnProperty', source: hNew, target: y },
      { id: 'valueOf', source: y, target: 'isPrototypeOf', port: 'prediction' },
      { id: '__defineGetter__', source: yt, target: 'isPrototypeOf', port: 'target' },
    ],
    training: { seed: 2, steps: 3, batch: 2 },
  };
  const T = 4;
  const B = 2;
  const seq = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => Number(f(i).toFixed(4)));
  const data: DataFile = {
    inputs: record([[x, { shape: [T, B, 2], data: seq(T * B * 2, (i) => Math.sin(i + 1)) }]]),
    targets: record([[yt, { shape: [T, B, 1], data: seq(T * B, (i) => Math.cos(i)) }]]),
  };
  return { graph, data };
}
