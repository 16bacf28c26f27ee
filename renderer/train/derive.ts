/**
 * Pure helpers that turn a snapshot into what the views draw: heat strips
 * scaled to [0, 1], per-edge gradient magnitudes, growth factors, and a
 * signature of the graph that says when a change needs a recompile.
 */
import type { Graph } from '../../engine/format/types.ts';
import type { HeatStrip } from '../store/telemetry.ts';
import type { Probe } from './protocol.ts';
import { idTable, own } from '../../engine/format/dict.ts';
import { expandBlocks } from '../../engine/blocks/expand.ts';
import { hasBlocks } from '../../engine/blocks/types.ts';

/** Activations with a fixed range [0, 1]; everything else is scaled by its largest magnitude. */
const UNIT_RANGE = new Set(['sigmoid', 'step']);

/**
 * Maps a node's values to [0, 1] for colouring: sigmoid/step as they are,
 * tanh from [−1, 1], and unbounded values (cells, ReLU, identity) by the
 * largest magnitude seen in this sequence, keeping 0 in the middle when they
 * take both signs.
 */
export function scaleValues(values: ArrayLike<number>, activation: string | undefined): Float32Array {
  const out = new Float32Array(values.length);
  if (activation && UNIT_RANGE.has(activation)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let max = 0;
  let min = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (activation === 'tanh') { max = 1; min = -1; }
  const signed = min < 0;
  const m = Math.max(Math.abs(min), Math.abs(max)) || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? (signed ? (v / m + 1) / 2 : v / m) : NaN;
  }
  return out;
}

export function stripsFromProbe(graph: Graph, probe: Probe): Record<string, HeatStrip> {
  const strips = idTable<HeatStrip>();
  const layerIds = new Set(graph.nodes.filter((n) => (n.kind as string) === 'layer').map((n) => n.id));
  // Block instances (docs/blocks.md): their inner gates and cells, as "<instance>/<node>" in the expanded graph.
  const nodes = hasBlocks(graph) ? expandBlocks(graph).graph.nodes : graph.nodes;
  for (const node of nodes) {
    if (node.kind !== 'gate' && node.kind !== 'cell') continue;
    const p = own(probe.nodes, node.id);
    if (!p) continue;
    strips[node.id] = { steps: probe.T, units: p.size, values: scaleValues(p.values, node.kind === 'gate' ? node.activation : undefined) };
  }
  // Layers (docs/layers.md): the layer's output and its nested nodes, reported as "<layer>/<node>".
  for (const [id, p] of Object.entries(probe.nodes)) {
    if (!(id in strips) && layerIds.has(id.split('/')[0])) strips[id] = { steps: probe.T, units: p.size, values: scaleValues(p.values, undefined) };
  }
  return strips;
}

/** Mean of a gradient-norm series over time (non-finite counts as infinite). */
function meanGrad(series: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < series.length; i++) {
    if (!Number.isFinite(series[i])) return Infinity;
    s += series[i];
  }
  return series.length ? s / series.length : 0;
}

/** Decades of gradient magnitude the edge colours span, below the largest. */
export const EDGE_DECADES = 4;

/**
 * The gradient flowing back through each edge (the engine's edgeGradNorms:
 * what the edge alone contributes to dL/d(source)), averaged over t on the
 * probe sequence, mapped to [0, 1] on a
 * log axis from the weakest edge (at most EDGE_DECADES below the strongest)
 * to the strongest; non-finite → 1.
 */
export function edgeMagnitudes(graph: Graph, probe: Probe): Record<string, number> {
  const raw = new Map<string, number>();
  let top = -Infinity;
  let bottom = Infinity;
  for (const edge of graph.edges) {
    const flow = own(probe.edges, edge.id);
    if (!flow) continue;
    const g = meanGrad(flow);
    raw.set(edge.id, g);
    if (Number.isFinite(g) && g > 0) {
      top = Math.max(top, Math.log10(g));
      bottom = Math.min(bottom, Math.log10(g));
    }
  }
  const out = idTable<number>();
  if (!Number.isFinite(top)) return out;
  // The weakest edge is grey and the strongest red, over at most EDGE_DECADES decades.
  const lo = Math.max(bottom, top - EDGE_DECADES);
  const span = Math.max(0.5, top - lo);
  for (const [id, g] of raw) {
    if (!Number.isFinite(g)) out[id] = 1;
    else out[id] = g <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(g) - lo) / span));
  }
  return out;
}

/** (‖dL/dh_1‖ / ‖dL/dh_last‖)^(1/(last−1)): the average factor per step back in time (engine's growth()). */
export function perStepGrowth(norms: ArrayLike<number>): number {
  let last = -1;
  for (let t = norms.length - 1; t >= 0; t--) if (norms[t] !== 0) { last = t; break; }
  if (last < 1) return NaN;
  return Math.pow(norms[0] / norms[last], 1 / last);
}

/**
 * What the trainer depends on: nodes and edges without layout and labels,
 * parameters, task and training. Moving a node or renaming the graph does
 * not recompile; anything else does.
 */
export function trainingSignature(graph: Graph): string {
  const nodes = graph.nodes.map((node) => {
    const { position: _p, label: _l, group: _g, ...rest } = node;
    return rest;
  });
  const edges = graph.edges.map((edge) => {
    const { label: _l, ...rest } = edge;
    return rest;
  });
  return JSON.stringify({ nodes, edges, parameters: graph.parameters ?? null, task: graph.task ?? null, training: graph.training ?? null });
}

export { DIVERGED_LOSS, hasDiverged as diverged } from '../../engine/train/diverged.ts';
