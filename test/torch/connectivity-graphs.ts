/**
 * A custom cell for the connectivity cross-check: two cells (h, and a with
 * zoneout 0.25, so its state is a mix read only through the next step), a
 * sub with slots, diagonal and scalar edges, and readers of the writers at
 * the same step (a_new and y read h_new).
 *
 *   u = σ(W_xu x + w_hu ⊙ h + b)          cand = tanh(W_xc x + W_hc h + b)
 *   h_new = h + u ⊙ (cand − h)             a_new = tanh(W h_new + w·a + b)
 *   y = W_ay a_new + W_hy h_new + b        loss = mse(y, y_t) at every step
 */
import type { DataFile, Graph } from '../../engine/format/types.ts';
import { Rng } from '../../engine/rng.ts';

export function customCell(): Graph {
  const at = { x: 0, y: 0 };
  return {
    format: 'cellwright-graph',
    version: 1,
    name: 'custom',
    nodes: [
      { id: 'x', kind: 'input', size: 2, position: at },
      { id: 'h', kind: 'cell', size: 3, position: at },
      { id: 'a', kind: 'cell', size: 2, zoneout: 0.25, position: at },
      { id: 'u', kind: 'gate', size: 3, activation: 'sigmoid', position: at },
      { id: 'cand', kind: 'gate', size: 3, activation: 'tanh', position: at },
      { id: 'diff', kind: 'op', op: 'sub', position: at },
      { id: 'step', kind: 'op', op: 'mul', position: at },
      { id: 'h_new', kind: 'op', op: 'add', position: at },
      { id: 'a_new', kind: 'gate', size: 2, activation: 'tanh', position: at },
      { id: 'y', kind: 'gate', size: 2, activation: 'identity', position: at },
      { id: 'y_t', kind: 'target', size: 2, position: at },
      { id: 'loss', kind: 'loss', loss: 'mse', position: at },
    ],
    edges: [
      { id: 'x_u', source: 'x', target: 'u' },
      { id: 'h_u', source: 'h', target: 'u', weight: 'diagonal' },
      { id: 'x_cand', source: 'x', target: 'cand' },
      { id: 'h_cand', source: 'h', target: 'cand' },
      { id: 'h_diff', source: 'h', target: 'diff', slot: 1 },
      { id: 'cand_diff', source: 'cand', target: 'diff', slot: 0 },
      { id: 'u_step', source: 'u', target: 'step' },
      { id: 'diff_step', source: 'diff', target: 'step' },
      { id: 'h_h_new', source: 'h', target: 'h_new' },
      { id: 'step_h_new', source: 'step', target: 'h_new' },
      { id: 'h_new_h', source: 'h_new', target: 'h' },
      { id: 'h_new_a', source: 'h_new', target: 'a_new' },
      { id: 'a_a', source: 'a', target: 'a_new', weight: 'scalar' },
      { id: 'a_new_a', source: 'a_new', target: 'a' },
      { id: 'a_y', source: 'a_new', target: 'y' },
      { id: 'h_y', source: 'h_new', target: 'y' },
      { id: 'y_loss', source: 'y', target: 'loss', port: 'prediction' },
      { id: 'y_t_loss', source: 'y_t', target: 'loss', port: 'target' },
    ],
  } as Graph;
}

/** Seeded inputs and targets in [−1, 1) for customCell. */
export function customData(T: number, B: number): DataFile {
  const rng = new Rng(11);
  const t = (n: number): { shape: number[]; data: number[] } => ({ shape: [T, B, n], data: Array.from({ length: T * B * n }, () => rng.range(-1, 1)) });
  return { format: 'cellwright-data', version: 1, inputs: { x: t(2) }, targets: { y_t: t(2) } } as DataFile;
}
