/**
 * The runtime: forward over T steps, backward through time (BPTT), with all
 * buffers allocated once per (T, B) and reused across calls.
 *
 * Storage: every gate/op/input/target node keeps its value at every step,
 * vals[n][t·B·N + b·N + i]. A cell keeps T+1 state slots: slot 0 is the initial
 * state, slot t+1 the state written at step t; at step t it outputs slot t
 * (the previous step's value). Gradients mirror the values.
 */
import type { Batch } from './batch.ts';
import type { CNode, Program } from './compile.ts';
import { LOSS_DEFS } from './ops/losses.ts';
import type { Noise } from './ops/noise.ts';
import { zoneoutKeep } from './ops/noise.ts';
import type { OpBack, OpRun, Slot } from './ops/ops.ts';
import { identityBackward } from './ops/weights.ts';
import type { Arr, DType } from './tensor.ts';
import { alloc, norm } from './tensor.ts';
import { own } from './format/dict.ts';
import type { RunSession } from './session.ts';

export interface SessionOptions {
  T: number;
  B: number;
  dtype?: DType;
  /** Also back-propagate into input nodes (their gradNorms). Default false. */
  inputGrads?: boolean;
}

/**
 * One compiled graph at a fixed T and B.
 *
 * @example
 * const s = new Session(program, { T, B });
 * const loss = s.forward(theta, batch);
 * s.backward(theta);            // s.gparams now holds dL/dθ
 */
export class Session implements RunSession {
  readonly T: number;
  readonly B: number;
  readonly dtype: DType;
  /** Per node: values (cells: T+1 state slots). */
  readonly vals: Arr[];
  /** Per node: dL/d(value); null where no gradient is kept (targets, inputs unless asked). */
  readonly grads: (Arr | null)[];
  /** dL/dθ, laid out like the parameter vector. */
  readonly gparams: Arr;
  /** Per loss node: its contribution at each step. */
  readonly stepLoss: Float64Array[];
  /** Per node: ‖dL/d value_t‖ for t = 0..T−1 (filled by backward). */
  readonly gradNorms: Float64Array[];
  /** The last forward's total loss. */
  loss = NaN;
  /** Which runtime this is (the fast one says 'fast'). */
  readonly engine = 'reference' as const;

  private readonly scratch: Arr;
  /** Per gate whose activation's derivative needs its input: the pre-activations z at every step. */
  private readonly pre: (Arr | null)[];
  private readonly inputGrads: boolean;
  private batch: Batch | null = null;
  private noise: Noise | null = null;

  constructor(readonly program: Program, opts: SessionOptions) {
    this.T = opts.T;
    this.B = opts.B;
    this.dtype = opts.dtype ?? 'float64';
    this.inputGrads = opts.inputGrads === true;
    const { T, B } = this;
    let maxN = 1;
    this.vals = program.nodes.map((n) => {
      maxN = Math.max(maxN, n.size);
      if (n.kind === 'loss') return alloc(this.dtype, 0);
      return alloc(this.dtype, (n.kind === 'cell' ? T + 1 : T) * B * n.size);
    });
    this.grads = program.nodes.map((n) => {
      if (n.kind === 'target' || n.kind === 'loss') return null;
      if (n.kind === 'input' && !this.inputGrads) return null;
      return alloc(this.dtype, (n.kind === 'cell' ? T + 1 : T) * B * n.size);
    });
    this.gparams = alloc(this.dtype, program.layout.size);
    this.stepLoss = program.nodes.map((n) => new Float64Array(n.kind === 'loss' ? T : 0));
    this.gradNorms = program.nodes.map(() => new Float64Array(T));
    this.scratch = alloc(this.dtype, B * maxN);
    this.pre = program.nodes.map((n) => (n.act?.def.usesInput ? alloc(this.dtype, T * B * n.size) : null));
  }

  /**
   * Training noise for the next passes (dropout masks, zoneout masks), or null
   * for evaluation (the default: run, grad, validation). The trainer sets it
   * before each training step's forward.
   *
   * @example
   * s.setNoise({ seed: 1, round: step }); s.forward(theta, batch); s.backward(theta); s.setNoise(null);
   */
  setNoise(noise: Noise | null): void {
    this.noise = noise;
  }

