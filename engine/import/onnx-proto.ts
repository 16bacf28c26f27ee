/**
 * The part of ONNX's onnx.proto that recurrent models use, decoded from and
 * encoded to the protobuf wire format (field numbers from onnx/onnx.proto3).
 * Unknown fields are skipped, so files from newer ONNX versions still load.
 */
import type { Field } from './protobuf.ts';
import {
  expectWire, intOf, pushDoubles, pushFloats, pushInts, Reader, str, Wire, WireError, Writer,
} from './protobuf.ts';

/** TensorProto.DataType values this importer reads. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** The values as doubles (int64 beyond 2^53 are refused). */
  data: Float64Array;
}

export type AttrValue =
  | { type: 'float'; f: number }
  | { type: 'int'; i: number }
  | { type: 'string'; s: string }
  | { type: 'tensor'; t: OnnxTensor }
  | { type: 'graph'; g: OnnxGraph }
  | { type: 'floats'; floats: number[] }
  | { type: 'ints'; ints: number[] }
  | { type: 'strings'; strings: string[] }
  | { type: 'other'; code: number };

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttrValue>;
}

export interface OnnxDim { value?: number; param?: string }

export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  shape?: OnnxDim[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  graph: OnnxGraph;
}

/** Limits that keep a hostile file from exhausting memory or the stack. */
export const LIMITS = { elements: 1 << 26, depth: 8, dims: 8 };

function tensor(buf: Uint8Array, start: number, end: number): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  const floats: number[] = [];
  const ints: number[] = [];
  const doubles: number[] = [];
  let raw: Field | undefined;
  let external = false;
  for (const f of new Reader(buf, start, end).fields()) {
    switch (f.no) {
      case 1: pushInts(buf, f, dims, LIMITS.dims + 1); break;
      case 2: dataType = intOf(f); break;
      case 4: pushFloats(buf, f, floats); break;
      case 5: case 7: case 11: pushInts(buf, f, ints, LIMITS.elements); break;
      case 8: name = str(buf, f); break;
      case 9: expectWire(f, Wire.Len, 'raw bytes'); raw = f; break;
      case 10: pushDoubles(buf, f, doubles); break;
      case 14: if (intOf(f) === 1) external = true; break;
      default: break;
    }
  }
  const where = name ? `tensor "${name}"` : 'a tensor';
  if (external) throw new WireError(`${where} keeps its data in an external file, which is not supported: save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))`, start);
  if (dims.length > LIMITS.dims) throw new WireError(`${where} has more than ${LIMITS.dims} dimensions`, start);
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw new WireError(`${where} has a negative dimension ${d}`, start);
    count *= d;
  }
  if (count > LIMITS.elements) throw new WireError(`${where} declares shape [${dims.join(', ')}] (${count} values), more than the ${LIMITS.elements} allowed`, start);
  const data = new Float64Array(count);
  if (raw) {
    const size = dataType === DT.FLOAT || dataType === DT.INT32 ? 4 : dataType === DT.DOUBLE || dataType === DT.INT64 ? 8 : dataType === DT.UINT8 || dataType === DT.INT8 || dataType === DT.BOOL ? 1 : 0;
    if (size === 0) throw new WireError(`${where} has data type ${dataType}, which is not supported (float, double, int32, int64, int8, uint8, bool are)`, start);
    if (raw.end - raw.start !== count * size) throw new WireError(`${where} declares shape [${dims.join(', ')}] (${count} values) but holds ${raw.end - raw.start} bytes, expected ${count * size}`, raw.start);
    const dv = new DataView(buf.buffer, buf.byteOffset + raw.start, raw.end - raw.start);
    for (let i = 0; i < count; i++) {
      switch (dataType) {
        case DT.FLOAT: data[i] = dv.getFloat32(i * 4, true); break;
        case DT.DOUBLE: data[i] = dv.getFloat64(i * 8, true); break;
        case DT.INT32: data[i] = dv.getInt32(i * 4, true); break;
        case DT.INT64: data[i] = Number(dv.getBigInt64(i * 8, true)); break;
        case DT.INT8: data[i] = dv.getInt8(i); break;
        default: data[i] = dv.getUint8(i); break;
      }
    }
  } else {
    const src = dataType === DT.FLOAT ? floats : dataType === DT.DOUBLE ? doubles : ints;
    if (src.length !== count) throw new WireError(`${where} declares shape [${dims.join(', ')}] (${count} values) but holds ${src.length}`, start);
    data.set(src);
  }
  return { name, dims, dataType, data };
}

