/**
 * The run bar above the canvas: Train / Pause / Step / Reset, the run state,
 * the step counter and speed, the latest numbers, and what training needs
 * from the user (a failure to roll back, parameters to keep after an edit,
 * a graph or task that does not fit yet).
 */
import { memo, type ReactNode } from 'react';
import * as training from '../app/training.ts';
import { focusNode } from '../app/commands.ts';
import { answerKeep, forgetTrained, keepTrainedParameters } from '../train/client.ts';
import { useDocument } from '../store/document.ts';
import { RUN_LABEL, useTraining, type RunState } from '../store/training.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { TaskFit } from './TaskFit.tsx';
import { RunsButtons } from '../runs/RunsDialog.tsx';

function Icon({ d }: { d: ReactNode }) {
  return <svg viewBox="0 0 16 16" width="14" height="14" fill="currentColor" aria-hidden>{d}</svg>;
}

const ICONS = {
  train: <path d="M4.5 2.8v10.4a.6.6 0 0 0 .9.5l8.2-5.2a.6.6 0 0 0 0-1L5.4 2.3a.6.6 0 0 0-.9.5Z" />,
  pause: <><rect x="3.5" y="2.5" width="3.2" height="11" rx=".8" /><rect x="9.3" y="2.5" width="3.2" height="11" rx=".8" /></>,
  step: <><path d="M3 3v10a.6.6 0 0 0 .9.5l6.8-5a.6.6 0 0 0 0-1l-6.8-5A.6.6 0 0 0 3 3Z" /><rect x="11.3" y="2.5" width="2.4" height="11" rx=".7" /></>,
  reset: <path d="M8 2.5a5.5 5.5 0 1 1-5.3 7h1.6A4 4 0 1 0 8 4v2L4.8 3.3 8 .5Z" />,
  keep: <path d="M3 2.5h7.6L13 4.9V13a.5.5 0 0 1-.5.5h-9A.5.5 0 0 1 3 13V2.5Zm2 1.4V6.5h5V3.9H5Zm3 4.6a2 2 0 1 0 0 4 2 2 0 0 0 0-4Z" />,
};

function stateText(run: RunState): string {
  if (run.kind === 'paused') return run.reason === 'done' ? 'finished' : run.reason === 'failure' || run.reason === 'diverged' ? 'diverged' : 'paused';
  return RUN_LABEL[run.kind];
}

/** Compact: three significant digits, exponent form for tiny or huge numbers ("1.2e-4"), so the bar keeps its width. */
function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '—' : x > 0 ? '∞' : '−∞';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(1).replace('e+', 'e');
  return x.toPrecision(digits);
}

function Numbers() {
  const info = useTraining((state) => state.info);
  const loss = useTraining((state) => state.loss);
  const val = useTelemetry((state) => {
    const c = state.curves;
    const i = c.valStep.length - 1;
    return i >= 0 ? `${c.valLoss[i]}|${c.valMetric[i]}|${c.valStep[i]}` : '';
  });
  const [valLoss, valMetric, valStep] = val ? val.split('|').map(Number) : [NaN, NaN, NaN];
  const metric = info?.metricNames[0];
  const accuracy = metric === 'accuracy';
  const metricText = accuracy && Number.isFinite(valMetric) ? `${(valMetric * 100).toFixed(1)}%` : fmt(valMetric);
  // With an MSE loss the MSE metric is the same number again: show it once.
  const sameAsLoss = metric !== undefined && metric === info?.binding?.lossKind && Math.abs(valMetric - valLoss) <= 1e-12 * Math.max(1, Math.abs(valLoss));
  const metricLabel = accuracy ? 'acc.' : metric;
  const valTitle = Number.isFinite(valLoss)
    ? `Validation at step ${valStep}, on the task's fixed validation set: loss ${String(valLoss)}${metric ? `, ${metric} ${accuracy && Number.isFinite(valMetric) ? `${(valMetric * 100).toFixed(2)} %` : String(valMetric)}` : ''}`
    : 'Loss and metric on the task\'s fixed validation set (measured every few steps)';
  return (
    <div className="cw-run-numbers">
      <span className="cw-run-num" title={`Training loss of the latest batch: ${String(loss)}`}>loss <b>{fmt(loss)}</b></span>
      {info?.task ? (
        <span className="cw-run-num" title={valTitle}>
          val. <b>{fmt(valLoss)}</b>{metric && !sameAsLoss ? <> · {metricLabel} <b>{metricText}</b></> : null}
        </span>
      ) : null}
    </div>
  );
}

