/**
 * The UI side of the training worker: starts it (and restarts it after a
 * crash, the document untouched), keeps it compiled against the document,
 * sends the controls, and turns snapshots into the training and telemetry
 * stores. Editing the graph while training pauses, recompiles and offers to
 * keep the learned parameters that still fit.
 */
import type { Graph } from '../../engine/format/types.ts';
import type { TaskResources } from '../../engine/tasks/types.ts';
import { documentStore } from '../store/document.ts';
import { telemetryStore } from '../store/telemetry.ts';
import { trainingStore, type RunState, type TrainingState } from '../store/training.ts';
import { uiStore } from '../store/ui.ts';
import { trainingSignature } from './derive.ts';
import { applySnapshot } from './snapshot.ts';
import type { CompiledInfo, FromInside, FromWorker, InsideQuery, LiveSnapshot, ToInside, ToWorker } from './protocol.ts';

const RECOMPILE_DELAY_MS = 250;

let worker: Worker | null = null;
let seq = 0;
/** The signature of the graph the worker holds (or is compiling). */
let compiledSignature: string | null = null;
let compiledGraph: Graph | null = null;
let timer: number | undefined;
/** A recompile is waiting for the edits to settle: the worker's trainer is stale. */
let pendingCompile = false;
let started = false;
/**
 * Learned parameters the user re-initialized (or whose initializer changed)
 * while a recompile is pending: the keep offer that follows leaves them out.
 */
let forgotten: { keys: Set<string> | 'all'; afterSeq: number } | null = null;
/** A reset went out and its step-0 snapshot has not come back: older snapshots are stale (train/snapshot.ts). */
let awaitingReset = false;
let paramsWaiter: ((message: Extract<FromWorker, { type: 'parameters' }>) => void) | null = null;

function setRun(run: RunState): void {
  trainingStore.getState().set({ run });
}

function spawn(): Worker {
  const w = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'cellwright-trainer' });
  w.addEventListener('message', (event: MessageEvent<FromWorker>) => receive(event.data));
  w.addEventListener('error', (event) => {
    event.preventDefault();
    crashed(event.message || 'unknown error');
  });
  w.addEventListener('messageerror', () => crashed('a message could not be read'));
  return w;
}

function post(message: ToWorker): void {
  worker?.postMessage(message);
}

/** A crashed worker is replaced; the document is untouched and compiled again. */
function crashed(reason: string): void {
  worker?.terminate();
  worker = spawn();
  for (const [id, waiter] of inputsWaiters) waiter({ type: 'insideInputs', seq: -1, id, step: 0, sample: 0, inputs: null, reason: 'The training worker was restarted; ask again.' });
  inputsWaiters.clear();
  const restarts = trainingStore.getState().restarts + 1;
  trainingStore.getState().set({ restarts, keepOffer: null });
  compile(documentStore.getState().graph, true);
  // Compiling sets the state; the crash stays visible until the next run.
  setRun({ kind: 'error', source: 'worker', path: null, message: `The training worker crashed (${reason}) and was restarted; your graph is unchanged. Press Train to start again.` });
}

type DataChooser = (graph: Graph) => TrainingState['data'];

/**
 * Start the worker and follow the document. `defaultData` gives the data file
 * a graph without a task trains on (a bundled example's own). Returns a cleanup.
 */
export function startTraining(defaultData: DataChooser = () => null): () => void {
  if (started) return () => undefined;
  started = true;
  worker = spawn();
  trainingStore.getState().set({ data: defaultData(documentStore.getState().graph) });
  compile(documentStore.getState().graph, true);
  const unsubscribe = documentStore.subscribe((state, previous) => {
    if (state.generation !== previous.generation) {
      // Another document: the old run's data file and sample choice do not carry over.
      trainingStore.getState().set({ data: defaultData(state.graph), sample: 0 });
      compile(state.graph, true);
      // Nor do its learned parameters: no offer to keep them in another document.
      forgotten = { keys: 'all', afterSeq: seq - 1 };
      return;
    }
    if (state.graph === previous.graph) return;
    scheduleCompile();
    const drop = state.lastDrop;
    if (drop && drop !== previous.lastDrop) forgetTrained([...drop.resized, ...drop.reinitialized]);
  });
  return () => {
    unsubscribe();
    window.clearTimeout(timer);
    worker?.terminate();
    worker = null;
    inside?.terminate();
    inside = null;
    started = false;
  };
}

