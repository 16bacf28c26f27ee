/**
 * "Explain this gradient": where ‖∂L/∂h_s‖ of a cell comes from and why it is
 * that small or that large — the reference text's §4 story told with the
 * numbers of one run.
 *
 * - Sources: ∂L/∂h_s = Σ_{t ≥ s} ∂L_t/∂h_s (L_t the loss computed at step t,
 *   as in lossByStep), so each loss step is one bundle of paths back through
 *   time; they are ranked by ‖∂L_t/∂h_s‖.
 * - The path of the largest source, one step at a time: the gain
 *   ‖∂L_t/∂h_{k−1}‖ / ‖∂L_t/∂h_k‖ of each step back (their product is exactly
 *   ‖∂L_t/∂h_s‖ / ‖∂L_t/∂h_t‖), the routes the gradient takes from step k to
 *   h_{k−1} (each edge out of the cell: W_hh into a gate, c into f ⊙ c, …)
 *   with the norm each carries, and per route the factors the story names:
 *   the gate's mean activation derivative (tanh′, σ′: saturation) times the
 *   weight's norm ‖W‖₂, or for a product the mean of the other factor (the
 *   forget gate f of f ⊙ c). Their product bounds the route's gain per step.
 *
 * Exact: the same reverse-mode sweeps as connectivity.ts (float64, evaluation
 * mode), one per loss step at or after s, plus two. Pure; returns plain data.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { problem } from '../errors.ts';
import type { Arr } from '../tensor.ts';
import type { SweepCost, SweepOptions } from './connectivity.ts';
import { nestedOf } from '../layers/index.ts';
import { lossSteps, ProbeError, refuseIfTooLarge, stepWork, Sweeper } from './connectivity.ts';

/** One loss step's share of ∂L/∂h_s. */
export interface GradientSource {
  /** The loss step t (0-based). */
  step: number;
  /** t − s: how many steps back the paths run. */
  distance: number;
  /** ‖∂L_t/∂h_s‖. */
  norm: number;
  /** norm / Σ over sources of norm (the vectors add; their norms only bound the total). */
  share: number;
  /** ‖∂L_t/∂h_t‖: what the loss at t sends into the state of its own step. */
  atSource: number;
  /** (norm / atSource)^(1/distance): the mean factor per step back (1 when distance is 0). */
  perStep: number;
}

/** The factors the story names for one route out of the cell (means over the path's steps). */
export interface RouteFactors {
  /** A gate's activation and its mean derivative over units (small: saturated). */
  activation?: string;
  derivative?: number;
  /** ‖W‖₂ of a full weight (largest singular value), max |w| of a diagonal one, |w| of a scalar, 1 for identity. */
  weightNorm?: number;
  /** A product node (f ⊙ c): the other factor's node and its mean magnitude. */
  gate?: { node: string; mean: number };
  /** derivative · weightNorm, or the gate's mean: a bound on the route's gain per step (null: no factor to name). */
  bound: number | null;
}

export interface GradientRoute {
  /** The edge out of the cell, the cell and the node it feeds. */
  edge: string;
  source: string;
  target: string;
  weight: string;
  /** Mean over the path's steps of the norm it carries back, and of its share of all routes' norms at that step. */
  norm: number;
  share: number;
  factors: RouteFactors;
}

export interface GradientStep {
  /** k (0-based): the step whose readers carry the gradient back to h_{k−1} (h_{k+1} in a reverse layer). */
  step: number;
  /** ‖∂L_t/∂h_k‖ (the source's loss step t). */
  norm: number;
  /** ‖∂L_t/∂h_{k−1}‖ / ‖∂L_t/∂h_k‖. */
  gain: number;
  /** Per route (edge out of the cell): the norm it carries back at this step. */
  routes: Record<string, number>;
}

export interface GradientExplanation {
  node: string;
  /** The step s (0-based) explained. */
  t: number;
  /** ‖∂L/∂h_s‖ over the batch (as gradNorms). */
  total: number;
  /** Loss steps, largest first (at most opts.maxSources). */
  sources: GradientSource[];
  /** How many loss steps send a gradient to h_s at all. */
  sourceCount: number;
  /** The path of the largest source at a later step, step by step from t back to s + 1 (null when no later loss reaches h_s). */
  path: { from: number; source: GradientSource; steps: GradientStep[]; perStep: number; routes: GradientRoute[] } | null;
  /** The story in one paragraph, node ids as written in the graph. */
  story: string;
  cost: SweepCost;
  /** Present (true) for a cell of a layer copy that reads time backwards: its losses are at s and before, "later" in its own time. */
  reverse?: true;
}

