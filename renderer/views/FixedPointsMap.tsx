/**
 * Fixed and slow points of a cell with several units, from the engine's N-D
 * finder (engine/diagnostics/dynamics.ts, through the worker), drawn in the
 * plane of the two principal components of the states the probe's sequence
 * visited, with that trajectory; coloured by kind (stable, unstable, saddle).
 */
import { useEffect, useRef, useState } from 'react';
import type { StatePoint } from '../../engine/diagnostics/dynamics.ts';
import { own } from '../../engine/format/dict.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useUi } from '../store/ui.ts';
import { requestFixedPoints } from '../train/client.ts';
import type { Probe } from '../train/protocol.ts';
import { pca2, project } from './pca.ts';
import { useResizeTick } from './useResizeTick.ts';

export const KIND_COLOR: Record<string, string> = { stable: '#2b8a3e', unstable: '#d9480f', saddle: '#ae3ec9', marginal: '#868e96' };

/** The joint states the probe visited (h₀, then each step), cells in `cells` order. */
function trajectory(probe: Probe, cells: string[]): number[][] {
  const out: number[][] = [];
  for (let t = -1; t < probe.T; t++) {
    const v: number[] = [];
    for (const c of cells) {
      const n = own(probe.nodes, c);
      const init = own(probe.initial, c);
      if (!n) continue;
      for (let u = 0; u < n.size; u++) v.push(t < 0 ? (init ? init[u] : 0) : n.values[t * n.size + u]);
    }
    out.push(v);
  }
  return out;
}

export function FixedPointsMap() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const size = useResizeTick(canvas);
  const theme = useUi((s) => s.theme);
  const step = useTraining((s) => s.step);
  const seq = useTelemetry((s) => s.seq);
  const probe = useTelemetry((s) => s.probe);
  const [result, setResult] = useState<{ step: number; points: StatePoint[]; layer: { id: string; cells: string[] } | null; reason: string | null } | null>(null);
  const busy = useRef(false);

  useEffect(() => {
    if (seq === 0 || busy.current || result?.step === step) return;
    busy.current = true;
    void requestFixedPoints().then((r) => {
      busy.current = false;
      setResult({ step, points: r.points, layer: r.layer, reason: r.reason });
    });
  }, [seq, step, result]);

  const points = result?.points ?? [];
  const cells = points[0] ? Object.keys(points[0].state) : [];

  useEffect(() => {
    const el = canvas.current;
    if (!el || !probe || cells.length === 0) return;
    const dpr = Math.max(2, window.devicePixelRatio || 1);
    const w = el.clientWidth;
    const h = el.clientHeight;
    el.width = Math.round(w * dpr);
    el.height = Math.round(h * dpr);
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const css = getComputedStyle(el);
    const text = css.getPropertyValue('--cw-text').trim();
    const muted = css.getPropertyValue('--cw-muted').trim();
    const visited = trajectory(probe, cells);
    const p = pca2(visited);
    const path = visited.map((v) => project(p, v));
    const fixed = points.map((q) => ({ q, xy: project(p, cells.flatMap((c) => q.state[c])) }));
    const all = [...path, ...fixed.map((f) => f.xy)];
    const xs = all.map((a) => a[0]);
    const ys = all.map((a) => a[1]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const pad = 14;
    const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (w - 2 * pad);
    const sy = (y: number) => h - 16 - ((y - y0) / (y1 - y0 || 1)) * (h - 16 - pad);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = muted;
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = 1;
    ctx.beginPath();
    path.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(sx(x), sy(y)) : ctx.lineTo(sx(x), sy(y))));
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = muted;
    for (const [x, y] of path) ctx.fillRect(sx(x) - 1, sy(y) - 1, 2, 2);
    for (const { q, xy } of fixed) {
      ctx.fillStyle = KIND_COLOR[q.kind] ?? text;
      ctx.beginPath();
      ctx.arc(sx(xy[0]), sy(xy[1]), q.q > 1e-10 ? 3 : 5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.fillStyle = muted;
    ctx.font = '10px Inter, system-ui, sans-serif';
    ctx.fillText('PC1 → · PC2 ↑ · line: visited states', 4, h - 3);
  }, [probe, points, cells.join(','), theme, size]); // cells: a new list each render

  const counts: Record<string, number> = {};
  for (const q of points) counts[q.kind] = (counts[q.kind] ?? 0) + 1;
  return (
    <div className="cw-fixed-map">
      <div className="cw-fixed-legend">
        {(['stable', 'unstable', 'saddle', 'marginal'] as const).map((k) => <span key={k} style={{ color: KIND_COLOR[k] }}>● {k} {counts[k] ?? 0}</span>)}
        {result?.layer ? <span className="cw-muted" data-layer={result.layer.id} title="With layers, the fixed points are those of the first layer's step map under zero input; later layers and the outer graph's cells are not part of it.">first layer {result.layer.id}: {result.layer.cells.join(', ')}</span> : null}
      </div>
      <canvas ref={canvas} className="cw-dyn-canvas" role="img" aria-label="Fixed points in the plane of the visited states' principal components" data-kinds={points.map((q) => q.kind).join(' ')} />
      {result?.reason ? <div className="cw-pane-empty" role="alert"><span>{result.reason}</span></div> : null}
      {!result ? <div className="cw-pane-empty"><span>Looking for fixed points…</span></div> : null}
    </div>
  );
}
