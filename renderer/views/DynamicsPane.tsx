/**
 * Dynamics: the cell as an iterated map h_t = f(h_{t−1}, x_t) (reference
 * text §4). Left: spectral radius of each square recurrent weight and of the
 * step Jacobian ∂h_t/∂h_{t−1} over training (1 is the edge between shrinking
 * and growing). Right: their eigenvalues against the unit circle — or, for a
 * one-unit cell, the return map h_{t−1} → h_t with the cobweb of the actual
 * trajectory and the fixed points marked sink or source.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import type { Diagnostics, FixedPointDiag } from '../../engine/diagnostics/index.ts';
import type { Probe } from '../train/protocol.ts';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { useDocument } from '../store/document.ts';
import { useUi } from '../store/ui.ts';
import { edgeName, nodeName } from './names.ts';
import { SERIES } from './colormap.ts';
import { Pane, toCsv } from './Pane.tsx';
import { axis, chartTheme, UChart } from './UChart.tsx';
import { FixedPointsMap } from './FixedPointsMap.tsx';
import { useResizeTick } from './useResizeTick.ts';
import { own } from '../../engine/format/dict.ts';

interface Ink { text: string; muted: string; rule: string }

function setup(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } | null {
  // A 2× backing store at least: PNG exports copy it as is.
  const dpr = Math.max(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || w < 40 || h < 40) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

function drawEigen(canvas: HTMLCanvasElement, d: Diagnostics, ink: Ink): void {
  const s = setup(canvas);
  if (!s) return;
  const { ctx, w, h } = s;
  const all: Array<{ re: number[]; im: number[]; color: string; cross: boolean }> = d.weights.map((wt, i) => ({ ...wt.eigenvalues, color: SERIES[i % SERIES.length], cross: false }));
  if (d.jacobian) all.push({ ...d.jacobian.eigenvalues, color: ink.text, cross: true });
  let r = 1.25;
  for (const e of all) for (let i = 0; i < e.re.length; i++) r = Math.max(r, Math.hypot(e.re[i], e.im[i]) * 1.08);
  const size = Math.min(w, h - 14);
  const cx = w / 2;
  const cy = (h - 14) / 2 + 2;
  const k = size / 2 / r;
  ctx.strokeStyle = ink.rule;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(cx - size / 2, cy);
  ctx.lineTo(cx + size / 2, cy);
  ctx.moveTo(cx, cy - size / 2);
  ctx.lineTo(cx, cy + size / 2);
  ctx.stroke();
  ctx.strokeStyle = ink.muted;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.arc(cx, cy, k, 0, Math.PI * 2);
  ctx.stroke();
  ctx.setLineDash([]);
  for (const e of all) {
    ctx.fillStyle = e.color;
    ctx.strokeStyle = e.color;
    for (let i = 0; i < e.re.length; i++) {
      const x = cx + e.re[i] * k;
      const y = cy - e.im[i] * k;
      if (e.cross) {
        ctx.beginPath();
        ctx.moveTo(x - 3, y - 3);
        ctx.lineTo(x + 3, y + 3);
        ctx.moveTo(x + 3, y - 3);
        ctx.lineTo(x - 3, y + 3);
        ctx.stroke();
      } else {
        ctx.beginPath();
        ctx.arc(x, y, 2.6, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }
  ctx.fillStyle = ink.muted;
  ctx.font = '10px Inter, system-ui, sans-serif';
  ctx.fillText('|λ| = 1', cx + k * 0.72 + 2, cy - k * 0.72 - 2);
  ctx.fillText(d.jacobian ? 'eigenvalues: ● weights  × step Jacobian' : 'eigenvalues of the recurrent weights', 4, h - 2);
}

function drawReturnMap(canvas: HTMLCanvasElement, fp: FixedPointDiag, cellName: string, probe: Probe | null, ink: Ink): void {
  const s = setup(canvas);
  if (!s) return;
  const { ctx, w, h } = s;
  const traj: number[] = [];
  const p = probe?.nodes[fp.cell];
  if (probe && p && p.size === 1) {
    traj.push(own(probe.initial, fp.cell)?.[0] ?? 0);
    for (let t = 0; t < probe.T; t++) traj.push(p.values[t]);
  }
  const finite = traj.filter(Number.isFinite);
  let lo = Math.min(...finite, ...fp.points.map((q) => q.h));
  let hi = Math.max(...finite, ...fp.points.map((q) => q.h));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = fp.range;
  const pad = Math.max(0.1, (hi - lo) * 0.15);
  lo = Math.max(fp.range[0], lo - pad);
  hi = Math.min(fp.range[1], hi + pad);
  if (hi <= lo) [lo, hi] = fp.range;
  const left = 30;
  const bottom = h - 26;
  const side = Math.min(w - left - 8, bottom - 6);
  const X = (v: number) => left + ((v - lo) / (hi - lo)) * side;
  const Y = (v: number) => bottom - ((v - lo) / (hi - lo)) * side;
  ctx.save();
  ctx.strokeStyle = ink.rule;
  ctx.strokeRect(left, bottom - side, side, side);
  ctx.beginPath();
  ctx.rect(left, bottom - side, side, side);
  ctx.clip();
  // Diagonal h_t = h_{t−1}: where it meets the curve are the fixed points.
  ctx.strokeStyle = ink.muted;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(X(lo), Y(lo));
  ctx.lineTo(X(hi), Y(hi));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = SERIES[0];
  ctx.lineWidth = 2;
  ctx.beginPath();
  fp.curve.h.forEach((v, i) => (i === 0 ? ctx.moveTo(X(v), Y(fp.curve.f[i])) : ctx.lineTo(X(v), Y(fp.curve.f[i]))));
  ctx.stroke();
  // Cobweb: up to the map, across to the diagonal, step after step.
  if (traj.length > 1) {
    ctx.strokeStyle = SERIES[1];
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    ctx.moveTo(X(traj[0]), Y(traj[0]));
    for (let t = 1; t < traj.length; t++) {
      if (!Number.isFinite(traj[t])) break;
      ctx.lineTo(X(traj[t - 1]), Y(traj[t]));
      ctx.lineTo(X(traj[t]), Y(traj[t]));
    }
    ctx.stroke();
    ctx.fillStyle = SERIES[1];
    ctx.beginPath();
    ctx.arc(X(traj[0]), Y(traj[0]), 3, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
  ctx.font = '600 10.5px Inter, system-ui, sans-serif';
  for (const q of fp.points) {
    const x = X(q.h);
    const y = Y(q.h);
    if (x < left - 1 || x > left + side + 1) continue;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 5, 0, Math.PI * 2);
    if (q.kind === 'sink') {
      ctx.fillStyle = '#2b8a3e';
      ctx.fill();
    } else {
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.strokeStyle = q.kind === 'source' ? '#d9480f' : ink.muted;
      ctx.stroke();
    }
    ctx.fillStyle = q.kind === 'sink' ? '#2b8a3e' : q.kind === 'source' ? '#d9480f' : ink.muted;
    const text = `${q.kind} ${Number(q.h.toPrecision(4))}`;
    const tw = ctx.measureText(text).width;
    ctx.fillText(text, Math.min(x + 8, left + side - tw - 2), y + (q.kind === 'sink' ? -8 : 14));
  }
  ctx.fillStyle = ink.muted;
  ctx.font = '10px Inter, system-ui, sans-serif';
  ctx.fillText(String(Number(lo.toPrecision(2))), left - 2, bottom + 11);
  ctx.fillText(String(Number(hi.toPrecision(2))), left + side - 14, bottom + 11);
  ctx.fillText(`${cellName} at t−1 →`, left + side / 2 - 30, bottom + 11);
  ctx.save();
  ctx.translate(10, bottom - side / 2 + 16);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${cellName} at t`, 0, 0);
  ctx.restore();
  ctx.fillText('● sink  ○ source  — cobweb of h₀, h₁, …', left, h - 2);
}

function historyData(): { data: uPlot.AlignedData; names: string[] } {
  const d = telemetryStore.getState().dynamics;
  const names = Object.keys(d.weights);
  return { data: [d.step, ...names.map((n) => d.weights[n].map((v) => (Number.isFinite(v) ? v : null))), d.jacobian.map((v) => (Number.isFinite(v) ? v : null))] as uPlot.AlignedData, names };
}

export function DynamicsPane() {
  const version = useTelemetry((s) => s.dynamicsVersion);
  const seq = useTelemetry((s) => s.seq);
  const theme = useUi((s) => s.theme);
  const graph = useDocument((s) => s.graph);
  const canvas = useRef<HTMLCanvasElement>(null);
  const size = useResizeTick(canvas);
  const history = useMemo(() => historyData(), [version]);
  const diagnostics = useTelemetry((s) => s.diagnostics);
  const fixed = diagnostics?.fixedPoints[0] ?? null;
  const [mode, setMode] = useState<'eigen' | 'fixed'>('eigen');
  const showFixed = !fixed && mode === 'fixed';

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const ink = { text: css.getPropertyValue('--cw-text').trim(), muted: css.getPropertyValue('--cw-muted').trim(), rule: css.getPropertyValue('--cw-border-strong').trim() };
    if (!diagnostics) {
      setup(el);
      return;
    }
    if (fixed) drawReturnMap(el, fixed, nodeName(graph, fixed.cell), telemetryStore.getState().probe, ink);
    else drawEigen(el, diagnostics, ink);
  }, [diagnostics, fixed, seq, theme, size, graph]);

  const options = (sz: { width: number; height: number }): uPlot.Options => {
    const t = chartTheme();
    return {
      ...sz,
      legend: { show: false },
      cursor: { points: { size: 4 } },
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1.3, (max ?? 1) * 1.05)] } },
      axes: [axis(t, { label: 'training step', size: 28 }), axis(t, { label: 'spectral radius', size: 36 })],
      series: [{}, ...history.names.map((n, i) => ({ label: edgeName(graph, n), stroke: SERIES[i % SERIES.length], width: 1.5, points: { show: history.data[0].length < 3 } })), { label: 'step Jacobian', stroke: t.text, width: 2, dash: [5, 3], points: { show: history.data[0].length < 3 } }],
      plugins: [{
        hooks: {
          drawClear: (u: uPlot) => {
            const y = u.valToPos(1, 'y', true);
            const c = u.ctx;
            c.save();
            c.strokeStyle = 'rgba(214, 60, 40, 0.6)';
            c.setLineDash([2, 3]);
            c.beginPath();
            c.moveTo(u.bbox.left, y);
            c.lineTo(u.bbox.left + u.bbox.width, y);
            c.stroke();
            c.restore();
          },
        },
      }],
    };
  };
  const csv = () => {
    const d = telemetryStore.getState().dynamics;
    const diag = telemetryStore.getState().diagnostics;
    if (d.step.length === 0 && !diag) return null;
    const names = Object.keys(d.weights);
    const rows: Array<Array<number | string>> = d.step.map((s, i) => ['radius', s, ...names.map((n) => d.weights[n][i] ?? ''), d.jacobian[i] ?? '']);
    for (const fp of diag?.fixedPoints ?? []) {
      for (const q of fp.points) rows.push([`fixedPoint:${q.kind}`, fp.cell, q.h, q.slope]);
      fp.curve.h.forEach((h, i) => rows.push(['returnMap', fp.cell, h, fp.curve.f[i]]));
    }
    for (const w of diag?.weights ?? []) w.eigenvalues.re.forEach((re, i) => rows.push(['eigenvalue', w.edge, re, w.eigenvalues.im[i]]));
    diag?.jacobian?.eigenvalues.re.forEach((re, i) => rows.push(['eigenvalue', 'stepJacobian', re, diag.jacobian!.eigenvalues.im[i]]));
    return toCsv(['what', 'step_or_id', ...names, 'stepJacobian'], rows);
  };
  return (
    <Pane
      id="dynamics"
      title="Dynamics"
      csv={csv}
      tools={fixed ? undefined : (
        <label className="cw-pane-check" title="Eigenvalues of the weights and the step Jacobian, or the fixed points of the state map">
          <select aria-label="Dynamics view" value={mode} onChange={(e) => setMode(e.target.value as 'eigen' | 'fixed')}>
            <option value="eigen">eigenvalues</option>
            <option value="fixed">fixed points</option>
          </select>
        </label>
      )}
      hint={fixed
        ? <>One unit iterates h<sub>t</sub> = f(h<sub>t−1</sub>): where the curve crosses the diagonal is a fixed point, a <b>sink</b> if |f′| &lt; 1 (nearby states converge, the gradient vanishes), a <b>source</b> if |f′| &gt; 1 (they run away).</>
        : <>{history.names.map((n, i) => <span key={n} className="cw-key" style={{ ['--c' as string]: SERIES[i % SERIES.length] }} title={`edge ${n}`}>{edgeName(graph, n)}</span>)}<span className="cw-key is-dashed" style={{ ['--c' as string]: 'var(--cw-text)' }}>step Jacobian</span> Radius above 1 stretches the gradient each step back, below 1 squashes it.</>}
    >
      <div className={`cw-split ${fixed ? 'is-map' : ''}`}>
        <div className="cw-split-left"><UChart optionsKey={`${theme}|${history.names.map((n) => edgeName(graph, n)).join(',')}`} options={options} data={history.data} label="Spectral radius over training" /></div>
        <div className="cw-split-right">{showFixed ? <FixedPointsMap /> : null}<canvas style={showFixed ? { display: 'none' } : undefined} ref={canvas} className="cw-dyn-canvas" role="img" aria-label={fixed ? `Return map of ${fixed.cell} with fixed points` : 'Eigenvalues against the unit circle'} data-fixed-points={fixed ? fixed.points.map((q) => `${q.kind}:${q.h.toFixed(4)}`).join(' ') : undefined} /></div>
      </div>
      {!diagnostics ? <div className="cw-pane-empty"><span>Spectral radii and eigenvalues appear once the graph compiles.</span></div> : null}
    </Pane>
  );
}
