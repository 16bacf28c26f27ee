/**
 * The fast runtime: the same computation, public API and storage layout as the
 * reference Session (engine/runtime.ts), reorganized for speed (see plan.ts):
 * input-only and readout nodes run over all T·B rows at once, full edges that
 * share a source are one fused matrix product, input projections are hoisted
 * out of the time loop, weight gradients are one product over all steps, and
 * every buffer is allocated once, up front, by a Backend (plain typed arrays
 * with JavaScript kernels, or WebAssembly memory with SIMD kernels).
 *
 * Elementwise work runs in the backend's kernels: the JavaScript kernels use
 * the reference's own activation code; the WebAssembly float32 kernels fuse a
 * gate's sum and activation into one pass with vectorized exp/tanh (equal to
 * float32 precision). Losses, diagonal and scalar edges call the reference op
 * functions. engine/fast/fast.test.ts holds all of it to the reference Session.
 */
import type { Batch } from '../batch.ts';
import type { CNode, Program } from '../compile.ts';
import { LOSS_DEFS } from '../ops/losses.ts';
import type { Noise } from '../ops/noise.ts';
import type { OpBack, OpRun, Slot } from '../ops/ops.ts';
import type { ExternalGrads, SessionOptions } from '../runtime.ts';
import { addExternalGrads, loadBatch, stateBackward, writeState } from '../runtime.ts';
import type { Arr, DType } from '../tensor.ts';
import type { Backend, Kernels, Strided } from './kernels.ts';
import { jsBackend } from './kernels.ts';
import type { FastPlan } from './plan.ts';
import { bufferSizes, makePlan } from './plan.ts';
import { own } from '../format/dict.ts';
import type { RunSession } from '../session.ts';

/** One term of a gate's pre-activation: a column block of a fused product, an identity edge, or the diagonal/scalar edges summed in scratch. */
interface Contrib { kind: 'group' | 'identity' | 'scratch'; group: number; col: number; src: number }

export interface FastSessionOptions extends SessionOptions {
  /** Where buffers live and which kernels run (default: plain typed arrays, JavaScript kernels). */
  backend?: Backend;
  /** A plan made earlier for the same program (makePlan is cheap; this only saves repeating it). */
  plan?: FastPlan;
}

/**
 * A compiled graph at a fixed T and B, computed fast. Drop-in for Session.
 *
 * @example
 * const s = new FastSession(program, { T, B, dtype: 'float32' });
 * const loss = s.forward(theta, batch);
 * s.backward(theta);            // s.gparams now holds dL/dθ
 */
export class FastSession implements RunSession {
  readonly T: number;
  readonly B: number;
  readonly dtype: DType;
  readonly vals: Arr[];
  readonly grads: (Arr | null)[];
  readonly gparams: Arr;
  readonly stepLoss: Float64Array[];
  readonly gradNorms: Float64Array[];
  loss = NaN;
  readonly plan: FastPlan;
  /** Which kernels run ('js' or 'wasm-simd'). */
  readonly kernelName: string;
  /** Which runtime this is: every graph the compiler accepts runs here (no fallback to the reference). */
  readonly engine = 'fast' as const;

  private readonly k: Kernels;
  private readonly backend: Backend;
  private readonly slabs: Arr[];
  private readonly products: Arr[];
  private readonly wcat: Arr[];
  private readonly wcatT: Arr[];
  private readonly dzbuf: Arr;
  private readonly dwcat: Arr;
  /** A copy of θ in the backend's memory (biases are read from here by the kernels). */
  private readonly pbuf: Arr;
  private readonly fwdContribs: Contrib[][];
  private readonly strided: Strided[][];
  private readonly dests: Strided[][];
  private readonly ins: Slot[][];
  private readonly dins: (Slot | null)[][];
  /** Per gate whose activation's derivative needs its input (gelu, silu, sin): its pre-activations. */
  private readonly pre: (Arr | null)[];
  private readonly inputGrads: boolean;
  private batch: Batch | null = null;
  private noise: Noise | null = null;

