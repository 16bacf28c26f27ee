/**
 * ONNX export of a graph with layers (docs/layers.md). Each layer, in
 * dependency order, becomes a sequence [T, B, size] of the main graph:
 *
 * - a layer whose nested step graph is exactly one standard LSTM, GRU or RNN
 *   (engine/export/onnx-fused.ts's matcher) is one fused node with
 *   `direction` forward, reverse or bidirectional (W, R, B, P stacked over
 *   num_directions); a bidirectional Y [T, 2, B, H] is laid out as
 *   [T, B, 2H], forward half first, as the layer's output is;
 * - any other layer is one Scan per copy over the nested step (a reverse
 *   copy scans its inputs and writes its outputs in reverse), the two halves
 *   of a bidirectional layer concatenated.
 *
 * Stacked layers are simply one such node after another, each reading the
 * sequence of the layer before. The outer step graph then reads the layers'
 * sequences like input streams: as a Scan when it has cells, else computed on
 * whole sequences at once (its gates and ops act on the last axis).
 *
 * Names: model inputs are the outer input nodes; with `initialStates`, every
 * cell's `<id>.initial` [B, size], nested cells under their reported id
 * (`l1/h.initial`, `bi/reverse/h.initial`). Outputs are named by the ids
 * `cellwright run` reports: outer nodes, layers (`l1`), nested nodes (`l1/c`).
 */
import type { CNode, Program } from '../compile.ts';
import type { CompiledCopy, CompiledLayer, LayerModel } from '../layers/compile.ts';
import { compileLayered, layerModel } from '../layers/compile.ts';
import { problem } from '../errors.ts';
import type { Graph } from '../format/types.ts';
import type { AttrValue, OnnxGraph } from '../import/onnx-proto.ts';
import { DT } from '../import/onnx-proto.ts';
import { reversedNodes } from '../import/tensors.ts';
import { ImportError } from '../import/types.ts';
import { createParams } from '../params.ts';
import type { Arr } from '../tensor.ts';
import { Emitter, initialState } from './onnx-emitter.ts';
import type { Layer } from './onnx-fused.ts';
import { denseHead, isDenseHead, matchStack } from './onnx-fused.ts';

export interface LayeredExportParts {
  graph: OnnxGraph;
  inputs: string[];
  outputs: string[];
  /** The recurrent ops written: per layer its fused op or a Scan per copy, then a Scan for an outer step with cells. */
  ops: string[];
  fused: boolean;
}

interface Hooks {
  stepBody: (program: Program, theta: Arr, em: Emitter, val: Map<number, string>) => void;
  scanStep: (main: Emitter, program: Program, theta: Arr, cfg: {
    feeds: Map<number, string>; B: string; initialInputs: boolean; outputs: string[]; reverseOutputs: Set<string>;
    outputName: (id: string) => string; reverse?: boolean; prefix?: string; bodyPrefix?: string;
  }) => Map<string, string>;
  batchOf: (em: Emitter, x: string) => string;
}

function refuse(what: string, where: string): never {
  throw new ImportError(problem('CW220', { what, where }, { path: '' }));
}

const f32 = (name: string, shape: (number | string)[]): { name: string; elemType: number; shape: { value?: number; param?: string }[] } =>
  ({ name, elemType: DT.FLOAT, shape: shape.map((d) => (typeof d === 'number' ? { value: d } : { param: d })) });

/** Slice of the joint parameter vector holding one copy's parameters (offsets as in its own program). */
function copyTheta(theta: Arr, c: CompiledCopy): Arr {
  return theta.subarray(c.offset, c.offset + c.program.layout.size);
}

/**
 * The copy as one standard layer, when its nested step graph is exactly one
 * (every node a member, the layer's output its h) — else undefined.
 */
function standardCopy(c: CompiledCopy, theta: Arr): Layer | undefined {
  const p = c.program;
  if (p.inputs.length !== 1) return undefined;
  const stack = matchStack(p, copyTheta(theta, c));
  if (stack?.length !== 1) return undefined;
  const l = stack[0];
  if (!p.nodes.every((n) => l.members.has(n.index) || n.index === p.inputs[0])) return undefined;
  return c.output === l.out.index || c.output === l.h.index ? l : undefined;
}

/** The copies of a layer as one fused op, when every copy is the same kind of standard layer. */
function fusedCopies(layer: CompiledLayer, theta: Arr): Layer[] | undefined {
  const ls = layer.copies.map((c) => standardCopy(c, theta));
  if (ls.some((l) => l === undefined)) return undefined;
  const all = ls as Layer[];
  const [a] = all;
  const same = all.every((l) => l.op === a.op && l.inputForget === a.inputForget && l.linearBeforeReset === a.linearBeforeReset && l.h.size === a.h.size);
  return same ? all : undefined;
}

/**
 * Writes the model graph of a layered graph (see the module comment).
 * `hooks` are onnx.ts's step builders (passed in: onnx.ts imports this module).
 */
