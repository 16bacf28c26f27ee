/**
 * Loss and metric curves: training loss of every step, validation loss and
 * the task's metric on the fixed validation set, optionally on a log axis.
 */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useUi } from '../store/ui.ts';
import { useWhyEmpty } from './empty.tsx';
import { Pane, toCsv } from './Pane.tsx';
import { axis, chartTheme, decadeSplits, logRange, logTick, UChart } from './UChart.tsx';

/** Beyond this many steps the training curve is thinned (every k-th step): a pane is a few hundred pixels wide. */
const MAX_POINTS = 3000;

function aligned(log: boolean): uPlot.AlignedData {
  const c = telemetryStore.getState().curves;
  const k = Math.max(1, Math.ceil(c.step.length / MAX_POINTS));
  const byStep = new Map<number, number>();
  c.valStep.forEach((s, i) => byStep.set(s, i));
  const xs: number[] = [];
  const loss: Array<number | null> = [];
  const val: Array<number | null> = [];
  const metric: Array<number | null> = [];
  const clean = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v);
  const cleanMetric = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
  let ti = 0;
  const steps = new Set<number>();
  for (let i = 0; i < c.step.length; i += k) steps.add(c.step[i]);
  for (const s of c.valStep) steps.add(s);
  const sorted = [...steps].sort((a, b) => a - b);
  for (const s of sorted) {
    while (ti < c.step.length && c.step[ti] < s) ti++;
    xs.push(s);
    loss.push(ti < c.step.length && c.step[ti] === s ? clean(c.loss[ti]) : null);
    const vi = byStep.get(s);
    val.push(vi === undefined ? null : clean(c.valLoss[vi]));
    metric.push(vi === undefined ? null : cleanMetric(c.valMetric[vi]));
  }
  return [xs, loss, val, metric];
}

/** True when the validation metric is the validation loss itself (an MSE task scored by MSE): one line is enough. */
function metricIsLoss(): boolean {
  const c = telemetryStore.getState().curves;
  if (c.valStep.length === 0) return false;
  return c.valStep.every((_, i) => {
    const l = c.valLoss[i];
    const m = c.valMetric[i];
    return !Number.isFinite(l) || !Number.isFinite(m) || Math.abs(l - m) <= 1e-9 * Math.max(Math.abs(l), 1e-12);
  });
}

export function LossPane() {
  const version = useTelemetry((s) => s.curvesVersion);
  const theme = useUi((s) => s.theme);
  const info = useTraining((s) => s.info);
  const [log, setLog] = useState(true);
  const taskMetric = info?.metricNames[0] ?? null;
  const data = useMemo(() => aligned(log), [version, log]);
  const sameAsLoss = useMemo(() => metricIsLoss(), [version]); // the curves change with `version`
  const metric = sameAsLoss ? null : taskMetric;
  const whyEmpty = useWhyEmpty(<>Press <b>Train</b> to see the loss: every step's training loss, with the validation loss and {metric ?? 'the metric'} every 100 steps.</>);
  const baseline = info?.task?.baseline;
  const options = (size: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...size,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 5 } },
      scales: { x: { time: false }, y: log ? { distr: 3, range: (_u, min, max) => logRange(min, max, min !== null && min > 0 ? min : 0.1, max !== null && max > 0 ? max : 1) } : {}, m: metric === 'accuracy' ? { range: [0, 1] } : {} },
      axes: [
        axis(t, { label: 'training step', size: 30 }),
        axis(t, { label: 'loss', ...(log ? { splits: (u: uPlot, i: number, min: number, max: number) => decadeSplits(u, i, min, max, 6) } : {}), values: (_u, vals) => vals.map(logTick), size: 44 }),
        ...(metric ? [axis(t, { scale: 'm', side: 1, label: metric === 'accuracy' ? 'val. accuracy' : `val. ${metric}`, grid: { show: false }, values: (_u: uPlot, vals: Array<number | null>) => vals.map((v) => (v === null ? '' : metric === 'accuracy' ? `${Math.round(v * 100)}%` : logTick(v))), size: 40 })] : []),
      ],
      series: [
        {},
        { label: 'training loss', stroke: 'rgba(66, 87, 214, 0.55)', width: 1, points: { show: false } },
        { label: 'validation loss', stroke: '#d9480f', width: 2, spanGaps: true, points: { show: true, size: 4 } },
        { label: metric ? `validation ${metric}` : 'metric', stroke: '#2b8a3e', width: 1.5, dash: [5, 3], spanGaps: true, scale: metric ? 'm' : 'y', show: metric !== null, points: { show: true, size: 3 } },
      ],
    };
  };
  const csv = () => {
    const c = telemetryStore.getState().curves;
    if (c.step.length === 0 && c.valStep.length === 0) return null;
    const val = new Map<number, [number, number]>();
    c.valStep.forEach((s, i) => val.set(s, [c.valLoss[i], c.valMetric[i]]));
    const steps = [...new Set([...c.step, ...c.valStep])].sort((a, b) => a - b);
    const train = new Map<number, [number, number]>();
    c.step.forEach((s, i) => train.set(s, [c.loss[i], c.metric[i]]));
    const m = taskMetric ?? 'metric';
    return toCsv(['step', 'train_loss', `train_${m}`, 'val_loss', `val_${m}`], steps.map((s) => [s, train.get(s)?.[0] ?? '', train.get(s)?.[1] ?? '', val.get(s)?.[0] ?? '', val.get(s)?.[1] ?? '']));
  };
  return (
    <Pane
      id="loss"
      title="Loss and metric"
      csv={csv}
      hint={<><span className="cw-key" style={{ ['--c' as string]: 'rgba(66, 87, 214, 0.7)' }}>training</span> <span className="cw-key" style={{ ['--c' as string]: '#d9480f' }}>validation</span>{metric ? <> <span className="cw-key is-dashed" style={{ ['--c' as string]: '#2b8a3e' }}>val. {metric}</span></> : null}{baseline ? <span className="cw-faint"> · baseline {baseline.what} {Number(baseline.value.toPrecision(3))}</span> : null}</>}
      tools={<label className="cw-pane-check"><input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} />log</label>}
    >
      <UChart optionsKey={`${theme}|${log}|${metric}`} options={options} data={data} label="Loss and metric curves" emptyText={whyEmpty} />
    </Pane>
  );
}
