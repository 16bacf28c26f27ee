/**
 * The document's run history: every training run, kept until the user
 * deletes it (engine/experiments/compare.ts says what a run holds). Not part
 * of undo; saved with the document (inside the file, or beside it) unless
 * "Keep runs" says this session only.
 */
import { createStore, useStore } from 'zustand';
import { graphWithRuns, parseRuns, type RunRecord } from '../../engine/experiments/compare.ts';
import type { Graph } from '../../engine/format/types.ts';

/** A run training in a background worker: its progress, shown in the runs list. */
export interface BackgroundProgress {
  step: number;
  steps: number;
  loss: number;
}

export interface RunsState {
  runs: RunRecord[];
  /** Save runs with the document (inside the file, or beside it); off: they stay in this session. */
  keepInFile: boolean;
  /** With keepInFile: beside the graph file (`<file>.runs.json`, desktop only) instead of inside it. */
  beside: boolean;
  /** Background runs' progress, by run id. */
  progress: Record<string, BackgroundProgress>;
  /** The Runs / Compare dialog. */
  open: boolean;
  /** Ids ticked for comparison. */
  selected: string[];
  /** How many runs this document has started (for names: "Run 3 · …"). */
  counter: number;
  /** The runs the file holds as last opened or saved (by reference): runs that differ make the document unsaved. */
  savedRuns: readonly RunRecord[];
  /** Where savedRuns went (beside the file or inside it). */
  savedBeside: boolean;
}

const initial = (): RunsState => ({ runs: [], keepInFile: true, beside: false, progress: {}, open: false, selected: [], counter: 0, savedRuns: [], savedBeside: false });

/** Where Save keeps the runs: inside the graph file, beside it (desktop), or nowhere (this session only). */
export type RunsStorage = 'file' | 'beside' | 'session';

export function storageOf(state: Pick<RunsState, 'keepInFile' | 'beside'>): RunsStorage {
  return !state.keepInFile ? 'session' : state.beside ? 'beside' : 'file';
}

export function setStorage(storage: RunsStorage): void {
  runsStore.setState({ keepInFile: storage !== 'session', beside: storage === 'beside' });
}

export const runsStore = createStore<RunsState>()(() => initial());

export function useRuns<T>(selector: (state: RunsState) => T): T {
  return useStore(runsStore, selector);
}

/** Add a run, or replace the one with its id. */
export function upsertRun(run: RunRecord): void {
  runsStore.setState((state) => {
    const at = state.runs.findIndex((r) => r.id === run.id);
    if (at < 0) return { runs: [...state.runs, run] };
    const runs = state.runs.slice();
    runs[at] = run;
    return { runs };
  });
}

export function updateRun(id: string, patch: Partial<RunRecord>): void {
  const run = runsStore.getState().runs.find((r) => r.id === id);
  if (run) upsertRun({ ...run, ...patch });
}

export function deleteRun(id: string): void {
  runsStore.setState((state) => {
    const { [id]: _gone, ...progress } = state.progress;
    return { runs: state.runs.filter((r) => r.id !== id), selected: state.selected.filter((s) => s !== id), progress };
  });
}

/** A run that never trained a step: gone, and its number is given to the next run. */
export function forgetRun(id: string): void {
  const last = runsStore.getState().runs.at(-1)?.id === id;
  deleteRun(id);
  if (last) runsStore.setState((state) => ({ counter: Math.max(0, state.counter - 1) }));
}

/** The next run's number and a fresh id. */
export function nextRunNumber(): { index: number; id: string } {
  const index = runsStore.getState().counter + 1;
  runsStore.setState({ counter: index });
  return { index, id: `run-${Date.now().toString(36)}-${index}` };
}

/** What comparing shows: the ticked runs, else the latest two (or all, with fewer). */
export function comparedRuns(state: Pick<RunsState, 'runs' | 'selected'>): RunRecord[] {
  const ticked = state.runs.filter((r) => state.selected.includes(r.id));
  return ticked.length >= 1 ? ticked : state.runs.slice(-2);
}

export function toggleSelected(id: string): void {
  runsStore.setState((state) => {
    const current = comparedRuns(state).map((r) => r.id);
    return { selected: current.includes(id) ? current.filter((s) => s !== id) : [...current, id] };
  });
}