/** What a diverged run offers: a smaller learning rate, clipping; the run then starts from fresh weights. */
function DivergedFixes() {
  const graph = useDocument((state) => state.graph);
  const options = training.fixesFor(graph, '', 'nonfinite').filter((fix) => fix.kind === 'lowerLr' || fix.kind === 'clipNorm');
  return (
    <>
      {options.map((fix) => (
        <button
          key={fix.kind}
          type="button"
          title={`${fix.help} Training then starts again from fresh weights.`}
          onClick={() => {
            void training.applyFix(fix.kind, '').then((applied) => {
              if (applied) forgetTrained(null);
            });
          }}
        >
          {fix.label}
        </button>
      ))}
    </>
  );
}

function Message() {
  const run = useTraining((state) => state.run);
  const failure = useTraining((state) => state.failure);
  const keep = useTraining((state) => state.keepOffer);
  const info = useTraining((state) => state.info);
  const sideTab = useUi((state) => state.sideTab);
  const loss = useTraining((state) => state.loss);
  if (keep) {
    return (
      <div className="cw-run-message is-question" role="group" aria-label="Keep learned parameters">
        <span>The graph changed after {keep.fromStep} training step{keep.fromStep === 1 ? '' : 's'}. Keep the <b>{keep.keys.length}</b> of {keep.total} learned parameters that still fit (same name and shape)?</span>
        <button type="button" className="cw-primary" onClick={() => answerKeep(true)}>Keep learned parameters</button>
        <button type="button" onClick={() => answerKeep(false)}>Start fresh</button>
      </div>
    );
  }
  if (failure) {
    return (
      <div className="cw-run-message is-error" role="alert">
        <span>{failure.message}</span>
        {failure.node ? <button type="button" onClick={() => focusNode(failure.node!)}>Show {failure.node}</button> : null}
        <button type="button" className="cw-primary" onClick={training.rollback}>Roll back</button>
        <DivergedFixes />
      </div>
    );
  }
  if (run.kind === 'error') {
    return (
      <div className={`cw-run-message ${run.source === 'worker' ? 'is-error' : 'is-warning'}`} role={run.source === 'worker' ? 'alert' : 'status'}>
        {run.source === 'task' && !run.path?.startsWith('task.file')
          ? <TaskFit fallback={`The task does not fit the graph: ${run.message}`} />
          : <span>{run.source === 'graph' ? 'Cannot train yet. ' : ''}{run.message}</span>}
        {run.source === 'task' && sideTab !== 'training' ? <button type="button" onClick={() => uiStore.getState().setSideTab('training')}>Training settings</button> : null}
      </div>
    );
  }
  if (run.kind === 'paused' && run.reason === 'diverged') {
    return (
      <div className="cw-run-message is-error" role="alert">
        <span>Training diverged: the loss blew up to {fmt(loss)} instead of falling, so these weights are useless. Try:</span>
        <DivergedFixes />
      </div>
    );
  }
  if (run.kind === 'paused' && run.reason === 'done') {
    return <div className="cw-run-message" role="status"><span>The run reached its {info?.steps ?? ''} steps. Train continues for another run; the Training tab sets the length.</span></div>;
  }
  return null;
}

