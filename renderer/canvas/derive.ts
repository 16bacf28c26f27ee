/**
 * Graph → React Flow nodes and edges. Each flow object is rebuilt only when
 * something it shows changed, so React Flow re-renders just those nodes (a
 * drag over a 300-node graph touches only the dragged ones).
 */
import { MarkerType, Position, type NodeHandle } from '@xyflow/react';
import type { Graph, GraphEdge, GraphNode, Problem } from '../../engine/format/types.ts';
import { WEIGHT_SYMBOL } from '../../engine/meta.ts';
import type { XY } from '../doc/ops.ts';
import type { ProblemIndex } from '../store/validation.ts';
import type { GraphFlowEdge } from './edges.tsx';
import { nodeTypeOf, type GraphFlowNode } from './nodes.tsx';

/** The edge's label: its weight kind's symbol; an op input's slot (#0, #1); ⇆ on a tied edge. */
export function edgeSymbol(edge: GraphEdge, weight: NonNullable<GraphEdge['weight']>): string {
  if (typeof edge.slot === 'number') return `#${edge.slot}`;
  const symbol = WEIGHT_SYMBOL[weight] ?? weight;
  return typeof edge.tie === 'string' ? `${symbol}⇆` : symbol;
}

function worst(problems: Problem[] | undefined): { severity?: 'error' | 'warning'; message?: string } {
  if (!problems || problems.length === 0) return {};
  const error = problems.find((problem) => problem.severity === 'error');
  const first = error ?? problems[0];
  return { severity: first.severity, message: problems.map((problem) => problem.message).join('\n') };
}

/** The previous list when every item is the same object: React Flow then skips its store update (and every subscriber's check). */
function reuse<T>(previous: T[], next: T[]): T[] {
  if (previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i += 1) if (previous[i] !== next[i]) return next;
  return previous;
}

const HANDLE = 9;

/**
 * About the size each kind draws at (styles.css), for a node not measured yet.
 * Half pixels on purpose: React Flow measures whole pixels (offsetWidth), so an
 * estimate never equals the real size and the node is always measured, and
 * its handles read from the page, when it first comes into view.
 */
const ESTIMATED_SIZE: Record<GraphNode['kind'], { width: number; height: number }> = {
  input: { width: 140.5, height: 64.5 }, target: { width: 140.5, height: 64.5 }, cell: { width: 176.5, height: 66.5 },
  gate: { width: 176.5, height: 64.5 }, op: { width: 54.5, height: 54.5 }, loss: { width: 150.5, height: 66.5 },
};

/**
 * A size and handles for a node React Flow has not measured: without them it
 * draws every node of a graph once to measure it, even with
 * onlyRenderVisibleElements (opening a 2,000-node graph drew and laid out all
 * of them), and a fit view waits until every node has been measured.
 */
function estimate(node: GraphNode): { measured: { width: number; height: number }; handles: NodeHandle[] } | null {
  const size = ESTIMATED_SIZE[node.kind];
  if (!size) return null;
  const { width, height } = size;
  const at = (type: 'source' | 'target', y: number, id: string | null = null): NodeHandle => ({
    id, type, position: type === 'source' ? Position.Right : Position.Left,
    x: (type === 'source' ? width : 0) - HANDLE / 2, y: y - HANDLE / 2, width: HANDLE, height: HANDLE,
  });
  const handles: NodeHandle[] = node.kind === 'loss'
    ? (node.loss === 'sum' ? [at('target', height / 2, 'prediction')] : [at('target', 22, 'prediction'), at('target', 50, 'target')])
    : [...(node.kind === 'input' || node.kind === 'target' ? [] : [at('target', height / 2)]), at('source', height / 2)];
  return { measured: { width, height }, handles };
}

interface NodeCacheEntry {
  node: GraphNode;
  selected: boolean;
  severity?: string;
  message?: string;
  inLoop: boolean;
  inferredSize?: number;
  x: number;
  y: number;
  measured?: { width: number; height: number };
  flow: GraphFlowNode;
}

export interface NodeInputs {
  graph: Graph;
  problems: ProblemIndex;
  sizes: ReadonlyMap<string, number>;
  selected: ReadonlySet<string>;
  measured: ReadonlyMap<string, { width: number; height: number }>;
  dragging: ReadonlyMap<string, XY> | null;
  hidden?: ReadonlySet<string>;
  /** Give nodes not measured yet an estimated size and handles (when React Flow draws only what is in view). */
  estimate?: boolean;
}