  /** Where node n's output at step t lives (a cell outputs its previous state). */
  private slot(n: CNode, t: number): Slot {
    const sz = this.B * n.size;
    return { buf: this.vals[n.index], off: t * sz };
  }

  /** Where the gradient of node n's output at step t accumulates, or null. */
  private gslot(n: CNode, t: number): Slot | null {
    const g = this.grads[n.index];
    return g ? { buf: g, off: t * this.B * n.size } : null;
  }

  /** Runs the graph over the batch; returns the total loss. */
  forward(params: Arr, batch: Batch): number {
    const { program: p, B } = this;
    const T = this.T;
    loadBatch(p, this.vals, params, batch, T, B);
    this.batch = batch;

    let total = 0;
    for (const i of p.losses) this.stepLoss[i].fill(0);
    for (let t = 0; t < T; t++) {
      for (const i of p.order) total += this.forwardNode(p.nodes[i], t, params);
      for (const i of p.cells) {
        const n = p.nodes[i];
        writeState(n, this.vals[i], this.vals[n.writer!], t, B, this.noise);
      }
    }
    this.loss = total;
    return total;
  }

  private forwardNode(n: CNode, t: number, params: Arr): number {
    const { B, program: p } = this;
    const N = n.size;
    switch (n.kind) {
      case 'gate': {
        const z = this.scratch;
        if (n.bias) for (let b = 0; b < B; b++) for (let k = 0; k < N; k++) z[b * N + k] = params[n.bias.offset + k];
        else z.fill(0, 0, B * N);
        for (const e of n.inEdges) {
          const sn = p.nodes[e.source];
          const s = this.slot(sn, t);
          e.kind.forward(params, e.param ? e.param.offset : 0, s.buf, s.off, z, 0, B, sn.size, N);
        }
        const pre = this.pre[n.index];
        if (pre) pre.set(z.subarray(0, B * N), t * B * N);
        n.act!.forward(z, 0, this.vals[n.index], t * B * N, B * N);
        return 0;
      }
      case 'op': {
        n.opDef!.forward(this.opRun(n, t, params));
        return 0;
      }
      case 'loss': {
        if (n.steps === 'last' && t !== this.T - 1) return 0;
        const pred = p.nodes[n.inEdges[0].source];
        const ps = this.slot(pred, t);
        const ys = n.inEdges[1] ? this.slot(p.nodes[n.inEdges[1].source], t) : null;
        const S = n.steps === 'last' ? 1 : this.T;
        const def = LOSS_DEFS[n.loss!];
        const l = def.forward(ps.buf, ps.off, ys?.buf ?? null, ys?.off ?? 0, B, pred.size, def.scale(S, B, pred.size));
        this.stepLoss[n.index][t] = l;
        return l;
      }
      default:
        return 0;
    }
  }

  /** The op's evaluation at step t (its inputs in slot order). */
  private opRun(n: CNode, t: number, params: Arr): OpRun {
    const { B, program: p } = this;
    return {
      ins: n.inEdges.map((e) => this.slot(p.nodes[e.source], t)),
      sizes: n.inEdges.map((e) => p.nodes[e.source].size),
      N: n.size, R: B, y: this.vals[n.index], yo: t * B * n.size, attrs: n.attrs!,
      theta: params, pofs: (n.opParams ?? []).map((e) => e.offset), noise: this.noise, row0: t * B, B, node: n.index,
    };
  }

  /** The op's backward at step t; `dins` overrides where the inputs' gradients go. */
  private opBack(n: CNode, t: number, params: Arr, gtheta: Arr, dins?: (Slot | null)[]): OpBack {
    const p = this.program;
    return {
      ...this.opRun(n, t, params),
      dy: this.grads[n.index]!, dyo: t * this.B * n.size,
      dins: dins ?? n.inEdges.map((e) => this.gslot(p.nodes[e.source], t)), gtheta,
    };
  }