  constructor(readonly program: Program, opts: FastSessionOptions) {
    this.T = opts.T;
    this.B = opts.B;
    this.dtype = opts.dtype ?? 'float64';
    this.inputGrads = opts.inputGrads === true;
    const backend = opts.backend ?? jsBackend(this.dtype);
    if (backend.dtype !== this.dtype) throw new Error(`backend is ${backend.dtype}, session asks for ${this.dtype}`);
    this.k = backend.kernels;
    this.backend = backend;
    this.kernelName = backend.kernels.name;
    const plan = opts.plan ?? makePlan(program);
    this.plan = plan;
    const sz = bufferSizes(program, plan, this.T, this.B, this.inputGrads);
    const nn = program.nodes.length;
    const ng = plan.groups.length;
    const ownProducts = sz.products.filter((n) => n > 0);
    const list = [
      ...sz.vals, ...sz.grads, sz.gparams, ...sz.slabs, ...ownProducts,
      ...plan.groups.map((g) => g.width * g.ns), ...plan.groups.map((g) => g.width * g.ns),
      sz.scratchDz, sz.dwcat, sz.gparams, ...sz.pre,
    ];
    const bufs = backend.allocate(list);
    let at = 0;
    const take = (n: number): Arr[] => { const out = bufs.slice(at, at + n); at += n; return out; };
    this.vals = take(nn);
    this.grads = take(nn).map((g, i) => (sz.grads[i] > 0 ? g : null));
    [this.gparams] = take(1);
    this.slabs = take(plan.slabs.length);
    const own = take(ownProducts.length);
    let o = 0;
    this.products = plan.groups.map((g, i) => (sz.products[i] > 0 ? own[o++] : this.slabs[g.slab]));
    this.wcat = take(ng);
    this.wcatT = take(ng);
    [this.dzbuf, this.dwcat, this.pbuf] = take(3);
    this.pre = take(nn).map((b, i) => (sz.pre[i] > 0 ? b : null));
    this.fwdContribs = program.nodes.map((n) => {
      const out: Contrib[] = plan.gateGroups[n.index].map((m) => ({ kind: 'group' as const, group: m.group, col: m.col, src: -1 }));
      for (const e of plan.otherEdges[n.index]) if (e.weight === 'identity') out.push({ kind: 'identity', group: -1, col: 0, src: e.source });
      if (plan.otherEdges[n.index].some((e) => e.weight === 'diagonal' || e.weight === 'scalar')) out.push({ kind: 'scratch', group: -1, col: 0, src: -1 });
      return out;
    });
    this.strided = program.nodes.map((n) => this.fwdContribs[n.index].map(() => ({ buf: this.dzbuf, off: 0, ld: 0 })));
    this.dests = program.nodes.map((n) => plan.gateSlabs[n.index].map((s) => ({ buf: this.slabs[s.slab], off: 0, ld: plan.slabs[s.slab].width })));
    this.stepLoss = program.nodes.map((n) => new Float64Array(n.kind === 'loss' ? this.T : 0));
    this.gradNorms = program.nodes.map(() => new Float64Array(this.T));
    this.ins = program.nodes.map((n) => n.inEdges.map((e) => ({ buf: this.vals[e.source], off: 0 })));
    this.dins = program.nodes.map((n) => n.inEdges.map((e) => {
      const g = this.grads[e.source];
      return g ? { buf: g, off: 0 } : null;
    }));
  }

  /** Training noise (dropout, zoneout) for the next passes, or null for evaluation; as Session.setNoise. */
  setNoise(noise: Noise | null): void {
    this.noise = noise;
  }

