/**
 * The run history and Compare: the run bar's "Runs" and "Compare" buttons
 * and the dialog they open — every run of this document (tick to compare,
 * delete), "Keep runs in the file", and the comparison itself.
 */
import { memo } from 'react';
import { ComparePane } from '../views/ComparePane.tsx';
import { comparedRuns, deleteRun, runsStore, setStorage, storageOf, toggleSelected, useRuns, type RunsStorage } from './store.ts';
import { canKeepBeside } from './beside.ts';
import { getHost } from '../app/commands.ts';
import { runStatusText } from './view.ts';
import { cancelBackground, trainInBackground } from './pool.ts';
import { openSweep, SweepDialog } from '../experiments/SweepDialog.tsx';
import { openReproduce, ReproduceDialog } from '../experiments/ReproduceDialog.tsx';
import { useModalDialog } from './modal.ts';
import './runs.css';

function openRuns(): void {
  runsStore.setState({ open: true });
}

/** The run bar's buttons: Runs (with a count), and Compare from two runs on. */
export const RunsButtons = memo(function RunsButtons() {
  const count = useRuns((s) => s.runs.length);
  return (
    <>
      <button type="button" className="cw-tb-button" aria-label={`Runs (${count})`} title="The runs of this document: compare, delete, train more in the background" onClick={openRuns}>
        <svg viewBox="0 0 16 16" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" aria-hidden><path d="M5.5 4h8M5.5 8h8M5.5 12h8" /><circle cx="2.5" cy="4" r=".6" fill="currentColor" /><circle cx="2.5" cy="8" r=".6" fill="currentColor" /><circle cx="2.5" cy="12" r=".6" fill="currentColor" /></svg>
        <span className="cw-run-label">Runs</span>{count > 0 ? <span className="cw-runs-count">{count}</span> : null}
      </button>
      {count >= 2 ? <button type="button" className="cw-tb-button" aria-label="Compare" title="Compare runs: curves overlaid, gradient flow side by side, the settings that differ" onClick={openRuns}>
        <svg viewBox="0 0 16 16" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" aria-hidden><path d="M2 12.5c3-7 6-8 12-9" /><path d="M2 13.5c4-3 7-4 12-4" strokeDasharray="2.5 2" /></svg>
        <span className="cw-run-label">Compare</span>
      </button> : null}
    </>
  );
});

function RunsList() {
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selected);
  const progress = useRuns((s) => s.progress);
  const compared = new Set(comparedRuns({ runs, selected }).map((r) => r.id));
  return (
    <ul className="cw-runs-list" aria-label="Runs">
      {runs.map((run) => (
        <li key={run.id} data-run-id={run.id} data-status={run.status}>
          <label>
            <input type="checkbox" checked={compared.has(run.id)} onChange={() => toggleSelected(run.id)} aria-label={`Compare ${run.name}`} />
            <span className="cw-runs-name">{run.name}</span>
          </label>
          <span className="cw-runs-status" role="status">{runStatusText(run, progress[run.id])}</span>
          {progress[run.id] && run.status === 'training' ? <button type="button" className="cw-tb-button" aria-label={`Stop ${run.name}`} title="Stop this background run (what it trained so far is kept)" onClick={() => cancelBackground(run.id)}>Stop</button> : null}
          <button type="button" className="cw-tb-button cw-runs-delete" aria-label={`Delete ${run.name}`} title="Delete this run" onClick={() => { cancelBackground(run.id); deleteRun(run.id); }}>✕</button>
        </li>
      ))}
    </ul>
  );
}

export const RunsDialog = memo(function RunsDialog() {
  const open = useRuns((s) => s.open);
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selected);
  const storage = useRuns(storageOf);
  const beside = canKeepBeside(getHost());
  const ref = useModalDialog(open);
  const compared = comparedRuns({ runs, selected });
  const close = () => runsStore.setState({ open: false });
  return (
    <>
    <dialog ref={ref} className="cw-dialog cw-runs-dialog" aria-label="Runs and comparison" onClose={close}>
      <div className="cw-dialog-head">
        <h2>Runs and comparison</h2>
        <button type="button" className="cw-tb-button" title="Train a copy of the current graph and settings in a worker of its own, while you keep working; its progress shows in this list" onClick={() => trainInBackground()}>Train in background</button>
        <button type="button" className="cw-tb-button" title="Train the current graph over a grid of one or two settings' values and seeds, in background workers; every run joins this list" onClick={openSweep}>Sweep…</button>
        <button type="button" className="cw-tb-button" title="The classic results (adding, copy, temporal order, flip-flop, Greff's variants…): open one as a document, train its quick form and get PASS or FAIL" onClick={openReproduce}>Reproduce…</button>
        <label className="cw-runs-storage" title="Where Save keeps the runs: inside the graph file (a top-level runs array), beside it in name.cellwright.runs.json (desktop app), or nowhere (they stay in this session only)">
          Keep runs
          <select value={storage} onChange={(e) => setStorage(e.target.value as RunsStorage)}>
            <option value="file">in the file</option>
            <option value="beside" disabled={!beside}>{beside ? 'beside the file' : 'beside the file (desktop app)'}</option>
            <option value="session">this session only</option>
          </select>
        </label>
        <button type="button" className="cw-tb-button" aria-label="Close" onClick={close}>✕</button>
      </div>
      {open ? (
        <div className="cw-runs-body">
          {runs.length === 0 ? <p className="cw-faint">No runs yet: press Train. Every run is kept here until you delete it.</p> : <RunsList />}
          <ComparePane runs={compared.length >= 1 ? compared : []} />
        </div>
      ) : null}
    </dialog>
    <SweepDialog />
    <ReproduceDialog />
    </>
  );
});
