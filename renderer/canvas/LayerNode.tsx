/**
 * A layer on the canvas (docs/layers.md): one block showing its nested step
 * graph's name, direction and sizes, and its output over time. Expanded, it
 * draws the nested cell read-only (nodes at their saved positions, recurrent
 * edges dashed) and the heat strip of every nested cell, per direction; clicking a nested node
 * selects it ("<layer>/<node>") for the inspector to edit.
 */
import { memo, useState } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { GraphEdge, GraphNode } from '../../engine/format/types.ts';
import { inferSizes } from '../../engine/format/validate.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../engine/format/types.ts';
import type { LayerNode } from '../../engine/layers/types.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { explainGradientAt } from '../views/ExplainDialog.tsx';
import { nestedCell, selectionOf } from '../views/gradient-flow.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { HeatStrip } from './HeatStrip.tsx';
import type { GraphFlowNode } from './nodes.tsx';
import './LayerNode.css';

interface LayerLike {
  id: string;
  label?: string;
  direction?: string;
  output?: unknown;
  graph?: { name?: unknown; nodes?: unknown; edges?: unknown };
}

const ARROW: Record<string, string> = { forward: '→', reverse: '←', bidirectional: '⇄' };
const BOX = { w: 300, h: 150 };

function nestedParts(layer: LayerLike): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const g = layer.graph;
  const nodes = Array.isArray(g?.nodes) ? (g.nodes as GraphNode[]).filter((n) => n && typeof n.id === 'string') : [];
  const edges = Array.isArray(g?.edges) ? (g.edges as GraphEdge[]).filter((e) => e && typeof e.source === 'string') : [];
  return { nodes, edges };
}

export function Strip({ id, title }: { id: string; title: string }) {
  const strip = useTelemetry((state) => state.strips[id]);
  if (!strip) return null;
  return (
    <div className="cw-layer-strip" title={title}>
      <span className="cw-layer-strip-id">{id}</span>
      <HeatStrip strip={strip} />
    </div>
  );
}

const FLAG_ICON: Record<string, string> = { vanishing: '↘', exploding: '↗', nonfinite: '!' };

/**
 * Gradient flags of the layer's nested cells from training (keys like "l1/h",
 * "bi/reverse/h"). A flag compares the step farthest from the losses with the
 * nearest in the copy's own time order, so a click traces the far step's
 * gradient back (t = 1, or t = T for a copy that reads time backwards).
 */
function NestedFlags({ layer, prefixes }: { layer: Pick<LayerNode, 'id' | 'direction'>; prefixes: string[] }) {
  const flags = useTelemetry((state) => state.flags);
  const T = useTraining((state) => state.info?.T ?? 0);
  const mine = Object.values(flags).filter((f) => prefixes.some((p) => f.node.startsWith(p)));
  if (mine.length === 0) return null;
  return (
    <div className="cw-layer-flags">
      {mine.map((f) => {
        const cell = nestedCell(layer, f.node);
        const far = cell.reverse ? Math.max(0, T - 1) : 0;
        const traceable = f.kind !== 'nonfinite' && T > 0;
        return (
          <button key={f.node} type="button" className={`cw-flag is-static cw-flag-${f.kind} nodrag nopan`} disabled={!traceable}
            aria-label={`${f.kind} gradient at ${f.node}${traceable ? `: trace it back from t = ${far + 1}` : ''}`}
            title={`${f.kind} gradient through time at ${cell.label}${Number.isFinite(f.ratio) ? `: first/latest ${f.ratio.toPrecision(3)}, ×${f.perStep.toPrecision(3)} per step` : ''}${traceable ? `. Click to see where ∂L/∂${f.node} at t = ${far + 1} goes` : ''}`}
            onClick={(event) => { event.stopPropagation(); explainGradientAt(f.node, far, selectionOf(cell)); }}>
            <span aria-hidden>{FLAG_ICON[f.kind] ?? '!'}</span>{f.kind} · {f.node}
          </button>
        );
      })}
    </div>
  );
}

/**
 * The nested step graph, read-only: boxes at the saved positions scaled into the block.
 * With `pickable` (layers) a click on a nested node selects it for the inspector.
 */
