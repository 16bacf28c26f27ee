/**
 * What the Connectivity pane shows (which OUT and IN nodes) and the pure
 * helpers it reads M through: the IN nearest to a node, the log colour scale
 * and the band's decay along the diagonals.
 */
import { createStore, useStore } from 'zustand';
import type { Graph } from '../../engine/format/types.ts';
import { uiStore } from '../store/ui.ts';

export interface ConnectivityChoice {
  out: string | null;
  in: string | null;
}

export const connectivityStore = createStore<ConnectivityChoice>(() => ({ out: null, in: null }));

export function useConnectivity<T>(pick: (s: ConnectivityChoice) => T): T {
  return useStore(connectivityStore, pick);
}

/** Inputs and cells: what the engine accepts as IN. */
export function inCandidates(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.kind === 'input' || n.kind === 'cell').map((n) => n.id);
}

/**
 * The IN nearest to `out` against the wires (breadth first back from it): the
 * node itself when it is a cell or an input, else the closest cell or input
 * it reads; the first cell (or input) of the graph when none reaches it.
 *
 * @example
 * nearestIn(elman, 'y') // 'h'
 */
export function nearestIn(graph: Graph, out: string): string | null {
  const kind = new Map(graph.nodes.map((n) => [n.id, n.kind as string]));
  const isIn = (id: string) => kind.get(id) === 'cell' || kind.get(id) === 'input';
  const seen = new Set<string>([out]);
  let frontier = [out];
  while (frontier.length > 0) {
    const found = frontier.filter(isIn);
    // Cells first: the w^(t−s) story is about the state.
    const cell = found.find((id) => kind.get(id) === 'cell');
    if (cell ?? found[0]) return cell ?? found[0];
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of graph.edges) {
        if (e.target === id && !seen.has(e.source)) {
          seen.add(e.source);
          next.push(e.source);
        }
      }
    }
    frontier = next;
  }
  const all = inCandidates(graph);
  return all.find((id) => kind.get(id) === 'cell') ?? all[0] ?? null;
}

/** Open the Connectivity pane for OUT (IN: the given one, or the nearest cell or input). */
export function openConnectivity(graph: Graph, out: string, input?: string): void {
  connectivityStore.setState({ out, in: input ?? nearestIn(graph, out) });
  const ui = uiStore.getState();
  if (!ui.dockOpen) ui.toggleDock();
  ui.setDockView('connectivity');
}

/** The log10 range of M's positive entries ([lo, hi]; null when M has none). */
export function logRange(m: readonly (readonly number[])[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of m) {
    for (const v of row) {
      if (v > 0 && Number.isFinite(v)) {
        const l = Math.log10(v);
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
    }
  }
  if (lo === Infinity) return null;
  return [lo, hi === lo ? lo + 1 : hi];
}

/** v on the log scale of `range`, in [0, 1]; 0 for a zero; NaN for a non-finite v. */
export function logScaled(v: number, range: [number, number] | null): number {
  if (!Number.isFinite(v)) return NaN;
  if (!range || v <= 0) return 0;
  return Math.max(0, Math.min(1, (Math.log10(v) - range[0]) / (range[1] - range[0])));
}

/** Mean of the k-th diagonal below the main one (M[t][t−k]); NaN when T ≤ k. */
export function diagonalMean(m: readonly (readonly number[])[], k: number): number {
  let sum = 0;
  let n = 0;
  for (let t = k; t < m.length; t++) {
    sum += m[t][t - k];
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * How much the band fades per step back: the geometric mean over k of
 * diag(k+1)/diag(k) for the first `depth` diagonals (the |w| of a scalar
 * linear cell h ← w·h + x exactly). Below 1: the past fades; above: it grows.
 */
export function diagonalDecay(m: readonly (readonly number[])[], depth = 5): number {
  let logSum = 0;
  let n = 0;
  for (let k = 0; k < depth; k++) {
    const a = diagonalMean(m, k);
    const b = diagonalMean(m, k + 1);
    if (!(a > 0) || !(b > 0)) break;
    logSum += Math.log(b / a);
    n++;
  }
  return n > 0 ? Math.exp(logSum / n) : NaN;
}