function attribute(buf: Uint8Array, start: number, end: number, depth: number): [string, AttrValue] {
  let name = '';
  let type = 0;
  let f32: number | undefined;
  let i64: number | undefined;
  let s: string | undefined;
  let t: OnnxTensor | undefined;
  let g: OnnxGraph | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  for (const f of new Reader(buf, start, end).fields()) {
    switch (f.no) {
      case 1: name = str(buf, f); break;
      case 2: expectWire(f, Wire.I32, 'a float'); f32 = new DataView(buf.buffer, buf.byteOffset).getFloat32(f.start, true); break;
      case 3: i64 = intOf(f); break;
      case 4: s = str(buf, f); break;
      case 5: expectWire(f, Wire.Len, 'a tensor'); t = tensor(buf, f.start, f.end); break;
      case 6: expectWire(f, Wire.Len, 'a graph'); g = graph(buf, f.start, f.end, depth + 1); break;
      case 7: pushFloats(buf, f, floats); break;
      case 8: pushInts(buf, f, ints, LIMITS.elements); break;
      case 9: strings.push(str(buf, f)); break;
      case 20: type = intOf(f); break;
      default: break;
    }
  }
  // Old files (before `type` existed) leave it out: infer from what is set.
  if (type === 0) type = f32 !== undefined ? 1 : i64 !== undefined ? 2 : s !== undefined ? 3 : t ? 4 : g ? 5 : floats.length ? 6 : ints.length ? 7 : strings.length ? 8 : 0;
  switch (type) {
    case 1: return [name, { type: 'float', f: f32 ?? 0 }];
    case 2: return [name, { type: 'int', i: i64 ?? 0 }];
    case 3: return [name, { type: 'string', s: s ?? '' }];
    case 4: if (t) return [name, { type: 'tensor', t }]; break;
    case 5: if (g) return [name, { type: 'graph', g }]; break;
    case 6: return [name, { type: 'floats', floats }];
    case 7: return [name, { type: 'ints', ints }];
    case 8: return [name, { type: 'strings', strings }];
    default: break;
  }
  return [name, { type: 'other', code: type }];
}

function node(buf: Uint8Array, start: number, end: number, depth: number): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  for (const f of new Reader(buf, start, end).fields()) {
    switch (f.no) {
      case 1: n.inputs.push(str(buf, f)); break;
      case 2: n.outputs.push(str(buf, f)); break;
      case 3: n.name = str(buf, f); break;
      case 4: n.opType = str(buf, f); break;
      case 7: n.domain = str(buf, f); break;
      case 5: {
        expectWire(f, Wire.Len, 'an attribute');
        const [k, v] = attribute(buf, f.start, f.end, depth);
        n.attributes.set(k, v);
        break;
      }
      default: break;
    }
  }
  return n;
}

