/**
 * "Explain this value": what a node's value at step t is made of, from a
 * probe (run-probe.ts) of one sequence. For a gate, its pre-activation split
 * into one term per incoming edge (the weight kind applied to the source's
 * value at that step: W·x) plus the bias — the terms sum to the
 * pre-activation the runtime computed; for an op, its inputs' values; for a
 * cell, the node that wrote it. Each term names the source node and the step
 * it was read at, so a view can go one step further back.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { idTable } from '../format/dict.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';

export interface ExplainTerm {
  /** The edge that carries it (null for the bias). */
  edge: string | null;
  /** The source node (null for the bias). */
  source: string | null;
  /** The step (0-based) the source's value was read at; −1: a cell's initial state. */
  sourceStep: number | null;
  /** Per unit of the explained node: the term added to its pre-activation (gate), or the source's value (op, cell). */
  contribution: number[];
}

export interface Explanation {
  node: string;
  kind: string;
  /** 0-based step. */
  t: number;
  /** The node's value at t, per unit. */
  value: number[];
  /** A gate's pre-activation (Σ terms), per unit; null for other kinds. */
  preActivation: number[] | null;
  activation: string | null;
  /** An op's kind. */
  op: string | null;
  terms: ExplainTerm[];
}

export interface ProbeValues {
  T: number;
  B: number;
  /** values: [T, B, size] (a cell: the states written). */
  nodes: Record<string, { size: number; values: ArrayLike<number> }>;
  /** Initial state of each cell, [B, size]. */
  initial: Record<string, ArrayLike<number>>;
}

/**
 * The value of `node` at step t (0-based) of sequence b explained (see the file comment).
 * Throws a plain Error naming the node or step when they do not exist.
 *
 * @example
 * const r = new RunProbe(program).measure(theta, sequenceOf(batch, 0));
 * explainValue(program, theta, r, 'h_new', 4).terms // W·x, W·h_{t−1}, bias
 */
export function explainValue(program: Program, theta: Arr, probe: ProbeValues, node: string, t: number, b = 0): Explanation {
  const i = program.byId.get(node);
  if (i === undefined) throw new Error(`No node "${node}" in the compiled graph.`);
  const n = program.nodes[i];
  if (!Number.isInteger(t) || t < 0 || t >= probe.T) throw new Error(`Step ${t + 1} is outside 1…${probe.T}.`);
  if (!Number.isInteger(b) || b < 0 || b >= probe.B) throw new Error(`Sequence ${b} is outside 0…${probe.B - 1}.`);
  const { B } = probe;
  /** The value node `id` presents to its readers at step t: a cell gives the state before t. */
  const read = (id: string, step: number): { vec: Float64Array; step: number } => {
    const src = program.nodes[program.byId.get(id)!];
    const size = src.size;
    if (src.kind === 'cell') {
      if (step === 0) {
        const init = probe.initial[id];
        return { vec: Float64Array.from({ length: size }, (_, u) => init[b * size + u]), step: -1 };
      }
      const v = probe.nodes[id].values;
      return { vec: Float64Array.from({ length: size }, (_, u) => v[((step - 1) * B + b) * size + u]), step: step - 1 };
    }
    const v = probe.nodes[id].values;
    return { vec: Float64Array.from({ length: size }, (_, u) => v[(step * B + b) * size + u]), step };
  };
  const own = probe.nodes[node];
  const value = own ? Array.from({ length: n.size }, (_, u) => Number(own.values[(t * B + b) * n.size + u])) : [];
  const out: Explanation = { node, kind: n.kind, t, value, preActivation: null, activation: n.activation ?? null, op: n.op ?? null, terms: [] };
  if (n.kind === 'gate') {
    const N = n.size;
    const pre = new Float64Array(N);
    if (n.bias) {
      const bias = Array.from({ length: N }, (_, k) => Number(theta[n.bias!.offset + k]));
      for (let k = 0; k < N; k++) pre[k] += bias[k];
      out.terms.push({ edge: null, source: null, sourceStep: null, contribution: bias });
    }
    for (const e of n.inEdges) {
      const sn = program.nodes[e.source];
      const { vec, step } = read(sn.id, t);
      const z = new Float64Array(N);
      e.kind.forward(theta, e.param ? e.param.offset : 0, vec, 0, z, 0, 1, sn.size, N);
      for (let k = 0; k < N; k++) pre[k] += z[k];
      out.terms.push({ edge: e.id, source: sn.id, sourceStep: step, contribution: Array.from(z) });
    }
    out.preActivation = Array.from(pre);
    return out;
  }
  if (n.kind === 'op' || n.kind === 'loss') {
    for (const e of n.inEdges) {
      const sn = program.nodes[e.source];
      const { vec, step } = read(sn.id, t);
      out.terms.push({ edge: e.id, source: sn.id, sourceStep: step, contribution: Array.from(vec) });
    }
    return out;
  }
  if (n.kind === 'cell' && n.writer !== undefined) {
    const w = program.nodes[n.writer];
    const { vec } = read(w.id, t);
    out.terms.push({ edge: null, source: w.id, sourceStep: t, contribution: Array.from(vec) });
  }
  return out;
}

/**
 * explainValue on a fresh float64 forward of `batch` (reference runtime,
 * evaluation mode): the terms then add up to the runtime's own pre-activation.
 */
export function explainRun(program: Program, theta: Arr, batch: Batch, node: string, t: number, b = 0): Explanation {
  const th = theta instanceof Float64Array ? theta : Float64Array.from(theta);
  const s = new Session(program, { T: batch.T, B: batch.B, dtype: 'float64' });
  s.forward(th, batch);
  const nodes: ProbeValues['nodes'] = idTable();
  const initial: ProbeValues['initial'] = idTable();
  for (const n of program.nodes) {
    if (n.kind === 'loss') continue;
    nodes[n.id] = { size: n.size, values: s.values(n.index) };
    if (n.kind === 'cell') initial[n.id] = s.vals[n.index].subarray(0, batch.B * n.size);
  }
  return explainValue(program, th, { T: batch.T, B: batch.B, nodes, initial }, node, t, b);
}
