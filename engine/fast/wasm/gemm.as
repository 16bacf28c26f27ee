// AssemblyScript source of the fast runtime's matrix-product kernels
// (built by `npm run build:wasm` into gemm.wasm.ts).
//
// C[M,N] (+)= A·B, A(m,k) at a + (m·sam + k·sak)·size (so one kernel serves
// A and Aᵀ), B row-major [K,N] with leading dimension ldb, C row-major with ldc.
// Blocked as in GotoBLAS: for each KC×NC block of B (packed into 8- or
// 4-column strips, in L2) and each MC×KC block of A (packed into 4-row strips),
// a register-tiled micro-kernel computes a 4×8 (f32) or 4×4 (f64) tile of C
// from one A strip and one B strip with 128-bit SIMD. Partial tiles are padded
// with zeros when packed and computed into a small tile buffer.
// Pointers and strides are in bytes / elements as named; no allocation.

const MR: i32 = 4;
const KC32: i32 = 256;
const NC32: i32 = 512;
const KC64: i32 = 128;
const NC64: i32 = 512;
const MC: i32 = 64;

let AP: usize = 0;
let BP: usize = 0;
let TILE: usize = 0;
let TMP: usize = 0;

/** Bytes of scratch the kernels need (packed A block, packed B block, one tile, one vector). */
export function scratchBytes(): i32 {
  return MC * KC32 * 4 + KC32 * NC32 * 4 + 256;
}

export function setScratch(at: usize): void {
  AP = at;
  BP = at + <usize>(MC * KC32 * 4);
  TILE = BP + <usize>(KC32 * NC32 * 4);
  TMP = TILE + 128;
}

// ---------------------------------------------------------------- float32

@inline function micro32(kc: i32, ap: usize, bp: usize, c: usize, ldcb: usize): void {
  let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
}

/** The 4×8 tile read straight from A and B (no packing), for products whose B fits in cache. */
@inline function direct32(kc: i32, a: usize, samb: usize, sakb: usize, b: usize, ldbb: usize, c: usize, ldcb: usize): void {
  let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
  const a1 = samb;
  const a2 = samb * 2;
  const a3 = samb * 3;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a + a1);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a + a2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a + a3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a += sakb;
    b += ldbb;
  }
  v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
  c += ldcb;
  v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
}

