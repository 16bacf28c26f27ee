/**
 * A small, safe unpickler for PyTorch state_dicts (torch.save's data.pkl).
 * It understands only the opcodes a state_dict uses and calls only three
 * kinds of Python callables, modelled in TypeScript: collections.OrderedDict,
 * torch._utils._rebuild_tensor_v2 (and _rebuild_parameter) and torch.*Storage
 * (as persistent ids). Any other global (os.system, builtins.eval, …) is
 * refused by name before anything is built, so a hostile file cannot run code.
 */
import { utf8Decode } from './protobuf.ts';

export class PickleError extends Error {
  constructor(message: string, readonly offset: number, readonly refused?: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A tensor as the pickle describes it: where its data is and how it is laid out. */
export interface TensorRef {
  kind: 'tensor';
  storageKey: string;
  storageType: string;
  offset: number;
  size: number[];
  stride: number[];
}

type Global = { kind: 'global'; name: string };
type Persist = { kind: 'storage'; key: string; type: string };
type PyVal = null | boolean | number | string | PyVal[] | Map<string, PyVal> | TensorRef | Global | Persist | { kind: 'tuple'; items: PyVal[] } | { kind: 'mark' };

const ALLOWED = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'builtins.set']);
const STORAGE = /^torch\.(Float|Double|Half|BFloat16|Long|Int|Short|Char|Byte|Bool)Storage$/;
const MAX_STACK = 1 << 20;

function tupleItems(v: PyVal): PyVal[] | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'tuple') return v.items;
  return undefined;
}

/**
 * Unpickles a state_dict: a Map from key to TensorRef (nested dicts are kept
 * as Maps). Throws PickleError naming the refused global or opcode.
 *
 * @example
 * const sd = unpickleStateDict(zipEntries['archive/data.pkl']);
 * sd.get('weight_ih_l0') // { kind: 'tensor', storageKey: '0', size: [16, 3], ... }
 */
