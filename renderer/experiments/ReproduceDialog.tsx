/**
 * The Reproduce gallery: every preset of engine/experiments/presets.ts with
 * its paper and the result the paper reports. Opening one makes it the
 * document (its first cell, task and training settings) and trains its quick
 * form in background workers — every arm and seed a run in the run history —
 * then shows PASS or FAIL with the measured numbers (reproduce.ts).
 */
import { memo } from 'react';
import { PRESET_NAMES, PRESETS, describeSetup } from '../../engine/experiments/presets.ts';
import { serializeGraph } from '../../engine/format/parse.ts';
import { loadDocumentText } from '../app/commands.ts';
import { useModalDialog } from '../runs/modal.ts';
import { runsStore } from '../runs/store.ts';
import { documentStore, isDirty } from '../store/document.ts';
import { uiStore } from '../store/ui.ts';
import { reproduceStore, startReproduce, stopReproduce, useReproduce, type ReproduceRun } from './reproduce.ts';
import './experiments.css';

export function openReproduce(): void {
  runsStore.setState({ open: false });
  reproduceStore.setState({ open: true });
}

/** The paper's authors and year: its citation up to the quoted title (or a parenthesis). */
export const shortPaper = (paper: string) => paper.split(/, "| \(/)[0].trim();

async function run(name: string): Promise<void> {
  const p = PRESETS[name];
  const report = await startReproduce(name, {
    open: async (graph) => {
      if (isDirty(documentStore.getState()) && !window.confirm(`The current graph has unsaved changes. Open the ${name} preset anyway and lose them?`)) return false;
      return loadDocumentText(serializeGraph(graph), null);
    },
  });
  const active = reproduceStore.getState().active;
  if (report) uiStore.getState().notify('info', `${report.pass ? 'PASS' : 'FAIL'} ${name} (quick): ${report.lines.join('; ')}`);
  else if (active?.preset === p.name && active.error) uiStore.getState().notify('error', `${name}: no verdict (${active.error}).`);
}

function Progress({ active }: { active: ReproduceRun }) {
  if (active.report) {
    const r = active.report;
    return (
      <div className="cw-repro-verdict" data-pass={r.pass} role="status" aria-label={`${active.preset} verdict`}>
        <b>{r.pass ? 'PASS' : 'FAIL'}</b> <span>{r.criterion}</span>
        <ul>{r.lines.map((l) => <li key={l}>{l}</li>)}{r.notes.map((n) => <li key={n} className="cw-faint">note: {n}</li>)}</ul>
        <span className="cw-faint">{active.seconds.toFixed(1)} s · the runs are in Runs (compare them there)</span>
      </div>
    );
  }
  const done = active.jobs.filter((j) => j.status !== 'waiting' && j.status !== 'training').length;
  const now = active.jobs.find((j) => j.status === 'training');
  return (
    <div className="cw-repro-verdict" role="status" aria-label={`${active.preset} verdict`}>
      {active.running
        ? <span>Training the quick form: {done} of {active.jobs.length} runs done{now ? ` · ${now.arm} seed ${now.seed} at step ${now.step} / ${now.steps}` : ''}</span>
        : <span className="cw-field-error">No verdict: {active.error}</span>}
    </div>
  );
}

export const ReproduceDialog = memo(function ReproduceDialog() {
  const open = useReproduce((s) => s.open);
  const active = useReproduce((s) => s.active);
  const ref = useModalDialog(open);
  const close = () => reproduceStore.setState({ open: false });
  const running = active?.running ?? false;
  return (
    <dialog ref={ref} className="cw-dialog cw-repro-dialog" aria-label="Reproduce a classic result" onClose={close}>
      <div className="cw-dialog-head">
        <h2>Reproduce a classic result</h2>
        <button type="button" className="cw-tb-button" aria-label="Close" onClick={close}>✕</button>
      </div>
      {open ? (
        <div className="cw-repro-body">
          <p className="cw-sweep-intro">Each preset is a paper's experiment with its criterion. <b>Run quick form</b> opens its cell as a new document and trains the small form (its own, weaker criterion; under a minute on two cores) in background workers, then judges it on fresh test data. The full forms run with <code>cellwright reproduce NAME</code>.</p>
          <ul className="cw-repro-list" aria-label="Presets">
            {PRESET_NAMES.map((name) => {
              const p = PRESETS[name];
              const mine = active?.preset === name ? active : null;
              return (
                <li key={name} aria-label={name}>
                  <div className="cw-repro-head">
                    <div className="cw-repro-title">
                      <b>{p.title}</b> <span className="cw-faint">— {shortPaper(p.paper)}</span>
                    </div>
                    <button type="button" className="cw-tb-button cw-primary" disabled={running} title={describeSetup(p, 'quick').join('\n')} onClick={() => void run(name)}>Run quick form</button>
                  </div>
                  <div className="cw-repro-line"><span className="cw-repro-label">Published</span> {p.reported}</div>
                  {mine ? <Progress active={mine} /> : null}
                </li>
              );
            })}
          </ul>
          {running ? <button type="button" className="cw-tb-button" onClick={stopReproduce}>Stop</button> : null}
        </div>
      ) : null}
    </dialog>
  );
});
