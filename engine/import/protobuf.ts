/**
 * Protocol-buffer wire format, read and written by hand for the few messages
 * ONNX needs. Reading is bounds-checked everywhere: a truncated or hostile file
 * raises WireError (with the byte offset) instead of reading past the end,
 * allocating what a length field claims, or recursing without end.
 */

export class WireError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'WireError';
  }
}

export const enum Wire { Varint = 0, I64 = 1, Len = 2, I32 = 5 }

/** One field of a message: its number, wire type and where its payload is. */
export interface Field {
  no: number;
  wire: Wire;
  /** The varint value for Varint fields (as a bigint when it does not fit 2^53). */
  int: number | bigint;
  /** Payload bounds for Len, I32 and I64 fields. */
  start: number;
  end: number;
}

export class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  varint(): number | bigint {
    const at = this.pos;
    let n = 0;
    for (;;) {
      if (this.pos >= this.end) throw new WireError('the file ends inside a number (truncated?)', at);
      if (n >= 10) throw new WireError('a number is longer than 10 bytes', at);
      const b = this.buf[this.pos++];
      n++;
      if ((b & 0x80) === 0) break;
    }
    if (n <= 7) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 128 + (this.buf[at + i] & 0x7f);
      return v;
    }
    // Past 49 bits (negative int64s take 10 bytes): exact, with bigints.
    let big = 0n;
    for (let i = n - 1; i >= 0; i--) big = (big << 7n) | BigInt(this.buf[at + i] & 0x7f);
    const signed = BigInt.asIntN(64, big);
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
  }

  /** Reads the next field header and skips over its payload. */
  field(): Field {
    const at = this.pos;
    const key = this.varint();
    if (typeof key !== 'number' || key < 8) throw new WireError('invalid field key (not a protobuf message?)', at);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    switch (wire) {
      case Wire.Varint: {
        const int = this.varint();
        return { no, wire, int, start: at, end: this.pos };
      }
      case Wire.I64: return this.span(no, wire, 8, at);
      case Wire.I32: return this.span(no, wire, 4, at);
      case Wire.Len: {
        const len = this.varint();
        if (typeof len !== 'number' || len < 0) throw new WireError('invalid length', at);
        return this.span(no, wire, len, at);
      }
      default: throw new WireError(`unsupported wire type ${wire} (not an ONNX file, or a corrupted one)`, at);
    }
  }

  private span(no: number, wire: Wire, len: number, at: number): Field {
    const start = this.pos;
    if (len > this.end - start) throw new WireError(`a field claims ${len} bytes but only ${this.end - start} remain (truncated file?)`, at);
    this.pos = start + len;
    return { no, wire, int: 0, start, end: this.pos };
  }

  /** Every field of the message between pos and end. */
  *fields(): Generator<Field> {
    while (this.pos < this.end) yield this.field();
  }
}

/** UTF-8 → string (malformed bytes become U+FFFD); the engine has no TextDecoder in its lib. */
export function utf8Decode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp = 0xfffd;
    let n = 1;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length) { cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f); n = 2; }
    else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length) { cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f); n = 3; }
    else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length) { cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f); n = 4; }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

export function str(buf: Uint8Array, f: Field): string {
  expectWire(f, Wire.Len, 'a string');
  return utf8Decode(buf.subarray(f.start, f.end));
}

export function expectWire(f: Field, wire: Wire, what: string): void {
  if (f.wire !== wire) throw new WireError(`field ${f.no} should be ${what} but has wire type ${f.wire}`, f.start);
}

export function intOf(f: Field): number {
  if (f.wire !== Wire.Varint) throw new WireError(`field ${f.no} should be an integer`, f.start);
  if (typeof f.int === 'bigint') throw new WireError(`field ${f.no} holds ${f.int}, too large`, f.start);
  return f.int;
}

/** A repeated integer field, packed (one Len field) or not (one Varint each). */
export function pushInts(buf: Uint8Array, f: Field, out: number[], limit: number): void {
  if (f.wire === Wire.Varint) {
    out.push(intOf(f));
  } else if (f.wire === Wire.Len) {
    const r = new Reader(buf, f.start, f.end);
    while (r.pos < r.end) {
      if (out.length >= limit) throw new WireError(`more than ${limit} integers in one field`, r.pos);
      const v = r.varint();
      if (typeof v === 'bigint') throw new WireError(`integer ${v} too large`, r.pos);
      out.push(v);
    }
  } else {
    throw new WireError(`field ${f.no} should hold integers`, f.start);
  }
}

/** A repeated float field (fixed32), packed or not. */
export function pushFloats(buf: Uint8Array, f: Field, out: number[]): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (f.wire === Wire.I32) {
    out.push(dv.getFloat32(f.start, true));
  } else if (f.wire === Wire.Len) {
    if ((f.end - f.start) % 4 !== 0) throw new WireError('packed floats whose length is not a multiple of 4', f.start);
    for (let p = f.start; p < f.end; p += 4) out.push(dv.getFloat32(p, true));
  } else {
    throw new WireError(`field ${f.no} should hold floats`, f.start);
  }
}

/** A repeated double field (fixed64), packed or not. */
export function pushDoubles(buf: Uint8Array, f: Field, out: number[]): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (f.wire === Wire.I64) {
    out.push(dv.getFloat64(f.start, true));
  } else if (f.wire === Wire.Len) {
    if ((f.end - f.start) % 8 !== 0) throw new WireError('packed doubles whose length is not a multiple of 8', f.start);
    for (let p = f.start; p < f.end; p += 8) out.push(dv.getFloat64(p, true));
  } else {
    throw new WireError(`field ${f.no} should hold doubles`, f.start);
  }
}

/** Builds a message; nested messages are built by their own Writer and added with `message`. */
export class Writer {
  private chunks: Uint8Array[] = [];
  private cur: number[] = [];
  private size = 0;

  private flush(): void {
    if (this.cur.length > 0) {
      this.chunks.push(Uint8Array.from(this.cur));
      this.cur = [];
    }
  }
  private byte(b: number): void {
    this.cur.push(b);
    this.size++;
  }
  varint(v: number): this {
    if (v < 0) {
      let b = BigInt.asUintN(64, BigInt(v));
      while (b >= 0x80n) {
        this.byte(Number(b & 0x7fn) | 0x80);
        b >>= 7n;
      }
      this.byte(Number(b));
      return this;
    }
    while (v >= 0x80) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
    return this;
  }
  private key(no: number, wire: Wire): void {
    this.varint(no * 8 + wire);
  }
  int(no: number, v: number): this {
    this.key(no, Wire.Varint);
    return this.varint(v);
  }
  bytes(no: number, b: Uint8Array): this {
    this.key(no, Wire.Len);
    this.varint(b.length);
    this.flush();
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  string(no: number, s: string): this {
    return this.bytes(no, utf8Encode(s));
  }
  message(no: number, w: Writer): this {
    return this.bytes(no, w.finish());
  }
  float(no: number, v: number): this {
    this.key(no, Wire.I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.byte(x);
    return this;
  }
  packedInts(no: number, vs: readonly number[]): this {
    const w = new Writer();
    for (const v of vs) w.varint(v);
    return this.bytes(no, w.finish());
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }
}
