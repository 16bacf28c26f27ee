/**
 * Runs kept for comparison: what one training run leaves behind (settings,
 * seed, downsampled curves, final metrics, the last gradient flow through
 * time) and the pure computations the Compare view shows — which settings
 * differ between runs, a run's name, curves thinned to fit a file.
 *
 * A document keeps its runs in a top-level `runs` array (graph-format.md:
 * unknown fields survive round trips); `parseRuns` reads it back defensively.
 *
 * @example
 *   const diff = differingSettings([a, b]); // ['training.lr']
 */
import type { Graph } from '../format/types.ts';

/** Curves as the app records them; val* are on the validation steps. */
export interface RunCurves {
  step: number[];
  loss: number[];
  valStep: number[];
  valLoss: number[];
  valMetric: number[];
}

export interface RunRecord {
  id: string;
  /** Shown name, e.g. "Run 3 · LSTM · adam 0.01 · seed 1". */
  name: string;
  /** ISO time the run started. */
  started: string;
  /** The graph's name (the cell) when the run started. */
  graphName: string;
  /** The graph as trained, without stored parameters and without runs. */
  graph: Graph;
  /** Flattened settings: `training.lr`, `task.length`, ... (what the table compares). */
  settings: Record<string, string | number | boolean | null>;
  seed: number;
  steps: number;
  metricName: string | null;
  curves: RunCurves;
  final: { loss: number | null; valLoss: number | null; metric: number | null };
  /** ‖dL/dh_t‖ per cell, t = 1..T, of the last gradient snapshot. */
  gradFlow: Record<string, number[]>;
  status: 'training' | 'done' | 'stopped' | 'diverged' | 'failed';
}

/** Most points each curve keeps in a file (a chart is a few hundred pixels wide). */
export const MAX_RUN_POINTS = 200;

/**
 * Every k-th point so that at most `max` remain, always keeping the last one
 * (the final value is what a comparison reads).
 */
export function thinIndices(length: number, max = MAX_RUN_POINTS): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const k = Math.ceil(length / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < length - 1; i += k) out.push(i);
  out.push(length - 1);
  return out;
}

/** Curves thinned to at most `max` points per series; non-finite values become null in JSON, so they are kept as NaN here and written as null. */
export function downsampleCurves(c: RunCurves, max = MAX_RUN_POINTS): RunCurves {
  const t = thinIndices(c.step.length, max);
  const v = thinIndices(c.valStep.length, max);
  return {
    step: t.map((i) => c.step[i]),
    loss: t.map((i) => c.loss[i]),
    valStep: v.map((i) => c.valStep[i]),
    valLoss: v.map((i) => c.valLoss[i]),
    valMetric: v.map((i) => c.valMetric[i]),
  };
}

type Scalar = string | number | boolean | null;

/** `training` and `task` blocks flattened to `training.lr`-style keys (nested objects and arrays as JSON text). */
export function flattenSettings(graph: Pick<Graph, 'training' | 'task'>): Record<string, Scalar> {
  const out: Record<string, Scalar> = Object.create(null) as Record<string, Scalar>;
  for (const block of ['task', 'training'] as const) {
    const value = graph[block];
    if (!value || typeof value !== 'object') continue;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[`${block}.${key}`] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
    }
  }
  return out;
}

/** How many nodes of each kind: a one-line fingerprint of the cell, so runs of different cells differ in the table. */
export function cellSignature(graph: Pick<Graph, 'nodes' | 'edges'>): string {
  const kinds = new Map<string, number>();
  for (const node of graph.nodes) kinds.set(node.kind, (kinds.get(node.kind) ?? 0) + 1);
  return `${[...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(', ')}; ${graph.edges.length} edges`;
}

/** What the settings table compares for one graph: its name, its cell's shape, every task and training setting. */
export function runSettings(graph: Graph): Record<string, Scalar> {
  const out = flattenSettings(graph);
  out.graph = typeof graph.name === 'string' ? graph.name : '';
  out.cell = cellSignature(graph);
  return out;
}

