/** Numeric storage shared by the compiler, runtime and trainer. */

export type DType = 'float64' | 'float32';
export type Arr = Float64Array | Float32Array;

export function alloc(dtype: DType, n: number): Arr {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function product(shape: readonly number[]): number {
  let p = 1;
  for (const s of shape) p *= s;
  return p;
}

/** Frobenius norm of a[off .. off+n). */
export function norm(a: Arr, off: number, n: number): number {
  let s = 0;
  for (let i = off; i < off + n; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