export function gemm32(M: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  if (M <= 0 || N <= 0) return;
  if (!acc) for (let m = 0; m < M; m++) memory.fill(c + <usize>(m * ldc) * 4, 0, <usize>N * 4);
  if (K <= 0) return;
  const ldcb = <usize>ldc * 4;
  // Small products with whole tiles (the per-step products of small cells):
  // packing would cost about as much as the product, and B stays in cache anyway.
  if ((M & 3) == 0 && (N & 7) == 0 && K * N <= 65536) {
    for (let n = 0; n < N; n += 8) {
      for (let m = 0; m < M; m += 4) {
        direct32(K, a + <usize>(m * sam) * 4, <usize>sam * 4, <usize>sak * 4, b + <usize>n * 4, <usize>ldb * 4, c + (<usize>m * ldc + n) * 4, ldcb);
      }
    }
    return;
  }
  for (let n0 = 0; n0 < N; n0 += NC32) {
    const nc = min(NC32, N - n0);
    const nstrips = (nc + 7) >> 3;
    for (let k0 = 0; k0 < K; k0 += KC32) {
      const kc = min(KC32, K - k0);
      // Pack B[k0.., n0..] into strips of 8 columns: strip s at BP + s·kc·32.
      for (let s = 0; s < nstrips; s++) {
        const col = n0 + (s << 3);
        const w = min(8, N - col);
        let dst = BP + <usize>(s * kc) * 32;
        let src = b + (<usize>k0 * ldb + col) * 4;
        if (w == 8) {
          for (let k = 0; k < kc; k++) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
            dst += 32; src += <usize>ldb * 4;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            for (let j = 0; j < 8; j++) f32.store(dst + (<usize>j << 2), j < w ? f32.load(src + (<usize>j << 2)) : 0);
            dst += 32; src += <usize>ldb * 4;
          }
        }
      }
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = min(MC, M - m0);
        const mstrips = (mc + 3) >> 2;
        // Pack A[m0.., k0..] into strips of 4 rows, k-major: strip r at AP + r·kc·16.
        for (let r = 0; r < mstrips; r++) {
          const row = m0 + (r << 2);
          const h = min(MR, M - row);
          let dst = AP + <usize>(r * kc) * 16;
          for (let k = 0; k < kc; k++) {
            const base = a + (<usize>row * sam + <usize>(k0 + k) * sak) * 4;
            for (let i = 0; i < 4; i++) f32.store(dst + (<usize>i << 2), i < h ? f32.load(base + <usize>(i * sam) * 4) : 0);
            dst += 16;
          }
        }
        for (let s = 0; s < nstrips; s++) {
          const col = n0 + (s << 3);
          const w = min(8, N - col);
          const bp = BP + <usize>(s * kc) * 32;
          for (let r = 0; r < mstrips; r++) {
            const row = m0 + (r << 2);
            const h = min(MR, M - row);
            const ap = AP + <usize>(r * kc) * 16;
            if (w == 8 && h == 4) {
              micro32(kc, ap, bp, c + (<usize>row * ldc + col) * 4, ldcb);
            } else {
              memory.fill(TILE, 0, 128);
              micro32(kc, ap, bp, TILE, 32);
              for (let i = 0; i < h; i++) {
                const cr = c + (<usize>(row + i) * ldc + col) * 4;
                for (let j = 0; j < w; j++) {
                  const p = cr + (<usize>j << 2);
                  f32.store(p, f32.load(p) + f32.load(TILE + <usize>(i * 32 + j * 4)));
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- float64

@inline function micro64(kc: i32, ap: usize, bp: usize, c: usize, ldcb: usize): void {
  let c00 = f64x2.splat(0); let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0); let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0); let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0); let c31 = f64x2.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += 32;
    bp += 32;
  }
  v128.store(c, f64x2.add(v128.load(c), c00)); v128.store(c, f64x2.add(v128.load(c, 16), c01), 16);
  c += ldcb;
  v128.store(c, f64x2.add(v128.load(c), c10)); v128.store(c, f64x2.add(v128.load(c, 16), c11), 16);
  c += ldcb;
  v128.store(c, f64x2.add(v128.load(c), c20)); v128.store(c, f64x2.add(v128.load(c, 16), c21), 16);
  c += ldcb;
  v128.store(c, f64x2.add(v128.load(c), c30)); v128.store(c, f64x2.add(v128.load(c, 16), c31), 16);
}

export function gemm64(M: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  if (M <= 0 || N <= 0) return;
  if (!acc) for (let m = 0; m < M; m++) memory.fill(c + <usize>(m * ldc) * 8, 0, <usize>N * 8);
  if (K <= 0) return;
  const ldcb = <usize>ldc * 8;
  for (let n0 = 0; n0 < N; n0 += NC64) {
    const nc = min(NC64, N - n0);
    const nstrips = (nc + 3) >> 2;
    for (let k0 = 0; k0 < K; k0 += KC64) {
      const kc = min(KC64, K - k0);
      for (let s = 0; s < nstrips; s++) {
        const col = n0 + (s << 2);
        const w = min(4, N - col);
        let dst = BP + <usize>(s * kc) * 32;
        let src = b + (<usize>k0 * ldb + col) * 8;
        if (w == 4) {
          for (let k = 0; k < kc; k++) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
            dst += 32; src += <usize>ldb * 8;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            for (let j = 0; j < 4; j++) f64.store(dst + (<usize>j << 3), j < w ? f64.load(src + (<usize>j << 3)) : 0);
            dst += 32; src += <usize>ldb * 8;
          }
        }
      }
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = min(MC, M - m0);
        const mstrips = (mc + 3) >> 2;
        for (let r = 0; r < mstrips; r++) {
          const row = m0 + (r << 2);
          const h = min(MR, M - row);
          let dst = AP + <usize>(r * kc) * 32;
          for (let k = 0; k < kc; k++) {
            const base = a + (<usize>row * sam + <usize>(k0 + k) * sak) * 8;
            for (let i = 0; i < 4; i++) f64.store(dst + (<usize>i << 3), i < h ? f64.load(base + <usize>(i * sam) * 8) : 0);
            dst += 32;
          }
        }
        for (let s = 0; s < nstrips; s++) {
          const col = n0 + (s << 2);
          const w = min(4, N - col);
          const bp = BP + <usize>(s * kc) * 32;
          for (let r = 0; r < mstrips; r++) {
            const row = m0 + (r << 2);
            const h = min(MR, M - row);
            const ap = AP + <usize>(r * kc) * 32;
            if (w == 4 && h == 4) {
              micro64(kc, ap, bp, c + (<usize>row * ldc + col) * 8, ldcb);
            } else {
              memory.fill(TILE, 0, 128);
              micro64(kc, ap, bp, TILE, 32);
              for (let i = 0; i < h; i++) {
                const cr = c + (<usize>(row + i) * ldc + col) * 8;
                for (let j = 0; j < w; j++) {
                  const p = cr + (<usize>j << 3);
                  f64.store(p, f64.load(p) + f64.load(TILE + <usize>(i * 32 + j * 8)));
                }
              }
            }
          }
        }
      }
    }
  }
}

// ------------------------------------------------- float32 elementwise
// Activations by code: 0 identity, 1 sigmoid, 2 tanh, 3 relu, 4 step
// (softplus stays in JavaScript). exp and tanh are the Cephes single-precision
// approximations (a few ulp), vectorized; the reference computes in double
// and rounds, so the two agree to float32 precision.


@inline function L(p: usize, c: i32): v128 {
  if (c == 4) return v128.load(p);
  memory.fill(TMP, 0, 16);
  memory.copy(TMP, p, <usize>c << 2);
  return v128.load(TMP);
}
@inline function S(p: usize, v: v128, c: i32): void {
  if (c == 4) { v128.store(p, v); return; }
  v128.store(TMP, v);
  memory.copy(p, TMP, <usize>c << 2);
}

@inline function exp4(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

@inline function sigmoid4(z: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(z))));
}

