/**
 * The cell unrolled over its first k steps (reference text §1: folded it is a
 * cycle, unrolled a chain through time). Each column is one time step with
 * the step's computation flowing down; a cell's write-back crosses to the
 * next column. Boxes are coloured by mean activation, edges thickened by the
 * gradient reaching their head at that step — the same colouring as the
 * canvas. Clicking a box selects the node in both views.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Graph } from '../../engine/format/types.ts';
import type { Probe } from '../train/protocol.ts';
import { scaleValues } from '../train/derive.ts';
import { useDocument } from '../store/document.ts';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { heatCss } from './colormap.ts';
import { Pane, toCsv } from './Pane.tsx';
import { fitText } from './GatesPane.tsx';
import { nodeName } from './names.ts';
import { readoutNumber } from './UChart.tsx';
import { useResizeTick } from './useResizeTick.ts';
import { own } from '../../engine/format/dict.ts';

interface Layout {
  ids: string[];
  layer: Map<string, number>;
  /** Order within the layer. */
  slot: Map<string, number>;
  layers: number;
  width: number;
  /** Edges inside a step, and the write-backs into cells (drawn to the next column). */
  inner: Array<[string, string]>;
  writes: Array<[string, string]>;
}

/** Layers of one step: inputs and cells (the previous state) on top, each node one below its deepest source. */
export function stepLayout(graph: Graph): Layout {
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const ids = graph.nodes.filter((n) => n.kind !== 'loss' && n.kind !== 'target').map((n) => n.id);
  const keep = new Set(ids);
  const inner = graph.edges.filter((e) => keep.has(e.source) && keep.has(e.target) && kinds.get(e.target) !== 'cell').map((e) => [e.source, e.target] as [string, string]);
  const writes = graph.edges.filter((e) => keep.has(e.source) && kinds.get(e.target) === 'cell').map((e) => [e.source, e.target] as [string, string]);
  const layer = new Map<string, number>();
  for (const id of ids) layer.set(id, 0);
  // Longest path; the step graph is acyclic once the cell edges are cut (else the validator says so).
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const [s, t] of inner) {
      const want = (layer.get(s) ?? 0) + 1;
      if (want > (layer.get(t) ?? 0) && want < ids.length + 1) {
        layer.set(t, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const pos = new Map(graph.nodes.map((n) => [n.id, n.position?.y ?? 0]));
  const byLayer = new Map<number, string[]>();
  for (const id of ids) {
    const l = layer.get(id)!;
    const list = byLayer.get(l) ?? byLayer.set(l, []).get(l)!;
    list.push(id);
  }
  const slot = new Map<string, number>();
  let width = 1;
  for (const list of byLayer.values()) {
    list.sort((a, b) => (pos.get(a) ?? 0) - (pos.get(b) ?? 0));
    list.forEach((id, i) => slot.set(id, i));
    width = Math.max(width, list.length);
  }
  return { ids, layer, slot, layers: [...layer.values()].reduce((a, b) => Math.max(a, b), 0) + 1, width, inner, writes };
}

function meanScaled(probe: Probe, graph: Graph, id: string, t: number): number {
  const p = own(probe.nodes, id);
  if (!p) return NaN;
  const node = graph.nodes.find((n) => n.id === id);
  const isCell = node?.kind === 'cell';
  // A cell's box at step t shows what it outputs then: h_{t−1} (the initial state at t = 1).
  let slice: ArrayLike<number>;
  if (isCell) slice = t === 0 ? own(probe.initial, id) ?? new Float32Array(p.size) : p.values.subarray((t - 1) * p.size, t * p.size);
  else slice = p.values.subarray(t * p.size, (t + 1) * p.size);
  const scaled = scaleValues(slice, node?.kind === 'gate' ? node.activation : undefined);
  let s = 0;
  for (let i = 0; i < scaled.length; i++) s += scaled[i];
  return scaled.length ? s / scaled.length : NaN;
}

interface Box { id: string; t: number; x: number; y: number; w: number; h: number }

/** Zoom steps of the unrolled view: 1 fits every step in the pane; more widens the steps (the pane scrolls). */
export const UNROLLED_ZOOMS = [1, 1.5, 2, 3, 4, 6];

function draw(canvas: HTMLCanvasElement, graph: Graph, layout: Layout, probe: Probe | null, k: number, selected: ReadonlySet<string>, ink: { text: string; muted: string; rule: string; accent: string; cell: string }, width: number): Box[] {
  // A 2× backing store at least: PNG exports copy it as is.
  const dpr = Math.max(2, window.devicePixelRatio || 1);
  canvas.style.width = `${width}px`;
  const w = width;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || w < 40) return [];
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const colW = w / k;
  const top = 16;
  const rowH = (h - top - 4) / layout.layers;
  const boxW = Math.min(120, (colW - 14) / layout.width - 4);
  const boxH = Math.min(18, rowH - 6);
  const boxes: Box[] = [];
  const at = new Map<string, Box>();
  // Gradient at each node and step, on a log scale shared by the whole picture.
  let top10 = -Infinity;
  if (probe) for (const id of layout.ids) for (let t = 0; t < k; t++) { const g = own(probe.nodes, id)?.grad[t]; if (g && g > 0 && Number.isFinite(g)) top10 = Math.max(top10, Math.log10(g)); }
  const gradAt = (id: string, t: number): number => {
    const g = probe?.nodes[id]?.grad[t];
    if (g === undefined || !Number.isFinite(top10)) return 0;
    if (!Number.isFinite(g)) return 1;
    return g <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(g) - (top10 - 6)) / 6));
  };
  for (let t = 0; t < k; t++) {
    const x0 = t * colW;
    ctx.fillStyle = ink.muted;
    ctx.font = '600 10.5px Inter, system-ui, sans-serif';
    ctx.fillText(`t = ${t + 1}`, x0 + 6, 11);
    if (t > 0) {
      ctx.strokeStyle = ink.rule;
      ctx.beginPath();
      ctx.moveTo(x0, 2);
      ctx.lineTo(x0, h - 2);
      ctx.stroke();
    }
    for (const id of layout.ids) {
      const l = layout.layer.get(id)!;
      const s = layout.slot.get(id)!;
      const box = { id, t, x: x0 + 7 + s * (boxW + 4), y: top + l * rowH + (rowH - boxH) / 2, w: boxW, h: boxH };
      boxes.push(box);
      at.set(`${id}@${t}`, box);
    }
  }
  // Edges first, then boxes over them.
  ctx.lineCap = 'round';
  for (let t = 0; t < k; t++) {
    for (const [s, d] of layout.inner) {
      const a = at.get(`${s}@${t}`);
      const b = at.get(`${d}@${t}`);
      if (!a || !b) continue;
      const g = gradAt(d, t);
      ctx.strokeStyle = `rgba(217, 72, 15, ${0.15 + 0.75 * g})`;
      ctx.lineWidth = 0.6 + 2.6 * g;
      ctx.beginPath();
      ctx.moveTo(a.x + a.w / 2, a.y + a.h);
      ctx.lineTo(b.x + b.w / 2, b.y);
      ctx.stroke();
    }
    if (t + 1 < k) {
      for (const [s, d] of layout.writes) {
        const a = at.get(`${s}@${t}`);
        const b = at.get(`${d}@${t + 1}`);
        if (!a || !b) continue;
        const g = gradAt(d, t);
        ctx.strokeStyle = ink.cell;
        ctx.globalAlpha = 0.35 + 0.6 * g;
        ctx.lineWidth = 0.8 + 2.6 * g;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(a.x + a.w, a.y + a.h / 2);
        ctx.bezierCurveTo(a.x + a.w + 30, a.y + a.h / 2, b.x - 30, b.y + b.h / 2, b.x, b.y + b.h / 2);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
      }
    }
  }
  ctx.font = '9.5px Inter, system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const b of boxes) {
    const v = probe ? meanScaled(probe, graph, b.id, b.t) : NaN;
    ctx.fillStyle = probe ? heatCss(v) : 'rgba(128,128,128,0.15)';
    ctx.beginPath();
    ctx.roundRect(b.x, b.y, b.w, b.h, 3);
    ctx.fill();
    const isSel = selected.has(b.id);
    ctx.strokeStyle = isSel ? ink.accent : ink.rule;
    ctx.lineWidth = isSel ? 2.2 : 1;
    ctx.stroke();
    if (b.w > 14) {
      ctx.fillStyle = Number.isFinite(v) && (v < 0.2 || v > 0.85) ? '#fff' : '#1a1e26';
      ctx.fillText(fitText(ctx, nodeName(graph, b.id), b.w - 5), b.x + 3, b.y + b.h / 2);
    }
  }
  return boxes;
}

