/** Builds ONNX nodes and initializers with unique tensor names (for the exporters). */
import type { CNode } from '../compile.ts';
import type { AttrValue, OnnxNode, OnnxTensor } from '../import/onnx-proto.ts';
import type { Arr } from '../tensor.ts';
import { DT } from '../import/onnx-proto.ts';

/** Names intermediate tensors uniquely and collects nodes. */
export class Emitter {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private k = 0;
  constructor(private prefix: string) {}
  tmp(hint: string): string {
    return `${this.prefix}${hint}#${this.k++}`;
  }
  /** A node; `name` defaults to `<op>:<output>` (heads pass torch's `/<module>/<op>`, which the importer reads back as the module). */
  node(opType: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}, outputName?: string, name?: string): string {
    const out = outputName ?? this.tmp(hint);
    this.nodes.push({ name: name ?? `${opType}:${out}`, opType, domain: '', inputs, outputs: [out], attributes: new Map(Object.entries(attrs)) });
    return out;
  }
  const(hint: string, dims: number[], data: ArrayLike<number>, dataType: number = DT.FLOAT): string {
    const name = this.tmp(hint);
    this.inits.push({ name, dims, dataType, data: Float64Array.from(data) });
    return name;
  }
}

/**
 * A cell's initial state [B, size] (with `lead` leading unit axes): the model
 * input `<cellId>.initial`, or the learned state broadcast over the batch, or zeros.
 */
export function initialState(em: Emitter, c: CNode, theta: Arr, asInput: boolean, B: string, lead = 0, name = c.id): string {
  const ones = new Array<number>(lead).fill(1);
  if (asInput) {
    return lead === 0 ? `${name}.initial` : em.node('Unsqueeze', [`${name}.initial`, em.const('axes', [lead], ones.map((_, k) => k), DT.INT64)], `${name}.initial`);
  }
  const v = c.init ? Array.from(theta.subarray(c.init.offset, c.init.offset + c.size)) : new Array<number>(c.size).fill(0);
  const dims = em.node('Concat', [...(lead ? [em.const('ones', [lead], ones, DT.INT64)] : []), B, em.const('size', [1], [c.size], DT.INT64)], 'dims', { axis: { type: 'int', i: 0 } });
  return em.node('Expand', [em.const(`${name}.initial`, [...ones, 1, c.size], v), dims], `${name}.initial`);
}
