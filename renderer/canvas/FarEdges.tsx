/**
 * The edges of a large graph zoomed out past reading (scale.ts FAR_ZOOM),
 * drawn as plain paths in one SVG layer under the nodes instead of as React
 * Flow edges. Each React Flow edge is its own SVG with three store
 * subscriptions; a few thousand of them made every drag frame re-check them
 * all and re-lay-out and re-layerize them in Chromium. Here the edges that do
 * not move during a drag sit in a layer drawn once; only the dragged nodes'
 * edges are drawn again each frame. Same routes, colours and classes as
 * edges.tsx (labels are not drawn at this zoom; their places stay in
 * data-x/data-y for the SVG export). Edges cannot be clicked at this zoom: zoom
 * in to select one.
 */
import { memo, useMemo, useRef } from 'react';
import { ViewportPortal } from '@xyflow/react';
import type { XY } from '../doc/ops.ts';
import { routeEdge, type GraphFlowEdge } from './edges.tsx';
import type { GraphFlowNode } from './nodes.tsx';

interface Box { x: number; y: number; w: number; h: number }

/** A node's size when neither measured nor estimated (group boxes, layers not yet drawn). */
const FALLBACK = { width: 176, height: 64 };

function boxesOf(nodes: readonly GraphFlowNode[]): Map<string, Box> {
  const out = new Map<string, Box>();
  for (const node of nodes) {
    const size = node.measured?.width && node.measured.height ? node.measured : FALLBACK;
    out.set(node.id, { x: node.position.x, y: node.position.y, w: size.width ?? FALLBACK.width, h: size.height ?? FALLBACK.height });
  }
  return out;
}

function edgeClass(edge: GraphFlowEdge): string {
  const d = edge.data;
  return ['cw-edge', d?.recurrent ? 'is-recurrent' : '', d?.inLoop ? 'in-loop' : '', d?.severity ? `has-${d.severity}` : '', edge.selected ? 'is-selected' : ''].filter(Boolean).join(' ');
}

/** Where the edge meets the target: a loss's ports sit at fixed heights (LossNodeView). */
function targetY(edge: GraphFlowEdge, box: Box): number {
  if (edge.targetHandle === 'target') return box.y + 50;
  if (edge.targetHandle === 'prediction') return box.y + 22;
  return box.y + box.h / 2;
}

const Paths = memo(function Paths({ edges, boxes }: { edges: readonly GraphFlowEdge[]; boxes: ReadonlyMap<string, Box> }) {
  return (
    <svg className="cw-far-edges" aria-hidden>
      {edges.map((edge) => {
        const s = boxes.get(edge.source);
        const t = boxes.get(edge.target);
        if (!s || !t) return null;
        const sx = s.x + s.w;
        const sy = s.y + s.h / 2;
        const route = routeEdge(sx, sy, t.x, targetY(edge, t), edge.data?.lane ?? 0);
        return (
          <g key={edge.id} className={edgeClass(edge)} data-edge-id={edge.id}>
            <path className="react-flow__edge-path" d={route.path} />
            {edge.data?.weightSymbol ? <g className="cw-edge-label" data-x={route.labelX} data-y={route.labelY} /> : null}
            {edge.data?.recurrent ? <g className="cw-edge-delay" data-x={sx + 10} data-y={sy - 11} /> : null}
          </g>
        );
      })}
    </svg>
  );
});

export function FarEdges({ nodes, edges, dragging }: { nodes: readonly GraphFlowNode[]; edges: readonly GraphFlowEdge[]; dragging: ReadonlyMap<string, XY> | null }) {
  // While a drag lasts, the layer of edges that do not move keeps the nodes as they were when it began.
  const atRest = useRef(nodes);
  if (!dragging) atRest.current = nodes;
  const rest = atRest.current;
  const restBoxes = useMemo(() => boxesOf(rest), [rest]);
  const moved = dragging ? [...dragging.keys()].sort().join('\n') : '';
  const [still, moving] = useMemo(() => {
    if (!moved) return [edges, []];
    const ids = new Set(moved.split('\n'));
    const a: GraphFlowEdge[] = [];
    const b: GraphFlowEdge[] = [];
    for (const edge of edges) (ids.has(edge.source) || ids.has(edge.target) ? b : a).push(edge);
    return [a, b];
  }, [edges, moved]);
  const liveBoxes = useMemo(() => (moving.length > 0 ? boxesOf(nodes) : restBoxes), [moving, nodes, restBoxes]);
  return (
    <ViewportPortal>
      <Paths edges={still} boxes={restBoxes} />
      {moving.length > 0 ? <Paths edges={moving} boxes={liveBoxes} /> : null}
    </ViewportPortal>
  );
}