  /** Runs the graph over the batch; returns the total loss. */
  forward(params: Arr, batch: Batch): number {
    const { program: p, B, T, plan } = this;
    loadBatch(p, this.vals, params, batch, T, B);
    this.batch = batch;
    this.pbuf.set(params);
    // Wcatᵀ [ns, width]: the forward product is S · Wcatᵀ.
    for (const g of plan.groups) {
      const wT = this.wcatT[g.index];
      const { ns, width } = g;
      for (const ge of g.edges) {
        const wo = ge.edge.param!.offset;
        for (let i = 0; i < ge.n; i++) {
          const row = wo + i * ns;
          for (let j = 0; j < ns; j++) wT[j * width + ge.col + i] = params[row + j];
        }
      }
    }
    for (const i of p.losses) this.stepLoss[i].fill(0);

    const TB = T * B;
    for (const gi of plan.start.pre) this.groupForward(gi, 0, TB);
    for (const i of plan.pre) {
      this.nodeForward(p.nodes[i], 0, TB, params);
      for (const gi of plan.after[i]) this.groupForward(gi, 0, TB);
    }
    for (const gi of plan.hoisted) this.groupForward(gi, 0, TB);
    for (let t = 0; t < T; t++) {
      const r0 = t * B;
      for (const gi of plan.start.loop) this.groupForward(gi, r0, B);
      for (const i of plan.loop) {
        this.nodeForward(p.nodes[i], r0, B, params);
        for (const gi of plan.after[i]) this.groupForward(gi, r0, B);
      }
      for (const i of p.cells) writeState(p.nodes[i], this.vals[i], this.vals[p.nodes[i].writer!], t, B, this.noise);
    }
    for (const gi of plan.start.post) this.groupForward(gi, 0, TB);
    for (const i of plan.post) {
      this.nodeForward(p.nodes[i], 0, TB, params);
      for (const gi of plan.after[i]) this.groupForward(gi, 0, TB);
    }
    let total = 0;
    for (let t = 0; t < T; t++) for (const i of p.order) if (p.nodes[i].kind === 'loss') total += this.stepLoss[i][t];
    this.loss = total;
    return total;
  }

  /** The fused product of group gi over rows r0 .. r0+rows: C = S · Wcatᵀ. */
  private groupForward(gi: number, r0: number, rows: number): void {
    const g = this.plan.groups[gi];
    const co = g.perStep ? 0 : r0 * g.width;
    this.k.gemmNN(rows, g.width, g.ns, this.vals[g.source], r0 * g.ns, g.ns, this.wcatT[gi], 0, g.width, this.products[gi], co, g.width, false);
  }

  private setIns(n: CNode, r0: number): Slot[] {
    const ins = this.ins[n.index];
    for (let k = 0; k < ins.length; k++) ins[k].off = r0 * this.program.nodes[n.inEdges[k].source].size;
    return ins;
  }

