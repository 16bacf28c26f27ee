/**
 * Every user command in one place: toolbar buttons, keyboard shortcuts, the
 * host's native menu and the palette all call these. Each document change is
 * one `commit`, i.e. one undo entry.
 */
import type { Graph, GraphNode, NodeKind } from '../../engine/format/types.ts';
import type { Host, MenuAction } from '../host/types.ts';
import { exampleOfAction } from '../../common/ipc-contract.ts';
import { loadGraphText, serializeGraph } from '../doc/engine.ts';
import { graphForSave, loadRunsFrom, markRunsSaved } from '../runs/store.ts';
import { readRunsBeside, writeRunsBeside } from '../runs/beside.ts';
import { graphForRun } from '../../engine/experiments/compare.ts';
import { autoLayout, DEFAULT_NODE_SIZE } from '../doc/layout.ts';
import {
  addNode, defaultNode, emptyGraph, extractFragment, fragmentFromGraph, hasAllPositions, newNodeId, nodeIds,
  pasteFragment, removeElements, type XY,
} from '../doc/ops.ts';
import { documentStore, isDirty } from '../store/document.ts';
import { uiStore } from '../store/ui.ts';
import { validationStore } from '../store/validation.ts';
import { EXAMPLES, exampleGraph } from '../examples.ts';
import { tagGroup, ungroup } from '../doc/groups.ts';
import { definitionOf, freshBlockName, groupAsBlock, instanceOf, placeBlock, renameBlock, ungroupBlock } from '../doc/blocks.ts';
import { blockSizes } from '../doc/blockEdit.ts';
import { activeGraph, blockViewStore, closeBlock, commitActive, openBlock } from '../store/blockView.ts';
import { addToLibrary, blockLibrary, removeFromLibrary } from '../store/blockLibrary.ts';
import { exportPng, exportSvg } from './exportImage.ts';
import { strToU8, zipSync } from 'fflate';
import { exportTorch } from '../../engine/export/torch.ts';
import { exportOnnx } from '../../engine/export/onnx.ts';
import type { OnnxJob, OnnxReply } from './onnx.worker.ts';
import { keepTrainedParameters, trainedParametersPending } from '../train/client.ts';
import { trainingStore } from '../store/training.ts';
import { describeKeys } from '../doc/params.ts';
import { importModelBytes, MODEL_FILE } from '../../engine/import/index.ts';

/** What the commands need from the canvas (set by the canvas when it mounts). */
export interface FlowApi {
  fitView(): void;
  centerOn(id: string): void;
  /** The flow coordinates at the middle of the visible canvas. */
  viewportCenter(): XY;
  zoomIn(): void;
  zoomOut(): void;
  measuredSize(id: string): { width: number; height: number } | undefined;
}

let flow: FlowApi | null = null;
let host: Host | null = null;

export function registerFlow(api: FlowApi | null): void {
  flow = api;
}

export function setHost(next: Host): void {
  host = next;
}

export function getHost(): Host {
  if (!host) throw new Error('No host: call setHost() at start-up.');
  return host;
}

/** Records an edit of the graph being edited: the document, or the open block's inside (Edit block). */
function commit(label: string, next: Graph): void {
  commitActive(label, next);
}

/** The graph being edited (the open block's definition while one is open). */
function graph(): Graph {
  return activeGraph();
}

/** The document itself (what is saved, exported and trained). */
function documentGraph(): Graph {
  return documentStore.getState().graph;
}

/** Edit block: the canvas shows the inside of instance `id`'s block, editable; every instance follows. */
export function editBlock(id: string): boolean {
  const inst = instanceOf(graph(), id);
  if (!inst || !openBlock(inst.block, id)) {
    uiStore.getState().notify('error', `"${id}" is not an instance of a block of this file.`);
    return false;
  }
  uiStore.getState().select([]);
  return true;
}

