/**
 * Cellwright graph → ONNX model. The step graph becomes the body of a `Scan`
 * over time: cells are the loop-carried state, input nodes the scanned inputs,
 * the chosen nodes the scanned outputs. Graphs that are exactly a standard
 * LSTM, GRU or RNN layer (the templates, an import) become the fused ONNX op
 * instead (engine/export/onnx-fused.ts).
 *
 * Inputs: every input node by id, [T, B, size] (T and B symbolic), and
 * `<cellId>.initial`, [B, size], optional (its default is the cell's initial
 * state broadcast over the batch). Outputs: the chosen nodes by id, [T, B,
 * size] — for a cell, the state written at each step, as `cellwright run`
 * reports it.
 */
import { hasLayers } from '../layers/types.ts';
import { flatForCompile } from '../blocks/any.ts';
import type { CNode, Program } from '../compile.ts';
import { compile } from '../compile.ts';
import { problem } from '../errors.ts';
import type { Graph } from '../format/types.ts';
import { DT } from '../import/onnx-proto.ts';
import type { AttrValue, OnnxGraph, OnnxModel } from '../import/onnx-proto.ts';
import { encodeModel } from '../import/onnx-proto.ts';
import { reversedNodes } from '../import/tensors.ts';
import { ImportError } from '../import/types.ts';
import { createParams } from '../params.ts';
import type { Arr } from '../tensor.ts';
import { Emitter, initialState } from './onnx-emitter.ts';
import { fusedLayer } from './onnx-fused.ts';
import { layeredOnnx } from './onnx-layers.ts';

export const ONNX_OPSET = 17;

export interface OnnxExportOptions {
  /** Node ids to output (default: every node a loss reads as prediction, and every cell). */
  outputs?: string[];
  /** Seed for parameters the graph does not give (default: training.seed, else 1, as `cellwright train`). */
  seed?: number;
  /** Always write the Scan form, even for a standard layer (for tests). */
  noFused?: boolean;
  /**
   * Add a model input `<cellId>.initial` [B, size] per cell (then required).
   * Without it the initial states are part of the model: learned or zeros.
   */
  initialStates?: boolean;
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputs: string[];
  outputs: string[];
  /** 'fused' when the graph was written as LSTM/GRU/RNN nodes (one per layer), else a Scan. */
  form: 'scan' | 'fused';
  /** The ONNX ops the step became: e.g. ['LSTM', 'LSTM'], or ['Scan']. */
  ops: string[];
}

function refuse(what: string, where: string): never {
  throw new ImportError(problem('CW220', { what, where }, { path: '' }));
}

function ints(xs: number[]): AttrValue {
  return { type: 'ints', ints: xs };
}

function seedOf(graph: Graph, seed?: number): number {
  if (seed !== undefined) return seed;
  return typeof graph.training?.seed === 'number' ? graph.training.seed : 1;
}

/** A parameter entry of theta as a row-major matrix [rows, cols] transposed to [cols, rows] (for MatMul). */
function transposed(theta: Arr, offset: number, rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = theta[offset + r * cols + c];
  return out;
}

export function defaultOutputs(program: Program): string[] {
  const out: string[] = [];
  for (const i of program.losses) {
    const pred = program.nodes[i].inEdges.find((e) => e.port === 'prediction');
    if (pred) out.push(program.nodes[pred.source].id);
  }
  for (const i of program.cells) out.push(program.nodes[i].id);
  return [...new Set(out)];
}

/** The body of the step: ONNX nodes computing every non-loss node from the state and the inputs at step t. */
export function stepBody(program: Program, theta: Arr, em: Emitter, val: Map<number, string>): void {
  for (const i of program.order) {
    const n = program.nodes[i];
    if (n.kind === 'loss') continue;
    val.set(i, nodeValue(program, n, theta, em, val));
  }
}

