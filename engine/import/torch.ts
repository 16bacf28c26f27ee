/**
 * PyTorch state_dict → Cellwright graph. Reads torch.save's zip format
 * (.pt/.pth: data.pkl through the safe unpickler, tensors from data/<key>) and
 * .safetensors, finds nn.LSTM / nn.GRU / nn.RNN modules by their key names
 * (weight_ih_l0, weight_hh_l0_reverse, weight_hr_l0, …) and nn.Linear heads
 * (*.weight, *.bias), and builds them with the same layer builder as the ONNX
 * importer after reordering PyTorch's gate blocks (LSTM i, f, g, o → ONNX's
 * i, o, f, c; GRU r, z, n → z, r, h).
 */
import { unzipSync } from 'fflate';
import { problem } from '../errors.ts';
import type { Graph, GraphNode } from '../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../format/types.ts';
import { PickleError, unpickleStateDict } from './pickle.ts';
import type { TensorRef } from './pickle.ts';
import { utf8Decode } from './protobuf.ts';
import type { LayerOut, RecurrentOp } from './recurrent.ts';
import { buildLayer, GraphDraft, spread } from './recurrent.ts';
import type { ImportResult, MappingEntry } from './types.ts';
import { ImportError } from './types.ts';

export interface Tensor { shape: number[]; data: Float64Array }

/** How a state_dict's recurrent module computes: what --arch names. */
export type Arch = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
export const ARCHS: readonly Arch[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];

const MAX_BYTES = 1 << 30;
const MAX_ELEMENTS = 1 << 26;