/** Done: back to the graph, the instance the block was opened from selected. */
export function finishBlockEdit(): void {
  const from = blockViewStore.getState().from;
  if (blockViewStore.getState().block === null) return;
  closeBlock();
  uiStore.getState().select(from !== null && nodeIds(documentGraph()).has(from) ? [from] : []);
}

/** Drop selected ids that no longer exist (after undo, delete, load). */
function pruneSelection(): void {
  const { selectedNodes, selectedEdges, select } = uiStore.getState();
  const g = graph();
  const nodes = nodeIds(g);
  const edges = new Set(g.edges.map((edge) => edge.id));
  const keptNodes = [...selectedNodes].filter((id) => nodes.has(id));
  const keptEdges = [...selectedEdges].filter((id) => edges.has(id));
  if (keptNodes.length !== selectedNodes.size || keptEdges.length !== selectedEdges.size) select(keptNodes, keptEdges);
}

export function undo(): void {
  if (documentStore.getState().undo()) pruneSelection();
}

export function redo(): void {
  if (documentStore.getState().redo()) pruneSelection();
}

export function deleteSelection(): void {
  const { selectedNodes, selectedEdges, select } = uiStore.getState();
  if (selectedNodes.size === 0 && selectedEdges.size === 0) return;
  commit('Delete', removeElements(graph(), selectedNodes, selectedEdges));
  select([]);
}

export function selectAll(): void {
  const g = graph();
  uiStore.getState().select(g.nodes.map((node) => node.id), g.edges.map((edge) => edge.id));
}

export function copySelection(): boolean {
  const { selectedNodes, setClipboard } = uiStore.getState();
  if (selectedNodes.size === 0) return false;
  const fragment = extractFragment(graph(), selectedNodes);
  setClipboard(fragment);
  // Also offer it to other apps and other windows; the internal clipboard is what paste uses.
  navigator.clipboard?.writeText(JSON.stringify({ cellwrightFragment: 1, ...fragment }, null, 2)).catch(() => undefined);
  return true;
}

export function cutSelection(): void {
  if (copySelection()) deleteSelection();
}

export function paste(): void {
  const { clipboard, bumpPaste, select } = uiStore.getState();
  if (!clipboard || clipboard.nodes.length === 0) return;
  const n = bumpPaste();
  const result = pasteFragment(graph(), clipboard, { offset: { x: 32 * n, y: 32 * n } });
  commit('Paste', result.graph);
  select(result.nodeIds, result.edgeIds);
}

export function duplicateSelection(): void {
  const { selectedNodes, select } = uiStore.getState();
  if (selectedNodes.size === 0) return;
  const result = pasteFragment(graph(), extractFragment(graph(), selectedNodes), { offset: { x: 32, y: 32 } });
  commit('Duplicate', result.graph);
  select(result.nodeIds, result.edgeIds);
}

function dropPoint(at?: XY): XY {
  return at ?? flow?.viewportCenter() ?? { x: 0, y: 0 };
}

/** Adds a node of a kind, with the palette entry's preset fields (an activation, an op and its required fields). */
export function addNodeOfKind(kind: NodeKind, at?: XY, preset: Record<string, string | number | boolean> = {}): string {
  const g = graph();
  const id = newNodeId(kind, nodeIds(g));
  const p = dropPoint(at);
  // Drop under the pointer: React Flow positions are top-left corners.
  const node = { ...defaultNode(kind, id, { x: p.x - 60, y: p.y - 24 }), ...preset } as GraphNode;
  const what = typeof preset.activation === 'string' ? `${preset.activation} gate` : typeof preset.op === 'string' ? `${preset.op} op` : kind;
  commit(`Add ${what}`, addNode(g, node));
  uiStore.getState().select([id]);
  return id;
}

