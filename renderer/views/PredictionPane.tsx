/**
 * Prediction against target on the selected validation sequence (the same
 * one the heatmap shows): for a regression loss both curves over t, for a
 * classification loss the probability the model gives and a ✓/✗ per scored
 * step. The comparison itself is the engine's (diagnostics/prediction.ts).
 */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Graph, LossSteps } from '../../engine/format/types.ts';
import { comparePrediction, type PredictionReport } from '../../engine/diagnostics/prediction.ts';
import type { Probe } from '../train/protocol.ts';
import { useDocument } from '../store/document.ts';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useUi } from '../store/ui.ts';
import { useWhyEmpty } from './empty.tsx';
import { nodeName } from './names.ts';
import { Pane, toCsv } from './Pane.tsx';
import { axis, chartTheme, pixelScale, readoutNumber, UChart } from './UChart.tsx';
import { own } from '../../engine/format/dict.ts';

const RIGHT = '#2b8a3e';
const WRONG = '#d3372f';

/** The loss node and what feeds its two ports, read from the graph (works for tasks and data files alike). */
export function lossBinding(graph: Graph): { loss: string; kind: string; steps: LossSteps; prediction: string; target: string | null } | null {
  const loss = graph.nodes.find((n) => n.kind === 'loss');
  if (!loss || loss.kind !== 'loss') return null;
  const into = graph.edges.filter((e) => e.target === loss.id);
  const prediction = into.find((e) => (e.port ?? 'prediction') === 'prediction')?.source;
  if (!prediction) return null;
  const target = into.find((e) => e.port === 'target')?.source ?? null;
  return { loss: loss.id, kind: loss.loss, steps: loss.steps ?? 'all', prediction, target };
}

export function predictionReport(graph: Graph, probe: Probe | null): { report: PredictionReport; prediction: string; target: string | null } | null {
  const b = lossBinding(graph);
  if (!b || !probe) return null;
  const p = own(probe.nodes, b.prediction);
  const y = b.target ? own(probe.nodes, b.target) : undefined;
  if (!p) return null;
  const report = comparePrediction(b.kind as Parameters<typeof comparePrediction>[0], b.steps, p.values, y?.values ?? null, probe.T, p.size, y?.size ?? p.size);
  return { report, prediction: b.prediction, target: b.target };
}

/** ✓/✗ marks along the top of the plot, one per scored step. */
function verdictPlugin(report: () => PredictionReport | null): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const r = report();
        if (!r || r.kind !== 'classification') return;
        const k = pixelScale(u);
        const ctx = u.ctx;
        const { top } = u.bbox;
        ctx.save();
        ctx.font = `700 ${Math.round(11 * k)}px Inter, system-ui, sans-serif`;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        const every = Math.max(1, Math.ceil(r.steps.length / Math.max(1, u.bbox.width / (12 * k))));
        for (const s of r.steps) {
          if (s.correct === null || (s.t - 1) % every !== 0) continue;
          ctx.fillStyle = s.correct ? RIGHT : WRONG;
          ctx.fillText(s.correct ? '✓' : '✗', u.valToPos(s.t, 'x', true), top + 1 * k);
        }
        ctx.restore();
      },
    },
  };
}

export function PredictionPane() {
  const seq = useTelemetry((s) => s.seq);
  const theme = useUi((s) => s.theme);
  const graph = useDocument((s) => s.graph);
  const sample = useTraining((s) => s.sample);
  const result = useMemo(() => predictionReport(graph, telemetryStore.getState().probe), [graph, seq]);
  const report = result?.report ?? null;
  const classification = report?.kind === 'classification';
  const predName = result ? nodeName(graph, result.prediction) : 'prediction';
  const targetName = result?.target ? nodeName(graph, result.target) : 'target';
  const data = useMemo((): uPlot.AlignedData => {
    if (!report || report.kind === 'none') return [[], [], []];
    const xs = report.steps.map((s) => s.t);
    if (report.kind === 'regression') return [xs, report.steps.map((s) => s.prediction[0] ?? null), report.steps.map((s) => s.target[0] ?? null)];
    // Classification: the probability of the target's class, and 1 where the target is that class.
    const prob = report.steps.map((s) => (s.prediction.length === 1 ? s.prediction[0] : s.prediction[s.targetClass?.[0] ?? 0]));
    const target = report.steps.map((s) => (s.prediction.length === 1 ? s.targetClass?.[0] ?? null : 1));
    return [xs, prob, target];
  }, [report]);
  const scored = report?.steps.filter((s) => s.correct !== null) ?? [];
  const right = scored.filter((s) => s.correct).length;
  const whyEmpty = useWhyEmpty(report?.kind === 'none'
    ? <>This loss has no target to compare with (a sum loss).</>
    : <>The prediction on one validation sequence appears here once the graph compiles.</>);

  const options = (size: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...size,
      legend: { show: false },
      cursor: { points: { size: 5 } },
      scales: { x: { time: false }, y: classification ? { range: [-0.05, 1.15] } : {} },
      axes: [
        axis(t, { label: 'time step t', size: 30, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }),
        axis(t, { label: classification ? 'probability' : 'value', values: (_u, vals) => vals.map((v) => readoutNumber(v)), size: 44, space: 16 }),
      ],
      series: [
        {},
        { label: classification ? `P(${targetName} class)` : predName, stroke: '#4257d6', width: 2, points: { show: true, size: 4 } },
        { label: targetName, stroke: '#d9480f', width: 1.5, dash: [4, 3], points: { show: true, size: 4 } },
      ],
      plugins: [verdictPlugin(() => report)],
    };
  };

  const csv = () => {
    if (!report || report.kind === 'none') return null;
    return toCsv(['t', 'prediction', 'target', 'predicted_class', 'target_class', 'correct'], report.steps.map((s) => [
      s.t, s.prediction.join(' '), s.target.join(' '), s.predictedClass?.join(' ') ?? '', s.targetClass?.join(' ') ?? '', s.correct === null ? '' : s.correct ? 1 : 0,
    ]));
  };

  return (
    <Pane
      id="prediction"
      title="Prediction vs target"
      csv={csv}
      hint={<>
        <span className="cw-key" style={{ ['--c' as string]: '#4257d6' }}>{classification ? `P(${targetName} class)` : predName}</span>
        <span className="cw-key is-dashed" style={{ ['--c' as string]: '#d9480f' }}>{targetName}</span>
        {' '}Validation sequence {sample}.{' '}
        {classification && scored.length > 0 ? <b className="cw-verdict" aria-label="Steps right">{right} of {scored.length} scored step{scored.length === 1 ? '' : 's'} right</b> : null}
        {report?.kind === 'regression' && report.mse !== null ? <b className="cw-verdict" aria-label="Mean squared error">MSE {readoutNumber(report.mse)}</b> : null}
      </>}
    >
      <UChart optionsKey={`${theme}|${classification}|${predName}|${targetName}`} options={options} data={data} label="Prediction and target over time" emptyText={whyEmpty} />
    </Pane>
  );
}
