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

/** Bytes of scratch the kernels need (packed A block, packed B block, one tile). */
export function scratchBytes(): i32 {
  return MC * KC32 * 4 + KC32 * NC32 * 4 + 256;
}

export function setScratch(at: usize): void {
  AP = at;
  BP = at + <usize>(MC * KC32 * 4);
  TILE = BP + <usize>(KC32 * NC32 * 4);
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

export function gemm32(M: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  if (M <= 0 || N <= 0) return;
  if (!acc) for (let m = 0; m < M; m++) memory.fill(c + <usize>(m * ldc) * 4, 0, <usize>N * 4);
  if (K <= 0) return;
  const ldcb = <usize>ldc * 4;
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