export function insertTemplate(key: string, at?: XY): string[] {
  const template = exampleGraph(key);
  if (!template) {
    uiStore.getState().notify('error', `The template "${key}" is not available.`);
    return [];
  }
  const p = dropPoint(at);
  const result = pasteFragment(graph(), fragmentFromGraph(template), { at: { x: p.x - 120, y: p.y - 80 } });
  const title = EXAMPLES.find((example) => example.key === key)?.title ?? key;
  // The template arrives as one group that can be collapsed into a box.
  const grouped = tagGroup(result.graph, result.nodeIds, title, key);
  commit(`Insert ${title}`, grouped.graph);
  uiStore.getState().select(result.nodeIds, result.edgeIds);
  return result.nodeIds;
}

/**
 * Open a bundled example or template as the document (clicking it in the
 * palette or the Open example menu). Unsaved work is not lost silently: the
 * user confirms first. The example brings its own task or data file.
 */
export function openExample(key: string): boolean {
  const example = EXAMPLES.find((entry) => entry.key === key);
  const g = exampleGraph(key);
  if (!example || !g) {
    uiStore.getState().notify('error', `The example "${key}" is not available.`);
    return false;
  }
  if (!confirmDiscard(`Open ${example.title}`)) return false;
  documentStore.getState().load(g, null);
  uiStore.getState().select([]);
  requestAnimationFrame(() => flow?.fitView());
  uiStore.getState().notify('info', `Opened ${example.title}: press Train.`);
  return true;
}

function confirmDiscard(action: string): boolean {
  if (!isDirty(documentStore.getState())) return true;
  return window.confirm(`The current graph has unsaved changes. ${action} anyway and lose them?`);
}

