/**
 * A small cell built from a block, for tests, docs and the bundled example:
 * block "my gate" is σ(W_x·x + W_h·h + b); the cell uses it twice, as a
 * forget-like gate f and an input-like gate i:
 *
 *   h_t = f ⊙ h_{t−1} + i ⊙ tanh(W·x + U·h_{t−1} + b),   y_t = V·h_t + c
 *
 * With `tied`, instance i uses f's weights (`"tie": "f"`).
 */
import type { Graph } from '../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../format/types.ts';
import type { BlockDef } from './types.ts';

/** The "my gate" definition for inputs of size x and a state of size h. */
export function myGateBlock(x: number, h: number): BlockDef {
  return {
    label: 'σ(W_x·x + W_h·h + b)',
    nodes: [
      { id: 'x', kind: 'input', size: x, position: { x: 0, y: 0 } },
      { id: 'h', kind: 'input', size: h, position: { x: 0, y: 90 } },
      { id: 'g', kind: 'gate', size: h, activation: 'sigmoid', position: { x: 220, y: 40 } },
    ],
    edges: [
      { id: 'x_g', source: 'x', target: 'g' },
      { id: 'h_g', source: 'h', target: 'g', init: 'orthogonal' },
    ],
    outputs: ['g'],
  };
}

/**
 * The cell described above as a graph with a `blocks` table.
 *
 * @example
 * const g = blockCell({ x: 1, h: 4, y: 1, tied: true }); compileAny(g);
 */
export function blockCell(opts: { x: number; h: number; y: number; tied?: boolean }): Graph {
  const { x, h, y } = opts;
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: opts.tied ? 'Cell with a tied block' : 'Cell with a block used twice',
    blocks: { 'my gate': myGateBlock(x, h) },
    nodes: [
      { id: 'x', kind: 'input', size: x, position: { x: 0, y: 120 } },
      { id: 'h', kind: 'cell', size: h, position: { x: 0, y: 300 } },
      { id: 'f', kind: 'block', block: 'my gate', position: { x: 220, y: 0 } } as never,
      { id: 'i', kind: 'block', block: 'my gate', position: { x: 220, y: 160 }, ...(opts.tied ? { tie: 'f' } : {}) } as never,
      { id: 'cand', kind: 'gate', size: h, activation: 'tanh', position: { x: 220, y: 320 } },
      { id: 'keep', kind: 'op', op: 'mul', position: { x: 460, y: 40 } },
      { id: 'write', kind: 'op', op: 'mul', position: { x: 460, y: 220 } },
      { id: 'h_new', kind: 'op', op: 'add', position: { x: 640, y: 120 } },
      { id: 'y', kind: 'gate', size: y, activation: 'identity', position: { x: 820, y: 120 } },
      { id: 'y_t', kind: 'target', size: y, position: { x: 820, y: 260 } },
      { id: 'loss', kind: 'loss', loss: 'mse', position: { x: 1000, y: 160 } },
    ],
    edges: [
      { id: 'x_f', source: 'x', target: 'f', port: 'x' },
      { id: 'h_f', source: 'h', target: 'f', port: 'h' },
      { id: 'x_i', source: 'x', target: 'i', port: 'x' },
      { id: 'h_i', source: 'h', target: 'i', port: 'h' },
      { id: 'x_cand', source: 'x', target: 'cand' },
      { id: 'h_cand', source: 'h', target: 'cand', init: 'orthogonal' },
      { id: 'f_keep', source: 'f', target: 'keep' },
      { id: 'h_keep', source: 'h', target: 'keep' },
      { id: 'i_write', source: 'i', target: 'write' },
      { id: 'cand_write', source: 'cand', target: 'write' },
      { id: 'keep_new', source: 'keep', target: 'h_new' },
      { id: 'write_new', source: 'write', target: 'h_new' },
      { id: 'new_h', source: 'h_new', target: 'h' },
      { id: 'new_y', source: 'h_new', target: 'y' },
      { id: 'y_pred', source: 'y', target: 'loss', port: 'prediction' },
      { id: 'y_target', source: 'y_t', target: 'loss', port: 'target' },
    ],
  } as Graph;
}