function scheduleCompile(): void {
  const graph = documentStore.getState().graph;
  if (trainingSignature(graph) === compiledSignature) {
    compiledGraph = graph;
    return;
  }
  const run = trainingStore.getState().run;
  // Stop at once; the recompile follows when the edits settle. Until then the
  // old trainer no longer matches the document, so nothing may train on it.
  if (run.kind === 'training') post({ type: 'pause' });
  if (run.kind !== 'error' || run.source === 'worker') setRun({ kind: 'compiling' });
  pendingCompile = true;
  trainingStore.getState().set({ busy: true });
  window.clearTimeout(timer);
  timer = window.setTimeout(() => compile(documentStore.getState().graph), RECOMPILE_DELAY_MS);
}

function compile(graph: Graph, force = false): void {
  const signature = trainingSignature(graph);
  pendingCompile = false;
  window.clearTimeout(timer);
  if (!force && signature === compiledSignature) return;
  compiledSignature = signature;
  compiledGraph = graph;
  seq += 1;
  const data = trainingStore.getState().data;
  const run = trainingStore.getState().run;
  // A graph or task message stays up until the new result replaces it: no flicker (and no canvas jump) on every edit.
  if (!(run.kind === 'error' && run.source !== 'worker')) setRun({ kind: 'compiling' });
  trainingStore.getState().set({ keepOffer: null, failure: null, busy: true });
  post({ type: 'load', seq, graph, data: data?.file ?? null, resources: taskResources(graph) });
}

/** The file a csv or text task block names (csv defaults to data.csv, text to its bundled corpus). */
export function taskFileName(graph: Graph): string | null {
  const task = graph.task;
  const file = typeof task?.file === 'string' ? task.file : null;
  if (task?.name === 'csv') return file ?? 'data.csv';
  if (task?.name === 'text') return file;
  return null;
}

/**
 * The chosen files the task needs, for the trainer. A chosen file is used only
 * while the task block names it, so a graph opened later never trains on
 * another graph's file.
 */
export function taskResources(graph: Graph): TaskResources {
  const name = taskFileName(graph);
  const { csv, text } = trainingStore.getState().resources;
  const out: TaskResources = {};
  if (graph.task?.name === 'csv' && csv && csv.name === name) out.csv = csv.text;
  if (graph.task?.name === 'text' && text && text.name === name) out.text = text.text;
  return out;
}

/** The task names a file whose contents were not chosen in this session (a reopened graph). */
export function missingTaskFile(graph: Graph): string | null {
  const name = taskFileName(graph);
  if (name === null) return null;
  const res = taskResources(graph);
  return (graph.task?.name === 'csv' ? res.csv : res.text) === undefined ? name : null;
}

/** Recompile now, e.g. after choosing a data file. */
export function recompile(): void {
  compile(documentStore.getState().graph, true);
}

