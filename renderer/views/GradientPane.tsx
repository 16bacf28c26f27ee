/**
 * Gradient flow through time: for each cell ‖dL/dh_t‖ against t, relative
 * to the last step, on a log axis, with the exploding and vanishing zones as
 * bands and w^(T−t) for w = 0.9 and 1.1 as guides (reference text §4); below
 * it, the per-step growth factor over training.
 */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useDocument } from '../store/document.ts';
import { useUi } from '../store/ui.ts';
import type { FlowCell } from './gradient-flow.ts';
import { flowCell, flowModel, selectionOf } from './gradient-flow.ts';
import { explainGradientAt } from './ExplainDialog.tsx';
import { SERIES } from './colormap.ts';
import { useWhyEmpty } from './empty.tsx';
import { Pane, toCsv } from './Pane.tsx';
import { axis, chartTheme, decadeSplits, logRange, logTick, pixelScale, tick, UChart } from './UChart.tsx';
import { own } from '../../engine/format/dict.ts';
import type { Graph } from '../../engine/format/types.ts';

const VANISH_FILL = 'rgba(72, 128, 196, 0.13)';
const EXPLODE_FILL = 'rgba(214, 60, 40, 0.12)';

/** Draws the zones: y above `hi` (exploding) and below `lo` (vanishing), with their names. */
function bandsPlugin(lo: () => number, hi: () => number): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const ctx = u.ctx;
        const { left, top, width, height } = u.bbox;
        const yLo = u.valToPos(lo(), 'y', true);
        const yHi = u.valToPos(hi(), 'y', true);
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        ctx.fillStyle = VANISH_FILL;
        if (yLo < top + height) ctx.fillRect(left, Math.max(top, yLo), width, top + height - Math.max(top, yLo));
        ctx.fillStyle = EXPLODE_FILL;
        if (yHi > top) ctx.fillRect(left, top, width, Math.min(top + height, yHi) - top);
        const dpr = pixelScale(u);
        ctx.font = `600 ${10 * dpr}px Inter, system-ui, sans-serif`;
        // Named in the plot's right corners: the w^(T−t) guides are named at the left, where they enter, and every
        // curve ends at 1 on the right (normalized to the last step), between the bands, so the corners stay clear.
        ctx.textAlign = 'right';
        ctx.textBaseline = 'alphabetic';
        ctx.fillStyle = 'rgba(40, 90, 160, 0.85)';
        if (yLo < top + height - 12 * dpr) ctx.fillText('vanishing', left + width - 4 * dpr, top + height - 4 * dpr);
        ctx.fillStyle = 'rgba(180, 40, 30, 0.85)';
        if (yHi > top + 12 * dpr) ctx.fillText('exploding', left + width - 4 * dpr, top + 11 * dpr);
        ctx.restore();
      },
    },
  };
}

/** The reference curves w^(T−t): drawn dashed, named where they enter the plot (at t = 1). */
const GUIDES = [
  { w: 0.9, label: '0.9^(T−t)', color: 'rgba(72, 128, 196, 0.95)' },
  { w: 1.1, label: '1.1^(T−t)', color: 'rgba(214, 60, 40, 0.9)' },
];

function guideLabels(first: number): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        const k = pixelScale(u);
        const { left, top, height } = u.bbox;
        ctx.save();
        ctx.font = `600 ${Math.round(10 * k)}px Inter, system-ui, sans-serif`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        GUIDES.forEach((g, j) => {
          const y0 = u.data[first + j]?.[0];
          if (typeof y0 !== 'number') return;
          const y = Math.max(top + 6 * k, Math.min(top + height - 6 * k, u.valToPos(y0, 'y', true) + (g.w < 1 ? 7 : -7) * k));
          ctx.fillStyle = g.color;
          ctx.fillText(g.label, left + 4 * k, y);
        });
        ctx.restore();
      },
    },
  };
}

/** A click on the flow chart explains the gradient of the nearest cell's curve at that step (views/GradientExplain.tsx); a nested cell selects its node in the layer. */
function explainOnClick(cells: readonly FlowCell[]): uPlot.Plugin {
  return {
    hooks: {
      ready: (u: uPlot) => {
        u.over.style.cursor = 'pointer';
        u.over.addEventListener('click', () => {
          const idx = u.cursor.idx;
          if (idx === null || idx === undefined || cells.length === 0) return;
          const top = u.cursor.top ?? 0;
          let best = -1;
          let bestD = Infinity;
          cells.forEach((_, i) => {
            const v = u.data[i + 1]?.[idx];
            if (typeof v !== 'number') return;
            const d = Math.abs(u.valToPos(v, 'y') - top);
            if (d < bestD) { bestD = d; best = i; }
          });
          if (best >= 0) explainGradientAt(cells[best].id, idx, selectionOf(cells[best]));
        });
      },
    },
  };
}

function flowData(graph: Graph): { data: uPlot.AlignedData; cells: FlowCell[] } {
  const { cells, curves, T } = flowModel(graph, telemetryStore.getState().gradNorms);
  const xs = Array.from({ length: T }, (_, i) => i + 1);
  const guide = (w: number) => xs.map((t) => Math.pow(w, T - t));
  return { data: [xs, ...curves, ...GUIDES.map((g) => guide(g.w))] as uPlot.AlignedData, cells };
}

function growthData(): { data: uPlot.AlignedData; cells: string[] } {
  const g = telemetryStore.getState().growth;
  const cells = Object.keys(g.perStep);
  return { data: [g.step, ...cells.map((c) => g.perStep[c].map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1e6, Math.max(1e-6, v)) : null)))] as uPlot.AlignedData, cells };
}