function nodeValue(program: Program, n: CNode, theta: Arr, em: Emitter, val: Map<number, string>): string {
  const src = (e: { source: number }): string => val.get(e.source)!;
  const where = `node "${n.id}"`;
  if (n.kind === 'op') {
    const ins = n.inEdges.map(src);
    const attr = (k: string): number => Number(n.attrs?.[k]);
    const last = { axis: { type: 'int', i: -1 } } as Record<string, AttrValue>;
    switch (n.op) {
      case 'add': return ins.length === 1 ? em.node('Identity', ins, n.id) : em.node('Sum', ins, n.id);
      case 'mul': return ins.length === 1 ? em.node('Identity', ins, n.id) : ins.slice(1).reduce((acc, x) => em.node('Mul', [acc, x], n.id), ins[0]);
      case 'one_minus': return em.node('Sub', [em.const('one', [], [1]), ins[0]], n.id);
      case 'sub': return em.node('Sub', ins, n.id);
      case 'div': return em.node('Div', ins, n.id);
      case 'exp': return em.node('Exp', ins, n.id);
      case 'log': return em.node('Log', ins, n.id);
      case 'square': return em.node('Mul', [ins[0], ins[0]], n.id);
      case 'neg': return em.node('Neg', ins, n.id);
      case 'scale': return em.node('Mul', [ins[0], em.const('factor', [], [attr('factor')])], n.id);
      case 'softmax': return em.node('Softmax', ins, n.id, last);
      case 'dropout': return em.node('Identity', ins, n.id); // evaluation: x
      case 'concat': return ins.length === 1 ? em.node('Identity', ins, n.id) : em.node('Concat', ins, n.id, last);
      case 'slice': {
        const start = attr('start');
        return em.node('Slice', [ins[0], em.const('start', [1], [start], DT.INT64), em.const('end', [1], [start + attr('size')], DT.INT64), em.const('axis', [1], [-1], DT.INT64)], n.id);
      }
      case 'layer_norm': {
        const [gain, shift] = n.opParams ?? [];
        const scale = gain ? em.const(`gain_${n.id}`, [n.size], theta.subarray(gain.offset, gain.offset + n.size)) : em.const('ones', [n.size], new Array<number>(n.size).fill(1));
        const bias = shift ? em.const(`shift_${n.id}`, [n.size], theta.subarray(shift.offset, shift.offset + n.size)) : em.const('zeros', [n.size], new Array<number>(n.size).fill(0));
        const eps = Number.isFinite(attr('eps')) ? attr('eps') : 1e-5;
        return em.node('LayerNormalization', [ins[0], scale, bias], n.id, { axis: { type: 'int', i: -1 }, epsilon: { type: 'float', f: eps } });
      }
      default: return refuse(`op "${String(n.op)}" has no ONNX translation yet`, where);
    }
  }
  if (n.kind !== 'gate') return refuse(`a ${n.kind} node cannot be computed in the step`, where);
  const terms: string[] = [];
  for (const e of n.inEdges) {
    const x = src(e);
    const p = e.param;
    switch (e.weight) {
      case 'identity': terms.push(x); break;
      case 'full': {
        const s = program.nodes[e.source].size;
        terms.push(em.node('MatMul', [x, em.const(`W_${e.id}`, [s, n.size], transposed(theta, p!.offset, n.size, s))], n.id));
        break;
      }
      case 'diagonal': terms.push(em.node('Mul', [x, em.const(`d_${e.id}`, [n.size], theta.subarray(p!.offset, p!.offset + n.size))], n.id)); break;
      case 'scalar': terms.push(em.node('Mul', [x, em.const(`s_${e.id}`, [], [theta[p!.offset]])], n.id)); break;
    }
  }
  if (n.bias) terms.push(em.const(`b_${n.id}`, [n.size], theta.subarray(n.bias.offset, n.bias.offset + n.size)));
  const z = terms.length === 1 ? terms[0] : em.node('Sum', terms, n.id);
  switch (n.activation) {
    case 'identity': case undefined: return terms.length === 1 ? em.node('Identity', [z], n.id) : z;
    case 'sigmoid': return em.node('Sigmoid', [z], n.id);
    case 'tanh': return em.node('Tanh', [z], n.id);
    case 'relu': return em.node('Relu', [z], n.id);
    case 'softplus': return em.node('Softplus', [z], n.id);
    case 'step': return em.node('Cast', [em.node('Greater', [z, em.const('zero', [], [0])], n.id)], n.id, { to: { type: 'int', i: DT.FLOAT } });
    case 'leaky_relu': return em.node('LeakyRelu', [z], n.id, { alpha: { type: 'float', f: 0.01 } });
    case 'elu': return em.node('Elu', [z], n.id, { alpha: { type: 'float', f: 1 } });
    case 'hard_tanh': return em.node('Clip', [z, em.const('lo', [], [-1]), em.const('hi', [], [1])], n.id);
    // PyTorch's Hardsigmoid: clamp(z/6 + 1/2, 0, 1).
    case 'hard_sigmoid': return em.node('HardSigmoid', [z], n.id, { alpha: { type: 'float', f: 1 / 6 }, beta: { type: 'float', f: 0.5 } });
    case 'silu': return em.node('Mul', [z, em.node('Sigmoid', [z], n.id)], n.id);
    case 'gelu': return em.node('Mul', [em.node('Mul', [z, em.const('half', [], [0.5])], n.id), em.node('Add', [em.const('one', [], [1]), em.node('Erf', [em.node('Mul', [z, em.const('rsqrt2', [], [Math.SQRT1_2])], n.id)], n.id)], n.id)], n.id);
    case 'sin': return em.node('Sin', [z], n.id);
    case 'exp': return em.node('Exp', [z], n.id);
    default: return refuse(`activation "${String(n.activation)}" has no ONNX translation yet`, where);
  }
}

