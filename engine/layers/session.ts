/**
 * Running a graph with layers (docs/layers.md).
 *
 * Forward: every layer in dependency order runs its nested step graph over
 * the whole sequence (a reverse copy over reversed time), its output written
 * into the layer's output sequence in data time order (a bidirectional layer:
 * forward ‖ reverse per step, as PyTorch concatenates them); then the outer
 * step graph runs with each layer's output as an input stream.
 *
 * Backward: the outer graph first (its gradient w.r.t. each layer's output at
 * every step lands on the layer's input-like node), then the layers in reverse
 * order, each one's output gradient injected into its nested output node at
 * every step (Session.backward's `external`), its nested input gradients
 * added to the layers and input nodes that fed it.
 *
 * Each part is an ordinary session (fast or reference, from the given
 * factory); this class only moves sequences between them and presents the
 * whole as one SessionLike over the public program of compileAny().
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import type { SessionLike } from '../fast/index.ts';
import type { Flag, FlagThresholds } from '../diagnostics/flags.ts';
import { flagSeries } from '../diagnostics/flags.ts';
import type { Noise } from '../ops/noise.ts';
import type { ExternalGrads, SessionOptions } from '../runtime.ts';
import { Session } from '../runtime.ts';
import type { Arr, DType } from '../tensor.ts';
import { alloc, norm } from '../tensor.ts';
import type { CompiledCopy, CompiledLayer, LayerModel } from './compile.ts';
import { layerModel } from './compile.ts';

/** Makes the sessions of the parts (the outer program and each nested copy). */
export type PartFactory = (program: Program, opts: SessionOptions) => SessionLike;

interface CopyState {
  copy: CompiledCopy;
  session: SessionLike;
  batch: Batch;
  /** Per feed: the nested input's buffer inside `batch`. */
  ports: Arr[];
  /** dL/d output of this copy in its own step order. */
  ext: Arr;
  external: Map<number, Arr>;
  /** Per nested node: values (data time order) and gradient norms (data time order). */
  vals: Arr[];
  norms: Float64Array[];
}

const reference: PartFactory = (program, opts) => new Session(program, opts);

/**
 * A session for any program from compileAny: a LayeredSession when it has
 * layers, else `base(program, opts)` (default: the reference Session).
 *
 * @example
 * const s = sessionFor(compileAny(graph), { T, B, inputGrads: true });
 * s.forward(theta, batch); s.backward(theta);
 */
export function sessionFor(program: Program, opts: SessionOptions, base: PartFactory = reference): SessionLike {
  const model = layerModel(program);
  return model ? new LayeredSession(program, model, opts, base) : base(program, opts);
}

/** Wraps a session factory so it also accepts programs with layers (their parts are made by `base`). */
export function withLayers<O extends SessionOptions, S>(base: (program: Program, opts: O) => S): (program: Program, opts: O) => S | LayeredSession {
  return (program, opts) => {
    const model = layerModel(program);
    return model ? new LayeredSession(program, model, opts, base as unknown as PartFactory) : base(program, opts);
  };
}

export class LayeredSession implements SessionLike {
  readonly T: number;
  readonly B: number;
  readonly dtype: DType;
  readonly vals: Arr[];
  readonly grads: (Arr | null)[];
  readonly gparams: Arr;
  readonly stepLoss: Float64Array[];
  readonly gradNorms: Float64Array[];
  loss = NaN;

  private readonly outer: SessionLike;
  private readonly states: CopyState[][];
  private readonly outs: Arr[];
  private readonly stepInputs = new Map<number, Arr>();
  /** Outer input nodes that feed a layer: their gradient gets the layers' part. */
  private readonly layerFed: number[];

  constructor(readonly program: Program, private readonly model: LayerModel, opts: SessionOptions, base: PartFactory) {
    const { T, B } = opts;
    this.T = T;
    this.B = B;
    this.dtype = opts.dtype ?? 'float64';
    const dtype = this.dtype;
    this.outer = base(model.outer, { ...opts, inputGrads: true });
    this.outs = model.layers.map((l) => alloc(dtype, T * B * l.size));
    this.states = model.layers.map((l) => l.copies.map((copy) => {
      const session = base(copy.program, { T, B, dtype, inputGrads: true });
      const ports = l.feeds.map((f) => alloc(dtype, T * B * copy.program.nodes[f.port].size));
      const inputs: Record<string, Arr> = {};
      l.feeds.forEach((f, k) => { inputs[copy.program.nodes[f.port].id] = ports[k]; });
      const ext = alloc(dtype, T * B * l.copySize);
      return {
        copy, session, ports, ext, external: new Map([[copy.output, ext]]),
        batch: { T, B, inputs, targets: {} },
        vals: copy.program.nodes.map((n) => alloc(dtype, T * B * n.size)),
        norms: copy.program.nodes.map(() => new Float64Array(T)),
      };
    }));
    const nOuter = model.outer.nodes.length;
    const nested = (i: number): CopyState => {
      const at = model.nested[i - nOuter];
      return this.states[at.layer][at.copy];
    };
    const nestedNode = (i: number): number => model.nested[i - nOuter].node;
    this.vals = program.nodes.map((_, i) => (i < nOuter ? this.outer.vals[i] : nested(i).vals[nestedNode(i)]));
    this.grads = program.nodes.map((_, i) => (i < nOuter ? this.outer.grads[i] : null));
    this.gradNorms = program.nodes.map((_, i) => (i < nOuter ? this.outer.gradNorms[i] : nested(i).norms[nestedNode(i)]));
    this.stepLoss = program.nodes.map((_, i) => (i < nOuter ? this.outer.stepLoss[i] : new Float64Array(0)));
    this.gparams = alloc(dtype, program.layout.size);
    this.layerFed = [...new Set(model.layers.flatMap((l) => l.feeds.filter((f) => f.layer < 0).map((f) => f.source)))];
  }

