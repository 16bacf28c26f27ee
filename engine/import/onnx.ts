/**
 * ONNX → Cellwright graph. The ONNX graph is evaluated symbolically, node by
 * node: constants fold, shapes stay symbolic in T and B, and every tensor that
 * varies over time becomes a node of the step graph (a "stream"). LSTM, GRU
 * and RNN become named gates (engine/import/recurrent.ts); the ops
 * torch.onnx.export writes around them (Squeeze, Transpose, Linear heads as
 * MatMul+Add or Gemm, activations, h0 built from Shape/ConstantOfShape) map
 * onto gates and ops. Whatever has no exact counterpart is refused, naming the
 * ONNX node, its op and the attribute or input.
 */
import { problem } from '../errors.ts';
import type { Activation, Graph, GraphEdge, GraphNode } from '../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../format/types.ts';
import type { AttrValue, OnnxModel, OnnxNode, OnnxTensor } from './onnx-proto.ts';
import { decodeModel } from './onnx-proto.ts';
import { WireError } from './protobuf.ts';
import type { ActSpec, LayerSpec, Mat, RecurrentOp } from './recurrent.ts';
import { ACT_DEFAULTS, buildLayer, GraphDraft, layerWidth, ONNX_ACTIVATIONS, spread } from './recurrent.ts';
import type { ImportResult, MappingEntry } from './types.ts';
import { ImportError } from './types.ts';

/** Axis tags of a stream: time, batch, features, directions, a unit axis. */
type Axis = 'T' | 'B' | 'F' | 'D' | '1';
type Sym = number | string;

type Val =
  | { k: 'const'; dims: number[]; data: Float64Array }
  /** A 0-d or 1-d integer tensor whose entries may be symbolic (T, B of an input). */
  | { k: 'shape'; scalar: boolean; vals: Sym[] }
  /** Zeros of a symbolic shape (torch's default h0). */
  | { k: 'zeros'; dims: Sym[] }
  /** A graph input not yet bound: `perm[k]` is the original axis now at k; `first`/`count` a slice of axis 0. */
  | { k: 'ginput'; name: string; rank: number; perm: number[]; first: number; count: number }
  /**
   * A value computed at every step (`all`) or after the last step (`final`),
   * `wire[d]` the node to read for direction/layer d, `report[d]` the node to name.
   */
  | { k: 'stream'; axes: Axis[]; wire: string[]; report: string[]; size: number; step: 'all' | 'final'; merged?: { node: string; size: number } }

  /**
   * Initial states [D, B, H] assembled from model inputs [B, H] (Unsqueeze, then Concat over the
   * directions), as `cellwright export onnx --initial-states` writes them: part d is input `name`.
   */
  | { k: 'states'; parts: { name: string; index: number }[] };

type Stream = Extract<Val, { k: 'stream' }>;

const ACTIVATIONS: Record<string, Activation> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softplus: 'softplus' };
const DEFAULT_ACTS: Record<RecurrentOp, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };
const GATES: Record<RecurrentOp, number> = { LSTM: 4, GRU: 3, RNN: 1 };

function fmt(a: AttrValue): string {
  switch (a.type) {
    case 'float': return String(a.f);
    case 'int': return String(a.i);
    case 'string': return JSON.stringify(a.s);
    case 'floats': return `[${a.floats.join(', ')}]`;
    case 'ints': return `[${a.ints.join(', ')}]`;
    case 'strings': return `[${a.strings.map((s) => JSON.stringify(s)).join(', ')}]`;
    default: return a.type;
  }
}

class Importer {
  private vals = new Map<string, Val>();
  private d = new GraphDraft();
  // Keyed by the model's tensor names, which may be "__proto__": no prototype to write through.
  private inputs: Record<string, MappingEntry[]> = Object.create(null) as Record<string, MappingEntry[]>;
  private outputs: Record<string, MappingEntry[]> = Object.create(null) as Record<string, MappingEntry[]>;
  private inputAxes = new Map<string, string>();
  private inputNode = new Map<string, string>();
  private direction: 'forward' | 'reverse' | undefined;
  private layers = 0;
  private uses = new Map<string, number>();
  /** Gates created for one tensor that a following Add/activation may still complete. */
  private fresh = new Map<string, string>();
  private col = 0;
  private multiLayer: boolean;
  private bidiLayers = 0;

