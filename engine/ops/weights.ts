/**
 * The weight-kind registry: how an edge into a gate turns its source into a
 * term of the gate's pre-activation, forward and backward side by side.
 * Values are [R, n] row-major blocks: element (r, i) at off + r·n + i.
 * Forward ACCUMULATES W·s into z; backward accumulates Wᵀ·dz into the source's
 * gradient (when wanted) and dz·sᵀ into the weight's gradient (when wanted).
 * The runtimes, the edge-gradient view, the validator and the PyTorch export
 * read this table; the fast runtime fuses `full` edges into matrix products
 * (engine/fast/plan.ts) and is tested equal to these loops.
 */
import type { Arr } from '../tensor.ts';

export interface WeightKindDef {
  name: string;
  symbol: string;
  /** Inspector label and docs line. */
  doc: string;
  /** The parameter's shape for a source of ns units into a gate of nt units; null: no parameter. */
  shape(ns: number, nt: number): number[] | null;
  /** Whether the sizes may be connected by this weight kind. */
  fits(ns: number, nt: number): boolean;
  /** z[r, :] += W·s[r, :] for r < R. */
  forward(w: Arr, wo: number, s: Arr, so: number, z: Arr, zo: number, R: number, ns: number, nt: number): void;
  /** ds[r, :] += Wᵀ·dz[r, :] (ds may be null); dw += Σ_r dz[r, :]·s[r, :]ᵀ (dw may be null). */
  backward(w: Arr, wo: number, s: Arr, so: number, dz: Arr, dzo: number, ds: Arr | null, dso: number, dw: Arr | null, dwo: number, R: number, ns: number, nt: number): void;
  /** The PyTorch expression of W·v (p: the parameter's attribute, '' when none). */
  torch(v: string, p: string, ns: number, nt: number): string;
  /** How the export comments the term. */
  note(edgeId: string, sourceId: string): string;
}

const full: WeightKindDef = {
  name: 'full', symbol: 'W', doc: 'full — W, a learned matrix [target size, source size]',
  shape: (ns, nt) => [nt, ns],
  fits: () => true,
  forward(w, wo, s, so, z, zo, R, ns, nt) {
    for (let b = 0; b < R; b++) {
      const sb = so + b * ns;
      const zb = zo + b * nt;
      for (let i = 0; i < nt; i++) {
        const wi = wo + i * ns;
        let acc = 0;
        for (let j = 0; j < ns; j++) acc += w[wi + j] * s[sb + j];
        z[zb + i] += acc;
      }
    }
  },
  backward(w, wo, s, so, dz, dzo, ds, dso, dw, dwo, R, ns, nt) {
    for (let b = 0; b < R; b++) {
      const sb = so + b * ns;
      const zb = dzo + b * nt;
      const db = dso + b * ns;
      for (let i = 0; i < nt; i++) {
        const g = dz[zb + i];
        if (g === 0) continue;
        const wi = wo + i * ns;
        const dwi = dwo + i * ns;
        if (ds) for (let j = 0; j < ns; j++) ds[db + j] += g * w[wi + j];
        if (dw) for (let j = 0; j < ns; j++) dw[dwi + j] += g * s[sb + j];
      }
    }
  },
  torch: (v, p) => `F.linear(${v}, ${p})`,
  note: (e, s) => `W_${e}·${s}`,
};

const diagonal: WeightKindDef = {
  name: 'diagonal', symbol: 'diag', doc: 'diagonal — a learned vector applied elementwise (peephole)',
  shape: (_ns, nt) => [nt],
  fits: (ns, nt) => ns === nt,
  forward(w, wo, s, so, z, zo, R, _ns, n) {
    for (let b = 0; b < R; b++) for (let i = 0; i < n; i++) z[zo + b * n + i] += w[wo + i] * s[so + b * n + i];
  },
  backward(w, wo, s, so, dz, dzo, ds, dso, dw, dwo, R, _ns, n) {
    for (let b = 0; b < R; b++) {
      for (let i = 0; i < n; i++) {
        const g = dz[dzo + b * n + i];
        if (ds) ds[dso + b * n + i] += g * w[wo + i];
        if (dw) dw[dwo + i] += g * s[so + b * n + i];
      }
    }
  },
  torch: (v, p) => `${p} * ${v}`,
  note: (e, s) => `w_${e} ⊙ ${s}`,
};

/** One learned number; a source of size 1 broadcasts to every unit. */
const scalar: WeightKindDef = {
  name: 'scalar', symbol: 'scalar', doc: 'scalar — one learned number (a source of size 1 broadcasts)',
  shape: () => [1],
  fits: (ns, nt) => ns === nt || ns === 1,
  forward(w, wo, s, so, z, zo, R, ns, nt) {
    const k = w[wo];
    for (let b = 0; b < R; b++) for (let i = 0; i < nt; i++) z[zo + b * nt + i] += k * s[so + b * ns + (ns === 1 ? 0 : i)];
  },
  backward(w, wo, s, so, dz, dzo, ds, dso, dw, dwo, R, ns, nt) {
    const k = w[wo];
    let acc = 0;
    for (let b = 0; b < R; b++) {
      for (let i = 0; i < nt; i++) {
        const g = dz[dzo + b * nt + i];
        const j = ns === 1 ? 0 : i;
        if (ds) ds[dso + b * ns + j] += g * k;
        acc += g * s[so + b * ns + j];
      }
    }
    if (dw) dw[dwo] += acc;
  },
  torch: (v, p, ns, nt) => (ns === 1 && nt > 1 ? `(${p} * ${v}).expand(-1, ${nt})` : `${p} * ${v}`),
  note: (e, s) => `w_${e}·${s}`,
};

const identity: WeightKindDef = {
  name: 'identity', symbol: '=', doc: 'identity — no parameter (=); sizes must match',
  shape: () => null,
  fits: (ns, nt) => ns === nt,
  forward(_w, _wo, s, so, z, zo, R, _ns, n) { identityForward(s, so, z, zo, R * n); },
  backward(_w, _wo, _s, _so, dz, dzo, ds, dso, _dw, _dwo, R, _ns, n) { if (ds) identityBackward(dz, dzo, ds, dso, R * n); },
  torch: (v) => v,
  note: (_e, s) => s,
};

/** The weight kinds, by name (names are part of the file format). */
export const WEIGHT_KIND_DEFS = { full, diagonal, scalar, identity } satisfies Record<string, WeightKindDef>;

/** z += s (no parameter; sizes match). */
export function identityForward(s: Arr, so: number, z: Arr, zo: number, n: number): void {
  for (let i = 0; i < n; i++) z[zo + i] += s[so + i];
}

export function identityBackward(dz: Arr, dzo: number, ds: Arr, dso: number, n: number): void {
  for (let i = 0; i < n; i++) ds[dso + i] += dz[dzo + i];
}