function fail(file: string, detail: string, offset?: number): never {
  throw new ImportError(problem('CW200', { file, detail, ...(offset !== undefined ? { offset } : {}) }, { path: '' }));
}
function failKeys(file: string, detail: string): never {
  throw new ImportError(problem('CW211', { file, detail }, { path: '' }));
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4 };
const STORAGE_DTYPE: Record<string, string> = {
  'torch.FloatStorage': 'F32', 'torch.DoubleStorage': 'F64', 'torch.HalfStorage': 'F16', 'torch.BFloat16Storage': 'BF16',
  'torch.LongStorage': 'I64', 'torch.IntStorage': 'I32',
};

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function readNumbers(bytes: Uint8Array, dtype: string, start: number, count: number, what: string, file: string): Float64Array {
  const size = DTYPE_BYTES[dtype];
  if (!size) fail(file, `${what} has dtype ${dtype}; floating-point weights (F32, F64, F16, BF16) are supported`);
  if (start < 0 || (start + count) * size > bytes.length) fail(file, `${what} needs ${(start + count) * size} bytes of data but its storage has ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const p = (start + i) * size;
    switch (dtype) {
      case 'F32': out[i] = dv.getFloat32(p, true); break;
      case 'F64': out[i] = dv.getFloat64(p, true); break;
      case 'F16': out[i] = half(dv.getUint16(p, true)); break;
      case 'BF16': out[i] = new DataView(Uint8Array.of(bytes[p + 1], bytes[p], 0, 0).buffer).getFloat32(0, false); break;
      case 'I64': out[i] = Number(dv.getBigInt64(p, true)); break;
      default: out[i] = dv.getInt32(p, true); break;
    }
  }
  return out;
}

function checkShape(shape: unknown, what: string, file: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0) || shape.length > 8) fail(file, `${what} has a malformed shape ${JSON.stringify(shape)}`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail(file, `${what} declares shape [${shape.join(', ')}] (${count} values), more than the ${MAX_ELEMENTS} allowed`);
  return shape as number[];
}

/** Reads a torch.save zip file into tensors by key. */
export function readTorchZip(bytes: Uint8Array, file: string): Map<string, Tensor> {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        if (total > MAX_BYTES) throw new Error(`the archive unpacks to more than ${MAX_BYTES} bytes`);
        return true;
      },
    });
  } catch (e) {
    return fail(file, `not a readable zip archive: ${(e as Error).message}. torch.save writes a zip since PyTorch 1.6; older files (_use_new_zipfile_serialization=False) are not supported`);
  }
  const pkl = Object.keys(entries).find((k) => /^[^/]+\/data\.pkl$/.test(k) || k === 'data.pkl');
  if (!pkl) fail(file, 'the zip has no data.pkl: not a torch.save file');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  let dict;
  try {
    dict = unpickleStateDict(entries[pkl]);
  } catch (e) {
    if (e instanceof PickleError) {
      if (e.refused) throw new ImportError(problem('CW210', { file, what: e.message, where: `${pkl} at byte ${e.offset}` }, { path: pkl }));
      fail(file, `${pkl}: ${e.message}`, e.offset);
    }
    throw e;
  }
  const out = new Map<string, Tensor>();
  for (const [key, v] of dict) {
    if (!v || typeof v !== 'object' || v instanceof Map || Array.isArray(v) || v.kind !== 'tensor') continue;
    const t = v as TensorRef;
    const shape = checkShape(t.size, `tensor "${key}"`, file);
    const dtype = STORAGE_DTYPE[t.storageType];
    if (!dtype) fail(file, `tensor "${key}" is stored as ${t.storageType}; floating-point weights are supported`);
    const data = entries[`${prefix}data/${t.storageKey}`];
    if (!data) fail(file, `tensor "${key}": the archive has no ${prefix}data/${t.storageKey}`);
    // Contiguous row-major is what state_dicts hold; honour the strides anyway.
    const count = shape.reduce((a, b) => a * b, 1);
    const contiguous = t.stride.every((s, k) => shape[k] <= 1 || s === shape.slice(k + 1).reduce((a, b) => a * b, 1));
    if (contiguous) {
      out.set(key, { shape, data: readNumbers(data, dtype, t.offset, count, `tensor "${key}"`, file) });
    } else {
      const span = shape.reduce((m, d, k) => m + (d - 1) * t.stride[k], 0) + 1;
      const flat = readNumbers(data, dtype, t.offset, span, `tensor "${key}"`, file);
      const res = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        let src = 0;
        let rem = i;
        for (let k = shape.length - 1; k >= 0; k--) { src += (rem % shape[k]) * t.stride[k]; rem = Math.floor(rem / shape[k]); }
        res[i] = flat[src];
      }
      out.set(key, { shape, data: res });
    }
  }
  return out;
}

/** Reads a .safetensors file into tensors by key. */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, Tensor> {
  if (bytes.length < 8) fail(file, 'shorter than the 8-byte safetensors header', 0);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8 || n > 100_000_000) fail(file, `the header claims ${n} bytes but the file has ${bytes.length - 8} after the length`, 0);
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(file, `the safetensors header is not valid JSON: ${(e as Error).message}`, 8);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail(file, 'the safetensors header is not an object', 8);
  const body = bytes.subarray(8 + n);
  const out = new Map<string, Tensor>();
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') continue;
    const i = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!i || typeof i !== 'object') fail(file, `header entry "${key}" is not an object`);
    const shape = checkShape(i.shape, `tensor "${key}"`, file);
    const dtype = String(i.dtype);
    const offs = i.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((x) => Number.isInteger(x) && x >= 0) || offs[1] < offs[0] || offs[1] > body.length) {
      fail(file, `tensor "${key}" has data_offsets ${JSON.stringify(offs)} outside the ${body.length} data bytes`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if ((offs[1] - offs[0]) !== count * (DTYPE_BYTES[dtype] ?? 0)) fail(file, `tensor "${key}" (${dtype} [${shape.join(', ')}]) should take ${count * (DTYPE_BYTES[dtype] ?? 0)} bytes but data_offsets span ${offs[1] - offs[0]}`);
    out.set(key, { shape, data: readNumbers(body.subarray(offs[0], offs[1]), dtype, 0, count, `tensor "${key}"`, file) });
  }
  return out;
}

/** Tells a zip (torch.save) from safetensors by the first bytes. */
export function readStateDict(bytes: Uint8Array, file: string): Map<string, Tensor> {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return readTorchZip(bytes, file);
  if (bytes.length >= 9 && bytes[8] === 0x7b) return readSafetensors(bytes, file);
  if (bytes.length >= 2 && bytes[0] === 0x80) fail(file, 'a bare pickle (torch.save with _use_new_zipfile_serialization=False) is not supported; save again with a current PyTorch', 0);
  return fail(file, 'neither a torch.save zip nor a safetensors file', 0);
}

const GATES: Record<RecurrentOp, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** PyTorch gate blocks → ONNX order (see the file comment). */
function reorder(op: RecurrentOp, m: Float64Array, H: number, cols: number): Float64Array {
  const order = op === 'LSTM' ? [0, 3, 1, 2] : op === 'GRU' ? [1, 0, 2] : [0];
  const out = new Float64Array(m.length);
  order.forEach((src, dst) => out.set(m.subarray(src * H * cols, (src + 1) * H * cols), dst * H * cols));
  return out;
}

/**
 * Builds a graph from a state_dict of one recurrent module (nn.LSTM, nn.GRU,
 * nn.RNN) and optional nn.Linear heads applied to its output.
 *
 * @example
 * const r = importStateDict(readStateDict(bytes, 'm.pt'), 'm.pt', { arch: 'rnn_relu' });
 */
export function importStateDict(sd: Map<string, Tensor>, file: string, opts: { arch?: Arch } = {}): ImportResult {
  const keys = [...sd.keys()];
  const rnnKey = /^(.*?)weight_ih_l(\d+)(_reverse)?$/;
  const prefixes = [...new Set(keys.flatMap((k) => { const m = rnnKey.exec(k); return m ? [m[1]] : []; }))];
  if (prefixes.length === 0) failKeys(file, `no recurrent module found: no key ends in weight_ih_l0 (keys: ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''})`);
  if (prefixes.length > 1) failKeys(file, `more than one recurrent module (${prefixes.map((p) => p || '(top level)').join(', ')}); save one at a time`);
  const pre = prefixes[0];
  const get = (k: string): Tensor | undefined => sd.get(pre + k);
  // Bidirectional: each layer becomes a layer node (docs/layers.md) with a forward and a backward copy.
  const bidirectional = get('weight_ih_l0_reverse') !== undefined;
  let L = 0;
  while (get(`weight_ih_l${L}`)) L++;
  const w0 = get('weight_ih_l0')!;
  const hh0 = get('weight_hh_l0');
  if (!hh0 || w0.shape.length !== 2 || hh0.shape.length !== 2) failKeys(file, `${pre}weight_hh_l0 is missing or not a matrix`);
  const hr0 = get('weight_hr_l0');
  const H = hr0 ? hr0.shape[1] : hh0.shape[1];
  const G = w0.shape[0] / H;
  let op: RecurrentOp;
  let act: 'tanh' | 'relu' = 'tanh';
  if (opts.arch) {
    op = opts.arch === 'lstm' ? 'LSTM' : opts.arch === 'gru' ? 'GRU' : 'RNN';
    if (GATES[op] !== G) failKeys(file, `--arch ${opts.arch} expects ${GATES[op]}·hidden rows in ${pre}weight_ih_l0, found ${w0.shape[0]} for hidden size ${H}`);
    if (opts.arch === 'rnn_relu') act = 'relu';
  } else if (G === 4) op = 'LSTM';
  else if (G === 3) op = 'GRU';
  else if (G === 1) failKeys(file, `${pre}weight_ih_l0 fits nn.RNN, whose nonlinearity (tanh or relu) a state_dict does not record: pass --arch rnn_tanh or --arch rnn_relu`);
  else return failKeys(file, `${pre}weight_ih_l0 has ${w0.shape[0]} rows for hidden size ${H}: not an LSTM (4·H), GRU (3·H) or RNN (H)`);
  if (hr0 && op !== 'LSTM') failKeys(file, `${pre}weight_hr_l0 (a projection) belongs only to nn.LSTM`);

  const d = new GraphDraft();
  const x = d.uid('x');
  d.add({ id: x, kind: 'input', size: w0.shape[1], position: { x: 0, y: 66 }, label: 'input' });
  let source = x;
  let inSize = w0.shape[1];
  const layers: LayerOut[] = [];
  let col = 0;
  /** Layer l, direction suffix '' or '_reverse', built into draft `into` reading `src`. */
  const build = (into: GraphDraft, l: number, dir: '' | '_reverse', src: string, inputSize: number, suffix: string, col0: number): LayerOut => {
    const W = get(`weight_ih_l${l}${dir}`);
    const R = get(`weight_hh_l${l}${dir}`);
    const hr = get(`weight_hr_l${l}${dir}`);
    const stateSize = hr ? hr.shape[0] : H;
    const need = (t: Tensor | undefined, name: string, shape: number[]): Tensor => {
      if (!t) failKeys(file, `${pre}${name} is missing`);
      if (t.shape.join() !== shape.join()) failKeys(file, `${pre}${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
      return t;
    };
    need(W, `weight_ih_l${l}${dir}`, [G * H, inputSize]);
    need(R, `weight_hh_l${l}${dir}`, [G * H, stateSize]);
    const bi = get(`bias_ih_l${l}${dir}`);
    const bh = get(`bias_hh_l${l}${dir}`);
    if (bi) need(bi, `bias_ih_l${l}${dir}`, [G * H]);
    if (bh) need(bh, `bias_hh_l${l}${dir}`, [G * H]);
    if (hr) need(hr, `weight_hr_l${l}${dir}`, [stateSize, H]);
    return buildLayer(into, {
      op, suffix, source: src, inputSize, hidden: H,
      W: { rows: G * H, cols: inputSize, data: reorder(op, W!.data, H, inputSize) },
      R: { rows: G * H, cols: stateSize, data: reorder(op, R!.data, H, stateSize) },
      Wb: bi ? reorder(op, bi.data, H, 1) : undefined,
      Rb: bh ? reorder(op, bh.data, H, 1) : undefined,
      activations: (op === 'LSTM' ? ['sigmoid', 'tanh', 'tanh'] : op === 'GRU' ? ['sigmoid', 'tanh'] : [act]).map((name) => ({ name })),
      linearBeforeReset: true,
      proj: hr ? { rows: hr.shape[0], cols: H, data: hr.data } : undefined,
      col: col0,
    });
  };
  /** Reported ids of a layer's state cells, per copy: h, c and where the output is. */
  const cellsOf: { h: string; c?: string }[] = [];
  for (let l = 0; l < L; l++) {
    if (!bidirectional) {
      const out = build(d, l, '', source, inSize, L > 1 ? `_l${l}` : '', col);
      layers.push(out);
      cellsOf.push({ h: out.h, c: out.c });
      source = out.out;
      inSize = out.outSize;
      col += op === 'RNN' ? 2.6 : get(`weight_hr_l${l}`) ? 6.2 : 5.2;
      continue;
    }
    // Both copies share the nested graph; each has its own parameters under layer:<id>/ and layer:<id>/reverse/.
    const lid = d.uid(`l${l + 1}`);
    const copies = (['', '_reverse'] as const).map((dir) => {
      const nd = new GraphDraft();
      nd.add({ id: 'x', kind: 'input', size: inSize, position: { x: 0, y: 66 }, label: 'x_t' });
      const out = build(nd, l, dir, 'x', inSize, '', 0);
      spread(nd.nodes);
      return { nd, out };
    });
    const [fwd, bwd] = copies;
    for (const [k, v] of Object.entries(fwd.nd.parameters)) d.parameters[`layer:${lid}/${k}`] = v;
    for (const [k, v] of Object.entries(bwd.nd.parameters)) d.parameters[`layer:${lid}/reverse/${k}`] = v;
    d.add({ id: lid, kind: 'layer', direction: 'bidirectional', output: fwd.out.out, graph: { name: `${op} layer ${l + 1}`, nodes: fwd.nd.nodes, edges: fwd.nd.edges }, position: { x: Math.round((col + 1.3) * 200), y: 200 }, label: `bidirectional ${op} layer ${l + 1}` } as unknown as GraphNode);
    d.edgeRaw(source, lid, 'identity');
    for (const [copy, o] of [['', fwd.out], ['reverse/', bwd.out]] as const) {
      cellsOf.push({ h: `${lid}/${copy}${o.h}`, c: o.c ? `${lid}/${copy}${o.c}` : undefined });
    }
    layers.push({ ...fwd.out, h: lid, out: lid, outSize: 2 * fwd.out.outSize });
    source = lid;
    inSize = 2 * fwd.out.outSize;
    col += 2.2;
  }

  // Linear heads: *.weight [O, K] (+ *.bias [O]) chained by size, in key order.
  // Keyed by module names from the file, which may be "__proto__": no prototype to write through.
  const inputs: Record<string, MappingEntry[]> = Object.assign(Object.create(null) as Record<string, MappingEntry[]>, {
    input: [{ node: x, as: 'input' }],
    h0: cellsOf.map((l) => ({ node: l.h, as: 'initialState' as const })),
    ...(op === 'LSTM' ? { c0: cellsOf.map((l) => ({ node: l.c!, as: 'initialState' as const })) } : {}),
  });
  const outputs: Record<string, MappingEntry[]> = Object.assign(Object.create(null) as Record<string, MappingEntry[]>, {
    output: [{ node: layers[L - 1].h, step: 'all' }],
    h_n: cellsOf.map((l) => ({ node: l.h, step: 'final' as const })),
    ...(op === 'LSTM' ? { c_n: cellsOf.map((l) => ({ node: l.c!, step: 'final' as const })) } : {}),
  });
  let last = source;
  let lastSize = inSize;
  const rnnParam = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l\d+(_reverse)?$/;
  const rest = keys.filter((k) => !(k.startsWith(pre) && rnnParam.test(k.slice(pre.length))));
  for (const k of rest) {
    if (!k.endsWith('.weight') && k !== 'weight') {
      if (k.endsWith('.bias') && sd.get(k.replace(/bias$/, 'weight'))) continue;
      failKeys(file, `key "${k}" is not part of an nn.LSTM/GRU/RNN or an nn.Linear head`);
    }
    const W = sd.get(k)!;
    const mod = k.slice(0, -'.weight'.length) || 'head';
    if (W.shape.length !== 2) failKeys(file, `"${k}" has shape [${W.shape.join(', ')}]: only nn.Linear heads (a [out, in] weight) are supported`);
    if (W.shape[1] !== lastSize) failKeys(file, `head "${mod}" reads ${W.shape[1]} features, but what comes before it gives ${lastSize}`);
    const b = sd.get(`${mod}.bias`);
    const id = d.uid(mod.replace(/[^A-Za-z0-9_]/g, '_'));
    col += last === source ? 0.3 : 1.4;
    d.add({ id, kind: 'gate', size: W.shape[0], activation: 'identity', position: { x: Math.round(col * 200), y: d.node(last)?.position?.y ?? 120 }, label: `${mod} (Linear)`, ...(b ? {} : { bias: false }) });
    d.edge(last, id, 'full', { shape: W.shape, data: Array.from(W.data) });
    if (b) {
      if (b.shape.join() !== String(W.shape[0])) failKeys(file, `"${mod}.bias" has shape [${b.shape.join(', ')}], expected [${W.shape[0]}]`);
      d.bias(id, b.data);
    }
    outputs[mod] = [{ node: id, step: 'all' }];
    last = id;
    lastSize = W.shape[0];
  }
  const target = d.uid('target');
  const loss = d.uid('loss');
  d.add({ id: target, kind: 'target', size: lastSize, position: { x: Math.round((col + 1.4) * 200), y: 420 }, label: 'target' });
  d.add({ id: loss, kind: 'loss', loss: 'mse', position: { x: Math.round((col + 2.4) * 200), y: 300 } });
  d.edge(last, loss, 'identity', undefined, { port: 'prediction' });
  d.edge(target, loss, 'identity', undefined, { port: 'target' });
  spread(d.nodes);
  const graph: Graph = {
    format: GRAPH_FORMAT, version: GRAPH_VERSION,
    name: `${op === 'RNN' ? `RNN (${act})` : op}${L > 1 ? ` × ${L} layers` : ''} from ${file}`,
    description: `Imported from the PyTorch state_dict ${file}.`,
    nodes: d.nodes, edges: d.edges, parameters: d.parameters,
  };
  return { graph, inputs, outputs };
}
