/**
 * The gradient-flow chart's model (views/GradientPane.tsx): which cells it
 * lists, what it calls them and how each curve is scaled. Cells nested in a
 * layer come in the training snapshot under their reported ids (`l1/h`,
 * `bi/reverse/h`, docs/layers.md); the chart names them by layer ("l1 › h")
 * and knows which copies read time backwards, whose gradient flows from
 * t = 1 towards t = T, so their curve is relative to t = 1, not to t = T.
 */
import type { Graph } from '../../engine/format/types.ts';
import type { LayerNode } from '../../engine/layers/types.ts';
import { LAYER_KIND } from '../../engine/layers/types.ts';
import { nodeName } from './names.ts';

export interface FlowCell {
  /** The cell's id in the snapshot (`h`, `l1/h`, `bi/reverse/h`). */
  id: string;
  /** What the chart calls it: the node's name, or "layer › nested id". */
  label: string;
  /** The layer holding it, if any. */
  layer: string | null;
  /** The nested node's id inside its layer (the id itself for an outer cell). */
  node: string;
  /** A copy that runs over reversed time (a reverse layer, or a bidirectional layer's backward copy). */
  reverse: boolean;
}

/** What a snapshot's cell id is: an outer cell, or a nested one with its layer and direction. */
export function flowCell(graph: Graph, id: string): FlowCell {
  let layer: LayerNode | undefined;
  for (const n of graph.nodes as unknown as LayerNode[]) {
    // The graph format's types do not know layers (engine/layers/types.ts).
    if (n.kind !== LAYER_KIND || !id.startsWith(`${n.id}/`)) continue;
    if (!layer || n.id.length > layer.id.length) layer = n;
  }
  if (!layer) return { id, label: nodeName(graph, id), layer: null, node: id, reverse: false };
  return nestedCell(layer, id);
}

/** A cell of `layer` by its reported id (`l1/h`, `bi/reverse/h`): its nested node and direction. */
export function nestedCell(layer: Pick<LayerNode, 'id' | 'direction'>, id: string): FlowCell {
  const direction = layer.direction;
  let node = id.slice(layer.id.length + 1);
  let reverse = direction === 'reverse';
  if (direction === 'bidirectional' && node.startsWith('reverse/')) {
    node = node.slice('reverse/'.length);
    reverse = true;
  }
  const copy = direction === 'bidirectional' ? (reverse ? ' ←' : ' →') : reverse ? ' ←' : '';
  return { id, label: `${layer.id}${copy} › ${node}`, layer: layer.id, node, reverse };
}

/**
 * ‖dL/dh_t‖ relative to the step nearest the losses in the cell's own time
 * order: the last finite nonzero step, or the first one for a reverse copy.
 * Clamped to [1e-15, 1e15]; zero and non-finite steps are gaps (null).
 */
export function relativeNorms(norms: Float64Array, reverse = false): Array<number | null> {
  const T = norms.length;
  let ref = 1;
  for (let k = 0; k < T; k++) {
    const t = reverse ? k : T - 1 - k;
    if (norms[t] !== 0 && Number.isFinite(norms[t])) { ref = norms[t]; break; }
  }
  return Array.from(norms, (v) => (v > 0 && Number.isFinite(v) ? Math.min(1e15, Math.max(1e-15, v / ref)) : null));
}

/**
 * The chart's cells and their curves, in snapshot order.
 *
 * @example
 * const { cells, curves } = flowModel(graph, telemetryStore.getState().gradNorms);
 * cells.map((c) => c.label); // ["l1 › h", "l1 › c", "l2 › h", "l2 › c"]
 */
export function flowModel(graph: Graph, norms: Readonly<Record<string, Float64Array>>): { cells: FlowCell[]; curves: Array<Array<number | null>>; T: number } {
  const ids = Object.keys(norms);
  const cells = ids.map((id) => flowCell(graph, id));
  return { cells, curves: cells.map((c) => relativeNorms(norms[c.id], c.reverse)), T: ids.length ? norms[ids[0]].length : 0 };
}

/** The node the canvas selects for a chart cell: a nested node is edited as "<layer>/<node>" (both copies at once). */
export function selectionOf(cell: FlowCell): string {
  return cell.layer ? `${cell.layer}/${cell.node}` : cell.id;
}
