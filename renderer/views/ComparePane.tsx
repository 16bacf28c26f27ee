/**
 * Compare runs: their curves overlaid (one line per run), the gradient flow
 * through time of each run's last snapshot side by side, and a table of final
 * metrics and settings with the settings that differ highlighted.
 */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { differingSettings, settingKeys, type RunRecord } from '../../engine/experiments/compare.ts';
import { useUi } from '../store/ui.ts';
import { gradFlowPath, gradFlowRange, joinCurves, RUN_COLORS, SERIES_LABEL, type CompareSeries } from '../runs/view.ts';
import { axis, chartTheme, decadeSplits, logRange, logTick, tick, UChart } from './UChart.tsx';

const color = (i: number): string => RUN_COLORS[i % RUN_COLORS.length];

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function CompareChart({ runs }: { runs: RunRecord[] }) {
  const theme = useUi((s) => s.theme);
  const [which, setWhich] = useState<CompareSeries>('loss');
  const metricNames = [...new Set(runs.map((r) => r.metricName).filter((m): m is string => m !== null))];
  const log = which !== 'valMetric';
  const data = useMemo(() => joinCurves(runs, which, log) as uPlot.AlignedData, [runs, which, log]);
  const key = `${theme}|${which}|${runs.map((r) => r.id).join(',')}`;
  const yLabel = which === 'valMetric' ? `val. ${metricNames.join(' / ') || 'metric'}` : SERIES_LABEL[which];
  const options = (size: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...size,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 5 } },
      scales: { x: { time: false }, y: log ? { distr: 3, range: (_u, min, max) => logRange(min, max, min !== null && min > 0 ? min : 0.1, max !== null && max > 0 ? max : 1) } : {} },
      axes: [
        axis(t, { label: 'training step', size: 30 }),
        axis(t, { label: yLabel, ...(log ? { splits: (u: uPlot, i: number, min: number, max: number) => decadeSplits(u, i, min, max, 6), values: (_u: uPlot, vals: number[]) => vals.map(logTick) } : { values: (_u: uPlot, vals: number[]) => vals.map(tick) }), size: 48 }),
      ],
      series: [{}, ...runs.map((run, i) => ({ label: run.name, stroke: color(i), width: which === 'loss' ? 1.25 : 2, spanGaps: true, points: { show: which !== 'loss', size: 4 } }))],
    };
  };
  return (
    <section className="cw-compare-block" aria-label="Curves">
      <div className="cw-compare-head">
        <h3>Curves</h3>
        <div className="cw-segmented" role="radiogroup" aria-label="Which curve">
          {(['loss', 'valLoss', 'valMetric'] as const).map((w) => (
            <label key={w} className={which === w ? 'is-on' : ''}><input type="radio" name="cw-compare-series" checked={which === w} onChange={() => setWhich(w)} />{w === 'valMetric' && metricNames.length === 1 ? `val. ${metricNames[0]}` : SERIES_LABEL[w]}</label>
          ))}
        </div>
      </div>
      <ul className="cw-compare-legend" aria-label="Compared runs" data-series={runs.length}>
        {runs.map((run, i) => <li key={run.id} data-run-id={run.id}><span className="cw-compare-swatch" style={{ background: color(i) }} />{run.name}</li>)}
      </ul>
      {/* How many points each run's line has (tests and screen readers read it; the canvas says nothing). */}
      <div className="cw-compare-chart" data-points={data.slice(1).map((ys) => (ys as Array<number | null>).filter((v) => v !== null).length).join(',')}>
        <UChart optionsKey={key} options={options} data={data} label="Compared runs' curves" emptyText="These runs have no points of this curve yet." />
      </div>
    </section>
  );
}