  /** Computes node n over rows r0 .. r0+R (R = B for one step, T·B for all steps). */
  private nodeForward(n: CNode, r0: number, R: number, params: Arr): void {
    const N = n.size;
    switch (n.kind) {
      case 'gate': {
        const cs = this.fwdContribs[n.index];
        const st = this.strided[n.index];
        for (let k = 0; k < cs.length; k++) {
          const c = cs[k];
          const d = st[k];
          if (c.kind === 'group') {
            const g = this.plan.groups[c.group];
            d.buf = this.products[c.group];
            d.ld = g.width;
            d.off = (g.perStep ? 0 : r0) * g.width + c.col;
          } else if (c.kind === 'identity') {
            d.buf = this.vals[c.src];
            d.ld = N;
            d.off = r0 * N;
          } else {
            // Diagonal and scalar edges: summed into scratch by the weight kinds' own loops.
            const z = this.dzbuf;
            z.fill(0, 0, R * N);
            const ins = this.setIns(n, r0);
            for (let j = 0; j < n.inEdges.length; j++) {
              const e = n.inEdges[j];
              if (e.weight !== 'diagonal' && e.weight !== 'scalar') continue;
              const sl = ins[j];
              e.kind.forward(params, e.param ? e.param.offset : 0, sl.buf, sl.off, z, 0, R, this.program.nodes[e.source].size, N);
            }
            d.buf = z;
            d.ld = N;
            d.off = 0;
          }
        }
        const pre = this.pre[n.index];
        if (pre) {
          // The activation's derivative needs z: keep it, then apply the activation from the registry.
          this.k.gateForward('identity', R, N, n.bias ? this.pbuf : null, n.bias ? n.bias.offset : 0, st, pre, r0 * N);
          n.act!.forward(pre, r0 * N, this.vals[n.index], r0 * N, R * N);
        } else {
          this.k.gateForward(n.activation!, R, N, n.bias ? this.pbuf : null, n.bias ? n.bias.offset : 0, st, this.vals[n.index], r0 * N);
        }
        return;
      }
      case 'op': {
        const ins = this.setIns(n, r0);
        const y = this.vals[n.index];
        const yo = r0 * N;
        const len = R * N;
        // The classic cells' ops run in the backend's kernels; every other op in its registry entry's loops.
        if (n.op === 'one_minus') this.k.ew('oneMinus', len, ins[0].buf, ins[0].off, null, 0, y, yo);
        else if ((n.op === 'add' || n.op === 'mul') && ins.length === 1) this.k.ew('copy', len, ins[0].buf, ins[0].off, null, 0, y, yo);
        else if (n.op === 'add' || n.op === 'mul') {
          const op = n.op === 'add' ? 'add' : 'mul';
          this.k.ew(op, len, ins[0].buf, ins[0].off, ins[1].buf, ins[1].off, y, yo);
          for (let k = 2; k < ins.length; k++) this.k.ew(op, len, y, yo, ins[k].buf, ins[k].off, y, yo);
        } else n.opDef!.forward(this.opRun(n, ins, r0, R, params));
        return;
      }
      case 'loss': {
        const { B, T } = this;
        const pred = this.program.nodes[n.inEdges[0].source];
        const np = pred.size;
        const pv = this.vals[pred.index];
        const yv = n.inEdges[1] ? this.vals[n.inEdges[1].source] : null;
        const S = n.steps === 'last' ? 1 : T;
        const def = LOSS_DEFS[n.loss!];
        const scale = def.scale(S, B, np);
        const sl = this.stepLoss[n.index];
        for (let t = n.steps === 'last' ? T - 1 : 0; t < T; t++) {
          sl[t] = def.forward(pv, t * B * np, yv, t * B * np, B, np, scale);
        }
        return;
      }
      default:
        return;
    }
  }

  private opRun(n: CNode, ins: Slot[], r0: number, R: number, params: Arr): OpRun {
    return {
      ins, sizes: n.inEdges.map((e) => this.program.nodes[e.source].size), N: n.size, R, y: this.vals[n.index], yo: r0 * n.size,
      attrs: n.attrs!, theta: params, pofs: (n.opParams ?? []).map((e) => e.offset), noise: this.noise, row0: r0, B: this.B, node: n.index,
    };
  }

