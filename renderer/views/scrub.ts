/**
 * The scrubbed time step (1-based t of the probe's sequence; null: no step
 * chosen). The node strips on the canvas read their value at it, and the
 * gate heatmap marks it.
 */
import { createStore, useStore } from 'zustand';

export const scrubStore = createStore<{ t: number | null }>(() => ({ t: null }));

export function useScrub(): number | null {
  return useStore(scrubStore, (s) => s.t);
}

/** The value a node shows at step t (1-based): the unit itself for one unit, else the mean over units. */
export function valueAt(values: Float32Array, size: number, t: number): { value: number; mean: boolean } {
  const o = (t - 1) * size;
  if (size === 1) return { value: values[o], mean: false };
  let sum = 0;
  for (let u = 0; u < size; u++) sum += values[o + u];
  return { value: sum / size, mean: true };
}
