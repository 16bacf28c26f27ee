/** Small state maps with known fixed points, for the dynamics tests. */
import type { Graph } from '../format/types.ts';

/**
 * h' = tanh(W·h + u·x): a two-unit cell with recurrent weight W (2×2,
 * row-major), a one-unit input through weights u, no bias. W = 2·I gives
 * two decoupled copies of tanh(2h): nine fixed points.
 */
export function tanhPair(W: number[], u: number[] = [0, 0]): Graph {
  const at = { x: 0, y: 0 };
  return {
    format: 'cellwright-graph', version: 1,
    nodes: [
      { id: 'x', kind: 'input', size: 1, position: at },
      { id: 'h', kind: 'cell', size: 2, position: at },
      { id: 'h_new', kind: 'gate', size: 2, activation: 'tanh', bias: false, position: at },
      { id: 'y_t', kind: 'target', size: 2, position: at },
      { id: 'loss', kind: 'loss', loss: 'mse', position: at },
    ],
    edges: [
      { id: 'x_h', source: 'x', target: 'h_new' },
      { id: 'h_h', source: 'h', target: 'h_new' },
      { id: 'h_new_h', source: 'h_new', target: 'h' },
      { id: 'p', source: 'h_new', target: 'loss', port: 'prediction' },
      { id: 'q', source: 'y_t', target: 'loss', port: 'target' },
    ],
    parameters: { 'edge:h_h': { shape: [2, 2], data: W }, 'edge:x_h': { shape: [2, 1], data: u } },
  } as Graph;
}