  /**
   * Back-propagates the last forward through time: fills gparams, grads and
   * gradNorms exactly as Session.backward does (external gradients too).
   */
  backward(params: Arr, external?: ExternalGrads): void {
    const { program: p, B, T, plan } = this;
    if (!this.batch) throw new Error('backward() before forward()');
    this.gparams.fill(0);
    for (const g of this.grads) g?.fill(0);
    if (external) addExternalGrads(p, this.grads, external, B);
    for (const g of plan.groups) {
      const w = this.wcat[g.index];
      for (const ge of g.edges) w.set(params.subarray(ge.edge.param!.offset, ge.edge.param!.offset + ge.n * g.ns), ge.col * g.ns);
    }
    const TB = T * B;
    this.phaseBackward(plan.post, plan.start.post, params);
    for (let t = T - 1; t >= 0; t--) {
      const r0 = t * B;
      for (const i of p.cells) {
        const n = p.nodes[i];
        const sz = B * n.size;
        const to = this.grads[n.writer!];
        if (n.zoneout) stateBackward(n, this.grads[i]!, to, t, B, this.noise);
        else if (to) this.k.ew('acc', sz, this.grads[i]!, (t + 1) * sz, null, 0, to, t * sz);
      }
      for (let k = plan.loop.length - 1; k >= 0; k--) {
        const i = plan.loop[k];
        for (const gi of plan.after[i]) this.groupBackward(gi, r0, B);
        this.nodeBackward(p.nodes[i], r0, B, params);
      }
      for (const gi of plan.start.loop) this.groupBackward(gi, r0, B);
    }
    for (const gi of plan.hoisted) this.groupBackward(gi, 0, TB);
    this.phaseBackward(plan.pre, plan.start.pre, params);
    // Weight gradients: one product over all T·B rows per group.
    for (const g of plan.groups) {
      this.k.gemmTN(g.width, g.ns, TB, this.slabs[g.slab], 0, this.plan.slabs[g.slab].width, this.vals[g.source], 0, g.ns, this.dwcat, 0, g.ns, false);
      for (const ge of g.edges) {
        const off = ge.edge.param!.offset;
        const from = ge.col * g.ns;
        const len = ge.n * g.ns;
        this.k.ew('acc', len, this.dwcat, from, null, 0, this.gparams, off);
      }
    }
    for (const i of p.cells) {
      const n = p.nodes[i];
      if (!n.init || own(this.batch.initialStates, n.id)) continue;
      const g = this.grads[i]!;
      for (let b = 0; b < B; b++) for (let k = 0; k < n.size; k++) this.gparams[n.init.offset + k] += g[b * n.size + k];
    }
    for (let t = 0; t < T; t++) this.recordNorms(t);
  }

  private phaseBackward(nodes: number[], start: number[], params: Arr): void {
    const TB = this.T * this.B;
    for (let k = nodes.length - 1; k >= 0; k--) {
      const i = nodes[k];
      for (const gi of this.plan.after[i]) this.groupBackward(gi, 0, TB);
      this.nodeBackward(this.program.nodes[i], 0, TB, params);
    }
    for (const gi of start) this.groupBackward(gi, 0, TB);
  }

  /** dS += dZ · Wcat over rows r0 .. r0+rows, into the source's gradient. */
  private groupBackward(gi: number, r0: number, rows: number): void {
    const g = this.plan.groups[gi];
    const ds = this.grads[g.source];
    if (!ds) return;
    const w = this.plan.slabs[g.slab].width;
    this.k.gemmNN(rows, g.ns, w, this.slabs[g.slab], r0 * w, w, this.wcat[gi], 0, g.ns, ds, r0 * g.ns, g.ns, true);
  }