/** Every setting key any run has, with `graph` and `cell` first. */
export function settingKeys(runs: readonly Pick<RunRecord, 'settings'>[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(run.settings)) keys.add(key);
  const rank = (k: string): number => (k === 'graph' ? 0 : k === 'cell' ? 1 : 2);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The setting keys whose values are not the same in every run (a missing key counts as its own value). */
export function differingSettings(runs: readonly Pick<RunRecord, 'settings'>[]): string[] {
  return settingKeys(runs).filter((key) => {
    const first = JSON.stringify(runs[0]?.settings[key] ?? null);
    return runs.some((run) => JSON.stringify(run.settings[key] ?? null) !== first);
  });
}

/** "Run 3 · LSTM · adam 0.01 · seed 1" */
export function runName(index: number, graph: Pick<Graph, 'name' | 'training'>): string {
  const t = (graph.training ?? {}) as Record<string, unknown>;
  const optimizer = typeof t.optimizer === 'string' ? t.optimizer : 'adam';
  const lr = typeof t.lr === 'number' ? ` ${Number(t.lr.toPrecision(3))}` : '';
  const seed = typeof t.seed === 'number' ? t.seed : 1;
  const flat = typeof graph.name === 'string' ? graph.name.replace(/\s+/g, ' ').trim() : '';
  const cell = flat !== '' ? (flat.length > 40 ? `${flat.slice(0, 39)}…` : flat) : 'untitled';
  return `Run ${index} · ${cell} · ${optimizer}${lr} · seed ${seed}`;
}

/** The graph as a run keeps it: no stored parameters (unless asked to keep them), no runs of its own. */
export function graphForRun(graph: Graph, options: { keepParameters?: boolean } = {}): Graph {
  const rest = { ...graph } as Graph & { runs?: unknown };
  if (!options.keepParameters) delete rest.parameters;
  delete rest.runs;
  return rest;
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : NaN)) : []);

/**
 * The `runs` array of a file, read defensively: entries that are not runs
 * (no id or graph) are skipped and counted, so a hand-edited or truncated
 * file still opens with the runs that are whole.
 */
export function parseRuns(value: unknown): { runs: RunRecord[]; skipped: number } {
  if (!Array.isArray(value)) return { runs: [], skipped: value === undefined ? 0 : 1 };
  const runs: RunRecord[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  for (const raw of value) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) { skipped++; continue; }
    const r = raw as Record<string, unknown>;
    const graph = r.graph as Graph | undefined;
    if (typeof r.id !== 'string' || seen.has(r.id) || !graph || typeof graph !== 'object' || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) { skipped++; continue; }
    seen.add(r.id);
    const c = (r.curves && typeof r.curves === 'object' ? r.curves : {}) as Record<string, unknown>;
    const f = (r.final && typeof r.final === 'object' ? r.final : {}) as Record<string, unknown>;
    const settings: Record<string, Scalar> = Object.create(null) as Record<string, Scalar>;
    if (r.settings && typeof r.settings === 'object') {
      for (const [k, v] of Object.entries(r.settings as Record<string, unknown>)) {
        if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') settings[k] = v;
      }
    }
    const gradFlow: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
    if (r.gradFlow && typeof r.gradFlow === 'object') for (const [k, v] of Object.entries(r.gradFlow as Record<string, unknown>)) gradFlow[k] = numbers(v);
    const status = ['done', 'stopped', 'diverged', 'failed'].includes(r.status as string) ? (r.status as RunRecord['status']) : 'stopped';
    runs.push({
      id: r.id,
      name: typeof r.name === 'string' ? r.name : r.id,
      started: typeof r.started === 'string' ? r.started : '',
      graphName: typeof r.graphName === 'string' ? r.graphName : (typeof graph.name === 'string' ? graph.name : ''),
      graph,
      settings,
      seed: typeof r.seed === 'number' ? r.seed : 1,
      steps: typeof r.steps === 'number' ? r.steps : 0,
      metricName: typeof r.metricName === 'string' ? r.metricName : null,
      curves: { step: numbers(c.step), loss: numbers(c.loss), valStep: numbers(c.valStep), valLoss: numbers(c.valLoss), valMetric: numbers(c.valMetric) },
      final: { loss: finiteOrNull(f.loss), valLoss: finiteOrNull(f.valLoss), metric: finiteOrNull(f.metric) },
      gradFlow,
      status,
    });
  }
  return { runs, skipped };
}

/** The graph as saved: its runs attached (finished ones only), or none. */
export function graphWithRuns(graph: Graph, runs: readonly RunRecord[]): Graph {
  const out = { ...graph } as Graph & { runs?: RunRecord[] };
  const kept = runs.filter((run) => run.status !== 'training').map((run) => ({ ...run, curves: downsampleCurves(run.curves) }));
  if (kept.length > 0) out.runs = kept;
  else delete out.runs;
  return out;
}