export interface GradientOptions extends SweepOptions {
  /** How many sources to list (default 5). */
  maxSources?: number;
}

/**
 * Where the gradient of cell `node` at step s (0-based) comes from, on `batch`
 * (usually one sequence: sequenceOf). Refuses (ProbeError) a node that is not
 * a cell (CW318), a step outside the data (CW319) and work beyond
 * opts.maxWork (CW312). A cell inside a layer (l1/h) is explained too: its
 * sources and gains per step (a reverse copy's path runs forward in data
 * time); the routes and their factors are named for cells of the outer graph.
 *
 * @example
 * const g = explainGradient(program, theta, sequenceOf(batch, 0), 'h', 2);
 * g.sources[0].distance   // 97: the largest share comes from the loss 97 steps later
 * g.path!.perStep         // 0.82: each step back multiplies it by 0.82
 * g.path!.routes[0].factors // { activation: 'tanh', derivative: 0.4, weightNorm: 2.05, bound: 0.82 }
 */
export function explainGradient(program: Program, theta: Arr, batch: Batch, node: string, s: number, opts: GradientOptions = {}): GradientExplanation {
  const i = program.byId.get(node);
  const cell = i === undefined ? undefined : program.nodes[i];
  // A cell inside a layer (l1/h) has an input-like public entry: its own kind is in the layer's program.
  const nest = i === undefined ? undefined : nestedOf(program, i);
  const kind = nest ? nest.copy.program.nodes[nest.node].kind : cell?.kind;
  if (!cell || kind !== 'cell') {
    throw new ProbeError(problem('CW318', { node, kind: kind ?? null }, { path: 'node', ...(cell ? { node } : {}) }));
  }
  const { T, B } = batch;
  if (!Number.isInteger(s) || s < 0 || s >= T) throw new ProbeError(problem('CW319', { step: s + 1, T }, { path: 't', node }));
  // Time runs backwards in the reverse copy of a layer: its state at s is read by the losses at s and before.
  const dir = nest?.copy.reverse ? -1 : 1;
  const steps = lossSteps(program, T).filter((t) => (t - s) * dir >= 0);
  // One sweep per loss step, one for the total, one (with the edges' flows) for the largest source's path.
  const sweeps = steps.length + 3;
  const cost: SweepCost = { sweeps, work: sweeps * (T + 1) * B * stepWork(program) };
  refuseIfTooLarge(cost, T, opts);
  const t0 = Date.now();
  const sw = new Sweeper(program, theta, batch);
  const p = sw.program;
  const c = p.nodes[cell.index];
  const norm = (k: number): number => Math.sqrt(sw.normAt(c, k));

  // The total: every loss step seeded at once.
  const all = new Map<number, Float64Array>();
  for (const t of steps) for (const li of program.losses) sw.addLossSeeds(li, t, all);
  sw.sweep(all);
  const total = norm(s);

  const raw: Array<Omit<GradientSource, 'share'>> = [];
  for (const t of steps) {
    sw.sweep(seedsAt(sw, program, t));
    const n = norm(s);
    if (!(n > 0) && Number.isFinite(n)) continue;
    const at = norm(t);
    const d = (t - s) * dir;
    raw.push({ step: t, distance: d, norm: n, atSource: at, perStep: d === 0 ? 1 : Math.pow(n / at, 1 / d) });
  }
  const sum = raw.reduce((a, r) => a + (Number.isFinite(r.norm) ? r.norm : 0), 0);
  const ranked = raw
    .map((r) => ({ ...r, share: sum > 0 ? r.norm / sum : NaN }))
    .sort((a, b) => rank(b.norm) - rank(a.norm) || a.distance - b.distance);
  const sources = ranked.slice(0, Math.max(1, opts.maxSources ?? 5));

  let path: GradientExplanation['path'] = null;
  // The path back through time: the largest source at a later step (the same step's own loss has none).
  const top = ranked.find((r) => r.distance > 0);
  if (top) {
    sw.sweep(seedsAt(sw, program, top.step));
    const flows = sw.session.edgeGradNorms(theta as Float64Array);
    const routesOut = c.outEdges.filter((e) => p.nodes[e.target].kind !== 'loss');
    const gsteps: GradientStep[] = [];
    for (let k = top.step; k !== s; k -= dir) {
      const nk = norm(k);
      const routes: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const e of routesOut) routes[e.id] = flows[e.index][k];
      gsteps.push({ step: k, norm: nk, gain: norm(k - dir) / nk, routes });
    }
    const routes = routesOut.map((e): GradientRoute => {
      let carried = 0;
      let share = 0;
      for (const g of gsteps) {
        const all = Object.values(g.routes).reduce((a, v) => a + v, 0);
        carried += g.routes[e.id];
        share += all > 0 ? g.routes[e.id] / all : 0;
      }
      return {
        edge: e.id, source: c.id, target: p.nodes[e.target].id, weight: e.weight,
        norm: carried / gsteps.length, share: share / gsteps.length,
        factors: routeFactors(sw, theta, e.index, gsteps.map((g) => g.step)),
      };
    }).sort((a, b) => rank(b.share) - rank(a.share));
    path = { from: top.step, source: top, steps: gsteps, perStep: top.perStep, routes };
  }
  const out: GradientExplanation = { node, t: s, total, sources, sourceCount: ranked.length, path, story: '', cost: { ...cost, ms: Date.now() - t0 }, ...(dir < 0 ? { reverse: true as const } : {}) };
  out.story = gradientStory(out);
  return out;
}