  constructor(private model: OnnxModel, private file: string) {
    const g = model.graph;
    for (const n of g.nodes) for (const i of n.inputs) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const o of g.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1);
    this.multiLayer = g.nodes.filter((n) => n.opType in GATES).length > 1;
  }

  private nodeName(n: OnnxNode): string {
    return n.name || n.outputs[0] || n.opType;
  }
  private fail(n: OnnxNode, why: string): never {
    throw new ImportError(problem('CW201', { node: this.nodeName(n), op: n.opType, why }, { path: `graph.node["${this.nodeName(n)}"]` }));
  }
  private failAttr(n: OnnxNode, attribute: string, value: string, why: string): never {
    throw new ImportError(problem('CW202', { node: this.nodeName(n), op: n.opType, attribute, value, why }, { path: `graph.node["${this.nodeName(n)}"].attribute["${attribute}"]` }));
  }
  private failInput(n: OnnxNode, input: string, why: string): never {
    throw new ImportError(problem('CW203', { node: this.nodeName(n), op: n.opType, input, why }, { path: `graph.node["${this.nodeName(n)}"].input["${input}"]` }));
  }

  private attrInt(n: OnnxNode, name: string, def: number): number {
    const a = n.attributes.get(name);
    if (!a) return def;
    if (a.type !== 'int') this.failAttr(n, name, fmt(a), 'expected an integer');
    return a.i;
  }
  private attrInts(n: OnnxNode, name: string): number[] | undefined {
    const a = n.attributes.get(name);
    if (!a) return undefined;
    if (a.type !== 'ints') this.failAttr(n, name, fmt(a), 'expected a list of integers');
    return a.ints;
  }

  private get(n: OnnxNode, k: number): Val | undefined {
    const name = n.inputs[k];
    if (name === undefined || name === '') return undefined;
    const v = this.vals.get(name);
    if (!v) this.fail(n, `input "${name}" is not produced by any earlier node, initializer or graph input`);
    return v;
  }
  private need(n: OnnxNode, k: number, what: string): Val {
    const v = this.get(n, k);
    if (!v) this.failInput(n, what, 'is required');
    return v;
  }
  private constOf(n: OnnxNode, k: number, what: string): Extract<Val, { k: 'const' }> {
    const v = this.need(n, k, what);
    if (v.k === 'shape' && v.vals.every((x) => typeof x === 'number')) return { k: 'const', dims: v.scalar ? [] : [v.vals.length], data: Float64Array.from(v.vals as number[]) };
    if (v.k !== 'const') this.failInput(n, what, 'must be a constant (an initializer or a Constant node)');
    return v;
  }
  private set(n: OnnxNode, k: number, v: Val): void {
    if (n.outputs[k]) this.vals.set(n.outputs[k], v);
  }

  run(): ImportResult {
    const g = this.model.graph;
    for (const t of g.initializers) this.vals.set(t.name, { k: 'const', dims: t.dims, data: t.data });
    for (const i of g.inputs) {
      if (this.vals.has(i.name)) continue;
      const rank = i.shape?.length ?? 3;
      this.vals.set(i.name, { k: 'ginput', name: i.name, rank, perm: Array.from({ length: rank }, (_, k) => k), first: 0, count: i.shape?.[0]?.value ?? Infinity });
    }
    for (const n of g.nodes) this.step(n);
    for (const o of g.outputs) {
      const v = this.vals.get(o.name);
      if (!v || v.k !== 'stream') continue;
      this.outputs[o.name] = v.report.map((node) => ({ node, step: v.step }));
      // Axes are named only where they differ from the usual order for the rank ([T, (D,) B, F], [(D,) B, F]).
      const axes = v.axes.join('');
      const usual = v.step === 'all' ? (axes.length === 4 ? 'TDBF' : 'TBF') : (axes.length === 3 ? 'DBF' : 'BF');
      if (axes !== usual) for (const e of this.outputs[o.name]) e.axes = axes;
    }
    this.addLoss(g.outputs.map((o) => this.vals.get(o.name)));
    if (this.layers === 0) throw new ImportError(problem('CW201', { node: g.name || 'graph', op: 'graph', why: 'the model has no LSTM, GRU or RNN node' }, { path: 'graph' }));
    for (const [name, axes] of this.inputAxes) if (axes !== 'TBF') for (const e of this.inputs[name]) if (e.as === 'input') e.axes = axes;
    spread(this.d.nodes);
    const graph: Graph = {
      format: GRAPH_FORMAT,
      version: GRAPH_VERSION,
      name: `${[...new Set(g.nodes.filter((n) => n.opType in GATES).map((n) => n.opType))].join(' + ')}${this.layers > 1 ? ` × ${this.layers} layers` : ''} from ${this.file}`,
      description: `Imported from ${this.file}${this.model.producerName ? ` (written by ${this.model.producerName})` : ''}.`,
      nodes: this.d.nodes,
      edges: this.d.edges,
      parameters: this.d.parameters,
    };
    if (this.direction === 'reverse') graph.reportTime = 'original';
    return { graph, inputs: this.inputs, outputs: this.outputs };
  }

  /**
   * An imported graph trains like any other: an MSE loss against a target
   * stream reads the model's first output (every step, or the last).
   */
  private addLoss(outs: (Val | undefined)[]): void {
    // The first output a loss can read: one node, or a bidirectional layer's whole output.
    const readable = (v: Val | undefined): { node: string; size: number; step: 'all' | 'final' } | undefined => {
      if (v?.k !== 'stream') return undefined;
      if (v.wire.length === 1 && v.wire[0] !== '') return { node: v.wire[0], size: v.size, step: v.step };
      return v.merged && v.step === 'all' ? { node: v.merged.node, size: v.merged.size, step: 'all' } : undefined;
    };
    const first = outs.map(readable).find((x) => x !== undefined);
    if (!first) return;
    const x = Math.round((this.col + 1.3) * 200);
    const target = this.d.uid('target');
    const loss = this.d.uid('loss');
    this.d.add({ id: target, kind: 'target', size: first.size, position: { x, y: 420 }, label: 'target' });
    this.d.add({ id: loss, kind: 'loss', loss: 'mse', steps: first.step === 'all' ? 'all' : 'last', position: { x: x + 200, y: 300 } });
    this.d.edge(first.node, loss, 'identity', undefined, { port: 'prediction' });
    this.d.edge(target, loss, 'identity', undefined, { port: 'target' });
  }

  private step(n: OnnxNode): void {
    if (n.domain !== '' && n.domain !== 'ai.onnx') this.fail(n, `operator domain "${n.domain}" is not supported (only the default ONNX domain)`);
    switch (n.opType) {
      case 'LSTM': case 'GRU': case 'RNN': return this.recurrent(n, n.opType);
      case 'Constant': return this.constant(n);
      case 'Identity': case 'Dropout': return this.set(n, 0, this.need(n, 0, 'input'));
      case 'Cast': return this.set(n, 0, this.need(n, 0, 'input'));
      case 'Shape': return this.shape(n);
      case 'Gather': return this.gather(n);
      case 'Unsqueeze': return this.unsqueeze(n);
      case 'Squeeze': return this.squeeze(n);
      case 'Concat': return this.concat(n);
      case 'Slice': return this.slice(n);
      case 'ConstantOfShape': return this.constantOfShape(n);
      case 'ConstantFill': return this.constantFill(n);
      case 'Expand': return this.expand(n);
      case 'Transpose': return this.transpose(n);
      case 'Reshape': return this.reshape(n);
      case 'MatMul': return this.matmul(n);
      case 'Gemm': return this.gemm(n);
      case 'Add': case 'Mul': case 'Sub': case 'Div': return this.binary(n);
      case 'Sigmoid': case 'Tanh': case 'Relu': case 'Softplus': return this.activation(n, ACTIVATIONS[n.opType.toLowerCase()]);
      case 'LeakyRelu': return this.fixedActivation(n, 'alpha', 0.01, 'leaky_relu');
      case 'Elu': return this.fixedActivation(n, 'alpha', 1, 'elu');
      case 'Sin': return this.activation(n, 'sin');
      case 'Exp': case 'Log': case 'Neg': case 'Softmax': case 'LogSoftmax': return this.unary(n);
      default: return this.fail(n, `operator ${n.opType} is not supported`);
    }
  }

  // ── constants and shapes ──────────────────────────────────────────────

  private constant(n: OnnxNode): void {
    const [name, a] = [...n.attributes.entries()][0] ?? ['value', undefined];
    if (!a) this.fail(n, 'has no value');
    if (a.type === 'tensor') return this.set(n, 0, { k: 'const', dims: a.t.dims, data: a.t.data });
    if (a.type === 'float') return this.set(n, 0, { k: 'const', dims: [], data: Float64Array.of(a.f) });
    if (a.type === 'int') return this.set(n, 0, { k: 'const', dims: [], data: Float64Array.of(a.i) });
    if (a.type === 'floats') return this.set(n, 0, { k: 'const', dims: [a.floats.length], data: Float64Array.from(a.floats) });
    if (a.type === 'ints') return this.set(n, 0, { k: 'const', dims: [a.ints.length], data: Float64Array.from(a.ints) });
    this.failAttr(n, name, fmt(a), 'a Constant of this kind is not supported');
  }

  private shape(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    let vals: Sym[];
    if (v.k === 'const') vals = [...v.dims];
    else if (v.k === 'zeros') vals = [...v.dims];
    else if (v.k === 'ginput') vals = v.perm.map((p) => `${v.name}[${p}]`);
    else if (v.k === 'stream') vals = v.axes.map((a) => (a === 'F' ? v.size : a === 'D' ? v.wire.length : a === '1' ? 1 : a));
    else return this.fail(n, 'Shape of a shape is not supported');
    const start = this.attrInt(n, 'start', 0);
    const end = n.attributes.has('end') ? this.attrInt(n, 'end', vals.length) : vals.length;
    this.set(n, 0, { k: 'shape', scalar: false, vals: vals.slice(start < 0 ? start + vals.length : start, end < 0 ? end + vals.length : end) });
  }

  private symList(n: OnnxNode, k: number, what: string): Sym[] {
    const v = this.need(n, k, what);
    if (v.k === 'shape') return v.vals;
    if (v.k === 'const') return Array.from(v.data);
    return this.failInput(n, what, 'must be a constant list of integers');
  }

  private axesArg(n: OnnxNode, k: number): number[] | undefined {
    const a = this.attrInts(n, 'axes');
    if (a) return a;
    const v = this.get(n, k);
    if (!v) return undefined;
    return this.symList(n, k, 'axes').map((x) => (typeof x === 'number' ? x : this.failInput(n, 'axes', 'must be constant')));
  }

  private gather(n: OnnxNode): void {
    const data = this.need(n, 0, 'data');
    const idx = this.constOf(n, 1, 'indices');
    const axis = this.attrInt(n, 'axis', 0);
    if (data.k === 'shape') {
      const pick = (i: number): Sym => data.vals[i < 0 ? i + data.vals.length : i];
      if (idx.dims.length === 0) return this.set(n, 0, { k: 'shape', scalar: true, vals: [pick(idx.data[0])] });
      return this.set(n, 0, { k: 'shape', scalar: false, vals: Array.from(idx.data, pick) });
    }
    if (data.k === 'const') {
      const ax = axis < 0 ? axis + data.dims.length : axis;
      const outer = data.dims.slice(0, ax).reduce((a, b) => a * b, 1);
      const len = data.dims[ax];
      const inner = data.dims.slice(ax + 1).reduce((a, b) => a * b, 1);
      const out = new Float64Array(outer * idx.data.length * inner);
      for (let o = 0; o < outer; o++) {
        idx.data.forEach((raw, j) => {
          const i = raw < 0 ? raw + len : raw;
          if (!(i >= 0 && i < len)) this.failInput(n, 'indices', `index ${raw} is out of range for a dimension of ${len}`);
          out.set(data.data.subarray((o * len + i) * inner, (o * len + i + 1) * inner), (o * idx.data.length + j) * inner);
        });
      }
      return this.set(n, 0, { k: 'const', dims: [...data.dims.slice(0, ax), ...idx.dims, ...data.dims.slice(ax + 1)], data: out });
    }
    if (data.k === 'stream') {
      const ax = axis < 0 ? axis + data.axes.length : axis;
      if (idx.dims.length !== 0) this.failInput(n, 'indices', 'only a single index is supported on a stream');
      const tag = data.axes[ax];
      const axes = data.axes.filter((_, k) => k !== ax);
      if (tag === 'D') {
        const i = idx.data[0] < 0 ? idx.data[0] + data.wire.length : idx.data[0];
        if (!(i >= 0 && i < data.wire.length)) this.failInput(n, 'indices', `index ${idx.data[0]} is out of range`);
        return this.set(n, 0, { ...data, axes, wire: [data.wire[i]], report: [data.report[i]] });
      }
      if (tag === '1') return this.set(n, 0, { ...data, axes });
      if (tag === 'T' && idx.data[0] === -1) return this.set(n, 0, { ...data, axes, step: 'final' });
      this.failAttr(n, 'axis', String(axis), `gathering along the ${tag === 'T' ? 'time axis (other than the last step, index -1)' : tag === 'B' ? 'batch axis' : 'feature axis'} is not supported`);
    }
    this.fail(n, 'Gather of this input is not supported');
  }

  private unsqueeze(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    const axes = this.axesArg(n, 1) ?? this.fail(n, 'has no axes');
    if (v.k === 'shape' && v.scalar && axes.length === 1) return this.set(n, 0, { k: 'shape', scalar: false, vals: v.vals });
    if (v.k === 'const') {
      const rank = v.dims.length + axes.length;
      const dims = [...v.dims];
      for (const a of [...axes].map((x) => (x < 0 ? x + rank : x)).sort((a, b) => a - b)) dims.splice(a, 0, 1);
      return this.set(n, 0, { k: 'const', dims, data: v.data });
    }
    if (v.k === 'stream') {
      const rank = v.axes.length + axes.length;
      const out: Axis[] = [...v.axes];
      for (const a of [...axes].map((x) => (x < 0 ? x + rank : x)).sort((a, b) => a - b)) out.splice(a, 0, '1');
      return this.set(n, 0, { ...v, axes: out });
    }
    // A model input [B, H] made [1, B, H]: one direction's initial state.
    if (v.k === 'ginput' && v.rank === 2 && v.perm.join() === '0,1' && v.first === 0 && axes.length === 1 && (axes[0] === 0 || axes[0] === -3)) {
      return this.set(n, 0, { k: 'states', parts: [{ name: v.name, index: 0 }] });
    }
    this.fail(n, 'Unsqueeze of this input is not supported');
  }

  private squeeze(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    const axes = this.axesArg(n, 1);
    if (v.k === 'const') {
      const rank = v.dims.length;
      const drop = new Set((axes ?? v.dims.flatMap((d, k) => (d === 1 ? [k] : []))).map((x) => (x < 0 ? x + rank : x)));
      return this.set(n, 0, { k: 'const', dims: v.dims.filter((_, k) => !drop.has(k)), data: v.data });
    }
    if (v.k === 'stream') {
      const rank = v.axes.length;
      const unit = (a: Axis): boolean => a === '1' || (a === 'D' && v.wire.length === 1);
      const drop = new Set((axes ?? v.axes.flatMap((a, k) => (unit(a) ? [k] : []))).map((x) => (x < 0 ? x + rank : x)));
      for (const k of drop) {
        if (!unit(v.axes[k])) {
          if (v.axes[k] === 'D') this.fail(n, 'squeezes the directions axis of a bidirectional (or stacked) output, which has 2 entries; only size-1 axes can be squeezed');
          this.failAttr(n, 'axes', `[${[...drop].join(', ')}]`, `axis ${k} is the ${v.axes[k] === 'T' ? 'time' : v.axes[k] === 'B' ? 'batch' : 'feature'} axis, not of size 1`);
        }
      }
      return this.set(n, 0, { ...v, axes: v.axes.filter((_, k) => !drop.has(k)) });
    }
    this.fail(n, 'Squeeze of this input is not supported');
  }

  private concat(n: OnnxNode): void {
    const parts = n.inputs.map((_, k) => this.need(n, k, `input ${k}`));
    const axis = this.attrInt(n, 'axis', 0);
    if (parts.every((p) => p.k === 'shape' || p.k === 'const')) {
      if (parts.every((p) => p.k === 'const')) {
        const cs = parts as Extract<Val, { k: 'const' }>[];
        const rank = cs[0].dims.length;
        const ax = axis < 0 ? axis + rank : axis;
        const outer = cs[0].dims.slice(0, ax).reduce((a, b) => a * b, 1);
        const dims = [...cs[0].dims];
        dims[ax] = cs.reduce((s, c) => s + c.dims[ax], 0);
        const out = new Float64Array(dims.reduce((a, b) => a * b, 1));
        let p = 0;
        for (let o = 0; o < outer; o++) for (const c of cs) {
          const chunk = c.data.length / outer;
          out.set(c.data.subarray(o * chunk, (o + 1) * chunk), p);
          p += chunk;
        }
        return this.set(n, 0, { k: 'const', dims, data: out });
      }
      const vals: Sym[] = [];
      for (const p of parts) vals.push(...(p.k === 'shape' ? p.vals : Array.from((p as Extract<Val, { k: 'const' }>).data)));
      return this.set(n, 0, { k: 'shape', scalar: false, vals });
    }
    if (parts.every((p) => p.k === 'stream')) {
      const ss = parts as Stream[];
      const ax = axis < 0 ? axis + ss[0].axes.length : axis;
      if (ss.every((s) => s.axes[ax] === 'D' && s.axes.join() === ss[0].axes.join() && s.step === ss[0].step && s.size === ss[0].size)) {
        return this.set(n, 0, { ...ss[0], wire: ss.flatMap((s) => s.wire), report: ss.flatMap((s) => s.report) });
      }
      this.failAttr(n, 'axis', String(axis), 'only concatenation of recurrent states along the directions/layers axis is supported');
    }
    if (parts.every((p) => p.k === 'zeros' || p.k === 'const')) return this.set(n, 0, { k: 'zeros', dims: [] });
    if (parts.every((p) => p.k === 'states')) {
      if (axis !== 0 && axis !== -3) this.failAttr(n, 'axis', String(axis), 'initial states are concatenated along the directions axis (0)');
      return this.set(n, 0, { k: 'states', parts: parts.flatMap((p) => (p as Extract<Val, { k: 'states' }>).parts) });
    }
    this.fail(n, 'Concat of these inputs is not supported');
  }

  private slice(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    let starts: number[]; let ends: number[]; let axes: number[] | undefined; let steps: number[] | undefined;
    if (n.attributes.has('starts')) {
      starts = this.attrInts(n, 'starts')!;
      ends = this.attrInts(n, 'ends') ?? this.fail(n, 'has no ends');
      axes = this.attrInts(n, 'axes');
    } else {
      const num = (k: number, what: string): number[] => this.symList(n, k, what).map((x) => (typeof x === 'number' ? x : this.failInput(n, what, 'must be constant')));
      starts = num(1, 'starts');
      ends = num(2, 'ends');
      axes = this.get(n, 3) ? num(3, 'axes') : undefined;
      steps = this.get(n, 4) ? num(4, 'steps') : undefined;
    }
    if (steps && steps.some((s) => s !== 1)) this.failInput(n, 'steps', 'only step 1 is supported');
    const ax = axes ?? starts.map((_, k) => k);
    const range = (s: number, e: number, len: number): [number, number] => {
      const c = (x: number): number => Math.max(0, Math.min(len, x < 0 ? x + len : x));
      return [c(s), Math.max(c(s), c(e))];
    };
    if (v.k === 'shape') {
      if (ax.length !== 1 || ax[0] !== 0) this.fail(n, 'slicing a shape along an axis other than 0');
      const [a, b] = range(starts[0], ends[0], v.vals.length);
      return this.set(n, 0, { k: 'shape', scalar: false, vals: v.vals.slice(a, b) });
    }
    if (v.k === 'zeros') return this.set(n, 0, v);
    if (v.k === 'ginput') {
      if (ax.length !== 1 || v.perm[ax[0]] !== 0) this.fail(n, 'slicing a graph input along an axis other than its first');
      const [a, b] = range(starts[0], ends[0], Number.isFinite(v.count) ? v.count : Number.MAX_SAFE_INTEGER);
      return this.set(n, 0, { ...v, first: v.first + a, count: b - a });
    }
    if (v.k === 'const') {
      let cur = v;
      ax.forEach((axis0, j) => {
        const axis = axis0 < 0 ? axis0 + cur.dims.length : axis0;
        const [a, b] = range(starts[j], ends[j], cur.dims[axis]);
        const outer = cur.dims.slice(0, axis).reduce((x, y) => x * y, 1);
        const inner = cur.dims.slice(axis + 1).reduce((x, y) => x * y, 1);
        const out = new Float64Array(outer * (b - a) * inner);
        for (let o = 0; o < outer; o++) out.set(cur.data.subarray((o * cur.dims[axis] + a) * inner, (o * cur.dims[axis] + b) * inner), o * (b - a) * inner);
        const dims = [...cur.dims];
        dims[axis] = b - a;
        cur = { k: 'const', dims, data: out };
      });
      return this.set(n, 0, cur);
    }
    if (v.k === 'stream') {
      let cur: Stream = v;
      ax.forEach((axis0, j) => {
        const axis = axis0 < 0 ? axis0 + cur.axes.length : axis0;
        const tag = cur.axes[axis];
        if (tag === 'D') {
          const [a, b] = range(starts[j], ends[j], cur.wire.length);
          cur = { ...cur, wire: cur.wire.slice(a, b), report: cur.report.slice(a, b) };
        } else if (tag === 'T' && starts[j] === -1 && cur.step === 'all') {
          cur = { ...cur, axes: cur.axes.map((x, k) => (k === axis ? '1' : x)), step: 'final' };
        } else if (tag === '1' && range(starts[j], ends[j], 1)[1] === 1) {
          // a no-op
        } else {
          this.failInput(n, 'starts', `slicing the ${tag === 'T' ? 'time' : tag === 'B' ? 'batch' : 'feature'} axis is not supported (only [-1:] on time, and the directions axis)`);
        }
      });
      return this.set(n, 0, cur);
    }
    this.fail(n, 'Slice of this input is not supported');
  }

  private constantOfShape(n: OnnxNode): void {
    const dims = this.symList(n, 0, 'input');
    const a = n.attributes.get('value');
    const value = a?.type === 'tensor' ? a.t.data[0] ?? 0 : 0;
    if (dims.every((d) => typeof d === 'number')) {
      const count = (dims as number[]).reduce((x, y) => x * y, 1);
      if (count > 1 << 24) this.failInput(n, 'input', `asks for ${count} values`);
      return this.set(n, 0, { k: 'const', dims: dims as number[], data: new Float64Array(count).fill(value) });
    }
    if (value !== 0) this.failAttr(n, 'value', String(value), 'only zeros are supported for a shape that depends on the input');
    this.set(n, 0, { k: 'zeros', dims });
  }

  /** ConstantFill (experimental, what torch writes at opset 7/8 for h0): a shape from the input or the `shape` attribute, filled with `value`. */
  private constantFill(n: OnnxNode): void {
    const v = n.attributes.get('value');
    const value = v?.type === 'float' ? v.f : 0;
    const dims: Sym[] = this.attrInt(n, 'input_as_shape', 0) ? this.symList(n, 0, 'input') : (this.attrInts(n, 'shape') ?? []);
    if (dims.every((d) => typeof d === 'number')) {
      const count = (dims as number[]).reduce((x, y) => x * y, 1);
      if (count > 1 << 24) this.failAttr(n, 'shape', `[${dims.join(', ')}]`, `asks for ${count} values`);
      return this.set(n, 0, { k: 'const', dims: dims as number[], data: new Float64Array(count).fill(value) });
    }
    if (value !== 0) this.failAttr(n, 'value', String(value), 'only zeros are supported for a shape that depends on the input');
    this.set(n, 0, { k: 'zeros', dims });
  }

  private expand(n: OnnxNode): void {
    const v = this.need(n, 0, 'input');
    const dims = this.symList(n, 1, 'shape');
    if ((v.k === 'const' && v.data.every((x) => x === 0)) || v.k === 'zeros') return this.set(n, 0, { k: 'zeros', dims });
    // A constant broadcast over a batch that the input decides (an exported learned initial state).
    if (v.k === 'const' && v.dims.slice(0, -1).every((d) => d === 1)) return this.set(n, 0, v);
    if (v.k === 'stream' && dims.every((d) => d === 1)) return this.set(n, 0, v);
    this.fail(n, 'Expand is supported only for zero initial states');
  }

  private transpose(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    const perm = this.attrInts(n, 'perm');
    const rank = v.k === 'stream' ? v.axes.length : v.k === 'ginput' ? v.perm.length : v.k === 'const' ? v.dims.length : 0;
    const p = perm ?? Array.from({ length: rank }, (_, k) => rank - 1 - k);
    if (p.length !== rank || [...p].sort((a, b) => a - b).some((x, k) => x !== k)) this.failAttr(n, 'perm', `[${p.join(', ')}]`, `not a permutation of ${rank} axes`);
    if (v.k === 'stream') return this.set(n, 0, { ...v, axes: p.map((k) => v.axes[k]) });
    if (v.k === 'ginput') return this.set(n, 0, { ...v, perm: p.map((k) => v.perm[k]) });
    if (v.k === 'zeros') return this.set(n, 0, v);
    if (v.k === 'const') {
      const dims = p.map((k) => v.dims[k]);
      const strides = v.dims.map((_, k) => v.dims.slice(k + 1).reduce((a, b) => a * b, 1));
      const out = new Float64Array(v.data.length);
      const idx = new Array<number>(rank).fill(0);
      for (let i = 0; i < out.length; i++) {
        let src = 0;
        for (let k = 0; k < rank; k++) src += idx[k] * strides[p[k]];
        out[i] = v.data[src];
        for (let k = rank - 1; k >= 0; k--) {
          if (++idx[k] < dims[k]) break;
          idx[k] = 0;
        }
      }
      return this.set(n, 0, { k: 'const', dims, data: out });
    }
    this.fail(n, 'Transpose of this input is not supported');
  }

  private reshape(n: OnnxNode): void {
    const v = this.need(n, 0, 'data');
    const shape = this.symList(n, 1, 'shape');
    if (v.k === 'const') {
      const dims = shape.map((s, k) => (s === 0 ? v.dims[k] : s)) as number[];
      const known = dims.filter((x) => x !== -1).reduce((a, b) => a * b, 1);
      return this.set(n, 0, { k: 'const', dims: dims.map((x) => (x === -1 ? v.data.length / known : x)), data: v.data });
    }
    if (v.k !== 'stream') return this.fail(n, 'Reshape of this input is not supported');
    // [.., D, F] → [.., D·F]: a bidirectional layer's two directions are its output (forward half first).
    const last2 = v.axes.slice(-2).join('');
    if (v.merged && last2 === 'DF' && shape.length === v.axes.length - 1 && (shape[shape.length - 1] === -1 || shape[shape.length - 1] === v.merged.size)) {
      return this.set(n, 0, { k: 'stream', axes: [...v.axes.slice(0, -2), 'F'], wire: [v.merged.node], report: [v.merged.node], size: v.merged.size, step: v.step });
    }
    // Only reshapes that add or drop unit axes (or merge a single direction) keep the stream's meaning.
    const size = (a: Axis): number => (a === 'F' ? v.size : a === 'D' ? v.wire.length : a === '1' ? 1 : NaN);
    const essential = v.axes.filter((a) => !(size(a) === 1));
    const out: (Axis | undefined)[] = shape.map((s, k) => {
      if (s === 0) return v.axes[k];
      if (s === -1) return undefined;
      if (s === 1) return '1';
      if (typeof s === 'string') return undefined;
      if (s === v.size) return 'F';
      return this.failInput(n, 'shape', `dimension ${s} would mix the ${v.axes.filter((a) => size(a) !== 1).join(', ')} axes (${v.wire.length > 1 ? 'a bidirectional or stacked output needs layers, not yet supported' : 'not supported'})`);
    });
    const missing = essential.filter((a) => !out.includes(a));
    const filled = out.map((a) => a ?? (missing.shift() ?? '1'));
    if (missing.length > 0 || filled.filter((a) => size(a) !== 1).join() !== essential.join()) {
      if (v.wire.length > 1) this.fail(n, 'merges the directions axis of a bidirectional output (with 2 directions) into the features: this needs layers, not yet supported');
      this.failInput(n, 'shape', 'the reshape reorders the time, batch and feature axes');
    }
    this.set(n, 0, { ...v, axes: filled });
  }

  // ── streams: heads and elementwise ops ────────────────────────────────

  private headId(n: OnnxNode): string {
    const parts = (n.name || '').split('/').filter((s) => s !== '');
    const wish = parts.length > 1 ? parts.slice(0, -1).join('_') : parts[0] ?? n.outputs[0] ?? 'dense';
    return this.d.uid(wish.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '') || 'dense');
  }

  private streamIn(n: OnnxNode, k: number, what: string): Stream {
    const v = this.need(n, k, what);
    if (v.k === 'ginput') this.failInput(n, what, `the model input "${v.name}" reaches ${n.opType} before any recurrent node, which is not supported`);
    if (v.k !== 'stream') this.failInput(n, what, 'expected a value computed from the input sequence');
    if (v.wire.length !== 1) this.failInput(n, what, `holds ${v.wire.length} directions or layers; select one first, or merge a bidirectional output's directions into its features (Transpose + Reshape, as torch does)`);
    if (v.wire[0] === '') this.failInput(n, what, 'is a state inside a bidirectional layer, which only its output sequence leaves (docs/layers.md); read the layer\'s output instead');
    if (v.axes[v.axes.length - 1] !== 'F') this.failInput(n, what, 'its last axis is not the feature axis');
    return v;
  }

  /** A new gate reading `src` through a full matrix [N, K]. */
  private dense(n: OnnxNode, src: Stream, W: Mat, bias: Float64Array | undefined): void {
    const id = this.headId(n);
    const col = this.col + 0.3;
    // In line with what it reads, just right of it.
    const y = this.d.node(src.wire[0])?.position?.y ?? 120;
    const g: GraphNode = { id, kind: 'gate', size: W.rows, activation: 'identity', position: { x: Math.round(col * 200), y }, label: `${id} (${n.opType === 'Gemm' ? 'Linear' : n.opType})` };
    if (!bias) g.bias = false;
    this.d.add(g);
    this.d.edge(src.wire[0], id, 'full', { shape: [W.rows, W.cols], data: Array.from(W.data) });
    if (bias) this.d.bias(id, bias);
    this.col = col;
    this.fresh.set(n.outputs[0], id);
    this.set(n, 0, { k: 'stream', axes: src.axes, wire: [id], report: [id], size: W.rows, step: src.step });
  }

  private matmul(n: OnnxNode): void {
    const a = this.streamIn(n, 0, 'A');
    const b = this.constOf(n, 1, 'B');
    if (b.dims.length !== 2 || b.dims[0] !== a.size) this.failInput(n, 'B', `expected a [${a.size}, N] matrix, found [${b.dims.join(', ')}]`);
    const [K, N] = b.dims;
    const W = new Float64Array(N * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) W[j * K + i] = b.data[i * N + j];
    this.dense(n, a, { rows: N, cols: K, data: W }, undefined);
  }

  private gemm(n: OnnxNode): void {
    const a = this.streamIn(n, 0, 'A');
    const b = this.constOf(n, 1, 'B');
    if (this.attrInt(n, 'transA', 0) !== 0) this.failAttr(n, 'transA', '1', 'the input cannot be transposed');
    const transB = this.attrInt(n, 'transB', 0) !== 0;
    const alpha = n.attributes.get('alpha')?.type === 'float' ? (n.attributes.get('alpha') as { f: number }).f : 1;
    const beta = n.attributes.get('beta')?.type === 'float' ? (n.attributes.get('beta') as { f: number }).f : 1;
    if (b.dims.length !== 2) this.failInput(n, 'B', 'must be a matrix');
    const [K, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    if (K !== a.size) this.failInput(n, 'B', `expected ${a.size} ${transB ? 'columns' : 'rows'}, found [${b.dims.join(', ')}]`);
    const W = new Float64Array(N * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) W[j * K + i] = alpha * (transB ? b.data[j * K + i] : b.data[i * N + j]);
    let bias: Float64Array | undefined;
    if (this.get(n, 2)) {
      const c = this.constOf(n, 2, 'C');
      if (c.data.length !== N && c.data.length !== 1) this.failInput(n, 'C', `expected ${N} values (one per output), found shape [${c.dims.join(', ')}]`);
      bias = Float64Array.from({ length: N }, (_, j) => beta * c.data[c.data.length === 1 ? 0 : j]);
    }
    this.dense(n, a, { rows: N, cols: K, data: W }, bias);
  }

  private binary(n: OnnxNode): void {
    const x = this.need(n, 0, 'A');
    const y = this.need(n, 1, 'B');
    if (x.k === 'const' && y.k === 'const') return this.set(n, 0, this.foldBinary(n, x, y));
    if (x.k === 'stream' && y.k === 'stream') {
      const a = this.streamIn(n, 0, 'A');
      const b = this.streamIn(n, 1, 'B');
      if (a.step !== b.step || a.size !== b.size || a.axes.join() !== b.axes.join()) this.fail(n, 'its two inputs do not have the same shape (broadcasting between streams is not supported)');
      const id = this.headId(n);
      this.col += 1.2;
      const ops: Record<string, 'add' | 'mul' | 'sub' | 'div'> = { Add: 'add', Mul: 'mul', Sub: 'sub', Div: 'div' };
      const op = ops[n.opType];
      this.d.add({ id, kind: 'op', op, position: { x: Math.round(this.col * 200), y: 240 }, label: `${n.opType} ${this.nodeName(n)}` });
      // sub and div read their inputs by slot.
      const slots = op === 'sub' || op === 'div';
      this.d.edge(a.wire[0], id, 'identity', undefined, slots ? { slot: 0 } : {});
      this.d.edge(b.wire[0], id, 'identity', undefined, slots ? { slot: 1 } : {});
      return this.set(n, 0, { ...a, wire: [id], report: [id] });
    }
    const [s, c, sIdx] = x.k === 'stream' ? [x, y, 0] : [y, x, 1];
    if (s.k !== 'stream' || c.k !== 'const') return this.fail(n, `${n.opType} of these inputs is not supported`);
    const st = this.streamIn(n, sIdx, sIdx === 0 ? 'A' : 'B');
    if (c.dims.some((d, k) => d !== 1 && !(k === c.dims.length - 1 && d === st.size))) this.failInput(n, sIdx === 0 ? 'B' : 'A', `shape [${c.dims.join(', ')}] does not broadcast over the features only`);
    const vec = c.data.length === 1 ? new Float64Array(st.size).fill(c.data[0]) : c.data;
    let op = n.opType;
    let v = vec;
    if (op === 'Sub') {
      if (sIdx !== 0) this.fail(n, 'constant − stream is not supported');
      op = 'Add';
      v = v.map((z) => -z);
    } else if (op === 'Div') {
      if (sIdx !== 0) this.fail(n, 'constant ÷ stream is not supported');
      op = 'Mul';
      v = v.map((z) => 1 / z);
    }
    const freshGate = this.fresh.get(n.inputs[sIdx]);
    const fg = freshGate ? this.d.node(freshGate) : undefined;
    if (op === 'Add' && fg && fg.kind === 'gate' && fg.bias === false && (this.uses.get(n.inputs[sIdx]) ?? 0) === 1) {
      delete fg.bias;
      this.d.bias(fg.id, v);
      if (fg.label?.endsWith('(MatMul)')) fg.label = `${fg.id} (Linear)`;
      this.fresh.set(n.outputs[0], fg.id);
      return this.set(n, 0, st);
    }
    const id = this.headId(n);
    this.col += 1.2;
    const g: GraphNode = { id, kind: 'gate', size: st.size, activation: 'identity', position: { x: Math.round(this.col * 200), y: 240 }, label: `${op === 'Add' ? '+ b' : '× w'} ${this.nodeName(n)}` };
    if (op === 'Add') {
      this.d.add(g);
      this.d.edge(st.wire[0], id, 'identity');
      this.d.bias(id, v);
    } else {
      g.bias = false;
      this.d.add(g);
      if (c.data.length === 1) this.d.edge(st.wire[0], id, 'scalar', { shape: [1], data: [v[0]] });
      else this.d.edge(st.wire[0], id, 'diagonal', { shape: [st.size], data: Array.from(v) });
    }
    this.fresh.set(n.outputs[0], id);
    this.set(n, 0, { ...st, wire: [id], report: [id] });
  }

  private foldBinary(n: OnnxNode, a: Extract<Val, { k: 'const' }>, b: Extract<Val, { k: 'const' }>): Val {
    const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => x / y }[n.opType as 'Add'];
    if (a.data.length === b.data.length) return { k: 'const', dims: a.dims.length >= b.dims.length ? a.dims : b.dims, data: a.data.map((x, i) => f(x, b.data[i])) };
    if (b.data.length === 1) return { k: 'const', dims: a.dims, data: a.data.map((x) => f(x, b.data[0])) };
    if (a.data.length === 1) return { k: 'const', dims: b.dims, data: b.data.map((y) => f(a.data[0], y)) };
    return this.fail(n, 'broadcasting between constants of different shapes is not supported');
  }

  /** An activation op whose attribute must have the one value the graph format's activation has. */
  private fixedActivation(n: OnnxNode, attr: string, value: number, act: Activation): void {
    const a = n.attributes.get(attr);
    const v = a?.type === 'float' ? a.f : value;
    if (Math.abs(v - value) > 1e-7) this.failAttr(n, attr, String(v), `the graph format's ${act} has ${attr} ${value}`);
    this.activation(n, act);
  }

  /** Elementwise ops and softmax over the features: op nodes (LogSoftmax as softmax then log). */
  private unary(n: OnnxNode): void {
    const s = this.streamIn(n, 0, 'input');
    if (n.opType === 'Softmax' || n.opType === 'LogSoftmax') {
      // Opset 13+: axis defaults to -1; before, to 1 with the input flattened from it, the same for [B, F].
      const axis = this.attrInt(n, 'axis', -1);
      const ax = axis < 0 ? axis + s.axes.length : axis;
      if (s.axes[ax] !== 'F' && !(s.axes.slice(ax).every((t) => t === 'F' || t === '1'))) this.failAttr(n, 'axis', String(axis), 'softmax is over the features only');
    }
    const ops = { Exp: ['exp'], Log: ['log'], Neg: ['neg'], Softmax: ['softmax'], LogSoftmax: ['softmax', 'log'] }[n.opType as 'Exp'] as ('exp' | 'log' | 'neg' | 'softmax')[];
    let src = s.wire[0];
    for (const op of ops) {
      const id = this.headId(n);
      this.col += 1.2;
      const y = this.d.node(src)?.position?.y ?? 240;
      this.d.add({ id, kind: 'op', op, position: { x: Math.round(this.col * 200), y }, label: `${op} (${n.opType})` });
      this.d.edge(src, id, 'identity');
      src = id;
    }
    this.set(n, 0, { ...s, wire: [src], report: [src] });
  }

  private activation(n: OnnxNode, act: Activation): void {
    const s = this.streamIn(n, 0, 'X');
    const fresh = this.fresh.get(n.inputs[0]);
    const g = fresh ? this.d.node(fresh) : undefined;
    if (g && g.kind === 'gate' && g.activation === 'identity' && (this.uses.get(n.inputs[0]) ?? 0) === 1) {
      g.activation = act;
      g.label = `${g.label ?? g.id} → ${n.opType.toLowerCase()}`;
      return this.set(n, 0, s);
    }
    const id = this.headId(n);
    this.col += 1.2;
    this.d.add({ id, kind: 'gate', size: s.size, activation: act, bias: false, position: { x: Math.round(this.col * 200), y: 240 }, label: `${n.opType} ${this.nodeName(n)}` });
    this.d.edge(s.wire[0], id, 'identity');
    this.fresh.set(n.outputs[0], id);
    this.set(n, 0, { ...s, wire: [id], report: [id] });
  }

  // ── the recurrent ops ─────────────────────────────────────────────────

  private recurrent(n: OnnxNode, op: RecurrentOp): void {
    const G = GATES[op];
    for (const [name, a] of n.attributes) {
      const known = ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout', ...(op === 'LSTM' ? ['input_forget'] : []), ...(op === 'GRU' ? ['linear_before_reset'] : [])];
      if (!known.includes(name)) this.failAttr(n, name, fmt(a), `${op} has no such attribute`);
    }
    const dirAttr = n.attributes.get('direction');
    const direction = dirAttr ? (dirAttr.type === 'string' ? dirAttr.s : this.failAttr(n, 'direction', fmt(dirAttr), 'expected a string')) : 'forward';
    if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') this.failAttr(n, 'direction', JSON.stringify(direction), 'expected "forward", "reverse" or "bidirectional"');
    const bidi = direction === 'bidirectional';
    const D = bidi ? 2 : 1;
    if (bidi && this.direction === 'reverse') this.failAttr(n, 'direction', '"bidirectional"', 'an earlier recurrent node runs in reverse (on a reversed input); a bidirectional layer reads the input in data order');
    if (!bidi && this.direction && this.direction !== direction) this.failAttr(n, 'direction', JSON.stringify(direction), `an earlier recurrent node runs ${this.direction}; mixing forward and reverse single-direction nodes is not supported (export them as one bidirectional node)`);
    if (direction === 'reverse' && this.bidiLayers > 0) this.failAttr(n, 'direction', '"reverse"', 'a reverse node after a bidirectional one would reverse the input the bidirectional layer reads');
    const layout = this.attrInt(n, 'layout', 0);
    if (layout !== 0 && layout !== 1) this.failAttr(n, 'layout', String(layout), 'expected 0 or 1');
    const clip = n.attributes.get('clip');
    const inputForget = op === 'LSTM' && this.attrInt(n, 'input_forget', 0) !== 0;
    const lbr = op === 'GRU' && this.attrInt(n, 'linear_before_reset', 0) !== 0;

    const W = this.constOf(n, 1, 'W');
    const R = this.constOf(n, 2, 'R');
    if (W.dims.length !== 3 || W.dims[0] !== D) this.failInput(n, 'W', `expected shape [${D}, ${G}·hidden_size, input_size] (direction ${direction}), found [${W.dims.join(', ')}]`);
    const H = W.dims[1] / G;
    const hsAttr = this.attrInt(n, 'hidden_size', H);
    if (!Number.isInteger(H) || hsAttr !== H) this.failAttr(n, 'hidden_size', String(hsAttr), `W has ${W.dims[1]} rows, which is not ${G} × hidden_size`);
    const I = W.dims[2];
    if (R.dims.join() !== [D, G * H, H].join()) this.failInput(n, 'R', `expected shape [${D}, ${G * H}, ${H}], found [${R.dims.join(', ')}]`);
    const Wbs: (Float64Array | undefined)[] = [undefined, undefined];
    const Rbs: (Float64Array | undefined)[] = [undefined, undefined];
    if (this.get(n, 3)) {
      const B = this.constOf(n, 3, 'B');
      if (B.dims.join() !== [D, 2 * G * H].join()) this.failInput(n, 'B', `expected shape [${D}, ${2 * G * H}], found [${B.dims.join(', ')}]`);
      for (let d = 0; d < D; d++) {
        Wbs[d] = B.data.slice(2 * G * H * d, 2 * G * H * d + G * H);
        Rbs[d] = B.data.slice(2 * G * H * d + G * H, 2 * G * H * (d + 1));
      }
    }
    const [Wb, Rb] = [Wbs[0], Rbs[0]];
    let mask: string | undefined;
    const lens = this.get(n, 4);
    if (lens) {
      // A 0/1 stream, 1 while t < length: the state is held and Y is zero where it is 0. Read in the
      // layer's step order, a reverse pass holds its initial state over the padding and so starts at
      // each sequence's own last step, as the spec says.
      const name = n.inputs[4];
      if (lens.k !== 'const' && lens.k !== 'ginput') this.failInput(n, 'sequence_lens', 'must be a model input or a constant');
      if (lens.k === 'const' && (lens.dims.length !== 1 || lens.data.some((v) => !Number.isInteger(v) || v < 0))) {
        this.failInput(n, 'sequence_lens', `a constant must be a list of lengths (non-negative integers, one per sequence), found shape [${lens.dims.join(', ')}]${lens.data.length ? `, first ${lens.data[0]}` : ''}`);
      }
      mask = this.inputNode.get(`${name}\u0000mask`);
      if (!mask) {
        mask = this.d.uid('mask');
        this.d.add({ id: mask, kind: 'input', size: 1, position: { x: 0, y: 480 }, label: `step < ${name}`, ...(direction === 'reverse' ? { reverse: true } : {}) });
        this.inputNode.set(`${name}\u0000mask`, mask);
        this.inputs[name] = [{ node: mask, as: 'lengths', ...(lens.k === 'const' ? { lengths: Array.from(lens.data) } : {}) }];
      }
    }
    const Ps: (Float64Array | undefined)[] = [undefined, undefined];
    if (op === 'LSTM' && this.get(n, 7)) {
      const p = this.constOf(n, 7, 'P');
      if (p.dims.join() !== [D, 3 * H].join()) this.failInput(n, 'P', `expected shape [${D}, ${3 * H}], found [${p.dims.join(', ')}]`);
      // Peepholes on one direction only: both copies get the edges (zeros on the other), so they share one nested graph.
      if (p.data.some((x) => x !== 0)) for (let d = 0; d < D; d++) Ps[d] = p.data.slice(3 * H * d, 3 * H * (d + 1));
    }
    const P = Ps[0];

    // Activations (per direction; one direction here), consuming activation_alpha/beta in order.
    const actsAttr = n.attributes.get('activations');
    const actNames = actsAttr ? (actsAttr.type === 'strings' ? actsAttr.strings : this.failAttr(n, 'activations', fmt(actsAttr), 'expected a list of strings')) : DEFAULT_ACTS[op];
    const need = DEFAULT_ACTS[op].length;
    if (actsAttr && actNames.length < need * D) this.failAttr(n, 'activations', fmt(actsAttr!), `${op} needs ${need} activations per direction (${need * D} for ${direction})`);
    const floats = (name: string): number[] => {
      const a = n.attributes.get(name);
      if (!a) return [];
      if (a.type !== 'floats') this.failAttr(n, name, fmt(a), 'expected a list of floats');
      return a.floats;
    };
    const alphas = floats('activation_alpha');
    const betas = floats('activation_beta');
    let ia = 0;
    let ib = 0;
    const allActs: ActSpec[] = (actsAttr ? actNames : Array.from({ length: D }, () => actNames).flat()).slice(0, need * D).map((raw) => {
      const name = raw.toLowerCase();
      if (!ONNX_ACTIVATIONS.includes(name)) this.failAttr(n, 'activations', JSON.stringify(raw), `no activation ${raw} in the ONNX spec (${ONNX_ACTIVATIONS.length} are)`);
      const [da, db] = ACT_DEFAULTS[name] ?? [undefined, undefined];
      const spec: ActSpec = { name };
      if (da !== undefined) spec.alpha = ia < alphas.length ? alphas[ia++] : da;
      if (db !== undefined) spec.beta = ib < betas.length ? betas[ib++] : db;
      return spec;
    });
    const activations = allActs.slice(0, need);
    let clipValue: number | undefined;
    if (clip) {
      if (clip.type !== 'float' || !(clip.f > 0)) this.failAttr(n, 'clip', fmt(clip), 'expected a positive number');
      clipValue = clip.f;
    }

    // X: bind the graph input's axes, or read the previous layer.
    const X = this.need(n, 0, 'X');
    const want: Axis[] = layout === 0 ? ['T', 'B', 'F'] : ['B', 'T', 'F'];
    let source: string;
    if (X.k === 'ginput') {
      if (X.perm.length !== 3) this.failInput(n, 'X', `the model input "${X.name}" has ${X.perm.length} axes, expected 3`);
      const axes = new Array<Axis>(3);
      X.perm.forEach((orig, k) => { axes[orig] = want[k]; });
      let id = this.inputNode.get(X.name);
      if (!id) {
        // The first data input is x (a sequence_lens mask made before it does not count).
        id = this.d.uid([...this.inputNode.keys()].every((k) => k.endsWith('\u0000mask')) ? 'x' : X.name);
        this.d.add({ id, kind: 'input', size: I, position: { x: 0, y: 66 }, label: X.name, ...(direction === 'reverse' ? { reverse: true } : {}) });
        this.inputNode.set(X.name, id);
        this.inputAxes.set(X.name, axes.join(''));
        (this.inputs[X.name] ??= []).push({ node: id, as: 'input' });
      }
      source = id;
    } else if (X.k === 'stream') {
      const s = this.streamIn(n, 0, 'X');
      if (s.step !== 'all') this.failInput(n, 'X', 'is a final state, not a sequence');
      if (s.axes.join('') !== want.join('')) this.failInput(n, 'X', `has axes ${s.axes.join('')} but layout ${layout} reads ${want.join('')}`);
      if (s.size !== I) this.failInput(n, 'X', `has ${s.size} features but W expects ${I}`);
      source = s.wire[0];
      if (bidi && this.d.node(source)?.kind !== ('layer' as string)) this.failInput(n, 'X', 'a bidirectional layer reads the model input or another bidirectional layer\'s output (docs/layers.md), not the output of a single-direction node');
    } else {
      return this.failInput(n, 'X', 'must be the model input or the output of an earlier layer');
    }
    if (!bidi) this.direction = direction;

    const initial = (k: number, what: string, d = 0): { learned?: Float64Array; from?: { name: string; index: number } } => {
      const v = this.get(n, k);
      if (!v || v.k === 'zeros') return {};
      if (v.k === 'const') {
        if (v.data.every((x) => x === 0)) return {};
        const Bn = v.dims.length === 3 ? v.dims[layout === 0 ? 1 : 0] : 0;
        if (v.dims.length !== 3 || v.data.length !== D * Bn * H) this.failInput(n, what, `expected shape ${layout === 0 ? `[${D}, B, ${H}]` : `[B, ${D}, ${H}]`}, found [${v.dims.join(', ')}]`);
        const at = (b: number, j: number): number => v.data[(layout === 0 ? d * Bn + b : b * D + d) * H + j];
        const row = Float64Array.from({ length: H }, (_, j) => at(0, j));
        for (let b = 1; b < Bn; b++) for (let j = 0; j < H; j++) if (at(b, j) !== row[j]) this.failInput(n, what, 'a constant initial state that differs between sequences of the batch is not supported (give it as a model input instead)');
        return { learned: row };
      }
      if (v.k === 'ginput') {
        const expectPerm = layout === 0 ? [0, 1, 2] : [1, 0, 2];
        if (v.perm.join() !== expectPerm.join()) this.failInput(n, what, 'the model input is transposed before it reaches the recurrent node, which is not supported');
        return { from: { name: v.name, index: v.first + d } };
      }
      if (v.k === 'states') {
        if (v.parts.length !== D) this.failInput(n, what, `is assembled from ${v.parts.length} model input(s), but direction ${direction} needs ${D}`);
        if (layout !== 0) this.failInput(n, what, 'initial states assembled from [B, H] inputs need layout 0');
        return { from: v.parts[d] };
      }
      return this.failInput(n, what, 'must be a model input, a constant, or zeros');
    };
    const h0 = initial(5, 'initial_h');
    const c0 = op === 'LSTM' ? initial(6, 'initial_c') : {};

    if (bidi) return this.bidirectionalLayer(n, op, { I, H, G, W: W.data, R: R.data, Wbs, Rbs, Ps, acts: [allActs.slice(0, need), allActs.slice(need, 2 * need)], clip: clipValue, inputForget, lbr, source, layout, initial, mask });
    const suffix = this.multiLayer ? `_l${this.layers}` : '';
    const spec: LayerSpec = {
      op, suffix, source, inputSize: I, hidden: H,
      W: { rows: G * H, cols: I, data: W.data }, R: { rows: G * H, cols: H, data: R.data },
      Wb, Rb, P, activations, clip: clipValue, inputForget, linearBeforeReset: lbr,
      initialH: h0.learned, initialC: c0.learned, col: this.col, mask,
    };
    const out = buildLayer(this.d, spec);
    this.layers++;
    this.col += layerWidth(spec);
    const stateAxes = layout === 1 ? { axes: 'BDF' } : {};
    if (h0.from) ((this.inputs[h0.from.name] ??= [])[h0.from.index] = { node: out.h, as: 'initialState', ...stateAxes });
    if (c0.from && out.c) ((this.inputs[c0.from.name] ??= [])[c0.from.index] = { node: out.c, as: 'initialState', ...stateAxes });
    const yAxes: Axis[] = layout === 0 ? ['T', 'D', 'B', 'F'] : ['B', 'T', 'D', 'F'];
    const hAxes: Axis[] = layout === 0 ? ['D', 'B', 'F'] : ['B', 'D', 'F'];
    // With sequence_lens Y is zero past a sequence's end while the state is held: Y names the masked node.
    this.set(n, 0, { k: 'stream', axes: yAxes, wire: [out.out], report: [mask ? out.out : out.h], size: out.outSize, step: 'all' });
    this.set(n, 1, { k: 'stream', axes: hAxes, wire: [out.hNext], report: [out.h], size: out.outSize, step: 'final' });
    if (op === 'LSTM' && out.c) this.set(n, 2, { k: 'stream', axes: hAxes, wire: [out.cNext!], report: [out.c], size: H, step: 'final' });
  }

  /** A bidirectional node as a layer node (docs/layers.md): one nested step graph, forward and backward copies with their own weights. */
  private bidirectionalLayer(n: OnnxNode, op: RecurrentOp, a: {
    I: number; H: number; G: number; W: Float64Array; R: Float64Array; Wbs: (Float64Array | undefined)[]; Rbs: (Float64Array | undefined)[]; Ps: (Float64Array | undefined)[];
    acts: ActSpec[][]; clip: number | undefined; inputForget: boolean; lbr: boolean; source: string; layout: number;
    initial: (k: number, what: string, d?: number) => { learned?: Float64Array; from?: { name: string; index: number } };
    /** The sequence_lens mask input (outer node): a second port of the nested graph, reversed with the sequence for the backward copy. */
    mask?: string;
  }): void {
    const { I, H, G } = a;
    const lid = this.d.uid(`l${this.layers + 1}`);
    const h0 = [0, 1].map((d) => a.initial(5, 'initial_h', d));
    const c0 = [0, 1].map((d) => (op === 'LSTM' ? a.initial(6, 'initial_c', d) : {}));
    // Both copies share the nested graph: a learned initial state on one direction is a zero one on the other.
    const learned = (xs: { learned?: Float64Array }[], d: number): Float64Array | undefined => (xs.some((x) => x.learned) ? xs[d].learned ?? new Float64Array(H) : undefined);
    const copies = [0, 1].map((d) => {
      const nd = new GraphDraft();
      nd.add({ id: 'x', kind: 'input', size: I, position: { x: 0, y: 66 }, label: 'x_t' });
      if (a.mask) nd.add({ id: 'mask', kind: 'input', size: 1, position: { x: 0, y: 480 }, label: 'step < length' });
      const out = buildLayer(nd, {
        op, suffix: '', source: 'x', inputSize: I, hidden: H,
        W: { rows: G * H, cols: I, data: a.W.subarray(d * G * H * I, (d + 1) * G * H * I) },
        R: { rows: G * H, cols: H, data: a.R.subarray(d * G * H * H, (d + 1) * G * H * H) },
        Wb: a.Wbs[d], Rb: a.Rbs[d], P: a.Ps[d], activations: a.acts[d], clip: a.clip, inputForget: a.inputForget, linearBeforeReset: a.lbr,
        initialH: learned(h0, d), initialC: learned(c0, d), col: 0, ...(a.mask ? { mask: 'mask' } : {}),
      });
      spread(nd.nodes);
      return { nd, out };
    });
    const shape = (g: GraphDraft): string => JSON.stringify([g.nodes.map((x) => ({ ...x, position: undefined })), g.edges]);
    if (shape(copies[0].nd) !== shape(copies[1].nd)) this.failAttr(n, 'activations', JSON.stringify(a.acts.map((x) => x.map((y) => y.name))), 'the two directions use activations that build different step graphs; a layer\'s copies share one');
    const [fwd, bwd] = copies;
    for (const [k, v] of Object.entries(fwd.nd.parameters)) this.d.parameters[`layer:${lid}/${k}`] = v;
    for (const [k, v] of Object.entries(bwd.nd.parameters)) this.d.parameters[`layer:${lid}/reverse/${k}`] = v;
    const y = this.d.node(a.source)?.position?.y ?? 66;
    this.d.add({ id: lid, kind: 'layer', direction: 'bidirectional', output: fwd.out.out, graph: { name: `${op} (${this.nodeName(n)})`, nodes: fwd.nd.nodes, edges: fwd.nd.edges }, position: { x: Math.round((this.col + 1.3) * 200), y }, label: `bidirectional ${op} ${this.nodeName(n)}` } as unknown as GraphNode);
    // Edges into a layer name the nested input they feed (docs/layers.md), which the flat format's Port type does not know.
    const port = (p: string): Partial<GraphEdge> => ({ port: p } as unknown as Partial<GraphEdge>);
    this.d.edgeRaw(a.source, lid, 'identity', undefined, a.mask ? port('x') : {});
    if (a.mask) this.d.edgeRaw(a.mask, lid, 'identity', undefined, port('mask'));
    this.layers++;
    this.bidiLayers++;
    this.col += 2.2;
    const ids = (cell: string | undefined): string[] => (cell ? [`${lid}/${cell}`, `${lid}/reverse/${cell}`] : []);
    const stateAxes = a.layout === 1 ? { axes: 'BDF' } : {};
    for (let d = 0; d < 2; d++) {
      const hf = h0[d].from;
      const cf = c0[d].from;
      if (hf) ((this.inputs[hf.name] ??= [])[hf.index] = { node: ids(fwd.out.h)[d], as: 'initialState', ...stateAxes });
      if (cf && fwd.out.c) ((this.inputs[cf.name] ??= [])[cf.index] = { node: ids(fwd.out.c)[d], as: 'initialState', ...stateAxes });
    }
    const yAxes: Axis[] = a.layout === 0 ? ['T', 'D', 'B', 'F'] : ['B', 'T', 'D', 'F'];
    const hAxes: Axis[] = a.layout === 0 ? ['D', 'B', 'F'] : ['B', 'D', 'F'];
    const size = fwd.out.outSize;
    // With sequence_lens Y is zero past a sequence's end while the state is held: Y names the masked node.
    this.set(n, 0, { k: 'stream', axes: yAxes, wire: ['', ''], report: ids(a.mask ? fwd.out.out : fwd.out.h), size, step: 'all', merged: { node: lid, size: 2 * size } });
    this.set(n, 1, { k: 'stream', axes: hAxes, wire: ['', ''], report: ids(fwd.out.h), size, step: 'final' });
    if (op === 'LSTM' && fwd.out.c) this.set(n, 2, { k: 'stream', axes: hAxes, wire: ['', ''], report: ids(fwd.out.c), size: H, step: 'final' });
  }
}

/**
 * Imports an ONNX model holding LSTM/GRU/RNN nodes as a Cellwright graph, with
 * the mapping from the model's input and output names to graph nodes.
 * Throws ImportError (with a problem naming the node, op and attribute).
 *
 * @example
 * const { graph, outputs } = importOnnx(bytes, 'lstm.onnx');
 * outputs.Y // [{ node: 'h', step: 'all' }]
 */
export function importOnnx(bytes: Uint8Array, file = 'model.onnx'): ImportResult {
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    if (e instanceof WireError) throw new ImportError(problem('CW200', { file, detail: e.message, offset: e.offset }, { path: '' }));
    throw e;
  }
  if (model.graph.nodes.length === 0) throw new ImportError(problem('CW200', { file, detail: 'the model has no nodes (is this an ONNX file?)' }, { path: 'graph' }));
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset !== 0 && opset < 7) throw new ImportError(problem('CW200', { file, detail: `opset ${opset} is older than 7, the first Cellwright reads; re-export with opset_version ≥ 7` }, { path: 'opset_import' }));
  return new Importer(model, file).run();
}

export type { OnnxTensor };