function receive(message: FromWorker): void {
  if (message.type === 'notice') {
    uiStore.getState().notify('info', message.text);
    return;
  }
  if (message.type === 'insideInputs') {
    // Answered whatever the document version: the see-inside worker tags its answer with this seq.
    inputsWaiters.get(message.id)?.(message);
    inputsWaiters.delete(message.id);
    return;
  }
  if (message.seq !== seq) return;
  switch (message.type) {
    case 'compiled':
      awaitingReset = false;
      telemetryStore.getState().clear();
      {
        const previous = trainingStore.getState().run;
        // A crash report stays up until the next run.
        const run: RunState = previous.kind === 'error' && previous.source === 'worker' ? previous : { kind: 'idle' };
        trainingStore.getState().set({ info: message.info, step: 0, steps: message.info.steps, stepsPerSecond: 0, loss: NaN, failure: null, run, busy: pendingCompile });
      }
      return;
    case 'compileError':
      telemetryStore.getState().clear();
      {
        // A graph file keeps a task file's name, not its contents: ask for the file instead of an engine message.
        const missing = message.kind === 'task' && message.path === 'task.file' && compiledGraph ? missingTaskFile(compiledGraph) : null;
        const what = compiledGraph?.task?.name === 'csv' ? 'CSV' : 'text';
        const named = typeof compiledGraph?.task?.file === 'string';
        // A graph being built has no task yet: say what to do, not what failed.
        const noTask = message.kind === 'task' && message.path === 'task' && !compiledGraph?.task;
        const text = noTask ? 'No task yet: choose one in the Training tab (parity, adding, copy, sine, text or your own CSV) to train this graph.'
          : missing === null ? message.message
          : named ? `Choose the ${what} file again: this graph trains on "${missing}", and a graph file keeps only the file's name.`
            : `Choose a ${what} file in the Training tab: the ${compiledGraph?.task?.name} task trains on your own file.`;
        trainingStore.getState().set({ info: null, step: 0, stepsPerSecond: 0, loss: NaN, failure: null, run: { kind: 'error', message: text, path: message.path, source: message.kind, lines: message.lines }, busy: pendingCompile });
      }
      return;
    case 'snapshot':
      receiveSnapshot(message.snapshot);
      return;
    case 'keepOffer': {
      const drop = forgotten && message.seq > forgotten.afterSeq ? forgotten.keys : null;
      if (drop) forgotten = null;
      const keys = drop === 'all' ? [] : drop ? message.keys.filter((key) => !drop.has(key)) : message.keys;
      if (keys.length === 0) {
        post({ type: 'keep', keep: false });
        return;
      }
      trainingStore.getState().set({ keepOffer: { keys, total: message.total, fromStep: message.fromStep, except: message.keys.filter((key) => !keys.includes(key)) } });
      return;
    }
    case 'parameters':
      paramsWaiter?.(message);
      paramsWaiter = null;
      return;
    case 'sampledText':
      sampleWaiters.get(message.id)?.(message);
      sampleWaiters.delete(message.id);
      return;
    default: {
      const never: never = message;
      throw new Error(`unknown worker message ${JSON.stringify(never)}`);
    }
  }
}

function receiveSnapshot(s: LiveSnapshot): void {
  const training = trainingStore.getState();
  const out = applySnapshot(training.run, telemetryStore.getState(), s, {
    info: training.info, graph: compiledGraph ?? documentStore.getState().graph, pendingCompile, awaitingReset,
  });
  if (out.ignored) return;
  awaitingReset = out.awaitingReset;
  training.set(out.training);
  telemetryStore.setState(out.telemetry);
}

// ------------------------------------------------------------------ controls

export function train(): void {
  const run = trainingStore.getState().run;
  if (run.kind === 'compiling' || (run.kind === 'error' && run.source !== 'worker')) {
    uiStore.getState().notify('info', run.kind === 'compiling' ? 'Still compiling: press Train again in a moment.' : 'The graph cannot train yet: see the message in the run bar.');
    return;
  }
  trainingStore.getState().set({ keepOffer: null });
  // Whoever pressed Train has found where to start: give the canvas its room back.
  uiStore.getState().dismissHint();
  setRun({ kind: 'training' });
  post({ type: 'train' });
}

export function pause(): void {
  if (trainingStore.getState().run.kind !== 'training') return;
  post({ type: 'pause' });
}

export function step(n = 1): void {
  const run = trainingStore.getState().run;
  if (run.kind === 'compiling' || (run.kind === 'error' && run.source !== 'worker')) return;
  post({ type: 'step', n });
}

export function reset(): void {
  awaitingReset = true;
  post({ type: 'reset' });
  telemetryStore.getState().clear();
}

export function rollback(): void {
  post({ type: 'rollback' });
}

export function answerKeep(keep: boolean): void {
  const offer = trainingStore.getState().keepOffer;
  trainingStore.getState().set({ keepOffer: null });
  post({ type: 'keep', keep, except: offer?.except ?? [] });
}

/**
 * The learned values of these parameters (null: all) are not to be kept: when
 * the document edit that dropped them recompiles, the keep offer leaves them
 * out; when nothing recompiles (they were never stored in the graph), the
 * worker draws them afresh now.
 */