export function GradientPane() {
  const seq = useTelemetry((s) => s.seq);
  const growthVersion = useTelemetry((s) => s.growthVersion);
  const theme = useUi((s) => s.theme);
  const graph = useDocument((s) => s.graph);
  const name = (id: string) => flowCell(graph, id).label;
  const info = useTraining((s) => s.info);
  const th = info?.flagThresholds ?? { exploding: 100, vanishing: 0.01 };
  const T = info?.T ?? 0;
  const flow = useMemo(() => flowData(graph), [seq, graph]);
  const growth = useMemo(() => growthData(), [growthVersion]);
  const perStepLo = T > 1 ? Math.pow(th.vanishing, 1 / (T - 1)) : th.vanishing;
  const perStepHi = T > 1 ? Math.pow(th.exploding, 1 / (T - 1)) : th.exploding;

  const flowOptions = (size: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...size,
      legend: { show: false },
      cursor: { points: { size: 5 } },
      scales: { x: { time: false }, y: { distr: 3, range: (_u, min, max) => logRange(min, max, th.vanishing / 10, th.exploding * 10) } },
      axes: [axis(t, { label: 'time step t', size: 30, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }), axis(t, { label: '‖dL/dh_t‖ ÷ last', splits: (u, i, min, max) => decadeSplits(u, i, min, max, 5), filter: (_u, splits) => splits, values: (_u, vals) => vals.map(logTick), size: 44, space: 12 })],
      series: [
        {},
        ...flow.cells.map((c, i) => ({ label: c.label, stroke: SERIES[i % SERIES.length], width: 2, points: { show: false } })),
        ...GUIDES.map((g) => ({ label: g.label, stroke: g.color, width: 1, dash: [3, 3], points: { show: false } })),
      ],
      plugins: [bandsPlugin(() => th.vanishing, () => th.exploding), guideLabels(flow.cells.length + 1), explainOnClick(flow.cells)],
    };
  };
  const growthOptions = (size: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...size,
      legend: { show: false },
      cursor: { points: { size: 4 } },
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.max(0, Math.min(min !== null && min > 0 ? min : 1, perStepLo) - 0.03), Math.min(1e6, Math.max(max !== null && max > 0 ? max : 1, perStepHi) + 0.03)] } },
      axes: [axis(t, { label: 'training step', size: 28 }), axis(t, { label: '× / step', values: (_u, vals) => vals.map(tick), size: 44, space: 14 })],
      series: [{}, ...growth.cells.map((c, i) => ({ label: name(c), stroke: SERIES[i % SERIES.length], width: 1.5, points: { show: false } }))],
      plugins: [bandsPlugin(() => perStepLo, () => perStepHi)],
    };
  };
  const csv = () => {
    const norms = telemetryStore.getState().gradNorms;
    const cells = Object.keys(norms);
    if (cells.length === 0) return null;
    const T0 = norms[cells[0]].length;
    const g = telemetryStore.getState().growth;
    const rows: Array<Array<number | string>> = [];
    for (let t = 0; t < T0; t++) rows.push(['gradNorm', t + 1, ...cells.map((c) => norms[c][t])]);
    g.step.forEach((s, i) => rows.push(['perStepGrowth', s, ...cells.map((c) => own(g.perStep, c)?.[i] ?? '')]));
    return toCsv(['series', 't_or_step', ...cells], rows);
  };
  const reversed = flow.cells.filter((c) => c.reverse);
  const noCell = info !== null && info.cells.length === 0;
  const whyEmpty = useWhyEmpty(noCell
    ? <>No cell in this graph: the gradient through time flows back through a cell (memory) node. Add one from Blocks.</>
    : <>Press <b>Step</b> or <b>Train</b>: ‖dL/dh<sub>t</sub>‖ of each cell appears here, from the last step back to the first.</>);
  return (
    <Pane
      id="gradient"
      title="Gradient flow through time"
      csv={csv}
      hint={<>{flow.cells.map((c, i) => <span key={c.id} className="cw-key" style={{ ['--c' as string]: SERIES[i % SERIES.length] }} data-cell={c.id}>{c.label}</span>)} {reversed.length > 0 ? <span className="cw-flow-reverse" data-reverse={reversed.map((c) => c.id).join(' ')}>{reversed.map((c) => c.label).join(', ')} {reversed.length === 1 ? 'reads' : 'read'} time backwards (t = T → 1): {reversed.length === 1 ? 'its' : 'their'} gradient flows from t = 1 towards t = T, shown relative to t = 1. </span> : null}How much of the loss's gradient reaches step t, relative to the last step. Below the blue band early steps learn nothing (w<sup>T−t</sup> with |w| &lt; 1); above the red one updates blow up. Click a point to trace its gradient back.</>}
    >
      <div className="cw-stack">
        <div className="cw-stack-main"><UChart optionsKey={`${theme}|${flow.cells.map((c) => c.label).join(',')}|${th.vanishing}|${th.exploding}`} options={flowOptions} data={flow.data} label="Gradient norm against time step, per cell" emptyText={whyEmpty} /></div>
        <div className="cw-stack-sub"><UChart optionsKey={`${theme}|${growth.cells.map(name).join(',')}|${T}`} options={growthOptions} data={growth.data} label="Growth factor per step over training" /></div>
      </div>
    </Pane>
  );
}