  /**
   * Back-propagates the last forward through time: fills gparams (dL/dθ),
   * grads (dL/d value of every node at every step) and gradNorms. `external`
   * adds gradients from outside the graph (see addExternalGrads).
   */
  backward(params: Arr, external?: ExternalGrads): void {
    const { program: p, B, T } = this;
    if (!this.batch) throw new Error('backward() before forward()');
    this.gparams.fill(0);
    for (const g of this.grads) g?.fill(0);
    if (external) addExternalGrads(p, this.grads, external, B);
    for (let t = T - 1; t >= 0; t--) {
      // The state written at step t is the writer's value at step t: hand the
      // gradient that step t+1 left on it to the writer.
      for (const i of p.cells) {
        const n = p.nodes[i];
        stateBackward(n, this.grads[i]!, this.grads[n.writer!], t, B, this.noise);
      }
      for (let k = p.order.length - 1; k >= 0; k--) this.backwardNode(p.nodes[p.order[k]], t, params);
      this.recordNorms(t);
    }
    // Learned initial states collect the gradient of slot 0 over the batch.
    for (const i of p.cells) {
      const n = p.nodes[i];
      if (!n.init || own(this.batch.initialStates, n.id)) continue;
      const g = this.grads[i]!;
      for (let b = 0; b < B; b++) for (let k = 0; k < n.size; k++) this.gparams[n.init.offset + k] += g[b * n.size + k];
    }
  }

  private backwardNode(n: CNode, t: number, params: Arr): void {
    const { B, program: p } = this;
    const N = n.size;
    switch (n.kind) {
      case 'gate': {
        const dz = this.scratch;
        n.act!.backward(this.pre[n.index], t * B * N, this.vals[n.index], t * B * N, this.grads[n.index]!, t * B * N, dz, 0, B * N);
        if (n.bias) for (let b = 0; b < B; b++) for (let k = 0; k < N; k++) this.gparams[n.bias.offset + k] += dz[b * N + k];
        for (const e of n.inEdges) {
          const sn = p.nodes[e.source];
          const s = this.slot(sn, t);
          const ds = this.gslot(sn, t);
          const wo = e.param ? e.param.offset : 0;
          e.kind.backward(params, wo, s.buf, s.off, dz, 0, ds?.buf ?? null, ds?.off ?? 0, e.param ? this.gparams : null, wo, B, sn.size, N);
        }
        return;
      }
      case 'op': {
        n.opDef!.backward(this.opBack(n, t, params, this.gparams));
        return;
      }
      case 'loss': {
        if (n.steps === 'last' && t !== this.T - 1) return;
        const pred = p.nodes[n.inEdges[0].source];
        const ps = this.slot(pred, t);
        const dp = this.gslot(pred, t);
        const tn = n.inEdges[1] ? p.nodes[n.inEdges[1].source] : null;
        const ys = tn ? this.slot(tn, t) : null;
        const dy = tn ? this.gslot(tn, t) : null;
        const S = n.steps === 'last' ? 1 : this.T;
        const def = LOSS_DEFS[n.loss!];
        def.backward(ps.buf, ps.off, ys?.buf ?? null, ys?.off ?? 0, dp?.buf ?? null, dp?.off ?? 0, dy?.buf ?? null, dy?.off ?? 0, B, pred.size, def.scale(S, B, pred.size));
        return;
      }
      default:
        return;
    }
  }

  /** gradNorms at step t, once every gradient of step t is complete. */
  private recordNorms(t: number): void {
    const { program: p, B } = this;
    for (const n of p.nodes) {
      if (n.kind === 'loss' || n.kind === 'target') continue;
      if (n.kind === 'cell') {
        // dL/dh_t through every path = the gradient of the node that writes h_t
        // (with zoneout h_t is a mix, read only through the next step's slot).
        const w = p.nodes[n.writer!];
        const g = n.zoneout ? null : this.gslot(w, t);
        const sz = B * n.size;
        this.gradNorms[n.index][t] = g ? norm(g.buf, g.off, sz) : norm(this.grads[n.index]!, (t + 1) * sz, sz);
        continue;
      }
      const g = this.grads[n.index];
      if (g) this.gradNorms[n.index][t] = norm(g, t * B * n.size, B * n.size);
    }
  }

