/**
 * Records the foreground run into the run history: a run starts when Train
 * is pressed on a fresh or reset trainer, is updated whenever training stops
 * (pause, finish, divergence), and ends at reset, at an edit (recompile) or
 * when another document opens. Reads the training and telemetry stores; the
 * training client knows nothing of it.
 */
import { graphForRun, runName, runSettings, type RunCurves, type RunRecord } from '../../engine/experiments/compare.ts';
import { documentStore } from '../store/document.ts';
import { telemetryStore, type TelemetryState } from '../store/telemetry.ts';
import { trainingStore, type RunState } from '../store/training.ts';
import { forgetRun, loadRunsFrom, nextRunNumber, runsStore, runsUnsaved, updateRun, upsertRun } from './store.ts';

/** The run's status for a run state (null: the run state ends no run and says nothing new). */
export function statusOf(run: RunState): RunRecord['status'] | null {
  switch (run.kind) {
    case 'training': return 'training';
    case 'paused': return run.reason === 'done' ? 'done' : run.reason === 'diverged' ? 'diverged' : run.reason === 'failure' ? 'failed' : 'stopped';
    case 'idle':
    case 'compiling':
    case 'error':
      return null;
    default: {
      const never: never = run;
      return never;
    }
  }
}

/**
 * The active run's latest telemetry, by reference: Reset clears the
 * telemetry store (new objects) before the run state says idle, and the run
 * keeps what it had.
 */
interface Live {
  curves: TelemetryState['curves'] | null;
  gradNorms: TelemetryState['gradNorms'];
}

/**
 * The curves as a run keeps them: copies (the live arrays keep growing), from
 * the step the run started at (Train after a finished run continues the
 * weights, and the telemetry still holds the earlier run's points).
 */
export function curvesSince(c: TelemetryState['curves'] | null, from: number): RunCurves {
  if (!c) return { step: [], loss: [], valStep: [], valLoss: [], valMetric: [] };
  const t = c.step.findIndex((s) => s > from);
  const v = c.valStep.findIndex((s) => s > from);
  const a = t < 0 ? c.step.length : t;
  const b = v < 0 ? c.valStep.length : v;
  return { step: c.step.slice(a), loss: c.loss.slice(a), valStep: c.valStep.slice(b), valLoss: c.valLoss.slice(b), valMetric: c.valMetric.slice(b) };
}

function copyGradFlow(norms: TelemetryState['gradNorms']): Record<string, number[]> {
  const out: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
  for (const [cell, values] of Object.entries(norms)) out[cell] = Array.from(values);
  return out;
}

const lastFinite = (xs: number[]): number | null => {
  for (let i = xs.length - 1; i >= 0; i--) if (Number.isFinite(xs[i])) return xs[i];
  return null;
};

/** Everything a stopped run holds now. */
function capture(live: Live, from: number, status: RunRecord['status']): Partial<RunRecord> {
  const curves = curvesSince(live.curves, from);
  const t = trainingStore.getState();
  return {
    curves,
    steps: Math.max(t.step, curves.step.at(-1) ?? 0),
    status,
    metricName: t.info?.metricNames[0] ?? null,
    final: { loss: lastFinite(curves.loss), valLoss: lastFinite(curves.valLoss), metric: lastFinite(curves.valMetric) },
    gradFlow: copyGradFlow(live.gradNorms),
  };
}

function begin(from: number): string {
  const graph = documentStore.getState().graph;
  const { index, id } = nextRunNumber();
  const training = (graph.training ?? {}) as Record<string, unknown>;
  const record: RunRecord = {
    id,
    name: `${runName(index, graph)}${from > 0 ? ` · from step ${from}` : ''}`,
    started: new Date().toISOString(),
    graphName: typeof graph.name === 'string' ? graph.name : '',
    graph: graphForRun(graph),
    settings: runSettings(graph),
    seed: typeof training.seed === 'number' ? training.seed : 1,
    steps: trainingStore.getState().step,
    metricName: trainingStore.getState().info?.metricNames[0] ?? null,
    curves: { step: [], loss: [], valStep: [], valLoss: [], valMetric: [] },
    final: { loss: null, valLoss: null, metric: null },
    gradFlow: {},
    status: 'training',
  };
  upsertRun(record);
  return id;
}

/** Follow the training store from now on; returns the unsubscribe. */
export function startRecording(): () => void {
  let active: string | null = null;
  let from = 0;
  let live: Live = { curves: null, gradNorms: {} };
  const record = (id: string) => runsStore.getState().runs.find((r) => r.id === id);
  // The client sets the run state before it appends the same snapshot's rows to the curves: capture once it has.
  const later = (id: string, start: number, status: RunRecord['status'], ending: boolean) => {
    const seen = live;
    queueMicrotask(() => {
      const patch = capture(seen, start, status);
      // Train pressed and ended before one step (an edit, or a stale idle snapshot overtaking the optimistic "training"): no run.
      if (ending && patch.curves?.step.length === 0 && trainingStore.getState().step <= start) forgetRun(id);
      else updateRun(id, patch);
    });
  };
  loadRunsFrom(documentStore.getState().graph);
  // A finished run Save would write and the file lacks makes the document unsaved (title, close prompt, autosave).
  const syncUnsaved = () => {
    const unsaved = runsUnsaved(runsStore.getState());
    if (documentStore.getState().runsUnsaved !== unsaved) documentStore.setState({ runsUnsaved: unsaved });
  };
  syncUnsaved();
  const stopUnsaved = runsStore.subscribe(syncUnsaved);
  const stopTelemetry = telemetryStore.subscribe((state) => {
    if (!active) return;
    if (state.curves.step.length > 0) live = { ...live, curves: state.curves };
    if (Object.keys(state.gradNorms).length > 0) live = { ...live, gradNorms: state.gradNorms };
  });
  const stopTraining = trainingStore.subscribe((state, previous) => {
    if (active && !record(active)) active = null; // deleted by the user
    if (state.run !== previous.run) {
      const status = statusOf(state.run);
      if (status === 'training') {
        if (active) updateRun(active, { status: 'training' });
        else {
          live = { curves: telemetryStore.getState().curves, gradNorms: {} };
          from = previous.step;
          active = begin(from);
        }
      } else if (active && status === 'stopped') {
        // A pause: the run keeps what it has so far, and Train continues it.
        later(active, from, status, false);
      } else if (active) {
        // Finish or divergence (a status), reset, an edit, an error (none): the run ends.
        if (status !== null || record(active)?.status === 'training') later(active, from, status ?? 'stopped', true);
        active = null;
      }
    } else if (active && state.step !== previous.step && state.run.kind === 'training') {
      updateRun(active, { steps: state.step });
    }
  });
  const stopDocument = documentStore.subscribe((state, previous) => {
    if (state.generation === previous.generation) return;
    active = null;
    loadRunsFrom(state.graph);
  });
  return () => {
    stopUnsaved();
    stopTelemetry();
    stopTraining();
    stopDocument();
  };
}
