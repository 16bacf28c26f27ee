/**
 * Sweep…: train the current graph once per combination of one or two
 * settings' values (and seeds), in background workers. Each run joins the
 * run history; the results table shows each run's final and best validation
 * numbers, Compare curves overlays them, and Export SPEC writes the file
 * `cellwright sweep` runs to the same rows (plan.ts, runner.ts).
 */
import { memo, useMemo } from 'react';
import { fmtNum, resultsCsv } from '../../engine/experiments/sweep.ts';
import type { Graph } from '../../engine/format/types.ts';
import { getHost } from '../app/commands.ts';
import { useModalDialog } from '../runs/modal.ts';
import { runsStore } from '../runs/store.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { useTraining } from '../store/training.ts';
import { uiStore } from '../store/ui.ts';
import { defaultForm, planSweep, sweepKeys, type Planned, type SweepForm } from './plan.ts';
import { laneCount } from './lanes.ts';
import { csvRow, goalOf, startSweep, stopSweep, sweepStore, useSweep, type SweepRowState } from './runner.ts';
import './experiments.css';

/** Open the Sweep dialog (from the Runs dialog), with the last form or one made for the current graph. */
export function openSweep(): void {
  const graph = documentStore.getState().graph;
  runsStore.setState({ open: false });
  sweepStore.setState((state) => ({ open: true, form: state.form ?? defaultForm(graph) }));
}

function setForm(patch: Partial<SweepForm>): void {
  sweepStore.setState((state) => ({ form: { ...(state.form ?? defaultForm(documentStore.getState().graph)), ...patch } }));
}

/** Why this graph cannot be swept in the app, or null. */
function cannotSweep(graph: Graph, dataFile: string | null): string | null {
  if (dataFile) return `This graph trains on the data file ${dataFile}; Sweep… trains the graph's task (choose one in the Training tab).`;
  if (!graph.task) return 'The graph has no task: choose one in the Training tab first.';
  return null;
}

const slug = (name: unknown) => (typeof name === 'string' ? name : 'graph').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'graph';