export function UnrolledPane() {
  const graph = useDocument((s) => s.graph);
  const seq = useTelemetry((s) => s.seq);
  const selected = useUi((s) => s.selectedNodes);
  const theme = useUi((s) => s.theme);
  const kWanted = useUi((s) => s.unrolledSteps);
  const T = useTelemetry((s) => s.probe?.T ?? 0);
  const k = Math.max(1, Math.min(kWanted, T || kWanted));
  const layout = useMemo(() => stepLayout(graph), [graph]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const boxes = useRef<Box[]>([]);
  const size = useResizeTick(scroller);
  const [zoom, setZoom] = useState(1);
  const [readout, setReadout] = useState('');

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const v = (n: string) => css.getPropertyValue(n).trim();
    const fit = scroller.current?.clientWidth ?? el.clientWidth;
    boxes.current = draw(el, graph, layout, telemetryStore.getState().probe, k, selected, { text: v('--cw-text'), muted: v('--cw-muted'), rule: v('--cw-border-strong'), accent: v('--cw-accent'), cell: v('--cw-k-cell') }, Math.round(fit * zoom));
  }, [seq, graph, layout, k, selected, theme, size, zoom]);

  const hitAt = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const r = canvas.current!.getBoundingClientRect();
    const x = event.clientX - r.left;
    const y = event.clientY - r.top;
    return boxes.current.find((b) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h);
  };
  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const hit = hitAt(event);
    const probe = telemetryStore.getState().probe;
    if (!hit) {
      setReadout('');
      return;
    }
    const mean = probe ? meanScaled(probe, graph, hit.id, hit.t) : NaN;
    const grad = probe?.nodes[hit.id]?.grad[hit.t];
    setReadout(`${nodeName(graph, hit.id)} at t = ${hit.t + 1}: activation ${readoutNumber(mean)} (0–1 scale), ‖gradient‖ ${readoutNumber(grad)}`);
  };
  const zoomTo = (next: number) => {
    const el = scroller.current;
    // Keep the middle of what is seen in the middle.
    const middle = el ? (el.scrollLeft + el.clientWidth / 2) / Math.max(1, el.scrollWidth) : 0.5;
    setZoom(next);
    requestAnimationFrame(() => {
      if (el) el.scrollLeft = middle * el.scrollWidth - el.clientWidth / 2;
    });
  };
  const zi = UNROLLED_ZOOMS.indexOf(zoom);

  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const hit = hitAt(event);
    if (hit) uiStore.getState().select([hit.id]);
    else uiStore.getState().select([]);
  };

  const csv = () => {
    const probe = telemetryStore.getState().probe;
    if (!probe) return null;
    const rows: Array<Array<number | string>> = [];
    for (const id of layout.ids) for (let t = 0; t < k; t++) rows.push([id, t + 1, meanScaled(probe, graph, id, t), own(probe.nodes, id)?.grad[t] ?? '']);
    return toCsv(['node', 't', 'mean_activation_scaled', 'grad_norm'], rows);
  };

  return (
    <Pane
      id="unrolled"
      title="Unrolled"
      csv={csv}
      hint={readout ? <span className="cw-readout">{readout}</span> : <>The step drawn {k} times: box colour = mean activation, edge width = gradient reaching it, dashed = the cell's write-back into the next step. Click a box to select the node.</>}
      tools={
        <>
        <button type="button" className="cw-pane-button" aria-label="Zoom out the unrolled view" title="Zoom out" disabled={zi <= 0} onClick={() => zoomTo(UNROLLED_ZOOMS[Math.max(0, zi - 1)])}>−</button>
        <button type="button" className="cw-pane-button" aria-label="Zoom in the unrolled view" title="Zoom in: wider steps, full names" disabled={zi >= UNROLLED_ZOOMS.length - 1} onClick={() => zoomTo(UNROLLED_ZOOMS[Math.min(UNROLLED_ZOOMS.length - 1, zi + 1)])}>+</button>
        <button type="button" className="cw-pane-button" aria-label="Fit the unrolled view" title="Fit every step in the pane" disabled={zoom === 1} onClick={() => zoomTo(1)}>Fit</button>
        <label className="cw-pane-check" title="How many steps to draw">
          steps
          <input type="number" aria-label="Unrolled steps" min={1} max={Math.max(1, Math.min(16, T || 16))} value={k} onChange={(e) => uiStore.getState().setUnrolledSteps(Number(e.target.value) || 1)} />
        </label>
        </>
      }
    >
      <div className="cw-unrolled-scroll" ref={scroller}>
        <canvas ref={canvas} className="cw-unrolled" role="img" aria-label={`The cell unrolled over ${k} steps`} data-zoom={zoom} onClick={onClick} onMouseMove={onMove} onMouseLeave={() => setReadout('')} />
      </div>
    </Pane>
  );
}