function GradientFlow({ runs }: { runs: RunRecord[] }) {
  const [lo, hi] = gradFlowRange(runs);
  const w = 220;
  const h = 64;
  return (
    <section className="cw-compare-block" aria-label="Gradient flow">
      <div className="cw-compare-head"><h3>Gradient flow through time</h3><span className="cw-faint">‖dL/dh_t‖ of the last batch, t = 1 … T, log scale 1e{lo} … 1e{hi}</span></div>
      <div className="cw-compare-flows">
        {runs.map((run, i) => {
          const cells = Object.entries(run.gradFlow);
          return (
            <figure key={run.id} className="cw-compare-flow">
              <svg width={w} height={h} viewBox={`-2 -2 ${w + 4} ${h + 4}`} role="img" aria-label={`${run.name}: gradient norm through time`}>
                <rect x={0} y={0} width={w} height={h} className="cw-compare-flow-box" />
                {cells.map(([cell, values], k) => <path key={cell} d={gradFlowPath(values, w, h, lo, hi)} fill="none" stroke={color(i)} strokeWidth={1.5} strokeDasharray={k === 0 ? undefined : '4 2'} />)}
              </svg>
              <figcaption><span className="cw-compare-swatch" style={{ background: color(i) }} />{run.name}{cells.length === 0 ? <span className="cw-faint"> · no gradient snapshot</span> : cells.length > 1 ? <span className="cw-faint"> · {cells.map(([c]) => c).join(', ')}</span> : null}</figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}

function SettingsTable({ runs }: { runs: RunRecord[] }) {
  const keys = settingKeys(runs);
  const differ = new Set(differingSettings(runs));
  const [all, setAll] = useState(false);
  const shown = all ? keys : keys.filter((k) => differ.has(k));
  const metric = runs.find((r) => r.metricName)?.metricName ?? 'metric';
  const cell = (v: unknown): string => (v === undefined ? '—' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v));
  return (
    <section className="cw-compare-block" aria-label="Final metrics and settings">
      <div className="cw-compare-head">
        <h3>Final metrics and settings</h3>
        <label className="cw-pane-check"><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />all settings</label>
      </div>
      <div className="cw-compare-table-wrap">
        <table className="cw-compare-table" aria-label="Runs compared">
          <thead><tr><th scope="col">run</th>{runs.map((run, i) => <th key={run.id} scope="col"><span className="cw-compare-swatch" style={{ background: color(i) }} />{run.name}</th>)}</tr></thead>
          <tbody>
            <tr><th scope="row">steps</th>{runs.map((r) => <td key={r.id}>{r.steps} · {r.status === 'done' ? 'finished' : r.status}</td>)}</tr>
            <tr><th scope="row">final training loss</th>{runs.map((r) => <td key={r.id}>{fmt(r.final.loss)}</td>)}</tr>
            <tr><th scope="row">final validation loss</th>{runs.map((r) => <td key={r.id}>{fmt(r.final.valLoss)}</td>)}</tr>
            <tr><th scope="row">final val. {metric}</th>{runs.map((r) => <td key={r.id}>{fmt(r.final.metric)}</td>)}</tr>
            {shown.map((k) => (
              <tr key={k} className={differ.has(k) ? 'is-different' : undefined} data-differs={differ.has(k) ? 'true' : undefined}>
                <th scope="row">{k}{differ.has(k) ? <span className="cw-visually-hidden"> (differs)</span> : null}</th>
                {runs.map((r) => <td key={r.id}>{cell(r.settings[k])}</td>)}
              </tr>
            ))}
            {shown.length === 0 ? <tr><td colSpan={runs.length + 1} className="cw-faint">Every setting is the same in these runs (seed included): tick “all settings” to see them.</td></tr> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ComparePane({ runs }: { runs: RunRecord[] }) {
  if (runs.length === 0) return <div className="cw-compare-empty cw-faint">Tick two or more runs to compare them.</div>;
  return (
    <div className="cw-compare">
      <CompareChart runs={runs} />
      <GradientFlow runs={runs} />
      <SettingsTable runs={runs} />
    </div>
  );
}