async function exportText(text: string, name: string, mime: string, what: string): Promise<void> {
  try {
    const saved = await getHost().exportFile(text, name, mime);
    if (saved) uiStore.getState().notify('info', `Exported ${saved.name}: ${what}.`);
  } catch (error) {
    uiStore.getState().notify('error', `That did not work: ${(error as Error).message}`);
  }
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function statusText(row: SweepRowState): string {
  switch (row.status) {
    case 'waiting': return 'waiting';
    case 'training': return `step ${row.step} / ${row.steps}`;
    case 'done': return `${row.step} steps · ${row.seconds.toFixed(1)} s`;
    case 'diverged': return 'diverged';
    case 'failed': return `failed: ${row.error ?? ''}`;
    case 'stopped': return row.runId ? `stopped at step ${row.step}` : 'not run';
    default: {
      const never: never = row.status;
      return never;
    }
  }
}

function Results() {
  const sweep = useSweep((s) => s.sweep);
  if (!sweep) return null;
  const metric = sweep.rows.find((r) => r.result)?.result?.metricName ?? null;
  const goal = goalOf(metric);
  const finals = sweep.rows.filter((r) => r.result && Number.isFinite(r.result.metric) && r.status === 'done');
  const best = finals.reduce<SweepRowState | null>((b, r) => (b === null || (goal === 'max' ? r.result!.metric > b.result!.metric : r.result!.metric < b.result!.metric) ? r : b), null);
  const done = sweep.rows.filter((r) => r.status !== 'waiting' && r.status !== 'training').length;
  const m = metric ?? 'metric';
  return (
    <div className="cw-sweep-results">
      <p className="cw-sweep-progress" role="status" aria-label="Sweep progress">
        {sweep.running ? `Training: ${done} of ${sweep.rows.length} runs done` : `${done} of ${sweep.rows.length} runs done`}
        {best ? ` · best ${m} ${fmtNum(best.result!.metric)} (${best.id})` : ''}
      </p>
      <div className="cw-compare-table-wrap">
        <table className="cw-compare-table cw-sweep-table" aria-label="Sweep results">
          <thead>
            <tr>
              <th scope="col">run</th>
              {sweep.keys.map((k) => <th scope="col" key={k}>{k}</th>)}
              <th scope="col">seed</th>
              <th scope="col">status</th>
              <th scope="col">final validation loss</th>
              <th scope="col">final validation {m}</th>
              <th scope="col">best validation {m}</th>
            </tr>
          </thead>
          <tbody>
            {sweep.rows.map((row) => (
              <tr key={row.id} data-status={row.status} className={row === best ? 'is-best' : undefined} aria-label={row.id}>
                <th scope="row" className="cw-sweep-run" title={`${row.id} (cellwright sweep writes runs/${row.id}.json)`}>{row.id}</th>
                {sweep.keys.map((k) => <td key={k}>{show(row.point[k])}</td>)}
                <td>{row.seed}</td>
                <td className="cw-sweep-status" title={row.error ?? undefined}>{statusText(row)}</td>
                <td>{row.result ? fmtNum(row.result.loss) : '—'}</td>
                <td>{row.result ? fmtNum(row.result.metric) : '—'}</td>
                <td>{row.best !== null ? fmtNum(row.best) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export const SweepDialog = memo(function SweepDialog() {
  const open = useSweep((s) => s.open);
  const form = useSweep((s) => s.form);
  const sweep = useSweep((s) => s.sweep);
  const graph = useDocument((s) => s.graph);
  const dataFile = useTraining((s) => s.data?.name ?? null);
  const ref = useModalDialog(open);
  const keys = useMemo(() => sweepKeys(graph), [graph]);
  const blocked = cannotSweep(graph, dataFile);
  const planned: Planned | null = useMemo(() => (open && form && !blocked ? planSweep(graph, form) : null), [open, form, graph, blocked]);
  const close = () => sweepStore.setState({ open: false });
  const running = sweep?.running ?? false;
  const compare = () => {
    const ids = (sweep?.rows ?? []).map((r) => r.runId).filter((id): id is string => id !== null && runsStore.getState().runs.some((run) => run.id === id));
    sweepStore.setState({ open: false });
    runsStore.setState({ selected: ids, open: true });
  };
  const f = form ?? defaultForm(graph);
  const keyOptions = (current: string) => (keys.includes(current) || current === '' ? keys : [current, ...keys]);
  return (
    <dialog ref={ref} className="cw-dialog cw-sweep-dialog" aria-label="Sweep settings" onClose={close}>
      <div className="cw-dialog-head">
        <h2>Sweep settings</h2>
        <button type="button" className="cw-tb-button" aria-label="Close" onClick={close}>✕</button>
      </div>
      {open ? (
        <div className="cw-sweep-body">
          <p className="cw-sweep-intro">
            Trains <b>{typeof graph.name === 'string' && graph.name ? graph.name : 'this graph'}</b> once per combination of the values below and each seed, from fresh weights, {laneCount()} at a time in background workers. Every run joins the run history.
          </p>
          <div className="cw-sweep-form" role="group" aria-label="What to sweep">
            {[0, 1].map((i) => (
              <div className="cw-sweep-axis" key={i}>
                <div className="cw-field">
                  <label htmlFor={`cw-sweep-key-${i}`}>{i === 0 ? 'Setting' : 'Second setting'}</label>
                  <select id={`cw-sweep-key-${i}`} value={f.keys[i]} disabled={running} onChange={(e) => setForm({ keys: (i === 0 ? [e.target.value, f.keys[1]] : [f.keys[0], e.target.value]) as [string, string] })}>
                    {i === 1 ? <option value="">none</option> : null}
                    {keyOptions(f.keys[i]).map((k) => <option key={k} value={k}>{k}</option>)}
                  </select>
                </div>
                <div className="cw-field">
                  <label htmlFor={`cw-sweep-values-${i}`}>{i === 0 ? 'Values' : 'Its values'}</label>
                  <input id={`cw-sweep-values-${i}`} className="is-mono" value={f.values[i]} disabled={running || f.keys[i] === ''} placeholder={f.keys[i] === '' ? '' : 'e.g. 0.01, 0.003'}
                    onChange={(e) => setForm({ values: (i === 0 ? [e.target.value, f.values[1]] : [f.values[0], e.target.value]) as [string, string] })} />
                </div>
              </div>
            ))}
            <div className="cw-sweep-axis">
              <div className="cw-field">
                <label htmlFor="cw-sweep-seeds">Seeds</label>
                <input id="cw-sweep-seeds" className="is-mono" value={f.seeds} disabled={running} onChange={(e) => setForm({ seeds: e.target.value })} />
              </div>
              <div className="cw-field">
                <label htmlFor="cw-sweep-steps">Steps per run</label>
                <input id="cw-sweep-steps" type="number" min={1} value={f.steps} disabled={running} onChange={(e) => setForm({ steps: e.target.value })} />
              </div>
            </div>
          </div>
          {blocked ? <p className="cw-field-error" role="alert">{blocked}</p> : null}
          {planned && !planned.ok ? <ul className="cw-sweep-problems" role="alert" aria-label="Sweep problems">{planned.problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
          <div className="cw-sweep-actions">
            <span className="cw-sweep-count">{planned?.ok ? `${planned.runs} run${planned.runs === 1 ? '' : 's'}` : ''}</span>
            {running
              ? <button type="button" className="cw-tb-button" onClick={stopSweep}>Stop sweep</button>
              : <button type="button" className="cw-tb-button cw-primary" disabled={!planned?.ok} onClick={() => { if (planned?.ok) void startSweep(planned); }}>Start sweep</button>}
            <button type="button" className="cw-tb-button" disabled={!planned?.ok} title="The SPEC file with this graph inside: cellwright sweep SPEC.json --out DIR gives the same rows" onClick={() => { if (planned?.ok) void exportText(planned.text, `${slug(graph.name)}-sweep.json`, 'application/json', `run it with cellwright sweep ${slug(graph.name)}-sweep.json --out DIR`); }}>Export SPEC…</button>
            <button type="button" className="cw-tb-button" disabled={!sweep || sweep.rows.every((r) => !r.result)} title="results.csv as cellwright sweep writes it" onClick={() => { if (sweep) void exportText(resultsCsv(sweep.rows.map(csvRow), sweep.keys), 'results.csv', 'text/csv', 'one row per run'); }}>Results CSV…</button>
            <button type="button" className="cw-tb-button" disabled={!sweep || sweep.rows.every((r) => r.runId === null)} title="Overlay the sweep's runs' curves in the Runs dialog" onClick={compare}>Compare curves</button>
          </div>
          <Results />
        </div>
      ) : null}
    </dialog>
  );
});
