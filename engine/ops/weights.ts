/**
 * Weighted edges into a gate, forward and backward side by side.
 * Values are [B, n] row-major blocks: element (b, i) at off + b·n + i.
 * Forward ACCUMULATES into the gate's pre-activation z; backward accumulates
 * into the source's gradient and the weight's gradient.
 */
import type { Arr } from '../tensor.ts';

/** z[b,i] += Σ_j W[i,j] · s[b,j];  W is [nt, ns] at w[wo..]. */
export function fullForward(w: Arr, wo: number, s: Arr, so: number, z: Arr, zo: number, B: number, ns: number, nt: number): void {
  for (let b = 0; b < B; b++) {
    const sb = so + b * ns;
    const zb = zo + b * nt;
    for (let i = 0; i < nt; i++) {
      const wi = wo + i * ns;
      let acc = 0;
      for (let j = 0; j < ns; j++) acc += w[wi + j] * s[sb + j];
      z[zb + i] += acc;
    }
  }
}

/** ds[b,j] += Σ_i dz[b,i] W[i,j];  dW[i,j] += Σ_b dz[b,i] s[b,j]. ds may be null (no gradient wanted). */
export function fullBackward(
  w: Arr, wo: number, s: Arr, so: number, dz: Arr, dzo: number,
  ds: Arr | null, dso: number, dw: Arr, dwo: number, B: number, ns: number, nt: number,
): void {
  for (let b = 0; b < B; b++) {
    const sb = so + b * ns;
    const zb = dzo + b * nt;
    const db = dso + b * ns;
    for (let i = 0; i < nt; i++) {
      const g = dz[zb + i];
      if (g === 0) continue;
      const wi = wo + i * ns;
      const dwi = dwo + i * ns;
      if (ds) for (let j = 0; j < ns; j++) ds[db + j] += g * w[wi + j];
      for (let j = 0; j < ns; j++) dw[dwi + j] += g * s[sb + j];
    }
  }
}

/** z[b,i] += w[i] · s[b,i] (peepholes). */
export function diagonalForward(w: Arr, wo: number, s: Arr, so: number, z: Arr, zo: number, B: number, n: number): void {
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) z[zo + b * n + i] += w[wo + i] * s[so + b * n + i];
}

export function diagonalBackward(
  w: Arr, wo: number, s: Arr, so: number, dz: Arr, dzo: number,
  ds: Arr | null, dso: number, dw: Arr, dwo: number, B: number, n: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) {
      const g = dz[dzo + b * n + i];
      if (ds) ds[dso + b * n + i] += g * w[wo + i];
      dw[dwo + i] += g * s[so + b * n + i];
    }
  }
}

/** z[b,i] += w · s[b, ns === 1 ? 0 : i]: one learned number; a source of size 1 broadcasts. */
export function scalarForward(w: Arr, wo: number, s: Arr, so: number, z: Arr, zo: number, B: number, ns: number, nt: number): void {
  const k = w[wo];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < nt; i++) z[zo + b * nt + i] += k * s[so + b * ns + (ns === 1 ? 0 : i)];
  }
}

export function scalarBackward(
  w: Arr, wo: number, s: Arr, so: number, dz: Arr, dzo: number,
  ds: Arr | null, dso: number, dw: Arr, dwo: number, B: number, ns: number, nt: number,
): void {
  const k = w[wo];
  let acc = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < nt; i++) {
      const g = dz[dzo + b * nt + i];
      const j = ns === 1 ? 0 : i;
      if (ds) ds[dso + b * ns + j] += g * k;
      acc += g * s[so + b * ns + j];
    }
  }
  dw[dwo] += acc;
}

/** z += s (no parameter; sizes match). */
export function identityForward(s: Arr, so: number, z: Arr, zo: number, n: number): void {
  for (let i = 0; i < n; i++) z[zo + i] += s[so + i];
}

export function identityBackward(dz: Arr, dzo: number, ds: Arr, dso: number, n: number): void {
  for (let i = 0; i < n; i++) ds[dso + i] += dz[dzo + i];
}