  /** Input node i's sequence in its step order (reversed when the node says "reverse"). */
  private inputSteps(i: number, batch: Batch): Arr {
    const n = this.model.outer.nodes[i];
    const src = batch.inputs[n.id];
    if (!src) throw new Error(`the batch has no input stream "${n.id}"`);
    if (!n.reverse) return src;
    let buf = this.stepInputs.get(i);
    if (!buf) { buf = alloc(this.dtype, this.T * this.B * n.size); this.stepInputs.set(i, buf); }
    const sz = this.B * n.size;
    for (let t = 0; t < this.T; t++) buf.set(src.subarray((this.T - 1 - t) * sz, (this.T - t) * sz), t * sz);
    return buf;
  }

  private theta(params: Arr, c: CompiledCopy): Arr {
    return params.subarray(c.offset, c.offset + c.program.layout.size);
  }

  forward(params: Arr, batch: Batch): number {
    const { T, B, model } = this;
    const inputs: Record<string, Arr> = { ...batch.inputs };
    model.layers.forEach((l, li) => {
      const out = this.outs[li];
      this.states[li].forEach((st, ci) => {
        const c = st.copy;
        l.feeds.forEach((f, k) => {
          const src = f.layer >= 0 ? this.outs[f.layer] : this.inputSteps(f.source, batch);
          copyTime(src, st.ports[k], T, B * c.program.nodes[f.port].size, c.reverse);
        });
        let initial: Record<string, Arr> | undefined;
        for (const i of c.program.cells) {
          const given = batch.initialStates?.[c.prefix + c.program.nodes[i].id];
          if (given) (initial ??= {})[c.program.nodes[i].id] = given;
        }
        if (initial) st.batch.initialStates = initial;
        else delete st.batch.initialStates;
        st.session.forward(this.theta(params, c), st.batch);
        // The copy's output, in data time order, into its columns of the layer's output.
        const y = st.session.values(c.output);
        const H = l.copySize;
        for (let s = 0; s < T; s++) {
          const t = c.reverse ? T - 1 - s : s;
          for (let b = 0; b < B; b++) out.set(y.subarray((s * B + b) * H, (s * B + b + 1) * H), (t * B + b) * l.size + ci * H);
        }
        c.program.nodes.forEach((n, k) => copyTime(st.session.values(k), st.vals[k], T, B * n.size, c.reverse));
      });
      inputs[l.id] = out;
    });
    this.loss = this.outer.forward(params, { ...batch, inputs });
    return this.loss;
  }

  /** `external` adds gradients on outer nodes (a layer's stand-in included), as the reference Session's backward does. */
  backward(params: Arr, external?: ExternalGrads): void {
    const { T, B, model } = this;
    const og = this.outer.grads;
    this.outer.backward(params, external);
    this.gparams.set(this.outer.gparams);
    for (let li = model.layers.length - 1; li >= 0; li--) {
      const l = model.layers[li];
      // Complete now: the outer graph's part plus every later layer's.
      const dOut = og[l.index]!;
      this.states[li].forEach((st, ci) => {
        const c = st.copy;
        const H = l.copySize;
        for (let s = 0; s < T; s++) {
          const t = c.reverse ? T - 1 - s : s;
          for (let b = 0; b < B; b++) st.ext.set(dOut.subarray((t * B + b) * l.size + ci * H, (t * B + b) * l.size + (ci + 1) * H), (s * B + b) * H);
        }
        st.session.backward(this.theta(params, c), st.external);
        const g = st.session.gparams;
        for (let k = 0; k < g.length; k++) this.gparams[c.offset + k] += g[k];
        l.feeds.forEach((f) => {
          const gin = st.session.grads[f.port]!;
          addTime(gin, og[f.source]!, T, B * c.program.nodes[f.port].size, c.reverse);
        });
        c.program.nodes.forEach((_, k) => {
          const from = st.session.gradNorms[k];
          for (let s = 0; s < T; s++) st.norms[k][c.reverse ? T - 1 - s : s] = from[s];
        });
      });
    }
    for (const i of [...model.layers.map((l) => l.index), ...this.layerFed]) {
      const sz = B * model.outer.nodes[i].size;
      for (let t = 0; t < T; t++) this.outer.gradNorms[i][t] = norm(og[i]!, t * sz, sz);
    }
  }