@inline function tanh4(z: v128): v128 {
  const a = f32x4.abs(z);
  const one = f32x4.splat(1);
  // |z| ≥ 0.625: 1 − 2 / (e^{2|z|} + 1), with z's sign
  const big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(a, a)), one)));
  // |z| < 0.625: z + z·z²·P(z²)
  const s = f32x4.mul(z, z);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, s), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, s), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, s), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, s), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(z, f32x4.mul(f32x4.mul(p, s), z));
  const signed = v128.or(big, v128.and(z, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}

@inline function act4(act: i32, z: v128): v128 {
  if (act == 1) return sigmoid4(z);
  if (act == 2) return tanh4(z);
  if (act == 3) return v128.and(z, f32x4.gt(z, f32x4.splat(0)));
  if (act == 4) return v128.and(f32x4.splat(1), f32x4.gt(z, f32x4.splat(0)));
  return z;
}

/** dL/dz from the output y and dL/dy. */
@inline function dact4(act: i32, y: v128, dy: v128): v128 {
  if (act == 1) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(f32x4.splat(1), y)));
  if (act == 2) return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
  if (act == 3) return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
  if (act == 4) return f32x4.splat(0);
  return dy;
}

/**
 * y[r,k] = act(bias[k] + c1[r·ld1 + k] + c2[r·ld2 + k] + c3[r·ld3 + k]) for r < R, k < N.
 * A zero pointer means "absent" (bias, c1, c2, c3).
 */