function suggestedName(): string {
  const state = documentStore.getState();
  if (state.file?.name) return state.file.name;
  const base = (state.graph.name ?? 'graph').trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${base || 'graph'}.cellwright`;
}

function sizeOfNode(id: string, kind: NodeKind) {
  return flow?.measuredSize(id) ?? DEFAULT_NODE_SIZE[kind];
}

async function withLayout(g: Graph): Promise<Graph> {
  if (hasAllPositions(g)) return g;
  return autoLayout(g, (node) => sizeOfNode(node.id, node.kind));
}

export function newDocument(): void {
  if (!confirmDiscard('Start a new graph')) return;
  documentStore.getState().load(emptyGraph(), null);
  uiStore.getState().select([]);
}

/** Parse a file's text; a file that is not a graph changes nothing and says why. */
function parseOrComplain(text: string, name: string): Graph | null {
  // drawable: a node or edge the canvas cannot draw (not an object, no string id) refuses the file, saying which.
  const result = loadGraphText(text, { drawable: true });
  if (!result.ok) {
    const first = result.problems[0];
    const reason = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'it is not a Cellwright graph';
    uiStore.getState().notify('error', `${name} was not opened: ${reason}`);
    return null;
  }
  return result.graph;
}

export async function loadDocumentText(text: string, file: { name: string; path?: string; handle?: unknown } | null, options: { dirty?: boolean } = {}): Promise<boolean> {
  const parsed = parseOrComplain(text, file?.name ?? 'The file');
  if (!parsed) return false;
  const laidOut = await withLayout(parsed);
  // The file's runs go to the run history (renderer/runs/), not into the graph the trainer and autosave see.
  documentStore.getState().load(graphForRun(laidOut, { keepParameters: true }), file, { dirty: options.dirty });
  loadRunsFrom(laidOut);
  if (file?.path) await readRunsBeside(getHost(), file.path);
  uiStore.getState().select([]);
  const count = validationStore.getState().problems.filter((p) => p.severity === 'error').length;
  if (count > 0) uiStore.getState().notify('info', `Opened ${file?.name ?? parsed.name ?? 'graph'} with ${count} problem${count === 1 ? '' : 's'}: see the list on the right.`);
  return true;
}

export async function openDocument(): Promise<void> {
  if (!confirmDiscard('Open another file')) return;
  const file = await runHost(() => getHost().openFile());
  if (!file) return;
  await loadDocumentText(file.text, { name: file.name, path: file.path, handle: file.handle });
}

/** Import: on an empty canvas the file becomes the document; otherwise its nodes are added as a group. */
export async function importDocument(): Promise<void> {
  const file = await runHost(() => getHost().openFile());
  if (!file) return;
  finishBlockEdit();
  if (graph().nodes.length === 0) {
    await loadDocumentText(file.text, null, { dirty: true });
    return;
  }
  const parsed = parseOrComplain(file.text, file.name);
  if (!parsed) return;
  const laidOut = await withLayout(parsed);
  const p = dropPoint();
  const result = pasteFragment(graph(), fragmentFromGraph(laidOut), { at: { x: p.x - 120, y: p.y - 80 } });
  commit(`Import ${file.name}`, result.graph);
  uiStore.getState().select(result.nodeIds, result.edgeIds);
}

/**
 * A model file (ONNX, PyTorch .pt/.pth, .safetensors) becomes a new document:
 * its recurrent layers as named gates (engine/import). Refusals name the model's node and attribute.
 */
export async function importModelFile(file: File): Promise<boolean> {
  if (!confirmDiscard(`Import ${file.name}`)) return false;
  return importModel(file.name, new Uint8Array(await file.arrayBuffer()));
}

async function importModel(name: string, bytes: Uint8Array): Promise<boolean> {
  let text: string;
  try {
    text = serializeGraph(importModelBytes(bytes, name).graph);
  } catch (error) {
    uiStore.getState().notify('error', `${name} was not imported: ${(error as Error).message}`);
    return false;
  }
  const ok = await loadDocumentText(text, null, { dirty: true });
  if (ok) uiStore.getState().notify('info', `Imported ${name}: ${graph().name ?? 'the model'}. Select a gate to see its weights; save to keep it.`);
  return ok;
}

/**
 * Toolbar "Import model" and File › Import Model…: the desktop's own dialog
 * (a page cannot open a file chooser from a menu command), else a file input.
 */
export function chooseModelFile(): void {
  const openModelFile = host?.openModelFile?.bind(host);
  if (openModelFile) {
    void runHost(async () => {
      const file = await openModelFile();
      if (file && confirmDiscard(`Import ${file.name}`)) await importModel(file.name, file.bytes);
    });
    return;
  }
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = '.onnx,.pt,.pth,.safetensors';
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void importModelFile(file);
  });
  input.click();
}

/** Whether a dropped file is a model the importers read. */
export function isModelFile(name: string): boolean {
  return MODEL_FILE.test(name);
}

async function runHost<T>(action: () => Promise<T>): Promise<T | null> {
  try {
    return await action();
  } catch (error) {
    uiStore.getState().notify('error', `That did not work: ${(error as Error).message}`);
    return null;
  }
}

/** The saved work needs no autosave; work recovered from a crash and still on offer is not this document's, so it stays. */
async function clearAutosaveAfterSave(): Promise<void> {
  if (!uiStore.getState().restoreOffer) await getHost().clearAutosave();
}

/**
 * Before a save: with "with weights" ticked, the trained parameters go into
 * the graph first (one undo entry), so the file reopens with the same numbers.
 * Returns what the file will hold, in words.
 */
async function prepareSave(): Promise<string> {
  if (uiStore.getState().saveWeights && trainedParametersPending()) await keepTrainedParameters({ quiet: true });
  const g = documentGraph();
  const parts = ['the graph'];
  if (g.task || g.training) parts.push('its task and training settings');
  const stored = Object.keys(g.parameters ?? {}).length;
  const step = trainingStore.getState().step;
  if (stored === 0) parts.push('no weights (training starts from fresh ones)');
  else if (uiStore.getState().saveWeights && step > 0) parts.push(`the trained weights (step ${step})`);
  else parts.push(`${stored} stored weight${stored === 1 ? '' : 's'}`);
  return parts.length === 2 ? parts.join(' and ') : `${parts.slice(0, -1).join(', ')}, and ${parts.at(-1)}`;
}

export async function save(): Promise<void> {
  const what = await prepareSave();
  const state = documentStore.getState();
  const saved = graphForSave(state.graph);
  const text = serializeGraph(saved);
  const result = await runHost(() => getHost().saveFile(text, suggestedName(), state.file?.handle ?? state.file?.path));
  if (!result) return;
  if (await writeRunsBeside(getHost(), saved, result.path)) markRunsSaved(saved);
  documentStore.getState().markSaved({ name: result.name, path: result.path, handle: result.handle });
  await clearAutosaveAfterSave();
  uiStore.getState().notify('info', `Saved ${result.name}: ${what}.`);
}

export async function saveAs(): Promise<void> {
  const what = await prepareSave();
  const saved = graphForSave(documentGraph());
  const text = serializeGraph(saved);
  const result = await runHost(() => getHost().saveFileAs(text, suggestedName()));
  if (!result) return;
  if (await writeRunsBeside(getHost(), saved, result.path)) markRunsSaved(saved);
  documentStore.getState().markSaved({ name: result.name, path: result.path, handle: result.handle });
  await clearAutosaveAfterSave();
  uiStore.getState().notify('info', `Saved ${result.name}: ${what}.`);
}

export async function exportJson(): Promise<void> {
  const what = await prepareSave();
  const result = await runHost(() => getHost().exportFile(serializeGraph(graphForSave(documentGraph())), suggestedName().replace(/\.cellwright$/i, '.json'), 'application/json'));
  if (result) uiStore.getState().notify('info', `Exported ${result.name}: ${what}.`);
}

function imageName(ext: string): string {
  return suggestedName().replace(/\.(json|cellwright)$/i, '') + ext;
}

export async function exportPngImage(): Promise<void> {
  const blob = await exportPng(uiStore.getState().theme);
  if (blob) await runHost(() => getHost().exportFile(blob, imageName('.png'), 'image/png'));
}

export async function exportSvgImage(): Promise<void> {
  const text = exportSvg(uiStore.getState().theme);
  if (text) await runHost(() => getHost().exportFile(text, imageName('.svg'), 'image/svg+xml'));
}

/**
 * File → Export → PyTorch: the engine's exporter (model.py, params.json,
 * train.py, tasks.py, README.md, graph.json) as one zip with a folder inside.
 */
export async function exportPytorch(): Promise<void> {
  let files: Record<string, string>;
  try {
    files = exportTorch(documentGraph()).files;
  } catch (error) {
    uiStore.getState().notify('error', `Not exported to PyTorch: ${(error as Error).message}`);
    return;
  }
  const folder = `${imageName('')}-torch`;
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [`${folder}/${name}`, strToU8(text)])));
  const saved = await runHost(() => getHost().exportFile(new Blob([zip], { type: 'application/zip' }), `${folder}.zip`, 'application/zip'));
  if (saved) uiStore.getState().notify('info', `Exported ${saved.name}: unzip it and run \`python train.py\` (or torchrun) — see its README.md.`);
}