export function layeredOnnx(graph: Graph, opts: { outputs?: string[]; seed: number; noFused?: boolean; initialStates?: boolean }, hooks: Hooks): LayeredExportParts {
  const pub = compileLayered(graph);
  const model = layerModel(pub) as LayerModel;
  const theta = createParams(pub.layout, graph.parameters, { seed: opts.seed, dtype: 'float64' });
  const outer = model.outer;
  const layerAt = new Map(model.layers.map((l) => [l.index, l]));
  const inputs = pub.inputs.map((i) => pub.nodes[i]);
  if (inputs.length === 0) refuse('the graph has no input node, so the sequence length is unknown', 'nodes');
  for (const id of opts.outputs ?? []) {
    const i = pub.byId.get(id);
    if (i === undefined) refuse(`--outputs names "${id}", which is neither a node of the graph nor a nested node of a layer (\`l1/h\`)`, 'outputs');
    const k = pub.nodes[i].kind;
    if (i < outer.nodes.length && pub.inputs.includes(i)) refuse(`"${id}" is an input of the model; outputs are values computed at each step`, `node "${id}"`);
    if (i < outer.nodes.length && (k === 'loss' || k === 'target')) refuse(`"${id}" is a ${k} node; outputs are values computed at each step`, `node "${id}"`);
  }
  // Default: what the losses read, the outer cells and every layer's output.
  const predictions = outer.losses.flatMap((i) => outer.nodes[i].inEdges.filter((e) => e.port === 'prediction').map((e) => outer.nodes[e.source].id));
  const outIds = opts.outputs ?? [...new Set([...predictions, ...outer.cells.map((i) => outer.nodes[i].id), ...model.layers.map((l) => l.id)])];
  if (outIds.length === 0) refuse('nothing to output', 'outputs');

  const main = new Emitter('');
  const B = hooks.batchOf(main, inputs[0].id);
  const initialInputs = opts.initialStates === true;
  /** Outer node index → its sequence [T, B, size] in the main graph. */
  const seq = new Map<number, string>(inputs.map((x) => [x.index, x.id]));
  /** Reported id → the main-graph tensor with its value at every step (data time order). */
  const value = new Map<string, string>();
  const ops: string[] = [];
  let allFused = true;
  const stateInputs: { name: string; size: number }[] = [];

  for (const L of model.layers) {
    for (const f of L.feeds) {
      const src = outer.nodes[f.source];
      if (src.kind === 'input' && src.reverse && !layerAt.has(f.source)) refuse(`layer "${L.id}" reads input "${src.id}", which says "reverse": true; the export reads layers' inputs in data order only`, `node "${L.id}"`);
    }
    const nestedWanted = outIds.filter((id) => L.copies.some((c) => id.startsWith(c.prefix) && c.program.byId.has(id.slice(c.prefix.length))));
    const fused = opts.noFused || nestedWanted.length > 0 ? undefined : fusedCopies(L, theta);
    for (const c of L.copies) for (const i of c.program.cells) stateInputs.push({ name: `${c.prefix}${c.program.nodes[i].id}`, size: c.program.nodes[i].size });
    let out: string;
    if (fused) {
      out = fusedLayerNode(main, L, fused, theta, B, initialInputs, seq.get(L.feeds[0].source)!);
      ops.push(fused[0].op);
    } else {
      allFused = false;
      const halves = L.copies.map((c) => {
        const ctheta = copyTheta(theta, c);
        const p = c.program;
        const outputId = p.nodes[c.output].id;
        const mine = nestedWanted.filter((id) => id.startsWith(c.prefix) && p.byId.has(id.slice(c.prefix.length))).map((id) => id.slice(c.prefix.length));
        const ids = [...new Set([outputId, ...mine])];
        const feeds = new Map(L.feeds.map((f) => [f.port, seq.get(f.source)!]));
        const got = hooks.scanStep(main, p, ctheta, {
          feeds, B, initialInputs, outputs: ids, reverseOutputs: new Set(), reverse: c.reverse, prefix: c.prefix,
          outputName: (id) => `${c.prefix}${id}#seq`,
        });
        for (const id of mine) value.set(c.prefix + id, got.get(id)!);
        ops.push('Scan');
        return got.get(outputId)!;
      });
      out = halves.length === 1 ? halves[0] : main.node('Concat', halves, L.id, { axis: { type: 'int', i: -1 } });
    }
    seq.set(L.index, out);
    value.set(L.id, out);
  }

  // The outer step over the layers' sequences.
  const outerWanted = outIds.filter((id) => outer.byId.has(id) && !layerAt.has(outer.byId.get(id)!) && outer.nodes[outer.byId.get(id)!].kind !== 'input');
  const outerInputs = outer.inputs.map((i) => outer.nodes[i]);
  // The outer parameters keep their offsets in the joint vector (engine/layers/compile.ts).
  const outerTheta = theta;
  const reversedInput = outerInputs.some((x) => x.reverse && !layerAt.has(x.index));
  if (outer.cells.length > 0 || reversedInput) {
    const rev = graph.reportTime === 'original' ? reversedNodes(graph) : new Set<string>();
    const got = hooks.scanStep(main, outer, outerTheta, {
      feeds: seq, B, initialInputs, outputs: outerWanted, reverseOutputs: rev, outputName: (id) => `${id}#seq`, bodyPrefix: 'outer/',
    });
    for (const id of outerWanted) value.set(id, got.get(id)!);
    ops.push('Scan');
    stateInputs.unshift(...outer.cells.map((i) => ({ name: outer.nodes[i].id, size: outer.nodes[i].size })));
  } else if (outerWanted.length > 0) {
    // No state: every outer node is a function of the same step's inputs, computed for all steps at once
    // (readouts as torch writes nn.Linear, so that an import reads them back as heads).
    const val = new Map<number, string>();
    for (const x of outerInputs) val.set(x.index, seq.get(x.index)!);
    const steps = outer.order.map((i) => outer.nodes[i]).filter((n) => n.kind !== 'loss');
    if (steps.every(isDenseHead)) {
      for (const n of steps) val.set(n.index, denseHead(main, n, val.get(n.inEdges[0].source)!, outer.nodes[n.inEdges[0].source].size, outerTheta));
    } else {
      hooks.stepBody(outer, outerTheta, main, val);
    }
    for (const id of outerWanted) value.set(id, val.get(outer.byId.get(id)!)!);
  }
  for (const id of outIds) main.node('Identity', [value.get(id)!], id, {}, id);
  const sizeOf = (id: string): number => pub.nodes[pub.byId.get(id)!].size;
  const g: OnnxGraph = {
    name: graph.name ?? 'cellwright',
    nodes: main.nodes,
    initializers: main.inits,
    inputs: [...inputs.map((x) => f32(x.id, ['T', 'B', x.size])), ...(initialInputs ? stateInputs.map((s) => f32(`${s.name}.initial`, ['B', s.size])) : [])],
    outputs: outIds.map((id) => f32(id, ['T', 'B', sizeOf(id)])),
  };
  return { graph: g, inputs: g.inputs.map((v) => v.name), outputs: outIds, ops, fused: allFused && outer.cells.length === 0 && !reversedInput };
}

