/**
 * Connectivity through time: a t × s heatmap of M[t][s] = ‖∂ OUT_t / ∂ IN_s‖
 * for one OUT node and one IN (input or cell) node, on the probe's sequence
 * at the current parameters, on a log colour scale. Computed by the engine
 * in the training worker (engine/diagnostics/connectivity.ts); a request the
 * engine finds too large comes back with its message, shown as is.
 */
import { useEffect, useRef, useState } from 'react';
import { requestConnectivity } from '../train/client.ts';
import { useDocument } from '../store/document.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useUi } from '../store/ui.ts';
import { heatCss, heatInto } from './colormap.ts';
import { connectivityStore, diagonalDecay, diagonalMean, inCandidates, logRange, logScaled, nearestIn, useConnectivity } from './connectivity.ts';
import { Pane, toCsv } from './Pane.tsx';
import { nodeName } from './names.ts';
import { useResizeTick } from './useResizeTick.ts';

const LEFT = 40;
const BOTTOM = 26;
const TOP = 6;
const RIGHT = 54;

interface Result {
  out: string;
  in: string;
  step: number;
  matrix: number[][] | null;
  reason: string | null;
}

interface Geometry {
  x0: number;
  y0: number;
  size: number;
  T: number;
}

function draw(canvas: HTMLCanvasElement, m: number[][], range: [number, number] | null, theme: { text: string; muted: string }): Geometry | null {
  const dpr = Math.max(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  const T = m.length;
  if (!ctx || T === 0) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const size = Math.max(10, Math.min(w - LEFT - RIGHT, h - TOP - BOTTOM));
  const x0 = LEFT;
  const y0 = TOP;
  const img = ctx.createImageData(T, T);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < T; s++) {
      const o = (t * T + s) * 4;
      if (s > t) {
        // The future does not reach the past: left blank.
        img.data[o + 3] = 0;
        continue;
      }
      heatInto(img.data, o, logScaled(m[t][s], range));
    }
  }
  const off = document.createElement('canvas');
  off.width = T;
  off.height = T;
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, x0, y0, size, size);
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 - 0.5, y0 - 0.5, size + 1, size + 1);
  // Axes: s (the IN step) across, t (the OUT step) down.
  ctx.fillStyle = theme.muted;
  ctx.font = '10px Inter, system-ui, sans-serif';
  const cell = size / T;
  const every = Math.max(1, Math.ceil(T / Math.max(1, Math.floor(size / 28))));
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (let s = 1; s <= T; s += s === 1 ? Math.max(1, every - 1) : every) ctx.fillText(String(s), x0 + (s - 0.5) * cell, y0 + size + 2);
  ctx.fillText('s (IN step) →', x0 + size / 2, y0 + size + 13);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let t = 1; t <= T; t += t === 1 ? Math.max(1, every - 1) : every) ctx.fillText(String(t), x0 - 4, y0 + (t - 0.5) * cell);
  ctx.save();
  ctx.translate(10, y0 + size / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('t (OUT step) →', 0, 0);
  ctx.restore();
  // Colour key: log10 of M.
  if (range) {
    const kx = x0 + size + 10;
    const kh = size;
    for (let i = 0; i < kh; i++) {
      ctx.fillStyle = heatCss(1 - i / kh);
      ctx.fillRect(kx, y0 + i, 8, 1);
    }
    ctx.fillStyle = theme.text;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`1e${range[1].toFixed(1)}`, kx + 10, y0);
    ctx.textBaseline = 'bottom';
    ctx.fillText(`1e${range[0].toFixed(1)}`, kx + 10, y0 + kh);
  }
  return { x0, y0, size, T };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (v === 0 ? '0' : v.toExponential(3)) : String(v);
}