export function forgetTrained(keys: string[] | null): void {
  if (keys !== null && keys.length === 0) return;
  if (pendingCompile) {
    const previous = forgotten && forgotten.afterSeq === seq ? forgotten.keys : null;
    const merged = keys === null || previous === 'all' ? 'all' as const : new Set([...(previous ?? []), ...keys]);
    forgotten = { keys: merged, afterSeq: seq };
    return;
  }
  if (keys === null) {
    awaitingReset = true;
    telemetryStore.getState().clear();
  }
  post({ type: 'reinit', keys });
}

export function chooseSample(index: number): void {
  trainingStore.getState().set({ sample: index });
  post({ type: 'sample', index });
}

/** Test hook (Playwright): crash the worker as an uncaught error would. */
const sampleWaiters = new Map<number, (message: Extract<FromWorker, { type: 'sampledText' }>) => void>();
let sampleSeq = 0;

/** Text drawn from the current model (text task); null with the reason when there is none. */
export function requestSample(options: { prime: string; length: number; temperature: number; seed: number }): Promise<Extract<FromWorker, { type: 'sampledText' }>> {
  sampleSeq += 1;
  const id = sampleSeq;
  if (!worker) return Promise.resolve({ type: 'sampledText', seq: -1, id, step: 0, text: null, reason: 'The graph has not compiled yet.' });
  return new Promise((resolve) => {
    sampleWaiters.set(id, resolve);
    post({ type: 'sampleText', id, ...options });
  });
}

// ------------------------------------------------------------------ see inside

type InsideInputsReply = Extract<FromWorker, { type: 'insideInputs' }>;
type Waiter<M> = { resolve(message: M): void; refuse(reason: string): M };

/** The see-inside worker (inside.worker.ts), started at the first question. */
let inside: Worker | null = null;
const inputsWaiters = new Map<number, (message: InsideInputsReply) => void>();
const insideWaiters = new Map<number, Waiter<FromInside>>();
/** Questions on their way, by what they ask: a view asking again before the answer came shares it (no queue builds up). */
const inFlight = new Map<string, Promise<FromInside>>();
/** When each question was last sent (Date.now()), for the pace while training. */
const lastAsked = new Map<string, number>();
const INSIDE_EVERY_MS = 500;

function spawnInside(): Worker {
  const w = new Worker(new URL('./inside.worker.ts', import.meta.url), { type: 'module', name: 'cellwright-inside' });
  w.addEventListener('message', (event: MessageEvent<FromInside>) => {
    insideWaiters.get(event.data.id)?.resolve(event.data);
    insideWaiters.delete(event.data.id);
  });
  w.addEventListener('error', (event) => {
    event.preventDefault();
    // Every open question gets an answer; the next one starts a fresh worker.
    w.terminate();
    if (inside === w) inside = null;
    for (const waiter of insideWaiters.values()) waiter.resolve(waiter.refuse(`The see-inside worker stopped (${event.message || 'unknown error'}); ask again.`));
    insideWaiters.clear();
  });
  return w;
}

/**
 * Ask the see-inside worker: the training worker hands over a copy of the
 * parameters and the probe's sequence (between two training slices), and the
 * computation runs on the see-inside worker, so training does not wait for it.
 */
function askInside<M extends FromInside>(query: InsideQuery, refuse: (id: number, reason: string) => M): Promise<M> {
  const key = JSON.stringify(query);
  const pending = inFlight.get(key);
  if (pending) return pending as Promise<M>;
  sampleSeq += 1;
  const id = sampleSeq;
  const answer = (async (): Promise<M> => {
    if (trainingStore.getState().run.kind === 'training') {
      // Views ask again on every snapshot: while training, at most every INSIDE_EVERY_MS, so the two workers do not fight for the CPU.
      const wait = (lastAsked.get(key) ?? -Infinity) + INSIDE_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => window.setTimeout(resolve, wait));
    }
    lastAsked.set(key, Date.now());
    if (!worker) return refuse(id, 'The graph has not compiled yet.');
    const got = await new Promise<InsideInputsReply>((resolve) => {
      inputsWaiters.set(id, resolve);
      post({ type: 'insideInputs', id });
    });
    if (!got.inputs) return refuse(id, got.reason ?? 'Nothing to look inside yet: the graph did not compile.');
    const { inputs } = got;
    inside ??= spawnInside();
    const target = inside;
    return new Promise<M>((resolve) => {
      insideWaiters.set(id, { resolve: resolve as (m: FromInside) => void, refuse: (reason) => refuse(id, reason) });
      const message: ToInside = { ...query, id, seq: got.seq, step: got.step, sample: got.sample, inputs };
      target.postMessage(message, [inputs.theta.buffer as ArrayBuffer]);
    });
  })().finally(() => inFlight.delete(key));
  inFlight.set(key, answer);
  return answer;
}