  /** Which runtime runs the parts (they are all made by one factory). */
  get engine(): 'reference' | 'fast' {
    return this.outer.engine;
  }

  /**
   * Training noise (dropout, zoneout) for every part. The outer graph keeps the
   * given seed; each layer copy draws from its own derived seed, so a copy's
   * masks differ from the outer graph's and from the other copies' nodes with
   * the same index.
   */
  setNoise(noise: Noise | null): void {
    this.outer.setNoise(noise);
    let k = 0;
    for (const row of this.states) for (const st of row) {
      k++;
      st.session.setNoise(noise ? { seed: (noise.seed + Math.imul(k, 0x9e3779b9)) >>> 0, round: noise.round } : null);
    }
  }

  /** dL/d(initial state) of a cell, [B, size]: an outer cell, or a nested one by its public index. */
  initialStateGrad(cellIndex: number): Arr {
    const nOuter = this.model.outer.nodes.length;
    if (cellIndex < nOuter) return this.outer.initialStateGrad(cellIndex);
    const at = this.model.nested[cellIndex - nOuter];
    return this.states[at.layer][at.copy].session.initialStateGrad(at.node);
  }

  values(nodeIndex: number): Arr {
    const nOuter = this.model.outer.nodes.length;
    return nodeIndex < nOuter ? this.outer.values(nodeIndex) : this.vals[nodeIndex];
  }

  /** Per outer edge, the gradient it carries at each step (the reference Session's edgeGradNorms on the outer graph). */
  edgeGradNorms(params: Arr): Float64Array[] {
    const o = this.outer as Partial<Session>;
    if (typeof o.edgeGradNorms !== 'function') throw new Error('edgeGradNorms needs reference sessions');
    return o.edgeGradNorms.call(this.outer, params);
  }

  /** Every nested cell with given initial state: its reported id and dL/d(initial state) [B, size]. */
  nestedStateGrads(batch: Batch): { id: string; grad: Arr }[] {
    const out: { id: string; grad: Arr }[] = [];
    for (const row of this.states) for (const st of row) {
      for (const i of st.copy.program.cells) {
        const id = st.copy.prefix + st.copy.program.nodes[i].id;
        if (batch.initialStates?.[id]) out.push({ id, grad: st.session.initialStateGrad(i) });
      }
    }
    return out;
  }

  dispose(): void {
    this.outer.dispose?.();
    for (const row of this.states) for (const st of row) st.session.dispose?.();
  }
}

/** The layer of a public program's node, when it is a nested entry: which layer, copy and nested node. */
export function nestedOf(program: Program, index: number): { layer: CompiledLayer; copy: CompiledCopy; node: number } | undefined {
  const m = layerModel(program);
  if (!m || index < m.outer.nodes.length) return undefined;
  const at = m.nested[index - m.outer.nodes.length];
  const layer = m.layers[at.layer];
  return { layer, copy: layer.copies[at.copy], node: at.node };
}

/** Public indices of the nested cells of a program with layers (none for a plain program). */
export function nestedCells(program: Program): number[] {
  const m = layerModel(program);
  if (!m) return [];
  const out: number[] = [];
  m.nested.forEach((at, k) => {
    if (m.layers[at.layer].copies[at.copy].program.nodes[at.node].kind === 'cell') out.push(m.outer.nodes.length + k);
  });
  return out;
}

/**
 * Explode/vanish flags of the nested cells (a plain program has none). A
 * reverse copy's series is read in its own step order (data time T … 1), the
 * direction its gradient flows back through time.
 */
export function nestedFlags(program: Program, gradNorms: readonly Float64Array[], th?: FlagThresholds): Flag[] {
  const out: Flag[] = [];
  for (const i of nestedCells(program)) {
    const norms = nestedOf(program, i)!.copy.reverse ? Float64Array.from(gradNorms[i]).reverse() : gradNorms[i];
    const f = flagSeries(program.nodes[i].id, norms, th);
    if (f) out.push(f);
  }
  return out;
}

/** Diagnostics with the nested cells' flags added (the same object for a plain program). */
export function withNestedFlags<D extends { flags: Flag[] }>(d: D, program: Program, gradNorms: readonly Float64Array[], th?: FlagThresholds): D {
  const extra = nestedFlags(program, gradNorms, th);
  return extra.length === 0 ? d : { ...d, flags: [...d.flags, ...extra] };
}

/** dst[t] = src[reverse ? T−1−t : t] for T blocks of `sz`. */
function copyTime(src: Arr, dst: Arr, T: number, sz: number, reverse: boolean): void {
  if (!reverse) { dst.set(src.subarray(0, T * sz)); return; }
  for (let t = 0; t < T; t++) dst.set(src.subarray((T - 1 - t) * sz, (T - t) * sz), t * sz);
}

/** dst[reverse ? T−1−s : s] += src[s] for T blocks of `sz`. */
function addTime(src: Arr, dst: Arr, T: number, sz: number, reverse: boolean): void {
  for (let s = 0; s < T; s++) {
    const d = (reverse ? T - 1 - s : s) * sz;
    const o = s * sz;
    for (let k = 0; k < sz; k++) dst[d + k] += src[o + k];
  }
}