  /**
   * The gradient each edge carries back at each step (after backward): for an
   * edge e from s into n, ‖∂L/∂s_t through e alone‖ — what the editor colours
   * an edge by. Through a gate it is Wᵀ·dz (diagonal: w ⊙ dz, scalar: w·dz,
   * identity: dz); into an op, the op's partial derivative times its output's
   * gradient; into a cell, the gradient of the state it writes; into a loss,
   * the loss's gradient on the prediction (the target port carries none).
   * For every source, these per-edge vectors add up to grads[s].
   *
   * @example
   * s.forward(theta, batch); s.backward(theta); s.edgeGradNorms(theta)[e][t]
   */
  edgeGradNorms(params: Arr): Float64Array[] {
    const { program: p, B, T } = this;
    const out = p.edges.map(() => new Float64Array(T));
    const dz = alloc('float64', B * Math.max(1, ...p.nodes.map((n) => n.size)));
    const flow = alloc('float64', dz.length);
    // Ops with parameters (layer_norm) also accumulate their parameters' gradient: into a throwaway.
    const discard = alloc('float64', p.layout.size);
    for (let t = 0; t < T; t++) {
      for (const n of p.nodes) {
        if (n.kind === 'cell') {
          // The writer → cell edge carries the gradient the state h_t received from later steps.
          const e = n.inEdges[0];
          out[e.index][t] = norm(this.grads[n.index]!, (t + 1) * B * n.size, B * n.size);
          continue;
        }
        if (n.kind !== 'gate' && n.kind !== 'op' && n.kind !== 'loss') continue;
        const N = n.size;
        if (n.kind === 'gate') {
          n.act!.backward(this.pre[n.index], t * B * N, this.vals[n.index], t * B * N, this.grads[n.index]!, t * B * N, dz, 0, B * N);
        }
        for (let k = 0; k < n.inEdges.length; k++) {
          const e = n.inEdges[k];
          const sn = p.nodes[e.source];
          const ns = sn.size;
          flow.fill(0, 0, B * ns);
          if (n.kind === 'gate') {
            const s = this.slot(sn, t);
            e.kind.backward(params, e.param ? e.param.offset : 0, s.buf, s.off, dz, 0, flow, 0, null, 0, B, ns, N);
          } else if (n.kind === 'op') {
            const dins = n.inEdges.map((_, j) => (j === k ? { buf: flow, off: 0 } : null));
            n.opDef!.backward(this.opBack(n, t, params, discard, dins));
          } else {
            // The target port carries a gradient when it reads a node (not the data's target stream).
            if ((e.port === 'target' && sn.kind === 'target') || (n.steps === 'last' && t !== T - 1)) continue;
            const pred = p.nodes[n.inEdges[0].source];
            const ps = this.slot(pred, t);
            const ys = n.inEdges[1] ? this.slot(p.nodes[n.inEdges[1].source], t) : null;
            const S = n.steps === 'last' ? 1 : T;
            const def = LOSS_DEFS[n.loss!];
            const toPred = e.port === 'prediction';
            def.backward(ps.buf, ps.off, ys?.buf ?? null, ys?.off ?? 0, toPred ? flow : null, 0, toPred ? null : flow, 0, B, pred.size, def.scale(S, B, pred.size));
          }
          out[e.index][t] = norm(flow, 0, B * ns);
        }
      }
    }
    return out;
  }

  /** dL/d(initial state) of a cell, [B, size] (after backward). */
  initialStateGrad(cellIndex: number): Arr {
    const n = this.program.nodes[cellIndex];
    return this.grads[cellIndex]!.subarray(0, this.B * n.size);
  }

  /** Node n's values as [T, B, size] (a cell: the states written, h_1..h_T). */
  values(nodeIndex: number): Arr {
    const n = this.program.nodes[nodeIndex];
    if (n.kind === 'cell') return this.vals[nodeIndex].subarray(this.B * n.size);
    return this.vals[nodeIndex];
  }
}

/**
 * Gradients from outside a graph, per node index: dL/d values(n) laid out
 * like values(n) ([T, B, size]; for a cell, the states it writes), e.g. what
 * an outer graph sends back into a layer's output at every step.
 */
