/**
 * Between a source model's tensors and Cellwright's streams, using an import's
 * name mapping: source inputs → a data file, run values → source outputs.
 * Axis letters: T time, B batch, F features, D the enumerated axis (one
 * mapping entry per index), 1 a unit axis.
 */
import type { DataFile, Graph, TensorJSON } from '../format/types.ts';
import type { ImportResult, MappingEntry } from './types.ts';
import { idTable } from '../format/dict.ts';

function axesOf(e: MappingEntry, rank: number, input: boolean): string {
  if (e.axes) return e.axes;
  if (input) return e.as === 'initialState' ? (rank === 3 ? 'DBF' : 'BF') : 'TBF';
  return e.step === 'final' ? (rank === 3 ? 'DBF' : 'BF') : rank === 4 ? 'TDBF' : 'TBF';
}

/** Reads element (t, b, f, d) of a tensor whose axes are `axes`. */
function reader(t: TensorJSON, axes: string): (ix: Record<string, number>) => number {
  const strides = t.shape.map((_, k) => t.shape.slice(k + 1).reduce((a, b) => a * b, 1));
  return (ix) => {
    let p = 0;
    for (let k = 0; k < axes.length; k++) p += (ix[axes[k]] ?? 0) * strides[k];
    return t.data[p];
  };
}

/** A data file for the imported graph from the source's input tensors (by source name). */
export function dataFromSource(r: ImportResult, feeds: Record<string, TensorJSON>): DataFile {
  const data: DataFile = { inputs: {}, initialStates: {} };
  for (const [name, entries] of Object.entries(r.inputs)) {
    const src = feeds[name];
    if (!src) continue;
    entries.forEach((e, d) => {
      if (e.as === 'lengths') return;
      const axes = axesOf(e, src.shape.length, true);
      const dim = (a: string): number => src.shape[axes.indexOf(a)] ?? 1;
      const at = reader(src, axes);
      if (e.as === 'input') {
        const [T, B, F] = [dim('T'), dim('B'), dim('F')];
        const out: number[] = [];
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out.push(at({ T: t, B: b, F: f, D: d }));
        data.inputs[e.node] = { shape: [T, B, F], data: out };
      } else {
        const [B, F] = [dim('B'), dim('F')];
        const out: number[] = [];
        for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out.push(at({ B: b, F: f, D: d }));
        data.initialStates![e.node] = { shape: [B, F], data: out };
      }
    });
  }
  // Target streams (for the loss an import adds) are zeros until the user gives real ones.
  const first = Object.values(data.inputs)[0];
  if (first) {
    const [T, B] = first.shape;
    // sequence_lens → a 0/1 stream: 1 while t < the sequence's length.
    for (const [name, entries] of Object.entries(r.inputs)) {
      for (const e of entries) {
        if (e.as !== 'lengths') continue;
        const lengths = feeds[name]?.data ?? e.lengths;
        if (!lengths) continue;
        const out: number[] = [];
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.push(t < lengths[b] ? 1 : 0);
        data.inputs[e.node] = { shape: [T, B, 1], data: out };
      }
    }
    for (const n of r.graph.nodes) {
      if (n.kind === 'target') (data.targets ??= {})[n.id] = { shape: [T, B, n.size], data: new Array<number>(T * B * n.size).fill(0) };
    }
  }
  return data;
}

/** Nodes whose time runs backwards: reachable from an input fed in reverse. */
export function reversedNodes(graph: Graph): Set<string> {
  const rev = new Set(graph.nodes.filter((n) => n.kind === 'input' && n.reverse === true).map((n) => n.id));
  for (let changed = true; changed;) {
    changed = false;
    for (const e of graph.edges) {
      const t = graph.nodes.find((n) => n.id === e.target);
      if (rev.has(e.source) && !rev.has(e.target) && t && t.kind !== 'loss') {
        rev.add(e.target);
        changed = true;
      }
    }
  }
  return rev;
}

/**
 * `cellwright run` values in the data's original time order: a graph marked
 * `"reportTime": "original"` (an imported reverse layer) has the values of the
 * nodes fed by a reversed input flipped back in time.
 */
export function valuesInOriginalOrder(graph: Graph, values: Record<string, TensorJSON>): Record<string, TensorJSON> {
  if (graph.reportTime !== 'original') return values;
  const rev = reversedNodes(graph);
  const out = idTable<TensorJSON>();
  for (const [id, v] of Object.entries(values)) {
    if (!rev.has(id) || v.shape.length !== 3) {
      out[id] = v;
      continue;
    }
    const [T, B, N] = v.shape;
    const data = new Array<number>(v.data.length);
    for (let t = 0; t < T; t++) for (let k = 0; k < B * N; k++) data[t * B * N + k] = v.data[(T - 1 - t) * B * N + k];
    out[id] = { shape: v.shape, data };
  }
  return out;
}

/**
 * The source's output tensor `name` rebuilt from run values (in original time
 * order), with the shape `shape` the source gives it.
 */
export function outputFromValues(r: ImportResult, name: string, shape: number[], values: Record<string, TensorJSON>): TensorJSON {
  const entries = r.outputs[name];
  if (!entries) throw new Error(`no output "${name}" in the mapping`);
  const rev = reversedNodes(r.graph);
  const axes = axesOf(entries[0], shape.length, false);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const total = shape.reduce((a, b) => a * b, 1);
  const data = new Array<number>(total);
  for (let p = 0; p < total; p++) {
    const ix: Record<string, number> = {};
    for (let k = 0; k < axes.length; k++) ix[axes[k]] = Math.floor(p / strides[k]) % shape[k];
    const e = entries[ix.D ?? 0];
    const v = values[e.node];
    const [T, B, N] = v.shape;
    // A reverse copy of a layer (docs/layers.md) reports in data time order too: its last step is t = 1.
    const reversed = (rev.has(e.node) && r.graph.reportTime === 'original') || e.node.includes('/reverse/');
    const t = e.step === 'final' ? (reversed ? 0 : T - 1) : ix.T ?? 0;
    data[p] = v.data[(t * B + (ix.B ?? 0)) * N + (ix.F ?? 0)];
  }
  return { shape, data };
}