export function NestedDrawing({ layer, nodes, edges, pickable = true, what = 'layer' }: { layer: string; nodes: GraphNode[]; edges: GraphEdge[]; pickable?: boolean; what?: string }) {
  const selected = useUi((state) => state.selectedNodes);
  const at = new Map(nodes.map((n) => [n.id, n.position ?? { x: 0, y: 0 }]));
  const xs = nodes.map((n) => at.get(n.id)!.x);
  const ys = nodes.map((n) => at.get(n.id)!.y);
  const x0 = Math.min(0, ...xs);
  const y0 = Math.min(0, ...ys);
  const span = Math.max(1, Math.max(...xs) - x0 + 120, (Math.max(...ys) - y0 + 50) * (BOX.w / BOX.h));
  const s = BOX.w / span;
  const p = (id: string): { x: number; y: number } => {
    const q = at.get(id) ?? { x: 0, y: 0 };
    return { x: (q.x - x0) * s, y: (q.y - y0) * s };
  };
  const kinds = new Map(nodes.map((n) => [n.id, n.kind]));
  const w = 110 * s;
  const h = 40 * s;
  return (
    <svg className="cw-layer-drawing" viewBox={`-4 -4 ${BOX.w + 8} ${BOX.h + 8}`} role="img" aria-label={`${what === 'layer' ? 'nested step graph' : `inside ${what}`}: ${nodes.length} nodes, ${edges.length} edges`}>
      {edges.map((e) => {
        const a = p(e.source);
        const b = p(e.target);
        return <line key={e.id} x1={a.x + w} y1={a.y + h / 2} x2={b.x} y2={b.y + h / 2} className={kinds.get(e.source) === 'cell' ? 'is-recurrent' : ''} />;
      })}
      {nodes.map((n) => {
        const q = p(n.id);
        return (
          <g key={n.id} className={`cw-kind-${n.kind} ${selected.has(`${layer}/${n.id}`) ? 'is-selected' : ''}`} role={pickable ? 'button' : undefined} aria-label={pickable ? `Edit ${n.id} in layer ${layer}` : undefined}
            onClick={pickable ? (event) => { event.stopPropagation(); uiStore.getState().select([`${layer}/${n.id}`]); } : undefined}>
            <title>{pickable ? `${n.kind} ${n.id}: click to edit it in the inspector` : `${n.kind} ${n.id} (${layer}/${n.id})`}</title>
            <rect x={q.x} y={q.y} width={n.kind === 'op' ? h : w} height={h} rx={n.kind === 'op' ? h / 2 : 3} />
            <text x={q.x + 3} y={q.y + h / 2 + 3}>{n.id}</text>
          </g>
        );
      })}
    </svg>
  );
}

export const LayerNodeView = memo(function LayerNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const layer = data.node as unknown as LayerLike;
  const [open, setOpen] = useState(false);
  const direction = typeof layer.direction === 'string' ? layer.direction : 'forward';
  const { nodes, edges } = nestedParts(layer);
  const sizes = inferSizes({ format: GRAPH_FORMAT, version: GRAPH_VERSION, nodes, edges });
  const out = typeof layer.output === 'string' ? layer.output : '?';
  const outSize = sizes.get(out);
  const copies = direction === 'bidirectional' ? 2 : 1;
  const inputs = nodes.filter((n) => n.kind === 'input');
  const cells = nodes.filter((n) => n.kind === 'cell');
  const name = typeof layer.graph?.name === 'string' ? layer.graph.name : 'step graph';
  const prefixes = direction === 'bidirectional' ? [`${layer.id}/`, `${layer.id}/reverse/`] : [`${layer.id}/`];
  const classes = ['cw-node', 'cw-layer', open ? 'is-open' : '', selected ? 'is-selected' : '', data.severity ? `has-${data.severity}` : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} data-node-id={layer.id} title={data.message}>
      <Handle type="target" position={Position.Left} className="cw-handle" />
      <div className="cw-row">
        <span className="cw-glyph cw-layer-dir" title={direction} aria-label={`direction ${direction}`}>{ARROW[direction] ?? '?'}</span>
        <span className={`cw-title ${layer.label ? '' : 'is-id'}`}>{layer.label ?? layer.id}</span>
        <span className="cw-chip" title={copies === 2 ? `forward ‖ reverse, ${outSize ?? '?'} units each` : `${outSize ?? '?'} units`}>
          {outSize === undefined ? '?' : copies === 2 ? `2×${outSize}` : outSize}
        </span>
      </div>
      <div className="cw-sub">
        {layer.label ? <span className="cw-id">{layer.id}</span> : null}
        <span>layer · {direction} · {name}</span>
      </div>
      <div className="cw-layer-ports">
        in {inputs.map((n) => `${n.id}:${sizes.get(n.id) ?? '?'}`).join(', ') || '—'} → out {out}:{outSize ?? '?'}{copies === 2 ? ' ×2' : ''}
      </div>
      <div className="cw-layer-bar">
        <button type="button" className="cw-mini-button nodrag" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} layer ${layer.id}`}
          title={open ? 'Hide the nested step graph' : 'Show the nested step graph'} onClick={(event) => { event.stopPropagation(); setOpen(!open); }}>
          {open ? '▾' : '▸'}
        </button>
        <span className="cw-layer-count">{nodes.length} nodes · {cells.length} cell{cells.length === 1 ? '' : 's'}{copies === 2 ? ' · 2 copies' : ''}</span>
      </div>
      <NestedFlags layer={{ id: layer.id, direction: layer.direction as LayerNode['direction'] }} prefixes={prefixes} />
      <Strip id={layer.id} title="The layer's output on one validation sequence, in data time order" />
      {open ? (
        <div className="cw-layer-body nodrag">
          <NestedDrawing layer={layer.id} nodes={nodes} edges={edges} />
          {prefixes.flatMap((prefix) => cells.map((c) => <Strip key={prefix + c.id} id={prefix + c.id} title={`State ${c.id} of the ${prefix.endsWith('reverse/') ? 'reverse' : 'forward'} copy, data time order`} />))}
        </div>
      ) : null}
      {data.severity ? <span className={`cw-badge cw-badge-${data.severity}`} title={data.message} role="img" aria-label={`${data.severity}: ${data.message ?? ''}`}>{data.severity === 'error' ? '!' : '?'}</span> : null}
      <Handle type="source" position={Position.Right} className="cw-handle" />
    </div>
  );
});
