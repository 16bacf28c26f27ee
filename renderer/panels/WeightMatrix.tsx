/**
 * An edge's learned weight as numbers: a grid of fields (rows = target
 * units, columns = source units), a small heatmap, and a slider per entry for
 * scalars and diagonals. Every edit is a document change of `parameters`
 * (one undo entry; a slider drag is one gesture), so the forward values —
 * the Numbers table, the heatmaps — follow at once.
 *
 * With no stored value the weight is drawn by its initializer when the
 * graph compiles; "Edit the values" writes the current parameters into the
 * document first (the same as keeping trained weights).
 */
import { useEffect, useRef, useState } from 'react';
import type { Graph, GraphEdge, TensorJSON } from '../../engine/format/types.ts';
import { keepTrainedParameters } from '../train/client.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { useUi } from '../store/ui.ts';
import { useValidation } from '../store/validation.ts';
import { heatInto } from '../views/colormap.ts';

/** Larger matrices show the heatmap only (a grid of 64 fields is the most that fits the panel). */
const MAX_FIELDS = 64;

export function weightShape(kind: string, rows: number, cols: number): number[] {
  return kind === 'full' ? [rows, cols] : kind === 'diagonal' ? [rows] : [1];
}

/** The graph with one entry of `key` set: a new `parameters` object, the others untouched. */
export function withEntry(graph: Graph, key: string, tensor: TensorJSON, index: number, value: number): Graph {
  const data = tensor.data.slice();
  data[index] = value;
  return { ...graph, parameters: { ...graph.parameters, [key]: { ...tensor, data } } };
}

function format(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}

function Entry({ label, value, onCommit }: { label: string; value: number; onCommit: (v: number) => void }) {
  const [draft, setDraft] = useState(format(value));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setDraft(format(value));
    setBad(false);
  }, [value]);
  const commit = () => {
    const n = Number(draft.trim());
    if (draft.trim() === '' || !Number.isFinite(n)) {
      setBad(true);
      return;
    }
    setBad(false);
    if (n !== value) onCommit(n);
  };
  return (
    <input
      className={`cw-weight-cell ${bad ? 'is-invalid' : ''}`}
      aria-label={label}
      aria-invalid={bad || undefined}
      title={bad ? 'A weight is a finite number, e.g. 0.5 or -1e-3' : label}
      inputMode="decimal"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') {
          setDraft(format(value));
          setBad(false);
        }
      }}
    />
  );
}

/** A slider whose drag is previewed live and recorded as one undo entry when released. */
function Slider({ label, value, onPreview, onCommit }: { label: string; value: number; onPreview: (v: number) => void; onCommit: (v: number) => void }) {
  const span = Math.max(2, Math.ceil(Math.abs(value) * 2));
  const dragging = useRef(false);
  const finish = (v: number) => {
    if (!dragging.current) return;
    dragging.current = false;
    onCommit(v);
  };
  return (
    <input
      type="range"
      className="cw-weight-slider"
      aria-label={label}
      min={-span}
      max={span}
      step={0.01}
      value={value}
      onPointerDown={() => { dragging.current = true; }}
      onChange={(e) => {
        const v = Number(e.target.value);
        if (dragging.current) onPreview(v);
        else onCommit(v); // keyboard: each arrow press is its own edit
      }}
      onPointerUp={(e) => finish(Number((e.target as HTMLInputElement).value))}
    />
  );
}

function Heatmap({ tensor, rows, cols }: { tensor: TensorJSON; rows: number; cols: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    el.width = cols;
    el.height = rows;
    let max = 0;
    for (const v of tensor.data) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    const img = ctx.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) heatInto(img.data, i * 4, max > 0 ? 0.5 + tensor.data[i] / (2 * max) : 0.5);
    ctx.putImageData(img, 0, 0);
  }, [tensor, rows, cols, theme]);
  let max = 0;
  for (const v of tensor.data) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return (
    <div className="cw-weight-heat">
      <canvas ref={canvas} role="img" aria-label={`Weight heatmap, ${rows} × ${cols}`} style={{ aspectRatio: `${cols} / ${rows}` }} />
      <span className="cw-field-help">blue −{format(max)} · pale 0 · red +{format(max)}</span>
    </div>
  );
}

export function WeightMatrix({ edge, kind }: { edge: GraphEdge; kind: string }) {
  const key = `edge:${edge.id}`;
  const stored = useDocument((s) => s.graph.parameters?.[key]);
  const rows = useValidation((s) => s.sizes.get(edge.target)) ?? 1;
  const cols = useValidation((s) => s.sizes.get(edge.source)) ?? 1;
  const shape = weightShape(kind, rows, cols);
  const count = shape.reduce((a, b) => a * b, 1);
  const fits = stored && stored.shape.length === shape.length && stored.shape.every((d, i) => d === shape[i]) && stored.data.length === count;
  const before = useRef<Graph | null>(null);

  if (!fits) {
    return (
      <div className="cw-field">
        <span className="cw-field-label">Values</span>
        <p className="cw-note">{stored ? `The stored value has shape [${stored.shape.join(', ')}]; this weight needs [${shape.join(', ')}]. ` : ''}Drawn by the initializer when the graph compiles.</p>
        <button type="button" className="cw-small-button" onClick={() => void keepTrainedParameters()}>Edit the values</button>
      </div>
    );
  }
  const tensor = stored;
  const commit = (index: number, value: number) => {
    const graph = before.current ?? documentStore.getState().graph;
    before.current = null;
    const next = withEntry(graph, key, tensor, index, value);
    // A previewed drag put intermediate graphs in the store without history: record one entry from where it began.
    documentStore.setState({ graph });
    documentStore.getState().commit('Set weight value', next);
  };
  const preview = (index: number, value: number) => {
    if (!before.current) before.current = documentStore.getState().graph;
    documentStore.setState({ graph: withEntry(documentStore.getState().graph, key, tensor, index, value) });
  };
  const name = (i: number) => (kind === 'full' ? `Weight row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1}` : kind === 'diagonal' ? `Weight unit ${i + 1}` : 'Weight value');
  const gridCols = kind === 'full' ? cols : 1;
  return (
    <div className="cw-field cw-weight">
      <span className="cw-field-label">Values <span className="cw-faint">[{shape.join(' × ')}]{kind === 'full' ? ' rows = target units, columns = source units' : ''}</span></span>
      {count <= MAX_FIELDS ? (
        <div className="cw-weight-grid" style={{ gridTemplateColumns: `repeat(${gridCols}, minmax(0, 1fr))` }}>
          {tensor.data.map((v, i) => <Entry key={i} label={name(i)} value={v} onCommit={(n) => commit(i, n)} />)}
        </div>
      ) : <p className="cw-note">{count} numbers: too many to type here; the heatmap shows them (edit them in the file, or train).</p>}
      {kind !== 'full' && count <= 16 ? (
        <div className="cw-weight-sliders">
          {tensor.data.map((v, i) => <Slider key={i} label={`${name(i)} slider`} value={v} onPreview={(n) => preview(i, n)} onCommit={(n) => commit(i, n)} />)}
        </div>
      ) : null}
      {kind === 'full' ? <Heatmap tensor={tensor} rows={rows} cols={cols} /> : null}
    </div>
  );
}
