/**
 * Training commands: the run controls, data files, and the one-click fixes a
 * flagged node offers. Each fix is one document edit (one undo entry); the
 * training client recompiles after it.
 */
import type { FlagKind } from '../../engine/diagnostics/flags.ts';
import type { DataFile, Graph } from '../../engine/format/types.ts';
import {
  complementGates, forgetGates, recurrentEdges, switchCore, withSwitchedTraining, taskLength, withForgetBias, withIdentityRelu, withNormClipping, withRecurrentInit, withShorterSequence,
} from '../doc/fixes.ts';
import { scopeCovers, withoutStoredParameters, type ReinitScope } from '../doc/params.ts';
import { fitGraphToTask, taskMismatches, type TaskMismatch } from '../doc/taskfit.ts';
import { createTask } from '../../engine/tasks/index.ts';
import type { TaskMeta } from '../../engine/tasks/types.ts';
import { csvPreview, defaultColumns, fitToColumns } from '../doc/csv.ts';
import { autoLayout } from '../doc/layout.ts';
import { exampleGraph } from '../examples.ts';
import { documentStore } from '../store/document.ts';
import { trainingStore } from '../store/training.ts';
import { uiStore } from '../store/ui.ts';
import * as client from '../train/client.ts';
import { fitView, getHost } from './commands.ts';

export const train = client.train;
export const pause = client.pause;
export const step = (): void => client.step(1);
export const reset = client.reset;
export const rollback = client.rollback;

/** What Re-initialize weights acts on: the one selected node or edge, else the whole graph. */
export function reinitScope(selectedNodes = uiStore.getState().selectedNodes, selectedEdges = uiStore.getState().selectedEdges): ReinitScope {
  if (selectedNodes.size === 1 && selectedEdges.size === 0) return { kind: 'node', id: [...selectedNodes][0] };
  if (selectedEdges.size === 1 && selectedNodes.size === 0) return { kind: 'edge', id: [...selectedEdges][0] };
  return { kind: 'graph' };
}

export function reinitScopeText(scope: ReinitScope): string {
  return scope.kind === 'graph' ? 'every weight of the graph' : scope.kind === 'node' ? `the weights of node "${scope.id}" (its bias and incoming edges)` : `the weight of edge "${scope.id}"`;
}

/**
 * Re-initialize weights: the stored parameters in scope are dropped from the
 * graph (one undo entry) and the trainer draws them afresh from their
 * initializers; learned values in scope are not kept.
 */
export function reinitializeWeights(scope: ReinitScope = reinitScope()): void {
  const doc = documentStore.getState();
  const { graph, dropped } = withoutStoredParameters(doc.graph, scope);
  if (dropped.length > 0) commit('Re-initialize weights', graph);
  const keys = scope.kind === 'graph' ? null : client.compiledInfo() ? layoutKeys(doc.graph, scope) : [];
  client.forgetTrained(keys);
  const what = reinitScopeText(scope);
  uiStore.getState().notify('info', `Re-initialized ${what}${dropped.length > 0 ? ` (${dropped.length} stored dropped)` : ''}: they start again from their initializers.`, dropped.length > 0 ? { label: 'Undo', run: () => documentStore.getState().undo() } : undefined);
}

/** Every parameter key the graph could have in scope (stored or not): edges' weights, biases, initial states. */
function layoutKeys(graph: Graph, scope: ReinitScope): string[] {
  const candidates = [
    ...graph.edges.map((edge) => `edge:${edge.id}`),
    ...graph.nodes.flatMap((node) => ['bias', 'init', 'gain', 'shift'].map((prefix) => `${prefix}:${node.id}`)),
  ];
  return candidates.filter((key) => scopeCovers(graph, scope, key));
}

export type FixKind = 'clipNorm' | 'identityRelu' | 'orthogonal' | 'forgetBias' | 'shorter' | 'lstm' | 'gru' | 'rollback' | 'lowerLr';

export interface FixOption {
  kind: FixKind;
  /** The button's text (also its accessible name). */
  label: string;
  /** Why it helps, in one line (reference text §5). */
  help: string;
}