/** NaN and ∞ rank first: a non-finite gradient is the one to look at. */
function rank(v: number): number {
  return Number.isFinite(v) ? v : Infinity;
}

function seedsAt(sw: Sweeper, program: Program, t: number): Map<number, Float64Array> {
  const seeds = new Map<number, Float64Array>();
  for (const li of program.losses) sw.addLossSeeds(li, t, seeds);
  return seeds;
}

/** The largest singular value of the m×n row-major matrix w[off …] (power iteration on WᵀW). */
export function spectralNorm(w: ArrayLike<number>, off: number, m: number, n: number): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let sigma = 0;
  for (let it = 0; it < 200; it++) {
    const u = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      let a = 0;
      for (let q = 0; q < n; q++) a += w[off + r * n + q] * v[q];
      u[r] = a;
    }
    const next = new Float64Array(n);
    for (let r = 0; r < m; r++) for (let q = 0; q < n; q++) next[q] += w[off + r * n + q] * u[r];
    const len = Math.hypot(...next);
    if (!(len > 0)) return Number.isFinite(len) ? 0 : NaN;
    const s2 = Math.sqrt(len);
    for (let q = 0; q < n; q++) next[q] /= len;
    v = next;
    if (Math.abs(s2 - sigma) <= 1e-12 * s2) return s2;
    sigma = s2;
  }
  return sigma;
}

/** The story's factors of route edge ei, averaged over the reader steps `ks`. */
function routeFactors(sw: Sweeper, theta: Arr, ei: number, ks: number[]): RouteFactors {
  const p = sw.program;
  const e = p.edges[ei];
  const n = p.nodes[e.target];
  const src = p.nodes[e.source];
  const { B } = sw;
  const vals = sw.session.vals;
  if (n.kind === 'gate') {
    const N = n.size;
    const z = new Float64Array(B * N);
    const ones = new Float64Array(B * N).fill(1);
    const d = new Float64Array(B * N);
    let acc = 0;
    for (const k of ks) {
      z.fill(0);
      if (n.bias) for (let b = 0; b < B; b++) for (let u = 0; u < N; u++) z[b * N + u] = Number(theta[n.bias.offset + u]);
      for (const ie of n.inEdges) {
        const sn = p.nodes[ie.source];
        // Every source's value as its readers see it at step k (a cell's slot k holds the state written at k − 1).
        ie.kind.forward(theta, ie.param ? ie.param.offset : 0, vals[sn.index], k * B * sn.size, z, 0, B, sn.size, N);
      }
      const y = new Float64Array(B * N);
      n.act!.forward(z, 0, y, 0, B * N);
      n.act!.backward(z, 0, y, 0, ones, 0, d, 0, B * N);
      let m = 0;
      for (const v of d) m += Math.abs(v);
      acc += m / (B * N);
    }
    const derivative = acc / ks.length;
    const weightNorm = weightNormOf(theta, e.weight, e.param?.offset ?? 0, N, src.size);
    return { activation: n.activation ?? 'identity', derivative, weightNorm, bound: derivative * weightNorm };
  }
  if (n.kind === 'op' && n.op === 'mul') {
    const others = n.inEdges.filter((o) => o.index !== ei).map((o) => p.nodes[o.source]);
    const N = n.size;
    let acc = 0;
    for (const k of ks) {
      for (let q = 0; q < B * N; q++) {
        let prod = 1;
        for (const o of others) prod *= vals[o.index][k * B * N + q];
        acc += Math.abs(prod);
      }
    }
    const mean = acc / (ks.length * B * N);
    return { gate: { node: others.map((o) => o.id).join(' · '), mean }, bound: mean };
  }
  return { bound: null };
}