type ConnectivityResult = Extract<FromInside, { type: 'connectivityResult' }>;

/** M[t][s] = ‖∂ OUT_t / ∂ IN_s‖ on the probe's sequence (engine/diagnostics/connectivity.ts), or the engine's refusal. */
export function requestConnectivity(out: string, input: string): Promise<ConnectivityResult> {
  return askInside({ kind: 'connectivity', out, in: input }, (id, reason): ConnectivityResult => ({ type: 'connectivityResult', seq: -1, id, step: 0, sample: 0, matrix: null, reason }));
}

type Explained = Extract<FromInside, { type: 'explained' }>;

/** What node's value at step t (0-based) of the probe's sequence is made of (engine/diagnostics/explain.ts). */
export function requestExplain(node: string, t: number): Promise<Explained> {
  return askInside({ kind: 'explain', node, t }, (id, reason): Explained => ({ type: 'explained', seq: -1, id, explanation: null, reason }));
}

type GradientExplained = Extract<FromInside, { type: 'gradientExplained' }>;

/** Where ‖∂L/∂node‖ at step t (0-based) of the probe's sequence comes from (engine/diagnostics/gradient-paths.ts). */
export function requestGradientExplain(node: string, t: number): Promise<GradientExplained> {
  return askInside({ kind: 'explainGradient', node, t }, (id, reason): GradientExplained => ({ type: 'gradientExplained', seq: -1, id, explanation: null, reason }));
}

type FixedPointsResult = Extract<FromInside, { type: 'fixedPointsResult' }>;

/** Fixed and slow points of the joint state map at the current parameters (engine/diagnostics/dynamics.ts). */
export function requestFixedPoints(): Promise<FixedPointsResult> {
  return askInside({ kind: 'fixedPoints' }, (id, reason): FixedPointsResult => ({ type: 'fixedPointsResult', seq: -1, id, points: [], slow: 0, layer: null, reason }));
}

export function crashWorker(): void {
  post({ type: 'crash' });
}

/**
 * Write the trained parameters into the document (one undo entry), so Save
 * keeps them. The worker already holds them: no recompile follows.
 */
export async function keepTrainedParameters(options: { quiet?: boolean } = {}): Promise<boolean> {
  if (!worker) return false;
  const message = await new Promise<Extract<FromWorker, { type: 'parameters' }>>((resolve) => {
    paramsWaiter = resolve;
    post({ type: 'parameters' });
  });
  const doc = documentStore.getState();
  const next: Graph = { ...doc.graph, parameters: message.parameters };
  compiledSignature = trainingSignature(next);
  compiledGraph = next;
  doc.commit(`Trained parameters (step ${message.step})`, next);
  keptAt = { seq, step: message.step };
  if (!options.quiet) uiStore.getState().notify('info', `The parameters of step ${message.step} are now in the graph: Save keeps them.`);
  return true;
}

/** The training step whose parameters the document holds (written by keepTrainedParameters). */
let keptAt: { seq: number; step: number } | null = null;

/** Training has moved the parameters away from the ones in the document: Save with weights must fetch them. */
export function trainedParametersPending(): boolean {
  const { step, run } = trainingStore.getState();
  if (step === 0 || run.kind === 'compiling' || (run.kind === 'error' && run.source !== 'worker')) return false;
  return !(keptAt && keptAt.seq === seq && keptAt.step === step);
}

export function compiledInfo(): CompiledInfo | null {
  return trainingStore.getState().info;
}