/**
 * File → Export → ONNX (renderer/panels/OnnxDialog.tsx): the engine's exporter
 * (engine/export/onnx.ts) writes `<graph name>.onnx` with the CLI's default
 * outputs (every loss's prediction and every cell); `initialStates` is the
 * CLI's `--initial-states`. It runs on a worker: a wide graph takes seconds.
 */
export async function exportOnnxModel(options: { initialStates?: boolean } = {}): Promise<void> {
  // The weights a save would write: with "with weights" ticked, the trained ones (as Export JSON).
  if (uiStore.getState().saveWeights && trainedParametersPending()) await keepTrainedParameters({ quiet: true });
  const name = imageName('.onnx');
  uiStore.getState().notify('info', `Exporting ${name}…`);
  const reply = await onnxOffThread({ graph: graph(), initialStates: options.initialStates === true });
  if (!reply.ok) {
    uiStore.getState().notify('error', `Not exported to ONNX: ${reply.message.replace(/^cannot export to ONNX: /, '')}`);
    return;
  }
  const saved = await runHost(() => getHost().exportFile(new Blob([reply.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), name, 'application/octet-stream'));
  if (saved) uiStore.getState().notify('info', `Exported ${saved.name}: inputs [T, B, size] by input id, outputs ${reply.outputs.join(', ')}.`);
}

/** One export on a worker of its own (renderer/app/onnx.worker.ts); where no Worker exists, here. */
function onnxOffThread(job: OnnxJob): Promise<OnnxReply> {
  const here = (): OnnxReply => {
    try {
      const { bytes, outputs } = exportOnnx(job.graph, { initialStates: job.initialStates });
      return { ok: true, bytes, outputs };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  };
  if (typeof Worker === 'undefined') return Promise.resolve(here());
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./onnx.worker.ts', import.meta.url), { type: 'module', name: 'cellwright-onnx-export' });
    worker.addEventListener('message', (event: MessageEvent<OnnxReply>) => {
      worker.terminate();
      resolve(event.data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      worker.terminate();
      resolve({ ok: false, message: `the export stopped (${event.message || 'unknown error'}); try again` });
    });
    worker.postMessage(job);
  });
}

export async function layoutGraph(): Promise<void> {
  const g = graph();
  if (g.nodes.length === 0) return;
  const next = await autoLayout(g, (node) => sizeOfNode(node.id, node.kind));
  commit('Auto layout', next);
  requestAnimationFrame(() => flow?.fitView());
}

/**
 * Group as block: the selected gates, ops and cells become one instance of a
 * new block `name` (renderer/doc/blocks.ts), one undo step; the definition
 * also goes into the user's library. Returns the instance id, or null (the
 * reason is shown).
 */
export function groupSelectionAsBlock(name: string): string | null {
  const ui = uiStore.getState();
  const open = blockViewStore.getState().block;
  const sizes = validationStore.getState().sizes;
  const result = groupAsBlock(graph(), ui.selectedNodes, name, open === null ? sizes : blockSizes(documentGraph(), open, sizes));
  if (!result.ok) {
    ui.notify('error', result.reason);
    return null;
  }
  commit(`Group as block ${result.name}`, result.graph);
  ui.select([result.instance]);
  const def = definitionOf(result.graph, result.name);
  if (def && host) void addToLibrary(host, result.name, def).catch(() => ui.notify('error', 'The block could not be stored in your library.'));
  return result.instance;
}

/** Group as block under a fresh name ("block 1", …; renamed in the inspector): the shortcut and the canvas menu. */
export function groupSelectionAsNewBlock(): string | null {
  const typed = uiStore.getState().blockNameDraft.trim();
  const instance = groupSelectionAsBlock(typed || freshBlockName(graph()));
  if (instance !== null) uiStore.setState({ blockNameDraft: '' });
  return instance;
}

/** Renames a block in the file (definition and instances) and, when the library holds the same definition under the old name, there too. */
export function renameBlockEverywhere(from: string, to: string): void {
  const before = documentGraph();
  const next = renameBlock(before, from, to);
  if (next === before) return;
  // The open block's name follows.
  const view = blockViewStore.getState();
  documentStore.getState().commit('Rename block', next);
  if (view.block === from) openBlock(to.trim(), view.from);
  const mine = definitionOf(before, from);
  const entry = blockLibrary.getState().blocks.find((b) => b.name === from);
  if (host && mine && entry && JSON.stringify(entry.def) === JSON.stringify(mine)) {
    const h = host;
    void removeFromLibrary(h, from).then(() => addToLibrary(h, to.trim(), mine)).catch(() => uiStore.getState().notify('error', 'Your block library could not be updated.'));
  }
}

/** Ungroup: a block instance back into ordinary nodes, one undo step (renderer/doc/blocks.ts ungroupBlock). */
export function ungroupBlockInstance(id: string): void {
  const result = ungroupBlock(graph(), id);
  if (!result.ok) {
    uiStore.getState().notify('error', result.reason);
    return;
  }
  // Select what came out of the instance.
  const before = new Set(graph().nodes.map((n) => n.id));
  commit(`Ungroup ${id}`, result.graph);
  uiStore.getState().select(result.graph.nodes.filter((n) => !before.has(n.id) || n.id === id).map((n) => n.id));
}

/** Places an instance of a library block (or one of the file's) on the canvas. */
export function placeLibraryBlock(name: string, at?: XY): string | null {
  const def = definitionOf(graph(), name) ?? blockLibrary.getState().blocks.find((b) => b.name === name)?.def;
  if (!def) {
    uiStore.getState().notify('error', `There is no block named "${name}" in the file or your library.`);
    return null;
  }
  const p = dropPoint(at);
  const result = placeBlock(graph(), name, def, { x: p.x - 80, y: p.y - 30 });
  if (!result.ok) return null;
  commit(`Add block ${result.name}`, result.graph);
  uiStore.getState().select([result.instance]);
  return result.instance;
}

export function ungroupNodes(group: string): void {
  commit('Ungroup', ungroup(graph(), group));
}

export function fitView(): void {
  flow?.fitView();
}

export function focusNode(id: string): void {
  uiStore.getState().select([id]);
  flow?.centerOn(id);
}

export function toggleTheme(): void {
  const next = uiStore.getState().theme === 'dark' ? 'light' : 'dark';
  uiStore.getState().setTheme(next);
  host?.setSetting('theme', next).catch(() => undefined);
}

// Every gesture that dropped stored weights says so in one line, with Undo.
documentStore.subscribe((state, previous) => {
  const drop = state.lastDrop;
  if (!drop || drop === previous.lastDrop) return;
  const parts: string[] = [];
  const one = (keys: string[]) => keys.length === 1;
  if (drop.resized.length > 0) parts.push(`${describeKeys(drop.resized)} no longer ${one(drop.resized) ? 'fits and is' : 'fit and are'} drawn afresh`);
  if (drop.reinitialized.length > 0) parts.push(`${describeKeys(drop.reinitialized)} ${one(drop.reinitialized) ? 'starts' : 'start'} again from the new initializer`);
  uiStore.getState().notify('info', `${drop.label}: ${parts.join('; ')}.`, { label: 'Undo', run: undo });
});

export function runMenuAction(action: MenuAction): void {
  const example = exampleOfAction(action);
  if (example !== null) {
    openExample(example);
    return;
  }
  switch (action) {
    case 'new': newDocument(); break;
    case 'open': void openDocument(); break;
    case 'save': void save(); break;
    case 'saveAs': void saveAs(); break;
    case 'import': void importDocument(); break;
    case 'importModel': chooseModelFile(); break;
    case 'exportJson': void exportJson(); break;
    case 'exportPng': void exportPngImage(); break;
    case 'exportSvg': void exportSvgImage(); break;
    case 'undo': undo(); break;
    case 'redo': redo(); break;
    case 'cut': cutSelection(); break;
    case 'copy': copySelection(); break;
    case 'paste': paste(); break;
    case 'duplicate': duplicateSelection(); break;
    case 'delete': deleteSelection(); break;
    case 'selectAll': selectAll(); break;
    case 'zoomIn': flow?.zoomIn(); break;
    case 'zoomOut': flow?.zoomOut(); break;
    case 'fitView': fitView(); break;
    case 'toggleTheme': toggleTheme(); break;
    case 'toggleMinimap': uiStore.getState().toggleMinimap(); break;
    case 'shortcuts': uiStore.getState().setHelpOpen(true); break;
    case 'about': uiStore.getState().notify('info', 'Cellwright: design recurrent cells, train them, watch the gradient through time.'); break;
    case 'exportTorch': void exportPytorch(); break;
    case 'groupAsBlock': groupSelectionAsNewBlock(); break;
    case 'train':
    case 'pause':
    case 'step':
    case 'reset':
    case 'reinitWeights':
    case 'fitToTask':
    case 'sweep':
    case 'reproduce':
    case 'exportOnnx':
      // Handled by the training commands and the experiment and export dialogs (startup.ts routes them); nothing to do here.
      break;
  }
}