export function createNodeDeriver() {
  let cache = new Map<string, NodeCacheEntry>();
  let last: GraphFlowNode[] = [];
  return function deriveNodes(inputs: NodeInputs): GraphFlowNode[] {
    const next = new Map<string, NodeCacheEntry>();
    const out: GraphFlowNode[] = [];
    for (const node of inputs.graph.nodes) {
      if (inputs.hidden?.has(node.id)) continue;
      const pos = inputs.dragging?.get(node.id) ?? node.position ?? { x: 0, y: 0 };
      const selected = inputs.selected.has(node.id);
      const { severity, message } = worst(inputs.problems.byNode.get(node.id));
      const inLoop = inputs.problems.loopNodes.has(node.id);
      const inferredSize = inputs.sizes.get(node.id);
      const measured = inputs.measured.get(node.id);
      const old = cache.get(node.id);
      if (old && old.node === node && old.selected === selected && old.severity === severity && old.message === message
        && old.inLoop === inLoop && old.inferredSize === inferredSize && old.x === pos.x && old.y === pos.y && old.measured === measured) {
        next.set(node.id, old);
        out.push(old.flow);
        continue;
      }
      const flow: GraphFlowNode = {
        id: node.id,
        type: nodeTypeOf(node.kind),
        position: { x: pos.x, y: pos.y },
        data: { node, severity, message, inLoop, inferredSize },
        selected,
        ...(measured ? { measured } : inputs.estimate ? estimate(node) : {}),
        ariaLabel: `${node.kind} ${node.id}`,
      };
      next.set(node.id, { node, selected, severity, message, inLoop, inferredSize, x: pos.x, y: pos.y, measured, flow });
      out.push(flow);
    }
    cache = next;
    last = reuse(last, out);
    return last;
  };
}

interface EdgeCacheEntry {
  edge: GraphEdge;
  key: string;
  flow: GraphFlowEdge;
}

export interface EdgeInputs {
  graph: Graph;
  problems: ProblemIndex;
  selected: ReadonlySet<string>;
  hidden?: ReadonlySet<string>;
  /** Members of collapsed groups → their box: edges attach to the box's port for the member. */
  boxOf?: ReadonlyMap<string, string>;
}

export function createEdgeDeriver() {
  let cache = new Map<string, EdgeCacheEntry>();
  let last: GraphFlowEdge[] = [];
  return function deriveEdges(inputs: EdgeInputs): GraphFlowEdge[] {
    const kinds = new Map(inputs.graph.nodes.map((node) => [node.id, node.kind]));
    const lanes = new Map<string, number>();
    const next = new Map<string, EdgeCacheEntry>();
    const out: GraphFlowEdge[] = [];
    for (const edge of inputs.graph.edges) {
      if (inputs.hidden?.has(edge.id)) continue;
      const lane = lanes.get(edge.source) ?? 0;
      lanes.set(edge.source, lane + 1);
      // effectiveWeight's rule, with the kinds looked up in a map (a find per edge is quadratic on a large graph).
      const weight = edge.weight ?? (kinds.get(edge.target) === 'gate' ? 'full' : 'identity');
      const recurrent = kinds.get(edge.source) === 'cell';
      const { severity, message } = worst(inputs.problems.byEdge.get(edge.id));
      const inLoop = inputs.problems.loopEdges.has(edge.id);
      const selected = inputs.selected.has(edge.id);
      const sourceBox = inputs.boxOf?.get(edge.source);
      const targetBox = inputs.boxOf?.get(edge.target);
      // Block instances (engine/blocks) have a handle per port: `in:<port>` and `out:<output>`.
      const targetHandle = targetBox ? `in:${edge.target}` : kinds.get(edge.target) === 'loss' ? (edge.port ?? 'prediction')
        : (kinds.get(edge.target) as string) === 'block' ? (edge.port ? `in:${edge.port}` : null) : null;
      const sourceHandle = sourceBox ? `out:${edge.source}` : (kinds.get(edge.source) as string) === 'block' && edge.sourcePort ? `out:${edge.sourcePort}` : null;
      const key = [weight, recurrent, severity, message, inLoop, selected, lane, targetHandle, sourceBox, targetBox].join('|');
      const old = cache.get(edge.id);
      if (old && old.edge === edge && old.key === key) {
        next.set(edge.id, old);
        out.push(old.flow);
        continue;
      }
      const flow: GraphFlowEdge = {
        id: edge.id,
        type: 'graph',
        source: sourceBox ?? edge.source,
        target: targetBox ?? edge.target,
        sourceHandle,
        targetHandle,
        selected,
        markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14, color: 'var(--cw-edge)' },
        data: { weightSymbol: edgeSymbol(edge, weight), recurrent, severity, inLoop, message, lane },
        ariaLabel: `edge ${edge.source} to ${edge.target}`,
      };
      next.set(edge.id, { edge, key, flow });
      out.push(flow);
    }
    cache = next;
    last = reuse(last, out);
    return last;
  };
}