/** A document was opened: its runs (if the file has any) replace the session's. */
export function loadRunsFrom(graph: Graph): number {
  const { runs, skipped } = parseRuns((graph as Graph & { runs?: unknown }).runs);
  const highest = runs.reduce((m, r) => Math.max(m, Number(/^Run (\d+)/.exec(r.name)?.[1] ?? 0)), runs.length);
  const { keepInFile, beside } = runsStore.getState();
  runsStore.setState({ ...initial(), runs, keepInFile, beside, counter: highest, savedRuns: runsToSave({ runs, keepInFile }), savedBeside: runs.length > 0 ? false : beside });
  return skipped;
}

/** The runs Save writes: the finished ones (a run still training is not), none when they are not kept in the file. */
export function runsToSave(state: Pick<RunsState, 'runs' | 'keepInFile'>): RunRecord[] {
  return state.keepInFile ? state.runs.filter((run) => run.status !== 'training') : [];
}

/** Whether Save would write other runs than the file holds, or put them elsewhere: a run finished, was deleted, or where runs are kept changed. */
export function runsUnsaved(state: Pick<RunsState, 'runs' | 'keepInFile' | 'savedRuns'> & Partial<Pick<RunsState, 'beside' | 'savedBeside'>>): boolean {
  const now = runsToSave(state);
  if (now.length > 0 && (state.beside ?? false) !== (state.savedBeside ?? false)) return true;
  return now.length !== state.savedRuns.length || now.some((run, i) => run !== state.savedRuns[i]);
}

/** Whether the runs Save would write changed between two states (autosave follows them). */
export function runsToSaveChanged(state: RunsState, previous: RunsState): boolean {
  if (state.runs === previous.runs && state.keepInFile === previous.keepInFile && state.beside === previous.beside) return false;
  return runsUnsaved({ ...state, savedRuns: runsToSave(previous), savedBeside: previous.beside });
}

/** What Save wrote for a graph graphForSave made: its runs (thinned copies in the file), and whether they go beside it. */
const writtenRuns = new WeakMap<Graph, { runs: readonly RunRecord[]; beside: boolean }>();

/** The graph as Save writes it: with the finished runs, or none when they are kept beside the file or not at all. */
export function graphForSave(graph: Graph): Graph {
  const state = runsStore.getState();
  const runs = runsToSave(state);
  const beside = state.beside && state.keepInFile;
  const out = graphWithRuns(graph, beside ? [] : runs);
  writtenRuns.set(out, { runs, beside });
  return out;
}

/** The file beside a graph (`<file>.runs.json`) for a graph graphForSave made: its runs; null when runs are not kept beside it. */
export function runsBesideText(saved: Graph): string | null {
  const written = writtenRuns.get(saved);
  if (!written?.beside) return null;
  const { runs } = graphWithRuns(saved, written.runs) as Graph & { runs?: unknown[] };
  return `${JSON.stringify({ format: RUNS_BESIDE_FORMAT, version: 1, graph: typeof saved.name === 'string' ? saved.name : '', runs: runs ?? [] }, null, 2)}\n`;
}

export const RUNS_BESIDE_FORMAT = 'cellwright-runs';

/**
 * Runs read from beside a file that opened: they join the document's history
 * when the file itself holds none. Returns how many entries were skipped
 * (not runs), or throws when the text is not a runs file.
 */
export function loadRunsBeside(text: string): { loaded: number; skipped: number } {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== RUNS_BESIDE_FORMAT) {
    throw new Error(`it is not a runs file (its "format" is not "${RUNS_BESIDE_FORMAT}")`);
  }
  const { runs, skipped } = parseRuns((value as { runs?: unknown }).runs);
  const state = runsStore.getState();
  if (state.runs.length > 0 || runs.length === 0) return { loaded: 0, skipped };
  const highest = runs.reduce((m, r) => Math.max(m, Number(/^Run (\d+)/.exec(r.name)?.[1] ?? 0)), runs.length);
  runsStore.setState({ runs, counter: highest, savedRuns: runsToSave({ runs, keepInFile: state.keepInFile }), savedBeside: true });
  return { loaded: runs.length, skipped };
}

/**
 * The file now holds `saved` (a graph graphForSave made): its runs are the
 * saved ones. A run that finished while the save dialog was open is not in
 * the file, so the document stays unsaved.
 */
export function markRunsSaved(saved: Graph): void {
  const written = writtenRuns.get(saved);
  if (written) runsStore.setState({ savedRuns: written.runs, savedBeside: written.beside });
}