export function ConnectivityPane() {
  const graph = useDocument((s) => s.graph);
  const theme = useUi((s) => s.theme);
  const out = useConnectivity((s) => s.out);
  const input = useConnectivity((s) => s.in);
  const seq = useTelemetry((s) => s.seq);
  const step = useTraining((s) => s.step);
  const sample = useTraining((s) => s.sample);
  const canvas = useRef<HTMLCanvasElement>(null);
  const geometry = useRef<Geometry | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [busy, setBusy] = useState(false);
  const [readout, setReadout] = useState('');
  const size = useResizeTick(canvas);

  const outs = graph.nodes.filter((n) => n.kind !== 'loss' && n.kind !== 'target').map((n) => n.id);
  // Cells inside layers (l1/h, bi/reverse/h) are INs too; OUT stays in the outer graph (a layer is one: its output).
  const cells = useTraining((s) => s.info?.cells);
  const nested = (cells ?? []).filter((id) => !graph.nodes.some((n) => n.id === id));
  const ins = [...inCandidates(graph), ...nested];
  const firstLayer = graph.nodes.find((n) => (n.kind as string) === 'layer')?.id;
  const outId = out && outs.includes(out) ? out : (graph.nodes.find((n) => n.kind === 'cell')?.id ?? firstLayer ?? outs[0] ?? null);
  const nearest = (o: string): string | null => nested.find((id) => id.startsWith(`${o}/`)) ?? nearestIn(graph, o);
  const inId = input && ins.includes(input) ? input : (outId ? nearest(outId) : null);

  // Ask again when the pair changes, and after training moved the parameters (not more than one request at a time).
  const inflight = useRef(false);
  useEffect(() => {
    if (!outId || !inId || seq === 0 || inflight.current) return;
    if (result && result.out === outId && result.in === inId && result.step === step) return;
    inflight.current = true;
    setBusy(true);
    void requestConnectivity(outId, inId).then((r) => {
      inflight.current = false;
      setBusy(false);
      setResult({ out: outId, in: inId, step: r.step, matrix: r.matrix, reason: r.reason });
    });
  }, [outId, inId, seq, step, sample, result]);

  const current = result && result.out === outId && result.in === inId ? result : null;
  const matrix = current?.matrix ?? null;
  const range = matrix ? logRange(matrix) : null;
  const decay = matrix ? diagonalDecay(matrix) : NaN;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    if (!matrix) {
      el.getContext('2d')?.clearRect(0, 0, el.width, el.height);
      geometry.current = null;
      return;
    }
    const css = getComputedStyle(el);
    geometry.current = draw(el, matrix, range, { text: css.getPropertyValue('--cw-text').trim(), muted: css.getPropertyValue('--cw-muted').trim() });
  }, [matrix, range, theme, size]);

  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const g = geometry.current;
    const el = canvas.current;
    if (!g || !el || !matrix) return;
    const r = el.getBoundingClientRect();
    const s = Math.floor(((event.clientX - r.left - g.x0) / g.size) * g.T);
    const t = Math.floor(((event.clientY - r.top - g.y0) / g.size) * g.T);
    if (s < 0 || t < 0 || s >= g.T || t >= g.T) {
      setReadout('');
      return;
    }
    setReadout(`t = ${t + 1}, s = ${s + 1}: ‖∂${nodeName(graph, outId!)}ₜ/∂${nodeName(graph, inId!)}ₛ‖ = ${fmt(matrix[t][s])}`);
  };

  const csv = () => {
    if (!matrix) return null;
    return toCsv(['t', ...matrix.map((_, s) => `s${s + 1}`)], matrix.map((row, t) => [t + 1, ...row]));
  };

  return (
    <Pane
      id="connectivity"
      title="Connectivity"
      csv={csv}
      hint={<>‖∂ OUT at step t / ∂ IN at step s‖ on one sequence, log colour scale. A band fading away from the diagonal is the past being forgotten.{Number.isFinite(decay) ? <> Per step back: <b>×{decay.toPrecision(3)}</b>.</> : null}</>}
      tools={
        <>
          <label className="cw-pane-check">
            OUT
            <select aria-label="Connectivity OUT node" value={outId ?? ''} onChange={(e) => connectivityStore.setState({ out: e.target.value, in: nearest(e.target.value) })}>
              {outs.map((id) => <option key={id} value={id}>{nodeName(graph, id)}</option>)}
            </select>
          </label>
          <label className="cw-pane-check">
            IN
            <select aria-label="Connectivity IN node" value={inId ?? ''} onChange={(e) => connectivityStore.setState({ out: outId, in: e.target.value })}>
              {ins.map((id) => <option key={id} value={id}>{nested.includes(id) ? id : nodeName(graph, id)}</option>)}
            </select>
          </label>
        </>
      }
    >
      <div className="cw-readout cw-conn-readout" aria-live="polite">{readout || (matrix ? 'Hover the map for t, s and the value.' : '')}</div>
      <canvas
        ref={canvas}
        className="cw-heatmap"
        role="img"
        aria-label="Connectivity heatmap"
        data-out={outId ?? ''}
        data-in={inId ?? ''}
        data-steps={matrix ? matrix.length : 0}
        data-diagonal-decay={Number.isFinite(decay) ? decay : ''}
        data-diagonal-0={matrix ? String(diagonalMean(matrix, 0)) : ''}
        data-diagonal-5={matrix ? String(diagonalMean(matrix, 5)) : ''}
        data-above-diagonal={matrix ? String(aboveDiagonal(matrix)) : ''}
        onMouseMove={onMove}
        onMouseLeave={() => setReadout('')}
      />
      {current?.reason ? <div className="cw-pane-empty" role="alert"><span>{current.reason}</span></div> : null}
      {!current && (seq === 0 || busy) ? <div className="cw-pane-empty"><span>{seq === 0 ? 'Connectivity appears here once the graph compiles.' : 'Measuring…'}</span></div> : null}
    </Pane>
  );
}

/** The largest entry above the diagonal (0: the future never reaches the past). */
function aboveDiagonal(m: number[][]): number {
  let max = 0;
  for (let t = 0; t < m.length; t++) for (let s = t + 1; s < m.length; s++) max = Math.max(max, Math.abs(m[t][s]));
  return max;
}
