/**
 * The parameter layout: every learned value of a compiled graph in one flat
 * vector (so optimizers, clipping and workers see one array), with a named
 * entry per key of the spec: `edge:<edgeId>`, `bias:<nodeId>`, `init:<cellId>`,
 * `gain:<nodeId>` and `shift:<nodeId>` (layer_norm ops). A tied edge has no
 * entry: it reads its owner's.
 */
import type { Graph, TensorJSON } from './format/types.ts';
import type { InitName } from './init.ts';
import { initialize } from './init.ts';
import { Rng } from './rng.ts';
import type { Arr, DType } from './tensor.ts';
import { alloc } from './tensor.ts';
import { idTable, own } from './format/dict.ts';

export interface ParamEntry {
  key: string;
  kind: 'edge' | 'bias' | 'init' | 'gain' | 'shift';
  /** Edge or node id. */
  owner: string;
  shape: number[];
  offset: number;
  length: number;
  trainable: boolean;
  init: InitName;
  initScale?: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  byKey: Map<string, ParamEntry>;
  size: number;
}

export function makeLayout(entries: Omit<ParamEntry, 'offset' | 'length'>[]): ParamLayout {
  const out: ParamEntry[] = [];
  const byKey = new Map<string, ParamEntry>();
  let offset = 0;
  for (const e of entries) {
    const length = e.shape.reduce((a, b) => a * b, 1);
    const entry = { ...e, offset, length };
    out.push(entry);
    byKey.set(e.key, entry);
    offset += length;
  }
  return { entries: out, byKey, size: offset };
}

/**
 * Builds the flat parameter vector: values from `given` (a graph's
 * `parameters`, already validated for shape) where present, the rest drawn from
 * their initializers with one RNG seeded by `seed`, in layout order.
 *
 * @example
 * const theta = createParams(program.layout, graph.parameters, { seed: 1, dtype: 'float64' });
 */
export function createParams(
  layout: ParamLayout,
  given: Graph['parameters'] | undefined,
  opts: { seed: number; dtype: DType },
): Arr {
  const out = alloc(opts.dtype, layout.size);
  const rng = new Rng(opts.seed);
  for (const e of layout.entries) {
    // Every entry draws from its own sub-stream, so giving one parameter does
    // not shift the random values of the others.
    const sub = rng.fork();
    const g = own(given, e.key);
    if (g && g.data.length === e.length) {
      for (let i = 0; i < e.length; i++) out[e.offset + i] = g.data[i];
    } else {
      initialize({ init: e.init, initScale: e.initScale, shape: e.shape }, sub, out, e.offset);
    }
  }
  return out;
}

/** The parameters as the graph file's `parameters` object (plain numbers). */
export function exportParams(layout: ParamLayout, values: Arr): Record<string, TensorJSON> {
  const out = idTable<TensorJSON>();
  for (const e of layout.entries) {
    out[e.key] = { shape: [...e.shape], data: Array.from(values.subarray(e.offset, e.offset + e.length)) };
  }
  return out;
}