function weightNormOf(theta: Arr, weight: string, off: number, m: number, n: number): number {
  switch (weight) {
    case 'full': return spectralNorm(theta, off, m, n);
    case 'diagonal': {
      let mx = 0;
      for (let u = 0; u < m; u++) mx = Math.max(mx, Math.abs(Number(theta[off + u])));
      return mx;
    }
    case 'scalar': return Math.abs(Number(theta[off]));
    default: return 1;
  }
}

/** Compact numbers for the story: 3 significant digits, exponent form below 1e-3 and above 1e4. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1).replace('e+', 'e');
  return Number(v.toPrecision(3)).toString();
}

/** How the story names nodes and routes (the app passes its labels). */
export interface StoryNames {
  node(id: string): string;
  route(r: GradientRoute): string;
}

const ID_NAMES: StoryNames = { node: (id) => id, route: (r) => `${r.edge} (${r.source} → ${r.target})` };

/** The story of a GradientExplanation in one paragraph (1-based steps, as the app shows them). */
export function gradientStory(g: GradientExplanation, names: StoryNames = ID_NAMES): string {
  const f = fmtNumber;
  const s = g.t + 1;
  // A reverse copy's time runs from T to 1: its "later" steps are earlier in the data.
  const later = (n: number): string => `${n} step${n === 1 ? '' : 's'} ${g.reverse ? 'earlier in the data (later for this copy, which reads time backwards)' : 'later'}`;
  const head = `‖∂L/∂${names.node(g.node)}‖ at t = ${s} is ${f(g.total)}.`;
  if (!Number.isFinite(g.total)) return `${head} A non-finite value reached this step: look at the first step where values stop being finite.`;
  const top = g.sources[0];
  if (!top) return `${head} No loss at or ${g.reverse ? 'before' : 'after'} t = ${s} depends on this state: nothing flows back to it.`;
  const pct = (v: number): string => (Number.isFinite(v) ? `${Math.round(v * 100)} %` : 'most');
  const far = g.path?.source;
  const parts = [head];
  if (top.distance === 0) {
    parts.push(`The largest part (${pct(top.share)} of the sources, ${f(top.norm)}) comes from the loss at this same step; nothing has to travel back through time for it.`);
    if (!g.path || !far) return parts.join(' ');
    parts.push(`Of the paths back through time, the largest comes from the loss at t = ${far.step + 1} (${pct(far.share)}, ${f(far.norm)}), ${later(far.distance)}:`);
  } else {
    parts.push(`The largest part (${pct(top.share)} of the sources, ${f(top.norm)}) comes from the loss at t = ${top.step + 1}, ${later(top.distance)}:`);
  }
  const src = far ?? top;
  parts.push(`it enters the state at ${f(src.atSource)} and each step back multiplies it by ${f(src.perStep)} on average (${f(src.perStep)}^${src.distance} = ${f(src.norm / src.atSource)}).`);
  const r = g.path?.routes[0];
  if (r) {
    const fac = r.factors;
    let why = '';
    if (fac.derivative !== undefined && fac.weightNorm !== undefined) {
      why = `${fac.activation}′ ${f(fac.derivative)} · ‖W‖ ${f(fac.weightNorm)} = ${f(fac.bound!)}`;
      if (fac.derivative < 0.1) why += `: ${fac.activation} is saturated`;
    } else if (fac.gate) {
      why = `× ${fac.gate.node.split(' · ').map(names.node).join(' · ')} ${f(fac.gate.mean)}`;
    }
    parts.push(`It goes back mostly through ${names.route(r)}, ${pct(r.share)} of the routes${why ? `; each step at most ${why}` : ''}.`);
    const p = src.perStep;
    const gap = g.reverse ? '(s−t)' : '(t−s)';
    const verdict = p < 1 ? `below 1, so the gradient vanishes like ${f(p)}^${gap}` : p > 1 ? `above 1, so the gradient grows like ${f(p)}^${gap}` : 'about 1: the gradient is carried unchanged';
    parts.push(`A factor ${verdict}.`);
  }
  return parts.join(' ');
}
