/**
 * The document's run history: every training run, kept until the user
 * deletes it (engine/experiments/compare.ts says what a run holds). Not part
 * of undo; saved with the document when "Keep runs in the file" is on.
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
  /** Save runs inside the graph file (top-level `runs`); off: they stay in this session. */
  keepInFile: boolean;
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
}

const initial = (): RunsState => ({ runs: [], keepInFile: true, progress: {}, open: false, selected: [], counter: 0, savedRuns: [] });

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
  const keepInFile = runsStore.getState().keepInFile;
  runsStore.setState({ ...initial(), runs, keepInFile, counter: highest, savedRuns: runsToSave({ runs, keepInFile }) });
  return skipped;
}

/** The runs Save writes: the finished ones (a run still training is not), none when they are not kept in the file. */
export function runsToSave(state: Pick<RunsState, 'runs' | 'keepInFile'>): RunRecord[] {
  return state.keepInFile ? state.runs.filter((run) => run.status !== 'training') : [];
}

/** Whether Save would write other runs than the file holds: a run finished, was deleted, or "Keep runs in the file" changed. */
export function runsUnsaved(state: Pick<RunsState, 'runs' | 'keepInFile' | 'savedRuns'>): boolean {
  const now = runsToSave(state);
  return now.length !== state.savedRuns.length || now.some((run, i) => run !== state.savedRuns[i]);
}

/** Whether the runs Save would write changed between two states (autosave follows them). */
export function runsToSaveChanged(state: RunsState, previous: RunsState): boolean {
  if (state.runs === previous.runs && state.keepInFile === previous.keepInFile) return false;
  return runsUnsaved({ ...state, savedRuns: runsToSave(previous) });
}

/** Which runs went into a graph graphForSave made (its runs are thinned copies). */
const writtenRuns = new WeakMap<Graph, readonly RunRecord[]>();

/** The graph as Save writes it: with the finished runs, or none when they are not kept in the file. */
export function graphForSave(graph: Graph): Graph {
  const runs = runsToSave(runsStore.getState());
  const out = graphWithRuns(graph, runs);
  writtenRuns.set(out, runs);
  return out;
}

/**
 * The file now holds `saved` (a graph graphForSave made): its runs are the
 * saved ones. A run that finished while the save dialog was open is not in
 * the file, so the document stays unsaved.
 */
export function markRunsSaved(saved: Graph): void {
  const runs = writtenRuns.get(saved);
  if (runs) runsStore.setState({ savedRuns: runs });
}