const f32 = (name: string, shape: (number | string)[]): { name: string; elemType: number; shape: { value?: number; param?: string }[] } =>
  ({ name, elemType: DT.FLOAT, shape: shape.map((d) => (typeof d === 'number' ? { value: d } : { param: d })) });

/**
 * Writes a graph as an ONNX model (float32, opset 17).
 *
 * @example
 * const { bytes } = exportOnnx(graph, { outputs: ['y'] });
 * writeFileSync('model.onnx', bytes);
 */
export function exportOnnx(graph: Graph, opts: OnnxExportOptions = {}): OnnxExport {
  refuseNul(graph);
  if (hasLayers(graph)) {
    const r = layeredOnnx(graph, { outputs: opts.outputs, seed: seedOf(graph, opts.seed), noFused: opts.noFused, initialStates: opts.initialStates }, { stepBody, scanStep, batchOf });
    return { ...finish(r.graph), inputs: r.inputs, outputs: r.outputs, form: r.fused ? 'fused' : 'scan', ops: r.ops };
  }
  // Blocks (engine/blocks) are written out expanded: inner nodes under their ids (`f/g`), tied parameters once.
  const flat = flatForCompile(graph);
  const program = compile(flat.graph, { nodeTies: flat.nodeTies });
  const theta = createParams(program.layout, graph.parameters, { seed: seedOf(graph, opts.seed), dtype: 'float64' });
  for (const id of opts.outputs ?? []) {
    const i = program.byId.get(id);
    if (i === undefined) refuse(`--outputs names "${id}", which is not a node of the graph`, 'outputs');
    const k = program.nodes[i].kind;
    if (k === 'loss' || k === 'target') refuse(`"${id}" is a ${k} node; outputs are values computed at each step`, `node "${id}"`);
  }
  const inputs = program.inputs.map((i) => program.nodes[i]);
  if (inputs.length === 0) refuse('the graph has no input node, so the sequence length is unknown', 'nodes');
  const cells = program.cells.map((i) => program.nodes[i]);
  const names = new Set<string>();
  for (const name of [...inputs.map((n) => n.id), ...cells.map((c) => `${c.id}.initial`)]) {
    if (names.has(name)) refuse(`two model inputs would both be named "${name}"`, `node "${name}"`);
    names.add(name);
  }

  if (!opts.noFused) {
    const fused = fusedLayer(program, theta, opts.outputs, graph.reportTime === 'original', opts.initialStates === true);
    if (fused) {
      const ops = fused.graph.nodes.map((n) => n.opType).filter((o) => o === 'LSTM' || o === 'GRU' || o === 'RNN');
      return { ...finish(fused.graph), inputs: fused.graph.inputs.map((v) => v.name), outputs: fused.outputs, form: 'fused', ops };
    }
  }
  const outIds = opts.outputs ?? defaultOutputs(program);
  if (outIds.length === 0) refuse('nothing to output: the graph has no loss and no cell', 'outputs');
  const main = new Emitter('');
  const B = batchOf(main, inputs[0].id);
  // In an imported reverse layer the outputs come back in the data's time order (as `run` reports them).
  const rev = graph.reportTime === 'original' ? reversedNodes(graph) : new Set<string>();
  scanStep(main, program, theta, {
    feeds: new Map(inputs.map((x) => [x.index, x.id])), B, initialInputs: opts.initialStates === true,
    outputs: outIds, reverseOutputs: rev, outputName: (id) => id,
  });
  const g: OnnxGraph = {
    name: graph.name ?? 'cellwright',
    nodes: main.nodes,
    initializers: main.inits,
    inputs: [...inputs.map((x) => f32(x.id, ['T', 'B', x.size])), ...(opts.initialStates ? cells.map((c) => f32(`${c.id}.initial`, ['B', c.size])) : [])],
    outputs: outIds.map((id) => f32(id, ['T', 'B', program.nodes[program.byId.get(id)!].size])),
  };
  return { ...finish(g), inputs: g.inputs.map((v) => v.name), outputs: outIds, form: 'scan', ops: ['Scan'] };
}