function valueInfo(buf: Uint8Array, start: number, end: number): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '' };
  for (const f of new Reader(buf, start, end).fields()) {
    if (f.no === 1) v.name = str(buf, f);
    else if (f.no === 2 && f.wire === Wire.Len) {
      for (const tt of new Reader(buf, f.start, f.end).fields()) {
        if (tt.no !== 1 || tt.wire !== Wire.Len) continue; // tensor_type only
        for (const x of new Reader(buf, tt.start, tt.end).fields()) {
          if (x.no === 1) v.elemType = intOf(x);
          else if (x.no === 2 && x.wire === Wire.Len) {
            v.shape = [];
            for (const d of new Reader(buf, x.start, x.end).fields()) {
              if (d.no !== 1 || d.wire !== Wire.Len) continue;
              if (v.shape.length >= LIMITS.dims) throw new WireError(`input/output "${v.name}" has more than ${LIMITS.dims} dimensions`, d.start);
              const dim: OnnxDim = {};
              for (const y of new Reader(buf, d.start, d.end).fields()) {
                if (y.no === 1) dim.value = intOf(y);
                else if (y.no === 2) dim.param = str(buf, y);
              }
              v.shape.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

function graph(buf: Uint8Array, start: number, end: number, depth: number): OnnxGraph {
  if (depth > LIMITS.depth) throw new WireError(`subgraphs nested deeper than ${LIMITS.depth}`, start);
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of new Reader(buf, start, end).fields()) {
    if (f.wire !== Wire.Len) continue;
    switch (f.no) {
      case 1: g.nodes.push(node(buf, f.start, f.end, depth)); break;
      case 2: g.name = str(buf, f); break;
      case 5: g.initializers.push(tensor(buf, f.start, f.end)); break;
      case 11: g.inputs.push(valueInfo(buf, f.start, f.end)); break;
      case 12: g.outputs.push(valueInfo(buf, f.start, f.end)); break;
      default: break;
    }
  }
  return g;
}

/**
 * Decodes an ONNX ModelProto. Throws WireError (with the byte offset) on any
 * malformed input.
 *
 * @example
 * const model = decodeModel(new Uint8Array(readFileSync('lstm.onnx')));
 * model.graph.nodes.map((n) => n.opType) // ['LSTM', 'Squeeze', ...]
 */
export function decodeModel(buf: Uint8Array): OnnxModel {
  const m: OnnxModel = { irVersion: 0, opsets: [], producerName: '', graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] } };
  let sawGraph = false;
  for (const f of new Reader(buf).fields()) {
    switch (f.no) {
      case 1: m.irVersion = intOf(f); break;
      case 2: m.producerName = str(buf, f); break;
      case 7: expectWire(f, Wire.Len, 'a graph'); m.graph = graph(buf, f.start, f.end, 0); sawGraph = true; break;
      case 8: {
        expectWire(f, Wire.Len, 'an opset');
        const o = { domain: '', version: 0 };
        for (const x of new Reader(buf, f.start, f.end).fields()) {
          if (x.no === 1) o.domain = str(buf, x);
          else if (x.no === 2) o.version = intOf(x);
        }
        m.opsets.push(o);
        break;
      }
      default: break;
    }
  }
  if (!sawGraph) throw new WireError('no graph in the file (not an ONNX model?)', 0);
  return m;
}

// ── encoding ──────────────────────────────────────────────────────────────

function encTensor(t: OnnxTensor): Writer {
  const w = new Writer().packedInts(1, t.dims).int(2, t.dataType).string(8, t.name);
  if (t.dataType === DT.FLOAT) {
    const b = new Uint8Array(t.data.length * 4);
    const dv = new DataView(b.buffer);
    t.data.forEach((x, i) => dv.setFloat32(i * 4, x, true));
    w.bytes(9, b);
  } else if (t.dataType === DT.DOUBLE) {
    const b = new Uint8Array(t.data.length * 8);
    const dv = new DataView(b.buffer);
    t.data.forEach((x, i) => dv.setFloat64(i * 8, x, true));
    w.bytes(9, b);
  } else if (t.dataType === DT.INT64) {
    const b = new Uint8Array(t.data.length * 8);
    const dv = new DataView(b.buffer);
    t.data.forEach((x, i) => dv.setBigInt64(i * 8, BigInt(x), true));
    w.bytes(9, b);
  } else {
    throw new Error(`encoding data type ${t.dataType} is not implemented`);
  }
  return w;
}

function encAttr(name: string, a: AttrValue): Writer {
  const w = new Writer().string(1, name);
  switch (a.type) {
    case 'float': return w.float(2, a.f).int(20, 1);
    case 'int': return w.int(3, a.i).int(20, 2);
    case 'string': return w.string(4, a.s).int(20, 3);
    case 'tensor': return w.message(5, encTensor(a.t)).int(20, 4);
    case 'graph': return w.message(6, encGraph(a.g)).int(20, 5);
    case 'floats': for (const x of a.floats) w.float(7, x); return w.int(20, 6);
    case 'ints': for (const x of a.ints) w.int(8, x); return w.int(20, 7);
    case 'strings': for (const x of a.strings) w.string(9, x); return w.int(20, 8);
    case 'other': throw new Error(`cannot encode attribute type ${a.code}`);
  }
}

function encValueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape ?? []) {
    const dw = new Writer();
    if (d.value !== undefined) dw.int(1, d.value);
    else if (d.param !== undefined) dw.string(2, d.param);
    shape.message(1, dw);
  }
  const tt = new Writer().int(1, v.elemType ?? DT.FLOAT);
  if (v.shape) tt.message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tt));
}

function encGraph(g: OnnxGraph): Writer {
  const w = new Writer();
  for (const n of g.nodes) {
    const nw = new Writer();
    for (const i of n.inputs) nw.string(1, i);
    for (const o of n.outputs) nw.string(2, o);
    nw.string(3, n.name).string(4, n.opType);
    if (n.domain) nw.string(7, n.domain);
    for (const [k, a] of n.attributes) nw.message(5, encAttr(k, a));
    w.message(1, nw);
  }
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encTensor(t));
  for (const v of g.inputs) w.message(11, encValueInfo(v));
  for (const v of g.outputs) w.message(12, encValueInfo(v));
  return w;
}

/** Encodes a ModelProto (the inverse of decodeModel for what it covers). */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new Writer().int(1, m.irVersion).string(2, m.producerName);
  w.message(7, encGraph(m.graph));
  for (const o of m.opsets) {
    const ow = new Writer();
    if (o.domain) ow.string(1, o.domain);
    ow.int(2, o.version);
    w.message(8, ow);
  }
  return w.finish();
}
