/**
 * Sweeps as data: a SPEC (graphs or templates, seeds, a grid over training
 * and task settings, steps) → the list of runs → rows → a summary. Pure
 * functions, so the CLI (`cellwright sweep`) and the app's Sweep dialog share
 * them; reading files and running workers is the caller's business.
 *
 * ```json
 * {"graphs": ["assets/examples/lstm.json", "template:gru"],
 *  "task": {"name": "parity", "length": 20},
 *  "seeds": [1, 2, 3],
 *  "grid": {"training.lr": [0.01, 0.003], "task.length": [20, 40]},
 *  "steps": 200}
 * ```
 */
import { z } from 'zod';
import { problem } from '../errors.ts';
import { loadGraph } from '../format/parse.ts';
import type { Graph, Problem } from '../format/types.ts';
import { validateAny } from '../layers/index.ts';
import type { Block } from '../tasks/read.ts';
import { templateForTask } from './models.ts';

const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));
const block = z.record(z.string(), json);

const GRID_KEY = /^(training|task)\.[A-Za-z][A-Za-z0-9_]*$/;

const graphEntry = z.union([
  z.string().min(1, 'a graph is a file path or "template:NAME"'),
  z.strictObject({
    file: z.string().min(1),
    label: z.string().min(1).optional(),
  }),
  z.strictObject({
    template: z.string().min(1),
    label: z.string().min(1).optional(),
    hidden: z.number().int().min(1).max(4096).optional(),
    forgetBias: z.number().optional(),
  }),
  // A graph written into the SPEC itself (the app's Sweep… exports these): the file needs nothing beside it.
  z.strictObject({
    graph: z.record(z.string(), json),
    label: z.string().min(1).optional(),
  }),
]);

export const sweepSpecSchema = z.strictObject({
  graphs: z.array(graphEntry).min(1, 'list at least one graph'),
  /** The task block for every run (default: each graph's own; templates need one). */
  task: block.optional(),
  /** Training settings for every run, over each graph's training block. */
  training: block.optional(),
  seeds: z.array(z.number().int().min(-(2 ** 31)).max(2 ** 32 - 1)).min(1, 'list at least one seed').default([1]),
  grid: z.record(z.string().regex(GRID_KEY, 'a grid key is "training.NAME" or "task.NAME", e.g. "training.lr"'), z.array(json).min(1, 'give at least one value')).default({}),
  steps: z.number().int().min(0).max(10_000_000).optional(),
  /** Hidden size of template graphs (default 16). */
  hidden: z.number().int().min(1).max(4096).default(16),
});

export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type GraphEntry = z.infer<typeof graphEntry>;

/** A SPEC that cannot be used: one problem each (CW290–CW292), each naming its JSON path. */
export class SpecError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'SpecError';
  }
}

const specProblem = (path: string, detail: string): Problem => problem('CW290', { detail }, { path });

function jsonPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(String(k)) ? `${s ? '.' : ''}${String(k)}` : `[${JSON.stringify(String(k))}]`;
  return s || '(the SPEC)';
}

/**
 * Reads a SPEC (parsed JSON). Throws SpecError listing every problem with
 * its JSON path (e.g. `grid["training.lr"][1]: expected …`).
 *
 * @example
 * parseSweepSpec({ graphs: ['template:lstm'], task: { name: 'parity' }, seeds: [1, 2] }).seeds // [1, 2]
 */
export function parseSweepSpec(value: unknown): SweepSpec {
  const r = sweepSpecSchema.safeParse(value);
  if (!r.success) {
    throw new SpecError(r.error.issues.flatMap((i) => {
      // An unknown field is named by its own path, with what the SPEC takes.
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => specProblem(jsonPath([...i.path, k]), `unknown field: a SPEC takes ${i.path.length === 0 ? 'graphs, task, training, seeds, grid, steps, hidden' : 'file or template (with label, hidden, forgetBias), or graph (with label)'}`));
      if (i.code === 'invalid_key') return [specProblem(jsonPath(i.path), 'a grid key is "training.NAME" or "task.NAME", e.g. "training.lr"')];
      return [specProblem(jsonPath(i.path), i.message)];
    }));
  }
  const spec = r.data;
  const problems: Problem[] = [];
  spec.graphs.forEach((g, i) => {
    if (typeof g === 'object' && 'graph' in g) {
      // An inline graph is read and checked as a graph file is (cellwright train refuses the same ones).
      const at = `graphs[${i}].graph`;
      const r = loadGraph(g.graph);
      const found = r.ok ? r.problems.concat(validateAny(r.graph)) : r.problems;
      for (const p of found) if (p.severity === 'error') problems.push({ ...p, path: p.path ? `${at}.${p.path}` : at });
      if (r.ok) g.graph = r.graph as unknown as Record<string, unknown>;
      return;
    }
    const isTemplate = typeof g === 'string' ? g.startsWith('template:') : 'template' in g;
    if (isTemplate && !spec.task && !('task.name' in spec.grid)) problems.push(problem('CW292', {}, { path: `graphs[${i}]` }));
  });
  for (const k of Object.keys(spec.grid)) {
    const at = `grid["${k}"]`;
    if (k === 'training.seed') problems.push(specProblem(at, 'seeds go in "seeds", not the grid'));
    if (k === 'training.steps' && spec.steps !== undefined) problems.push(specProblem(at, '"steps" is also given: keep one'));
    if (k === 'training.state') problems.push(specProblem(at, 'training.state is written by training, not set by a sweep'));
  }
  if (problems.length) throw new SpecError(problems);
  return spec;
}