export const RunBar = memo(function RunBar() {
  const run = useTraining((state) => state.run);
  const step = useTraining((state) => state.step);
  const steps = useTraining((state) => state.steps);
  const rate = useTraining((state) => state.stepsPerSecond);
  const info = useTraining((state) => state.info);
  const data = useTraining((state) => state.data);
  const failure = useTraining((state) => state.failure);
  const dockOpen = useUi((state) => state.dockOpen);
  const busy = useTraining((state) => state.busy);
  const training_ = run.kind === 'training';
  const blocked = run.kind === 'compiling' || (run.kind === 'error' && run.source !== 'worker');
  const task = info?.task;
  return (
    <div className="cw-runbar-wrap">
      <div className="cw-runbar" role="toolbar" aria-label="Training" aria-busy={busy}>
        <div className="cw-run-buttons">
          <button type="button" className="cw-run-button is-train" aria-label="Train" title="Train (Ctrl+Enter): run the training loop in the background" onClick={training.train} disabled={training_ || blocked || failure !== null}><Icon d={ICONS.train} />Train</button>
          <button type="button" className="cw-run-button" aria-label="Pause" title="Pause (Ctrl+Enter)" onClick={training.pause} disabled={!training_}><Icon d={ICONS.pause} /><span className="cw-run-label">Pause</span></button>
          <button type="button" className="cw-run-button" aria-label="Step" title="One training step: forward over T, backward through time, one update" onClick={training.step} disabled={blocked || failure !== null}><Icon d={ICONS.step} /><span className="cw-run-label">Step</span></button>
          <button type="button" className="cw-run-button" aria-label="Reset" title="Back to the starting parameters; the curves start over" onClick={training.reset} disabled={blocked}><Icon d={ICONS.reset} /><span className="cw-run-label">Reset</span></button>
        </div>
        <span className={`cw-run-state is-${run.kind}`} role="status" aria-label="Run state" data-state={run.kind}>{stateText(run)}</span>
        <span className="cw-run-step" title={`Training steps done${steps ? ` / steps of a run (${steps})` : ''}`}>
          <span className="cw-run-word">step </span><output aria-label="Step count">{step}</output>{steps ? <span className="cw-faint cw-run-of"> / {steps}</span> : null}
        </span>
        <span className="cw-run-rate" title={`Training steps per second${training_ && rate > 0 ? `: ${rate.toFixed(1)}` : ''}`} aria-label="Steps per second">{training_ && rate > 0 ? <>{rate < 10 ? rate.toFixed(1) : Math.round(rate)}<span className="cw-run-word"> steps</span>/s</> : ''}</span>
        <Numbers />
        <span className="cw-tb-spacer" />
        <button
          type="button"
          className="cw-tb-button cw-run-task"
          aria-label={task ? `${task.name} · T = ${info?.T}` : data ? `data · T = ${info?.T ?? '?'}` : 'no task'}
          title={`${task ? task.description : data ? `Training on ${data.name}` : 'No task yet'} — open the training settings`}
          onClick={() => uiStore.getState().setSideTab('training')}
        >
          {task ? <>{task.name}<span className="cw-run-word"> · T = {info?.T}</span></> : data ? <>data<span className="cw-run-word"> · T = {info?.T ?? '?'}</span></> : 'no task'}
        </button>
        <RunsButtons />
        <button type="button" className="cw-tb-button" aria-label="Keep weights" title="Keep weights: write the trained parameters into the graph, so Save keeps them (one undo step)" onClick={() => void keepTrainedParameters()} disabled={step === 0 || training_}><Icon d={ICONS.keep} /><span className="cw-run-label">Keep weights</span></button>
        <button type="button" className="cw-tb-button" aria-label="Charts" aria-pressed={dockOpen} title="Show or hide the training charts" onClick={() => uiStore.getState().toggleDock()}>
          <svg viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" aria-hidden><path d="M2.5 13.5h11M4 11l3-4 2.5 2 3.5-5" /></svg>
        </button>
      </div>
      <Message />
    </div>
  );
});