/**
 * ONNX runtimes take tensor names as C strings, cut at a NUL: an input `a\0b` cannot be fed.
 * Ids become tensor names, so an id holding NUL is refused by name (layers' nested ids too).
 */
function refuseNul(graph: Graph, where = ''): void {
  for (const n of graph.nodes) {
    if (n.id.includes('\u0000')) refuse(`the id ${JSON.stringify(n.id)} holds a NUL character, which ONNX runtimes cut tensor names at; rename the node`, `${where}node ${JSON.stringify(n.id)}`);
    const nested = (n as { graph?: unknown }).graph;
    if ((n.kind as string) === 'layer' && typeof nested === 'object' && nested !== null && Array.isArray((nested as Graph).nodes) && Array.isArray((nested as Graph).edges)) refuseNul(nested as Graph, `layer ${JSON.stringify(n.id)}, `);
  }
  for (const e of graph.edges) if (e.id.includes('\u0000')) refuse(`the id ${JSON.stringify(e.id)} holds a NUL character, which ONNX runtimes cut tensor names at; rename the edge`, `${where}edge ${JSON.stringify(e.id)}`);
}

/** The batch size B of a [T, B, F] tensor, as a 1-element int64 tensor. */
export function batchOf(em: Emitter, x: string): string {
  const shape = em.node('Shape', [x], 'shape');
  return em.node('Slice', [shape, em.const('one', [1], [1], DT.INT64), em.const('two', [1], [2], DT.INT64)], 'B');
}

export interface ScanConfig {
  /** Program input index → the [T, B, size] tensor of the main graph it reads. */
  feeds: Map<number, string>;
  /** B of batchOf. */
  B: string;
  initialInputs: boolean;
  /** Node ids of the program to output at every step. */
  outputs: string[];
  /** Output ids written back in reverse time order. */
  reverseOutputs: Set<string>;
  /** Name of the main-graph tensor for an output id. */
  outputName: (id: string) => string;
  /** Run the whole step over reversed time (a reverse copy of a layer): inputs read T … 1, outputs written back in data order. */
  reverse?: boolean;
  /** Prefix of the body's names and of the cells' `.initial` inputs (a layer copy's `l1/`). */
  prefix?: string;
  /** Prefix of the body's names when it differs from `prefix`. */
  bodyPrefix?: string;
}

