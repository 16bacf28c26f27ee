/**
 * The one edge component. Forward edges are smooth curves; an edge whose
 * target lies left of its source loops round below both nodes on its own
 * lane so loops stay readable. Edges out of a cell are recurrent (they carry
 * the previous step): dashed, with a "t−1" mark at the source.
 */
import { memo } from 'react';
import { BaseEdge, getBezierPath, Position, type Edge, type EdgeProps } from '@xyflow/react';
import { useTelemetry } from '../store/telemetry.ts';
import { own } from '../../engine/format/dict.ts';

export interface EdgeViewData extends Record<string, unknown> {
  /** W, diag, scalar, = */
  weightSymbol: string;
  recurrent: boolean;
  severity?: 'error' | 'warning';
  inLoop: boolean;
  message?: string;
  /** 0, 1, 2, … spreads looping edges over separate lanes. */
  lane: number;
}

export type GraphFlowEdge = Edge<EdgeViewData>;

/** A polyline with rounded corners as an SVG path. */
export function roundedPath(points: Array<[number, number]>, radius: number): string {
  let d = `M ${points[0][0]} ${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const inLen = Math.hypot(x - px, y - py);
    const outLen = Math.hypot(nx - x, ny - y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    const ax = x - ((x - px) / (inLen || 1)) * r;
    const ay = y - ((y - py) / (inLen || 1)) * r;
    const bx = x + ((nx - x) / (outLen || 1)) * r;
    const by = y + ((ny - y) / (outLen || 1)) * r;
    d += ` L ${ax} ${ay} Q ${x} ${y} ${bx} ${by}`;
  }
  const last = points[points.length - 1];
  return `${d} L ${last[0]} ${last[1]}`;
}

export interface RoutedPath {
  path: string;
  labelX: number;
  labelY: number;
  looping: boolean;
}

export function routeEdge(sx: number, sy: number, tx: number, ty: number, lane: number): RoutedPath {
  // Small backward offsets still read best as a curve; only real loops go round.
  if (tx >= sx - 40) {
    const [path, labelX, labelY] = getBezierPath({ sourceX: sx, sourceY: sy, targetX: tx, targetY: ty, sourcePosition: Position.Right, targetPosition: Position.Left });
    return { path, labelX, labelY, looping: false };
  }
  const stub = 22 + (lane % 4) * 6;
  const laneY = Math.max(sy, ty) + 56 + (lane % 6) * 14;
  const points: Array<[number, number]> = [[sx, sy], [sx + stub, sy], [sx + stub, laneY], [tx - stub, laneY], [tx - stub, ty], [tx, ty]];
  return { path: roundedPath(points, 12), labelX: (sx + tx) / 2, labelY: laneY, looping: true };
}

export const GraphEdgeView = memo(function GraphEdgeView(props: EdgeProps<GraphFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, data, selected, markerEnd } = props;
  const d = data ?? { weightSymbol: '', recurrent: false, inLoop: false, lane: 0 };
  const route = routeEdge(sourceX, sourceY, targetX, targetY, d.lane);
  // Live training: colour and width follow the gradient flowing back through the edge (0..1 on a log scale).
  const grad = useTelemetry((state) => own(state.edgeGrad, id));
  const className = [
    'cw-edge',
    grad !== undefined ? 'has-grad' : '',
    d.recurrent ? 'is-recurrent' : '',
    d.inLoop ? 'in-loop' : '',
    d.severity ? `has-${d.severity}` : '',
    selected ? 'is-selected' : '',
  ].filter(Boolean).join(' ');
  const label = d.weightSymbol;
  const labelWidth = Math.max(16, label.length * 7 + 9);
  return (
    <g className={className} data-edge-id={id} style={grad !== undefined ? { ['--g' as string]: grad.toFixed(3) } : undefined}>
      <BaseEdge id={id} path={route.path} markerEnd={markerEnd} interactionWidth={14} />
      {/* Placed by x/y, not a transform: a transform per label is a paint chunk per edge, and
          Chromium re-layerizes every chunk on each drag frame (slow on a 2,000-node graph). */}
      {label ? (
        <g className={`cw-edge-label ${label === '=' ? 'is-identity' : ''}`} data-x={route.labelX} data-y={route.labelY}>
          <rect x={route.labelX - labelWidth / 2} y={route.labelY - 9} width={labelWidth} height={18} rx={4} />
          <text x={route.labelX} y={route.labelY} textAnchor="middle" dominantBaseline="central">{label}</text>
        </g>
      ) : null}
      {d.recurrent ? (
        <g className="cw-edge-delay" data-x={sourceX + 10} data-y={sourceY - 11}>
          <text x={sourceX + 10} y={sourceY - 11} textAnchor="start" dominantBaseline="central">t−1</text>
        </g>
      ) : null}
      {d.message ? <title>{d.message}</title> : grad !== undefined ? <title>Gradient through this edge: {Math.round(grad * 100)} % of the log scale (the widest, reddest edges carry the most)</title> : null}
    </g>
  );
});

export const edgeTypes = { graph: GraphEdgeView };