/** Where a graph comes from and how it is named in rows. */
export interface GraphSource {
  kind: 'file' | 'template' | 'inline';
  /** The file path (as written in the SPEC), the template name, or the inline graph's label. */
  ref: string;
  /** An inline graph (kind 'inline'). */
  graph?: Graph;
  label: string;
  hidden?: number;
  forgetBias?: number;
}

export function graphSource(g: GraphEntry, hidden: number): GraphSource {
  if (typeof g === 'string') {
    if (g.startsWith('template:')) { const name = g.slice('template:'.length); return { kind: 'template', ref: name, label: name, hidden }; }
    return { kind: 'file', ref: g, label: g.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') };
  }
  if ('file' in g) return { kind: 'file', ref: g.file, label: g.label ?? g.file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') };
  if ('graph' in g) {
    const graph = g.graph as unknown as Graph;
    const label = g.label ?? (typeof graph.name === 'string' && graph.name.trim() !== '' ? graph.name.trim() : 'graph');
    return { kind: 'inline', ref: label, label, graph };
  }
  return { kind: 'template', ref: g.template, label: g.label ?? g.template, hidden: g.hidden ?? hidden, ...(g.forgetBias !== undefined ? { forgetBias: g.forgetBias } : {}) };
}

/** One run of a sweep: which graph, which seed, which grid point, and the blocks that make it. */
export interface RunConfig {
  /** File-safe and unique: `<graph>-<grid point>-s<seed>`; also the name of runs/<id>.json. */
  id: string;
  /** Index into the SPEC's graphs. */
  graph: number;
  label: string;
  seed: number;
  /** The grid point: key → value, in the SPEC's key order. */
  point: Record<string, unknown>;
  /** Settings over the graph's task block (undefined: the graph's own task). */
  task: Block | undefined;
  /** Training settings over the graph's training block (seed and steps included). */
  training: Block;
  /** Runs that differ only in seed share this key. */
  configKey: string;
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'x';
}

/** Every grid point, the last key varying fastest. */
export function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
  return points;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The runs of a SPEC: graphs × grid points × seeds, in that nesting order.
 *
 * @example
 * expandSweep(parseSweepSpec({ graphs: ['template:lstm'], task: { name: 'parity' }, seeds: [1, 2], grid: { 'training.lr': [0.1, 0.01] } })).length // 4
 */
export function expandSweep(spec: SweepSpec): RunConfig[] {
  const runs: RunConfig[] = [];
  const sources = spec.graphs.map((g) => graphSource(g, spec.hidden));
  const labels = sources.map((s) => s.label);
  const used = new Set<string>();
  sources.forEach((src, gi) => {
    // Two graphs with one label (a/lstm.json, b/lstm.json) get their index.
    const label = labels.indexOf(src.label) !== labels.lastIndexOf(src.label) ? `${src.label}#${gi + 1}` : src.label;
    for (const point of gridPoints(spec.grid)) {
      const training: Block = { ...(spec.training ?? {}) };
      let task: Block | undefined = spec.task ? { ...spec.task } : undefined;
      for (const [k, v] of Object.entries(point)) {
        const [where, name] = k.split('.') as ['training' | 'task', string];
        if (where === 'training') training[name] = v;
        else task = { ...(task ?? {}), [name]: v };
      }
      if (spec.steps !== undefined) training.steps = spec.steps;
      const pointName = Object.entries(point).map(([k, v]) => `${k.split('.')[1]}=${show(v)}`).join(',');
      const configKey = `${label}|${pointName}`;
      for (const seed of spec.seeds) {
        let id = safe(`${label}${pointName ? `-${pointName}` : ''}-s${seed}`);
        for (let n = 2; used.has(id); n++) id = safe(`${label}-${n}${pointName ? `-${pointName}` : ''}-s${seed}`);
        used.add(id);
        runs.push({ id, graph: gi, label, seed, point, task, training: { ...training, seed }, configKey });
      }
    }
  });
  return runs;
}

/**
 * The graph a run trains, for graphs the SPEC holds (inline) or names
 * (templates, sized to the run's task); null for a file, which the caller
 * reads. Throws a TaskError for an unknown template or task.
 */
export function builtGraph(spec: SweepSpec, run: RunConfig): Graph | null {
  const src = graphSource(spec.graphs[run.graph], spec.hidden);
  if (src.kind === 'inline') return src.graph ?? null;
  if (src.kind === 'file' || !run.task) return null;
  return templateForTask(src.ref, run.task, { hidden: src.hidden ?? spec.hidden, forgetBias: src.forgetBias });
}

/**
 * What one run trains: the graph, its task block (the run's `task.*` over the
 * graph's, as `cellwright train --task --length` builds it) and its training
 * settings. The CLI and the app's Sweep… both hand exactly this to trainRun.
 */
export function runInputOf(graph: Graph, run: RunConfig): { graph: Graph; task: Block | undefined; training: Block } {
  return { graph, task: taskFor(graph.task as Block | undefined, run.task), training: run.training };
}

/** A finished run's row of results.csv. */
export interface SweepRow {
  run: string;
  graph: string;
  seed: number;
  point: Record<string, unknown>;
  loss: number;
  metricName: string;
  metric: number;
  trainLoss: number;
  steps: number;
  seconds: number;
  diverged: boolean;
  /** Set when the run could not start (the graph does not fit the task): the row is kept, with the reason. */
  error?: string;
  configKey: string;
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** results.csv: one row per run; numbers at full precision so rows compare exactly. */
export function resultsCsv(rows: SweepRow[], gridKeys: string[]): string {
  const head = ['run', 'graph', 'seed', ...gridKeys, 'loss', 'metric_name', 'metric', 'train_loss', 'steps', 'seconds', 'diverged', 'error'];
  const lines = [head.map(csvCell).join(',')];
  for (const r of rows) {
    lines.push([r.run, r.graph, r.seed, ...gridKeys.map((k) => r.point[k]), r.loss, r.metricName, r.metric, r.trainLoss, r.steps, r.seconds.toFixed(3), r.diverged ? 1 : 0, r.error ?? ''].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** One configuration (graph × grid point) over its seeds. */
export interface ConfigSummary {
  key: string;
  graph: string;
  point: Record<string, unknown>;
  metricName: string;
  /** Better is larger (accuracy) or smaller (loss, mse, bpc). */
  goal: 'max' | 'min';
  n: number;
  diverged: number;
  mean: number;
  sd: number;
  best: number;
  bestRun: string;
  meanLoss: number;
  sdLoss: number;
}

export function meanSd(xs: number[]): { mean: number; sd: number } {
  const f = xs.filter(Number.isFinite);
  if (f.length === 0) return { mean: NaN, sd: NaN };
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  const sd = f.length > 1 ? Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / (f.length - 1)) : 0;
  return { mean, sd };
}

/** Per configuration: mean ± sample sd of the metric and loss over seeds, and the best run. */
export function summarise(rows: SweepRow[]): ConfigSummary[] {
  const groups = new Map<string, SweepRow[]>();
  for (const r of rows) groups.set(r.configKey, [...(groups.get(r.configKey) ?? []), r]);
  return [...groups.entries()].map(([key, rs]) => {
    const metricName = rs.find((r) => r.metricName)?.metricName ?? 'loss';
    const goal = metricName === 'accuracy' ? 'max' : 'min';
    const m = meanSd(rs.map((r) => r.metric));
    const l = meanSd(rs.map((r) => r.loss));
    const ok = rs.filter((r) => Number.isFinite(r.metric));
    const best = ok.reduce<SweepRow | null>((b, r) => (b === null || (goal === 'max' ? r.metric > b.metric : r.metric < b.metric) ? r : b), null);
    return {
      key, graph: rs[0].graph, point: rs[0].point, metricName, goal, n: rs.length, diverged: rs.filter((r) => r.diverged || r.error).length,
      mean: m.mean, sd: m.sd, best: best?.metric ?? NaN, bestRun: best?.run ?? '', meanLoss: l.mean, sdLoss: l.sd,
    };
  });
}

export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  return Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, '');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A bar chart (SVG text) of each configuration's mean metric with ±sd
 * whiskers; the best configuration's bar is drawn darker. No browser needed.
 */
export function summarySvg(sums: ConfigSummary[], title: string): string {
  const W = 640;
  const rowH = 22;
  const left = 260;
  const top = 40;
  const H = top + sums.length * rowH + 40;
  const vals = sums.flatMap((s) => [s.mean + (Number.isFinite(s.sd) ? s.sd : 0), s.best]).filter(Number.isFinite);
  const max = Math.max(1e-12, ...vals, 0);
  const x = (v: number): number => left + (Number.isFinite(v) ? Math.max(0, v) / max : 0) * (W - left - 60);
  const goal = sums[0]?.goal ?? 'min';
  const bestMean = sums.filter((s) => Number.isFinite(s.mean)).reduce<ConfigSummary | null>((b, s) => (b === null || (goal === 'max' ? s.mean > b.mean : s.mean < b.mean) ? s : b), null);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${left}" y1="${top - 6}" x2="${left}" y2="${top + sums.length * rowH}" stroke="#333"/>`,
  ];
  sums.forEach((s, i) => {
    const y = top + i * rowH;
    const label = `${s.graph}${Object.keys(s.point).length ? ` ${Object.entries(s.point).map(([k, v]) => `${k.split('.')[1]}=${show(v)}`).join(' ')}` : ''}`;
    parts.push(`<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(label.length > 40 ? label.slice(0, 39) + '…' : label)}</text>`);
    if (Number.isFinite(s.mean)) {
      parts.push(`<rect x="${left}" y="${y + 3}" width="${(x(s.mean) - left).toFixed(1)}" height="${rowH - 8}" fill="${s === bestMean ? '#1f5fa8' : '#8fb3dc'}"/>`);
      if (s.sd > 0) parts.push(`<line x1="${x(s.mean - s.sd).toFixed(1)}" y1="${y + rowH / 2}" x2="${x(s.mean + s.sd).toFixed(1)}" y2="${y + rowH / 2}" stroke="#222"/>`);
      parts.push(`<text x="${(x(s.mean + s.sd) + 4).toFixed(1)}" y="${y + 14}" fill="#333">${esc(fmtNum(s.mean))}</text>`);
    } else {
      parts.push(`<text x="${left + 4}" y="${y + 14}" fill="#a00">no result</text>`);
    }
  });
  const axisY = top + sums.length * rowH + 18;
  parts.push(`<text x="${left}" y="${axisY}">0</text><text x="${x(max).toFixed(1)}" y="${axisY}" text-anchor="end">${esc(fmtNum(max))}</text>`);
  parts.push(`<text x="${(left + W - 60) / 2}" y="${axisY + 16}" text-anchor="middle">mean validation ${esc(sums[0]?.metricName ?? 'metric')} over seeds (± sd), ${goal === 'max' ? 'higher' : 'lower'} is better</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** summary.md: a table of mean ± sd and the best run per configuration, and the plot. */
export function summaryMarkdown(spec: SweepSpec, rows: SweepRow[], svgFile: string): string {
  const sums = summarise(rows);
  const keys = Object.keys(spec.grid);
  const metric = sums[0]?.metricName ?? 'metric';
  const lines = [
    '# Sweep summary', '',
    `${rows.length} run${rows.length === 1 ? '' : 's'}: ${spec.graphs.length} graph${spec.graphs.length === 1 ? '' : 's'} × ${gridPoints(spec.grid).length} grid point${gridPoints(spec.grid).length === 1 ? '' : 's'} × ${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'} (${spec.seeds.join(', ')})${spec.steps !== undefined ? `, ${spec.steps} steps each` : ''}. Numbers are on the task's fixed validation set; one row per run is in results.csv.`, '',
    `| graph | ${keys.map((k) => `${k} | `).join('')}validation ${metric} (mean ± sd) | best | best run | validation loss (mean ± sd) | diverged |`,
    `| --- | ${keys.map(() => '--- | ').join('')}--- | --- | --- | --- | --- |`,
  ];
  for (const s of sums) {
    lines.push(`| ${s.graph} | ${keys.map((k) => `${show(s.point[k])} | `).join('')}${fmtNum(s.mean)} ± ${fmtNum(s.sd)} | ${fmtNum(s.best)} | ${s.bestRun} | ${fmtNum(s.meanLoss)} ± ${fmtNum(s.sdLoss)} | ${s.diverged}/${s.n} |`);
  }
  const errors = rows.filter((r) => r.error);
  if (errors.length) {
    lines.push('', '## Runs that could not start', '');
    for (const r of errors) lines.push(`- ${r.run}: ${r.error}`);
  }
  lines.push('', `![validation ${metric} per configuration](${svgFile})`, '');
  return lines.join('\n');
}

/**
 * A run's task block over a graph's, the way `cellwright train --task NAME
 * --length T` builds it: the graph's block when the name stays (or none is
 * given), a fresh `{name}` when it changes, then the run's settings on top.
 */
export function taskFor(graphTask: Block | undefined, runTask: Block | undefined): Block | undefined {
  if (!runTask) return graphTask ? { ...graphTask } : undefined;
  const name = runTask.name ?? graphTask?.name;
  const base = graphTask && graphTask.name === name ? { ...graphTask } : { name };
  return { ...base, ...runTask };
}