export function gateFwd32(act: i32, R: i32, N: i32, bias: usize, c1: usize, ld1: i32, c2: usize, ld2: i32, c3: usize, ld3: i32, y: usize): void {
  for (let r = 0; r < R; r++) {
    const p1 = c1 + <usize>(r * ld1) * 4;
    const p2 = c2 + <usize>(r * ld2) * 4;
    const p3 = c3 + <usize>(r * ld3) * 4;
    const py = y + <usize>(r * N) * 4;
    for (let k = 0; k < N; k += 4) {
      const c = min(4, N - k);
      const o = <usize>k << 2;
      let z = bias ? L(bias + o, c) : f32x4.splat(0);
      if (c1) z = f32x4.add(z, L(p1 + o, c));
      if (c2) z = f32x4.add(z, L(p2 + o, c));
      if (c3) z = f32x4.add(z, L(p3 + o, c));
      S(py + o, act4(act, z), c);
    }
  }
}

/**
 * dz[r,k] = act′(y)·dy (contiguous [R,N]); also written to s1[r·ld1 + k] and
 * s2[r·ld2 + k] when given, and summed over rows into gbias[k] when given.
 */
export function gateBwd32(act: i32, R: i32, N: i32, y: usize, dy: usize, dz: usize, gbias: usize, s1: usize, ld1: i32, s2: usize, ld2: i32): void {
  for (let r = 0; r < R; r++) {
    const o0 = <usize>(r * N) * 4;
    const q1 = s1 + <usize>(r * ld1) * 4;
    const q2 = s2 + <usize>(r * ld2) * 4;
    for (let k = 0; k < N; k += 4) {
      const c = min(4, N - k);
      const o = <usize>k << 2;
      const d = dact4(act, L(y + o0 + o, c), L(dy + o0 + o, c));
      S(dz + o0 + o, d, c);
      if (s1) S(q1 + o, d, c);
      if (s2) S(q2 + o, d, c);
      if (gbias) S(gbias + o, f32x4.add(L(gbias + o, c), d), c);
    }
  }
}

/** op 0: y = a + b; 1: y = a·b; 2: y = 1 − a; 3: y = a (copy); 4: y += a; 5: y −= a. */
export function ew32(op: i32, n: i32, a: usize, b: usize, y: usize): void {
  for (let i = 0; i < n; i += 4) {
    const c = min(4, n - i);
    const o = <usize>i << 2;
    const va = L(a + o, c);
    let v: v128;
    if (op == 0) v = f32x4.add(va, L(b + o, c));
    else if (op == 1) v = f32x4.mul(va, L(b + o, c));
    else if (op == 2) v = f32x4.sub(f32x4.splat(1), va);
    else if (op == 3) v = va;
    else if (op == 4) v = f32x4.add(L(y + o, c), va);
    else v = f32x4.sub(L(y + o, c), va);
    S(y + o, v, c);
  }
}

/** Backward of y = a·b: da += dy·b, db += dy·a (either may be 0; they may be the same buffer). */
export function mulBwd32(n: i32, dy: usize, a: usize, b: usize, da: usize, db: usize): void {
  for (let i = 0; i < n; i += 4) {
    const c = min(4, n - i);
    const o = <usize>i << 2;
    const g = L(dy + o, c);
    if (da) S(da + o, f32x4.add(L(da + o, c), f32x4.mul(g, L(b + o, c))), c);
    if (db) S(db + o, f32x4.add(L(db + o, c), f32x4.mul(g, L(a + o, c))), c);
  }
}

/** Σ a[i]², in four float32 lanes (two vectors), added up in double. */
export function sumsq32(n: i32, a: usize): f64 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = v128.load(a + (<usize>i << 2));
    const w = v128.load(a + (<usize>i << 2), 16);
    s0 = f32x4.add(s0, f32x4.mul(v, v));
    s1 = f32x4.add(s1, f32x4.mul(w, w));
  }
  for (; i < n; i += 4) {
    const v = L(a + (<usize>i << 2), min(4, n - i));
    s0 = f32x4.add(s0, f32x4.mul(v, v));
  }
  const s = f32x4.add(s0, s1);
  return <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
}