/** One fused LSTM/GRU/RNN node for all copies of a layer; returns its output [T, B, D·H]. */
function fusedLayerNode(em: Emitter, L: CompiledLayer, ls: Layer[], theta: Arr, B: string, initialInputs: boolean, X: string): string {
  const [a] = ls;
  const D = ls.length;
  const H = a.h.size;
  const I = a.x.size;
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[a.op];
  const cat = (f: (l: Layer) => number[]): number[] => ls.flatMap(f);
  const initial = (cell: (l: Layer) => CNode): string => {
    const cells = ls.map(cell);
    // Zeros are ONNX's default: leave the input out.
    if (!initialInputs && !cells.some((c) => c.init)) return '';
    const parts = ls.map((l, d) => initialState(em, cell(l), copyTheta(theta, L.copies[d]), initialInputs, B, 1, `${L.copies[d].prefix}${cell(l).id}`));
    return parts.length === 1 ? parts[0] : em.node('Concat', parts, `${L.id}.initial`, { axis: { type: 'int', i: 0 } });
  };
  const ins = [X, em.const('W', [D, G * H, I], cat((l) => l.W)), em.const('R', [D, G * H, H], cat((l) => l.R)), em.const('B', [D, 2 * G * H], cat((l) => l.B)), '', initial((l) => l.h)];
  if (a.op === 'LSTM') {
    ins.push(initial((l) => l.c!));
    if (ls.some((l) => l.P)) ins.push(em.const('P', [D, 3 * H], cat((l) => l.P ?? new Array<number>(3 * H).fill(0))));
  }
  const direction = D === 2 ? 'bidirectional' : L.direction;
  const attrs: Record<string, AttrValue> = {
    hidden_size: { type: 'int', i: H },
    activations: { type: 'strings', strings: ls.flatMap((l) => l.activations) },
    direction: { type: 'string', s: direction },
  };
  if (a.op === 'LSTM' && a.inputForget) attrs.input_forget = { type: 'int', i: 1 };
  if (a.op === 'GRU') attrs.linear_before_reset = { type: 'int', i: a.linearBeforeReset ? 1 : 0 };
  while (ins[ins.length - 1] === '') ins.pop();
  const Y = em.tmp(`${L.id}.Y`);
  em.nodes.push({ name: `${a.op}:${L.id}`, opType: a.op, domain: '', inputs: ins, outputs: [Y], attributes: new Map(Object.entries(attrs)) });
  if (D === 1) return em.node('Squeeze', [Y, em.const('axis1', [1], [1], DT.INT64)], L.id);
  // [T, 2, B, H] → [T, B, 2, H] → [T, B, 2H]: forward half first.
  const t = em.node('Transpose', [Y], L.id, { perm: { type: 'ints', ints: [0, 2, 1, 3] } });
  return em.node('Reshape', [t, em.const('shape', [3], [0, 0, -1], DT.INT64)], L.id);
}
