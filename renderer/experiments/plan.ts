/**
 * What the Sweep… dialog's form means: one or two settings, each over a list
 * of values, seeds and steps → a sweep SPEC (engine/experiments/sweep.ts)
 * holding the current graph inline, so the exported file runs unchanged with
 * `cellwright sweep SPEC.json --out DIR`. Pure: tested without a DOM.
 */
import { flattenSettings, graphForRun } from '../../engine/experiments/compare.ts';
import type { SweepSpec } from '../../engine/experiments/sweep.ts';
import { expandSweep, parseSweepSpec, SpecError } from '../../engine/experiments/sweep.ts';
import type { Graph } from '../../engine/format/types.ts';

export interface SweepForm {
  /** Grid keys ("training.lr", "task.length"); an empty second key sweeps one setting. */
  keys: [string, string];
  /** Each key's values as typed: "0.01, 0.003". */
  values: [string, string];
  seeds: string;
  steps: string;
}

/** Settings offered first in the dialog (any other of the graph's own training or task settings follows). */
export const COMMON_KEYS = ['training.lr', 'training.batch', 'training.optimizer', 'training.clipNorm', 'training.weightDecay', 'task.length'] as const;

/** Most runs one sweep in the app may start (a grid is easy to make too big by a typo). */
export const MAX_APP_RUNS = 100;

/** The grid keys the dialog offers for a graph: the common ones, then its own task and training settings. */
export function sweepKeys(graph: Graph): string[] {
  const own = Object.keys(flattenSettings(graph)).filter((k) => !['training.seed', 'training.steps', 'training.state', 'task.name', 'task.file'].includes(k) && !k.startsWith('training.state'));
  const keys: string[] = [...COMMON_KEYS];
  for (const k of own.sort()) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** The form a graph opens with: its learning rate ×3 and ÷3, seed 1, its own steps. */
export function defaultForm(graph: Graph): SweepForm {
  const training = (graph.training ?? {}) as Record<string, unknown>;
  const lr = typeof training.lr === 'number' ? training.lr : 0.001;
  const steps = typeof training.steps === 'number' ? training.steps : 1000;
  const round = (x: number) => Number(x.toPrecision(2));
  return { keys: ['training.lr', ''], values: [`${round(lr * 3)}, ${round(lr)}, ${round(lr / 3)}`, ''], seeds: '1', steps: String(steps) };
}

/** One typed value: a number, true/false, null, JSON ({…}, […], "…"), else the text itself (an optimizer's name). */
export function parseValue(token: string): unknown {
  const t = token.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  if (t === 'true' || t === 'false' || t === 'null' || /^[[{"]/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  }
  return t;
}

/** A list as typed: commas (or spaces) between values; commas inside […] or {…} stay. */
export function parseList(text: string): unknown[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === ',' || ch === ';' || /\s/.test(ch))) {
      if (cur.trim() !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map(parseValue);
}

/** The graph a sweep trains: the document's, without stored weights, runs or a training state (every run starts fresh from its seed). */
export function sweepGraph(graph: Graph): Graph {
  const g = graphForRun(graph);
  const training = g.training as Record<string, unknown> | undefined;
  if (training && 'state' in training) {
    const { state: _state, ...rest } = training;
    return { ...g, training: rest as Graph['training'] };
  }
  return g;
}

export type Planned = { ok: true; spec: SweepSpec; text: string; runs: number } | { ok: false; problems: string[] };

/**
 * The SPEC for a form and graph, as the exported file's text, parsed back
 * from that text (the app runs exactly what it exports), or the problems.
 */
export function planSweep(graph: Graph, form: SweepForm): Planned {
  const problems: string[] = [];
  const grid: Record<string, unknown[]> = {};
  form.keys.forEach((key, i) => {
    if (key === '') return;
    const values = parseList(form.values[i]);
    if (values.length === 0) problems.push(`${key}: give at least one value, e.g. 0.01, 0.003`);
    if (key in grid) problems.push(`${key} is chosen twice: pick another second setting, or none`);
    grid[key] = values;
  });
  const seeds = parseList(form.seeds);
  if (seeds.length === 0 || seeds.some((s) => typeof s !== 'number' || !Number.isInteger(s))) problems.push(`seeds: whole numbers, e.g. 1, 2, 3 (got "${form.seeds}")`);
  const steps = Number(form.steps);
  if (!Number.isInteger(steps) || steps < 1) problems.push(`steps: a whole number ≥ 1 (got "${form.steps}")`);
  if (problems.length) return { ok: false, problems };
  const g = sweepGraph(graph);
  const label = typeof g.name === 'string' && g.name.trim() !== '' ? g.name.trim() : 'graph';
  const raw = { graphs: [{ graph: g, label }], seeds, grid, steps };
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  try {
    const spec = parseSweepSpec(JSON.parse(text));
    const runs = expandSweep(spec).length;
    if (runs > MAX_APP_RUNS) return { ok: false, problems: [`${runs} runs: the app starts at most ${MAX_APP_RUNS} at once; use fewer values or seeds (or export the SPEC and run it with cellwright sweep)`] };
    return { ok: true, spec, text, runs };
  } catch (e) {
    if (e instanceof SpecError) return { ok: false, problems: e.problems.map((p) => `${p.path}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`) };
    throw e;
  }
}
