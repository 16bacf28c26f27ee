/**
 * Templates with layers (docs/layers.md): a 2-layer LSTM and a bidirectional
 * GRU, equal to torch.nn.LSTM(num_layers=2) and nn.GRU(bidirectional=True)
 * with copied weights (test/torch/crosscheck_layers.py). Each nested step
 * graph is the one-layer template (engine/templates.ts) without its readout.
 */
import type { Graph, GraphEdge, GraphNode, LossKind, LossSteps } from '../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../format/types.ts';
import { gru, lstm } from '../templates.ts';
import type { Direction, LayerNode, NestedGraph } from './types.ts';

export interface LayeredSizes {
  x: number;
  h: number;
  y: number;
  loss?: LossKind;
  steps?: LossSteps;
}

const READOUT = new Set(['y', 'y_t', 'loss']);

/** A one-layer template as a nested step graph: its readout (y, y_t, loss) removed. */
function stepGraph(g: Graph): NestedGraph {
  return {
    name: g.name,
    nodes: g.nodes.filter((n) => !READOUT.has(n.id)),
    edges: g.edges.filter((e) => !READOUT.has(e.source) && !READOUT.has(e.target)),
  };
}

function layer(id: string, graph: NestedGraph, output: string, direction: Direction, x: number, label: string): LayerNode {
  return { id, kind: 'layer', label, direction, output, graph, position: { x, y: 200 } };
}

function layered(name: string, description: string, layers: LayerNode[], input: number, s: LayeredSizes): Graph {
  const last = layers[layers.length - 1];
  const col = 260 * (layers.length + 1);
  const nodes = [
    { id: 'x', kind: 'input', size: input, label: 'x_t', position: { x: 0, y: 220 } },
    ...layers,
    { id: 'y', kind: 'gate', size: s.y, activation: 'identity', label: 'readout', position: { x: col, y: 220 } },
    { id: 'y_t', kind: 'target', size: s.y, label: 'target', position: { x: col, y: 360 } },
    { id: 'loss', kind: 'loss', loss: s.loss ?? 'mse', ...(s.steps ? { steps: s.steps } : {}), position: { x: col + 220, y: 290 } },
  ] as unknown as GraphNode[];
  const edges: GraphEdge[] = [];
  let from = 'x';
  for (const l of layers) {
    edges.push({ id: `${from}_${l.id}`, source: from, target: l.id });
    from = l.id;
  }
  edges.push(
    { id: `${last.id}_y`, source: last.id, target: 'y' },
    { id: 'y_loss', source: 'y', target: 'loss', port: 'prediction' },
    { id: 'y_t_loss', source: 'y_t', target: 'loss', port: 'target' },
  );
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name, description, nodes, edges };
}

/**
 * Stacked LSTM layers (torch.nn.LSTM(x, h, num_layers, bidirectional)) and a
 * linear readout on the last layer. Layer k (l1, l2, …) reads the whole output
 * sequence of layer k − 1.
 *
 * @example
 * const g = stackedLstm({ x: 1, h: 8, y: 1 }); // layers l1 (reads x) and l2 (reads l1)
 */
export function stackedLstm(s: LayeredSizes & { layers?: number; bidirectional?: boolean }): Graph {
  const count = s.layers ?? 2;
  const bi = s.bidirectional === true;
  const layers: LayerNode[] = [];
  for (let k = 1; k <= count; k++) {
    const input = k === 1 ? s.x : bi ? 2 * s.h : s.h;
    layers.push(layer(`l${k}`, stepGraph(lstm({ x: input, h: s.h, y: 1 })), 'm', bi ? 'bidirectional' : 'forward', 240 + 260 * (k - 1), `${bi ? 'bidirectional ' : ''}LSTM layer ${k}`));
  }
  const name = `${count}-layer ${bi ? 'bidirectional ' : ''}LSTM`;
  return layered(name, `${count} stacked ${bi ? 'bidirectional ' : ''}LSTM layers: each reads the whole output sequence of the one before (as torch.nn.LSTM(num_layers=${count}${bi ? ', bidirectional=True' : ''})); a linear readout on the last.`, layers, s.x, s);
}

/**
 * A bidirectional GRU layer (torch.nn.GRU(x, h, bidirectional=True)): one copy
 * reads the sequence forward, one backward; the readout sees both, [h→ ‖ h←].
 */
export function bidirectionalGru(s: LayeredSizes): Graph {
  const bi = layer('bi', stepGraph(gru({ x: s.x, h: s.h, y: 1 })), 'h_new', 'bidirectional', 300, 'bidirectional GRU');
  return layered('Bidirectional GRU', 'A GRU run forward and backward over the sequence with separate weights; at each step the readout sees both directions\' states [h→ ‖ h←] (as torch.nn.GRU(bidirectional=True)).', [bi], s.x, s);
}