  private nodeBackward(n: CNode, r0: number, R: number, params: Arr): void {
    const N = n.size;
    switch (n.kind) {
      case 'gate': {
        const dz = this.dzbuf;
        const dests = this.dests[n.index];
        const places = this.plan.gateSlabs[n.index];
        for (let k = 0; k < dests.length; k++) dests[k].off = r0 * dests[k].ld + places[k].col;
        const pre = this.pre[n.index];
        if (pre) {
          // dz from the registry's derivative in z, then the kernel spreads it as an identity gate would.
          n.act!.backward(pre, r0 * N, this.vals[n.index], r0 * N, this.grads[n.index]!, r0 * N, dz, 0, R * N);
          this.k.gateBackward('identity', R, N, this.vals[n.index], r0 * N, dz, 0, dz, 0, n.bias ? this.gparams : null, n.bias ? n.bias.offset : 0, dests);
        } else {
          this.k.gateBackward(n.activation!, R, N, this.vals[n.index], r0 * N, this.grads[n.index]!, r0 * N, dz, 0, n.bias ? this.gparams : null, n.bias ? n.bias.offset : 0, dests);
        }
        const others = this.plan.otherEdges[n.index];
        if (others.length === 0) return;
        const ins = this.setIns(n, r0);
        const dins = this.setDins(n, r0);
        for (let at = 0; at < n.inEdges.length; at++) {
          const e = n.inEdges[at];
          if (e.weight === 'full') continue;
          const s = ins[at];
          const ds = dins[at];
          const ns = this.program.nodes[e.source].size;
          const wo = e.param ? e.param.offset : 0;
          if (e.weight === 'identity') { if (ds) this.k.ew('acc', R * N, dz, 0, null, 0, ds.buf, ds.off); }
          else e.kind.backward(params, wo, s.buf, s.off, dz, 0, ds?.buf ?? null, ds?.off ?? 0, this.gparams, wo, R, ns, N);
        }
        return;
      }
      case 'op': {
        const ins = this.setIns(n, r0);
        const dins = this.setDins(n, r0);
        const dy = this.grads[n.index]!;
        const dyo = r0 * N;
        const len = R * N;
        if (n.op === 'mul' && ins.length === 2) {
          const [a, b] = ins;
          const [da, db] = dins;
          this.k.mulBackward(len, dy, dyo, a.buf, a.off, b.buf, b.off, da?.buf ?? null, da?.off ?? 0, db?.buf ?? null, db?.off ?? 0);
        } else if (n.op === 'add' || (n.op === 'mul' && ins.length === 1)) {
          for (const d of dins) if (d) this.k.ew('acc', len, dy, dyo, null, 0, d.buf, d.off);
        } else if (n.op === 'one_minus') {
          const d = dins[0];
          if (d) this.k.ew('sub', len, dy, dyo, null, 0, d.buf, d.off);
        } else {
          const back: OpBack = { ...this.opRun(n, ins, r0, R, params), dy, dyo, dins, gtheta: this.gparams };
          n.opDef!.backward(back);
        }
        return;
      }
      case 'loss': {
        const { B, T } = this;
        const pred = this.program.nodes[n.inEdges[0].source];
        const dp = this.grads[pred.index];
        const np = pred.size;
        const tgt = n.inEdges[1] ? n.inEdges[1].source : -1;
        const yv = tgt >= 0 ? this.vals[tgt] : null;
        const dy = tgt >= 0 ? this.grads[tgt] : null;
        if (!dp && !dy) return;
        const S = n.steps === 'last' ? 1 : T;
        const def = LOSS_DEFS[n.loss!];
        // Every step has the same scale, so all steps are one call over T·B rows.
        const o = n.steps === 'last' ? (T - 1) * B * np : 0;
        def.backward(this.vals[pred.index], o, yv, o, dp, o, dy, o, n.steps === 'last' ? B : T * B, np, def.scale(S, B, np));
        return;
      }
      default:
        return;
    }
  }

  private setDins(n: CNode, r0: number): (Slot | null)[] {
    const d = this.dins[n.index];
    for (let k = 0; k < d.length; k++) {
      const s = d[k];
      if (s) s.off = r0 * this.program.nodes[n.inEdges[k].source].size;
    }
    return d;
  }

  private recordNorms(t: number): void {
    const { program: p, B } = this;
    for (const n of p.nodes) {
      if (n.kind === 'loss' || n.kind === 'target') continue;
      if (n.kind === 'cell') {
        const g = n.zoneout ? null : this.grads[n.writer!];
        const sz = B * n.size;
        this.gradNorms[n.index][t] = Math.sqrt(g ? this.k.sumsq(sz, g, t * sz) : this.k.sumsq(sz, this.grads[n.index]!, (t + 1) * sz));
        continue;
      }
      const g = this.grads[n.index];
      if (g) this.gradNorms[n.index][t] = Math.sqrt(this.k.sumsq(B * n.size, g, t * B * n.size));
    }
  }

  /** dL/d(initial state) of a cell, [B, size] (after backward). */
  initialStateGrad(cellIndex: number): Arr {
    const n = this.program.nodes[cellIndex];
    return this.grads[cellIndex]!.subarray(0, this.B * n.size);
  }

  /** Stops the backend's helper threads, if any (the session stays usable on one thread). */
  dispose(): void {
    this.backend.dispose?.();
  }

  /** Node n's values as [T, B, size] (a cell: the states written, h_1..h_T). */
  values(nodeIndex: number): Arr {
    const n = this.program.nodes[nodeIndex];
    if (n.kind === 'cell') return this.vals[nodeIndex].subarray(this.B * n.size);
    return this.vals[nodeIndex];
  }
}