export type ExternalGrads = ReadonlyMap<number, Arr>;

/**
 * Adds external gradients into zeroed gradient buffers before back-propagation
 * (gradients accumulate, so they then flow like any other). Shared by the
 * reference and the fast runtime, which store gradients the same way.
 */
export function addExternalGrads(p: Program, grads: (Arr | null)[], external: ExternalGrads, B: number): void {
  for (const [i, src] of external) {
    const n = p.nodes[i];
    const g = grads[i];
    if (!g) throw new Error(`node "${n.id}" keeps no gradient (an input node needs inputGrads: true)`);
    const off = n.kind === 'cell' ? B * n.size : 0;
    const len = g.length - off;
    if (src.length !== len) throw new Error(`external gradient of "${n.id}" has ${src.length} numbers, expected ${len}`);
    for (let k = 0; k < len; k++) g[off + k] += src[k];
  }
}

/**
 * The state a cell writes at the end of step t (slot t+1): the writer's value
 * at step t, or with zoneout p a mix with the previous state — in training each
 * unit keeps its previous value with probability p (a mask per step, sequence
 * and unit from the noise), in evaluation p·previous + (1 − p)·new. Shared by
 * the reference and the fast runtime.
 */
export function writeState(n: CNode, state: Arr, writer: Arr, t: number, B: number, noise: Noise | null): void {
  const sz = B * n.size;
  const to = (t + 1) * sz;
  const from = t * sz;
  const p = n.zoneout ?? 0;
  if (p === 0) {
    state.set(writer.subarray(from, from + sz), to);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n.size; i++) {
      const k = b * n.size + i;
      const m = noise ? (zoneoutKeep(noise, n.index, t * B + b, i, p) ? 1 : 0) : p;
      state[to + k] = m * state[from + k] + (1 - m) * writer[from + k];
    }
  }
}

/** The backward of writeState at step t: the gradient left on slot t+1 goes to the writer at t (and, with zoneout, to slot t). */
export function stateBackward(n: CNode, gstate: Arr, gwriter: Arr | null, t: number, B: number, noise: Noise | null): void {
  const sz = B * n.size;
  const from = (t + 1) * sz;
  const p = n.zoneout ?? 0;
  if (p === 0) {
    if (gwriter) identityBackward(gstate, from, gwriter, t * sz, sz);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n.size; i++) {
      const k = b * n.size + i;
      const m = noise ? (zoneoutKeep(noise, n.index, t * B + b, i, p) ? 1 : 0) : p;
      const g = gstate[from + k];
      gstate[t * sz + k] += m * g;
      if (gwriter) gwriter[t * sz + k] += (1 - m) * g;
    }
  }
}

/**
 * Writes a batch into a session's value buffers: inputs (reversed where the
 * node asks), targets, and every cell's initial state (slot 0: the data's
 * initialStates, else the learned init:<cell>, else zeros). Shared by the
 * reference and the fast runtime, which store values the same way.
 */
export function loadBatch(p: Program, vals: Arr[], params: Arr, batch: Batch, T: number, B: number): void {
  if (batch.T !== T || batch.B !== B) throw new Error(`batch is T=${batch.T}, B=${batch.B}; session expects T=${T}, B=${B}`);
  for (const i of p.inputs) {
    const n = p.nodes[i];
    const src = batch.inputs[n.id];
    const sz = B * n.size;
    if (n.reverse) for (let t = 0; t < T; t++) vals[i].set(src.subarray((T - 1 - t) * sz, (T - t) * sz), t * sz);
    else vals[i].set(src.subarray(0, T * sz));
  }
  for (const i of p.targets) {
    const src = own(batch.targets, p.nodes[i].id);
    if (src) vals[i].set(src.subarray(0, T * B * p.nodes[i].size));
  }
  for (const i of p.cells) {
    const n = p.nodes[i];
    const given = own(batch.initialStates, n.id);
    if (given) vals[i].set(given.subarray(0, B * n.size));
    else if (n.init) for (let b = 0; b < B; b++) vals[i].set(params.subarray(n.init.offset, n.init.offset + n.size), b * n.size);
    else vals[i].fill(0, 0, B * n.size);
  }
}