/** One sentence per flag: what is happening (reference text §4). */
export function explainFlag(kind: FlagKind, node: string, ratio: number, perStep: number, T: number | null): string {
  const steps = T ? `${T - 1} steps` : 'the sequence';
  switch (kind) {
    case 'vanishing':
      return `Vanishing gradient: going back through ${steps}, ‖dL/d${node}‖ is multiplied by about ${fmt(perStep)} per step (like w^(T−t) with |w| < 1, or saturated σ/tanh), so the first steps get ${fmtRatio(ratio)} of the last step's signal and early inputs cannot be learned.`;
    case 'exploding':
      return `Exploding gradient: going back through ${steps}, ‖dL/d${node}‖ grows by about ${fmt(perStep)} per step (like w^(T−t) with |w| > 1), so the first steps get ${fmtRatio(ratio)} times the last step's gradient and updates become huge.`;
    case 'nonfinite':
      return `Non-finite values: the loss or the gradient at ${node} became NaN or infinite, so training stopped before the update.`;
    default: {
      const never: never = kind;
      return String(never);
    }
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '?';
  return x >= 100 || x < 0.01 ? x.toExponential(1) : x.toFixed(2);
}

function fmtRatio(x: number): string {
  if (!Number.isFinite(x)) return 'an unknown share';
  return x.toExponential(1).replace('e', '×10^').replace('^+', '^');
}

function hasCoreOf(graph: Graph, template: 'lstm' | 'gru'): boolean {
  // An LSTM has a forget gate; a GRU has a 1 − z op.
  if (template === 'lstm') return forgetGates(graph).length > 0;
  return graph.nodes.some((node) => node.kind === 'op' && node.op === 'one_minus');
}

/** The fixes that apply to this node and graph, most useful first. */
export function fixesFor(graph: Graph, node: string, kind: FlagKind): FixOption[] {
  const out: FixOption[] = [];
  const isCell = graph.nodes.some((n) => n.id === node && n.kind === 'cell');
  const clipping = typeof graph.training?.clipNorm === 'number';
  const length = taskLength(graph);
  const recurrent = isCell ? recurrentEdges(graph, node) : [];
  const forget = forgetGates(graph);
  const complement = complementGates(graph);
  const biasIs = (gate: { id: string }, value: number) => graph.parameters?.[`bias:${gate.id}`]?.data.every((v) => v === value) ?? false;
  const forgetAtOne = forget.every((gate) => biasIs(gate, 1)) && complement.every((gate) => biasIs(gate, -1));
  const shorter = length && length.value > 2 ? { kind: 'shorter' as const, label: `Shorter sequence (T ${length.value} → ${Math.max(2, Math.floor(length.value / 2))})`, help: 'Fewer steps for the gradient to travel back through.' } : null;
  const lstm = { kind: 'lstm' as const, label: 'Switch to LSTM', help: 'A memory cell carried by addition, guarded by gates: the gradient can pass many steps unchanged. Keeps the task.' };
  const gru = { kind: 'gru' as const, label: 'Switch to GRU', help: 'Update and reset gates mix the old state in directly. Keeps the task.' };
  if (kind === 'vanishing') {
    if (forget.length > 0 && !forgetAtOne) out.push({ kind: 'forgetBias', label: 'Forget-gate bias 1', help: 'σ(1) ≈ 0.73: the cell keeps most of its memory from the start.' });
    else if (complement.length > 0 && !forgetAtOne) out.push({ kind: 'forgetBias', label: `Keep-memory bias (−1 on ${complement.map((gate) => gate.id).join(', ')})`, help: '1 − σ(−1) ≈ 0.73: the cell keeps most of its memory from the start.' });
    if (isCell && !hasCoreOf(graph, 'lstm')) out.push(lstm);
    if (isCell && !hasCoreOf(graph, 'gru') && !hasCoreOf(graph, 'lstm')) out.push(gru);
    if (recurrent.length > 0 && !hasCoreOf(graph, 'lstm') && !hasCoreOf(graph, 'gru')) out.push({ kind: 'identityRelu', label: 'Identity init + ReLU', help: 'IRNN: W_hh = I and ReLU start out neither shrinking nor growing the signal.' });
    if (shorter) out.push(shorter);
  } else if (kind === 'exploding') {
    if (!clipping) out.push({ kind: 'clipNorm', label: 'Turn on norm clipping', help: 'Rescale the gradient to norm 1 when it is larger (g ← g/‖g‖).' });
    if (recurrent.length > 0) out.push({ kind: 'orthogonal', label: 'Orthogonal init', help: 'Every eigenvalue of W_hh starts at |λ| = 1: no direction grows or shrinks.' });
    if (shorter) out.push(shorter);
    if (isCell && !hasCoreOf(graph, 'lstm')) out.push(lstm);
  } else {
    if (trainingStore.getState().failure) out.push({ kind: 'rollback', label: 'Roll back', help: 'Back to the last parameters that validated finite.' });
    if (!clipping) out.push({ kind: 'clipNorm', label: 'Turn on norm clipping', help: 'Rescale the gradient to norm 1 when it is larger.' });
    out.push({ kind: 'lowerLr', label: 'Lower the learning rate (÷10)', help: 'Smaller steps overshoot less.' });
  }
  return out;
}

function commit(label: string, next: Graph): void {
  documentStore.getState().commit(label, next);
}

/** Apply a fix to the document (or the run). Returns false when it did not apply. */
export async function applyFix(kind: FixKind, node: string): Promise<boolean> {
  const graph = documentStore.getState().graph;
  switch (kind) {
    case 'rollback':
      client.rollback();
      return true;
    case 'clipNorm':
      commit('Turn on norm clipping', withNormClipping(graph, 1));
      return true;
    case 'lowerLr': {
      const lr = typeof graph.training?.lr === 'number' ? graph.training.lr : 0.001;
      commit('Lower the learning rate', { ...graph, training: { ...(graph.training ?? {}), lr: lr / 10 } });
      return true;
    }
    case 'identityRelu':
      commit('Identity init + ReLU', withIdentityRelu(graph, node));
      return true;
    case 'orthogonal':
      commit('Orthogonal init', withRecurrentInit(graph, node, 'orthogonal'));
      return true;
    case 'forgetBias':
      commit('Forget-gate bias 1', withForgetBias(graph, 1));
      return true;
    case 'shorter':
      commit('Shorter sequence', withShorterSequence(graph));
      return true;
    case 'lstm':
    case 'gru': {
      const template = exampleGraph(kind);
      if (!template) return false;
      const name = kind === 'lstm' ? 'LSTM' : 'GRU';
      const switched = switchCore(graph, node, template, name);
      if (switched.added.length === 0) {
        uiStore.getState().notify('error', `Could not find the recurrent part around "${node}" to replace.`);
        return false;
      }
      const trained = withSwitchedTraining(switched.graph);
      const laidOut = await autoLayout(trained.graph);
      commit(`Switch to ${name}`, laidOut);
      uiStore.getState().select([]);
      requestAnimationFrame(() => fitView());
      const settings = trained.changes.length > 0 ? ` Training set to ${trained.changes.join(', ')} (what a gated cell needs here).` : '';
      uiStore.getState().notify('info', `The recurrent part is now an ${name}; the task, readout and loss are kept.${settings} Press Train.`, { label: 'Undo', run: () => documentStore.getState().undo() });
      return true;
    }
    default: {
      const never: never = kind;
      return Boolean(never);
    }
  }
}

// ------------------------------------------------------------- task fit

/** The task's needs and every way the graph misses them; null when the task itself cannot be built (no name, no CSV yet). */
export function taskFit(graph: Graph): { meta: TaskMeta; problems: TaskMismatch[] } | null {
  if (!graph.task) return null;
  try {
    const meta = createTask(graph.task, client.taskResources(graph)).meta;
    return { meta, problems: taskMismatches(graph, meta) };
  } catch {
    return null;
  }
}

/** Fit graph to task: sizes, loss kind and steps in one undoable edit. */
export function fitGraphToTaskNow(): boolean {
  const graph = documentStore.getState().graph;
  const fit = taskFit(graph);
  if (!fit) return false;
  const { graph: next, changes } = fitGraphToTask(graph, fit.meta);
  if (changes.length === 0) {
    const left = fit.problems.filter((p) => !p.fixable);
    if (left.length > 0) uiStore.getState().notify('error', left[0].message);
    return false;
  }
  commit('Fit graph to task', next);
  uiStore.getState().notify('info', `Fitted to the ${fit.meta.name} task: ${changes.join(', ')}.`, { label: 'Undo', run: () => documentStore.getState().undo() });
  return true;
}

// ------------------------------------------------------------- data files

const dataFiles = import.meta.glob('../../assets/examples/*.data.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

/** A bundled example without a task trains on its own data file (the quadratic map's h₀ = 0.5, zero inputs). */
export function exampleDataFor(graph: Graph): { name: string; file: DataFile } | null {
  if (graph.task) return null;
  for (const [path, text] of Object.entries(dataFiles)) {
    const key = path.slice(path.lastIndexOf('/') + 1).replace(/\.data\.json$/, '');
    const example = exampleGraph(key);
    if (!example || example.name !== graph.name) continue;
    try {
      return { name: `${key}.data.json`, file: JSON.parse(text) as DataFile };
    } catch {
      return null;
    }
  }
  return null;
}

export async function chooseDataFile(): Promise<void> {
  let file;
  try {
    file = await getHost().openFile();
  } catch (error) {
    uiStore.getState().notify('error', `That did not work: ${(error as Error).message}`);
    return;
  }
  if (!file) return;
  try {
    const data = JSON.parse(file.text) as DataFile;
    if (typeof data !== 'object' || data === null || typeof data.inputs !== 'object') throw new Error('it has no "inputs"');
    trainingStore.getState().set({ data: { name: file.name, file: data } });
    client.recompile();
  } catch (error) {
    uiStore.getState().notify('error', `${file.name} is not a data file: ${(error as Error).message}.`);
  }
}

export function clearDataFile(): void {
  trainingStore.getState().set({ data: null });
  client.recompile();
}

// ------------------------------------------------------------- task files

type Block = Record<string, unknown>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The csv task block and graph for these columns: the block names them, the
 * graph's streams are made as wide as they are (one undo entry for both).
 */
function commitCsv(label: string, block: Block, inputs: string[], targets: string[]): void {
  const doc = documentStore.getState();
  const task: Block = { ...block, name: 'csv', inputs, targets };
  const fitted = fitToColumns({ ...doc.graph, task }, inputs.length, targets.length);
  doc.commit(label, fitted.graph);
  if (fitted.changes.length > 0) uiStore.getState().notify('info', `To fit the columns: ${fitted.changes.join(', ')}.`);
}

/**
 * A CSV the user chose for the csv task: its text stays in this session
 * (the task block saves only the name), the columns found are offered, and
 * when the block names none that the file has, the last numeric column is
 * forecast from itself.
 */
export function loadCsvText(name: string, text: string): void {
  trainingStore.getState().set({ resources: { ...trainingStore.getState().resources, csv: { name, text } } });
  const block: Block = { ...(documentStore.getState().graph.task ?? {}), name: 'csv', file: name };
  const preview = csvPreview(text, { delimiter: typeof block.delimiter === 'string' ? block.delimiter : ',', header: block.header !== false });
  const fits = (cols: string[]): boolean => cols.length > 0 && cols.every((c) => preview.columns.includes(c));
  let inputs = strings(block.inputs);
  let targets = strings(block.targets);
  if (!fits(inputs) || !fits(targets)) {
    const first = defaultColumns(preview);
    if (first) ({ inputs, targets } = first);
  }
  if (preview.columns.length === 0) uiStore.getState().notify('error', `${name} has no rows.`);
  if (inputs.length > 0 && targets.length > 0) commitCsv(`Choose ${name}`, block, inputs, targets);
  else documentStore.getState().commit(`Choose ${name}`, { ...documentStore.getState().graph, task: block });
  // The same name as before changes nothing the compiler sees: compile now with the new text.
  client.recompile();
}

/** The csv task's input and target columns (and the graph fitted to them). */
export function setCsvColumns(inputs: string[], targets: string[]): void {
  const block: Block = { ...(documentStore.getState().graph.task ?? {}) };
  commitCsv('Choose columns', block, inputs, targets);
}

/** A text file for the text task (its name is saved, its text stays in this session); null: the bundled text. */
export function loadTextFile(file: { name: string; text: string } | null): void {
  trainingStore.getState().set({ resources: { ...trainingStore.getState().resources, text: file } });
  const doc = documentStore.getState();
  const block: Block = { ...(doc.graph.task ?? {}), name: 'text' };
  if (file) block.file = file.name;
  else delete block.file;
  doc.commit(file ? `Choose ${file.name}` : 'Bundled text', { ...doc.graph, task: block });
  client.recompile();
}