export function unpickleStateDict(buf: Uint8Array): Map<string, PyVal> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: PyVal[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyVal>();
  let p = 0;
  const need = (n: number, at: number): void => {
    if (p + n > buf.length) throw new PickleError('the pickle ends early (truncated file?)', at);
  };
  const u8 = (at: number): number => { need(1, at); return buf[p++]; };
  const u16 = (at: number): number => { need(2, at); const v = dv.getUint16(p, true); p += 2; return v; };
  const u32 = (at: number): number => { need(4, at); const v = dv.getUint32(p, true); p += 4; return v; };
  const text = (n: number, at: number): string => {
    need(n, at);
    const s = utf8Decode(buf.subarray(p, p + n));
    p += n;
    return s;
  };
  const line = (at: number): string => {
    let s = '';
    while (true) {
      const c = u8(at);
      if (c === 0x0a) return s;
      if (s.length > 256) throw new PickleError('a name longer than 256 characters', at);
      s += String.fromCharCode(c);
    }
  };
  const pop = (at: number): PyVal => {
    if (stack.length === 0) throw new PickleError('the pickle pops an empty stack (corrupted file)', at);
    return stack.pop() as PyVal;
  };
  const popMark = (at: number): PyVal[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError('the pickle has no MARK to close (corrupted file)', at);
    return stack.splice(m);
  };
  const push = (v: PyVal, at: number): void => {
    if (stack.length >= MAX_STACK) throw new PickleError('the pickle stack grows beyond a million entries', at);
    stack.push(v);
  };
  const global = (name: string, at: number): Global => {
    if (!ALLOWED.has(name) && !STORAGE.test(name)) throw new PickleError(`global ${name}`, at, name);
    return { kind: 'global', name };
  };
  const setItems = (d: PyVal, items: PyVal[], at: number): void => {
    if (!(d instanceof Map)) throw new PickleError('SETITEMS on something that is not a dict', at);
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i];
      d.set(typeof k === 'string' ? k : String(k), items[i + 1]);
    }
  };
  while (true) {
    const at = p;
    const op = u8(at);
    switch (op) {
      case 0x80: u8(at); break; // PROTO
      case 0x95: need(8, at); p += 8; break; // FRAME
      case 0x2e: { // STOP
        const v = pop(at);
        if (!(v instanceof Map)) throw new PickleError('the pickle holds no dict at the top (not a state_dict: save model.state_dict(), not the model)', at);
        return v;
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x4e: push(null, at); break; // NONE
      case 0x88: push(true, at); break;
      case 0x89: push(false, at); break;
      case 0x4b: push(u8(at), at); break; // BININT1
      case 0x4d: push(u16(at), at); break; // BININT2
      case 0x4a: { need(4, at); const v = dv.getInt32(p, true); p += 4; push(v, at); break; } // BININT
      case 0x8a: { // LONG1
        const n = u8(at);
        need(n, at);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i]);
        if (n > 0 && buf[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        push(Number(v), at);
        break;
      }
      case 0x47: { need(8, at); push(dv.getFloat64(p, false), at); p += 8; break; } // BINFLOAT
      case 0x58: push(text(u32(at), at), at); break; // BINUNICODE
      case 0x8c: push(text(u8(at), at), at); break; // SHORT_BINUNICODE
      case 0x55: push(text(u8(at), at), at); break; // SHORT_BINSTRING
      case 0x63: push(global(`${line(at)}.${line(at)}`, at), at); break; // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(at);
        const mod = pop(at);
        push(global(`${String(mod)}.${String(name)}`, at), at);
        break;
      }
      case 0x29: push({ kind: 'tuple', items: [] }, at); break; // EMPTY_TUPLE
      case 0x74: push({ kind: 'tuple', items: popMark(at) }, at); break; // TUPLE
      case 0x85: push({ kind: 'tuple', items: [pop(at)] }, at); break;
      case 0x86: { const b = pop(at); const a = pop(at); push({ kind: 'tuple', items: [a, b] }, at); break; }
      case 0x87: { const c = pop(at); const b = pop(at); const a = pop(at); push({ kind: 'tuple', items: [a, b, c] }, at); break; }
      case 0x7d: push(new Map(), at); break; // EMPTY_DICT
      case 0x5d: push([], at); break; // EMPTY_LIST
      case 0x61: { const v = pop(at); const l = stack[stack.length - 1]; if (!Array.isArray(l)) throw new PickleError('APPEND to something that is not a list', at); l.push(v); break; }
      case 0x65: { const items = popMark(at); const l = stack[stack.length - 1]; if (!Array.isArray(l)) throw new PickleError('APPENDS to something that is not a list', at); l.push(...items); break; }
      case 0x73: { const v = pop(at); const k = pop(at); setItems(stack[stack.length - 1], [k, v], at); break; } // SETITEM
      case 0x75: { const items = popMark(at); setItems(stack[stack.length - 1], items, at); break; } // SETITEMS
      case 0x71: memo.set(u8(at), stack[stack.length - 1]); break; // BINPUT
      case 0x72: memo.set(u32(at), stack[stack.length - 1]); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1]); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8(at) : u32(at);
        if (!memo.has(k)) throw new PickleError(`memo ${k} is used before it is set`, at);
        push(memo.get(k)!, at);
        break;
      }
      case 0x51: { // BINPERSID: ('storage', StorageType, key, location, numel)
        const pid = tupleItems(pop(at));
        const type = pid?.[1];
        if (!pid || pid[0] !== 'storage' || !type || typeof type !== 'object' || Array.isArray(type) || type instanceof Map || type.kind !== 'global' || !STORAGE.test(type.name)) {
          throw new PickleError('a persistent id that is not a tensor storage', at, 'persistent id');
        }
        push({ kind: 'storage', key: String(pid[2]), type: type.name }, at);
        break;
      }
      case 0x52: { // REDUCE
        const args = tupleItems(pop(at));
        const f = pop(at);
        if (!args || !f || typeof f !== 'object' || Array.isArray(f) || f instanceof Map || f.kind !== 'global') throw new PickleError('REDUCE of something that is not an allowed callable', at);
        if (f.name === 'collections.OrderedDict' || f.name === 'builtins.set') {
          push(new Map(), at);
        } else if (f.name === 'torch._utils._rebuild_parameter') {
          push(args[0] ?? null, at);
        } else if (f.name === 'torch._utils._rebuild_tensor_v2') {
          const [st, off, size, stride] = args;
          const dims = tupleItems(size);
          const strides = tupleItems(stride);
          if (!st || typeof st !== 'object' || Array.isArray(st) || st instanceof Map || st.kind !== 'storage' || typeof off !== 'number' || !dims || !strides) {
            throw new PickleError('a tensor whose storage, offset, size or stride is malformed', at);
          }
          push({ kind: 'tensor', storageKey: st.key, storageType: st.type, offset: off, size: dims.map(Number), stride: strides.map(Number) }, at);
        } else {
          throw new PickleError(`a call to ${f.name}`, at, f.name);
        }
        break;
      }
      case 0x62: pop(at); break; // BUILD: a dict's attributes (state_dict._metadata) are not needed
      default:
        throw new PickleError(`pickle opcode 0x${op.toString(16)} ('${String.fromCharCode(op)}'), which a state_dict does not use`, at, `opcode 0x${op.toString(16)}`);
    }
  }
}