/**
 * A Scan over the program's step in the main graph `main`: cells are the
 * carried state, the fed inputs the scanned inputs, the chosen nodes the
 * scanned outputs. Returns the output tensor names by id.
 */
export function scanStep(main: Emitter, program: Program, theta: Arr, cfg: ScanConfig): Map<string, string> {
  const prefix = cfg.bodyPrefix ?? cfg.prefix ?? '';
  const inputs = program.inputs.map((i) => program.nodes[i]);
  const cells = program.cells.map((i) => program.nodes[i]);
  const outIds = cfg.outputs;
  // The Scan body: state inputs (cells), then one element of each scanned input.
  const body = new Emitter(prefix);
  const val = new Map<number, string>();
  for (const c of cells) val.set(c.index, `${prefix}state:${c.id}`);
  for (const x of inputs) val.set(x.index, `${prefix}in:${x.id}`);
  stepBody(program, theta, body, val);
  const bodyOutputs: string[] = [];
  // A cell's new state; with zoneout p (evaluation) p·previous + (1 − p)·new.
  const next = new Map<number, string>();
  for (const c of cells) {
    const w = val.get(c.writer!)!;
    const z = c.zoneout ?? 0;
    next.set(c.index, z ? body.node('Add', [body.node('Mul', [`${prefix}state:${c.id}`, body.const('p', [], [z])], c.id), body.node('Mul', [w, body.const('1-p', [], [1 - z])], c.id)], c.id) : w);
  }
  for (const c of cells) bodyOutputs.push(body.node('Identity', [next.get(c.index)!], c.id, {}, `${prefix}next:${c.id}`));
  const valueOf = (id: string): string => {
    const n = program.nodes[program.byId.get(id)!];
    return n.kind === 'cell' ? next.get(n.index)! : val.get(n.index)!;
  };
  for (const id of outIds) bodyOutputs.push(body.node('Identity', [valueOf(id)], id, {}, `${prefix}out:${id}`));
  const bodyGraph: OnnxGraph = {
    name: `${prefix}step`,
    nodes: body.nodes,
    initializers: body.inits,
    inputs: [...cells.map((c) => f32(`${prefix}state:${c.id}`, ['B', c.size])), ...inputs.map((x) => f32(`${prefix}in:${x.id}`, ['B', x.size]))],
    outputs: [...cells.map((c) => f32(`${prefix}next:${c.id}`, ['B', c.size])), ...outIds.map((id) => f32(`${prefix}out:${id}`, ['B', program.nodes[program.byId.get(id)!].size]))],
  };
  const initInputs = cells.map((c) => initialState(main, c, theta, cfg.initialInputs, cfg.B, 0, `${cfg.prefix ?? ''}${c.id}`));
  const outNames = [...cells.map((c) => `${prefix}final:${c.id}`), ...outIds.map(cfg.outputName)];
  main.nodes.push({
    name: `${prefix}step_scan`, opType: 'Scan', domain: '',
    inputs: [...initInputs, ...inputs.map((x) => cfg.feeds.get(x.index)!)], outputs: outNames,
    attributes: new Map<string, AttrValue>([
      ['body', { type: 'graph', g: bodyGraph }],
      ['num_scan_inputs', { type: 'int', i: inputs.length }],
      ['scan_input_directions', ints(inputs.map((x) => (cfg.reverse || x.reverse ? 1 : 0)))],
      ['scan_output_directions', ints(outIds.map((id) => (cfg.reverse || cfg.reverseOutputs.has(id) ? 1 : 0)))],
    ]),
  });
  return new Map(outIds.map((id, k) => [id, outNames[cells.length + k]]));
}

function finish(g: OnnxGraph): { bytes: Uint8Array } {
  const model: OnnxModel = { irVersion: 8, opsets: [{ domain: '', version: ONNX_OPSET }], producerName: 'cellwright', graph: g };
  return { bytes: encodeModel(model) };
}
