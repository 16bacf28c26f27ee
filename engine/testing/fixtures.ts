/** Small graphs shared by tests. */
import type { Graph } from '../format/types.ts';

/** A small valid Elman RNN: h = tanh(W x + U h_prev + b), y = V h + c, mse against y_t. */
export function smallElman(): Graph {
  return {
    format: 'cellwright-graph',
    version: 1,
    nodes: [
      { id: 'x', kind: 'input', size: 2 },
      { id: 'h_new', kind: 'gate', size: 3, activation: 'tanh' },
      { id: 'h', kind: 'cell', size: 3 },
      { id: 'y', kind: 'gate', size: 2, activation: 'identity' },
      { id: 'y_t', kind: 'target', size: 2 },
      { id: 'L', kind: 'loss', loss: 'mse' },
    ],
    edges: [
      { id: 'e_xh', source: 'x', target: 'h_new' },
      { id: 'e_hh', source: 'h', target: 'h_new' },
      { id: 'e_hc', source: 'h_new', target: 'h' },
      { id: 'e_hy', source: 'h_new', target: 'y' },
      { id: 'e_p', source: 'y', target: 'L', port: 'prediction' },
      { id: 'e_t', source: 'y_t', target: 'L', port: 'target' },
    ],
  };
}
