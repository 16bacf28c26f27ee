/**
 * What template groups change on the canvas: members of a collapsed group
 * are hidden behind one box whose ports stand for them, edges crossing its
 * border are re-attached to the box, and an expanded group gets a frame.
 */
import type { Graph } from '../../engine/format/types.ts';
import { DEFAULT_NODE_SIZE } from '../doc/layout.ts';
import type { XY } from '../doc/ops.ts';
import { groupMembers, groupName, groupOf } from '../doc/groups.ts';
import type { ProblemIndex } from '../store/validation.ts';
import type { FrameData, GroupBoxData } from './groupNodes.tsx';
import type { Node } from '@xyflow/react';

export const GROUP_PREFIX = 'group:';
export const FRAME_PREFIX = 'frame:';
const FRAME_PAD = 18;

export interface GroupView {
  hiddenNodes: Set<string>;
  hiddenEdges: Set<string>;
  /** Member of a collapsed group → the box's node id. */
  boxOf: Map<string, string>;
  boxes: Node<GroupBoxData>[];
  frames: Node<FrameData>[];
}

export function groupOrigin(members: Array<{ position?: XY }>, dragging?: ReadonlyMap<string, XY> | null, ids?: string[]): XY {
  let x = Infinity;
  let y = Infinity;
  members.forEach((member, i) => {
    const p = (ids && dragging?.get(ids[i])) ?? member.position ?? { x: 0, y: 0 };
    x = Math.min(x, p.x);
    y = Math.min(y, p.y);
  });
  return { x: Number.isFinite(x) ? x : 0, y: Number.isFinite(y) ? y : 0 };
}

const NO_GROUPS: GroupView = { hiddenNodes: new Set(), hiddenEdges: new Set(), boxOf: new Map(), boxes: [], frames: [] };

export function computeGroupView(
  graph: Graph,
  collapsed: ReadonlySet<string>,
  selected: ReadonlySet<string>,
  measured: ReadonlyMap<string, { width: number; height: number }>,
  dragging: ReadonlyMap<string, XY> | null,
  problems: ProblemIndex,
): GroupView {
  const members = groupMembers(graph);
  // No groups: the same empty view every time, so what depends on it (the edges) is not derived again on every drag frame.
  if (members.size === 0) return NO_GROUPS;
  const view: GroupView = { hiddenNodes: new Set(), hiddenEdges: new Set(), boxOf: new Map(), boxes: [], frames: [] };
  for (const [group, nodes] of members) {
    const ids = nodes.map((node) => node.id);
    const name = groupName(graph, group);
    if (collapsed.has(group)) {
      const boxId = `${GROUP_PREFIX}${group}`;
      for (const id of ids) {
        view.hiddenNodes.add(id);
        view.boxOf.set(id, boxId);
      }
      const inside = new Set(ids);
      const inputs: string[] = [];
      const outputs: string[] = [];
      for (const edge of graph.edges) {
        const fromIn = inside.has(edge.source);
        const toIn = inside.has(edge.target);
        if (fromIn && toIn) view.hiddenEdges.add(edge.id);
        else if (toIn && !inputs.includes(edge.target)) inputs.push(edge.target);
        else if (fromIn && !outputs.includes(edge.source)) outputs.push(edge.source);
      }
      const counts = new Map<string, number>();
      for (const node of nodes) counts.set(node.kind, (counts.get(node.kind) ?? 0) + 1);
      const summary = [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(' · ');
      const memberProblems = ids.flatMap((id) => problems.byNode.get(id) ?? []);
      const error = memberProblems.find((p) => p.severity === 'error') ?? memberProblems[0];
      view.boxes.push({
        id: boxId,
        type: 'cw-groupbox',
        position: groupOrigin(nodes, dragging, ids),
        selected: ids.every((id) => selected.has(id)),
        data: { group, name, count: ids.length, summary, inputs, outputs, severity: error?.severity, message: memberProblems.map((p) => p.message).join('\n') || undefined },
        ariaLabel: `group ${name}`,
      });
    } else {
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const node of nodes) {
        const p = dragging?.get(node.id) ?? node.position ?? { x: 0, y: 0 };
        const size = measured.get(node.id) ?? DEFAULT_NODE_SIZE[node.kind];
        minX = Math.min(minX, p.x);
        minY = Math.min(minY, p.y);
        maxX = Math.max(maxX, p.x + size.width);
        maxY = Math.max(maxY, p.y + size.height + (node.kind === 'op' ? 18 : 0));
      }
      view.frames.push({
        id: `${FRAME_PREFIX}${group}`,
        type: 'cw-frame',
        position: { x: minX - FRAME_PAD, y: minY - FRAME_PAD - 22 },
        data: { group, name, width: maxX - minX + 2 * FRAME_PAD, height: maxY - minY + 2 * FRAME_PAD + 22 },
        selectable: false,
        draggable: false,
        connectable: false,
        focusable: false,
        zIndex: -1,
      });
    }
  }
  return view;
}

/** A connection made on a group box's port means its member node. */
export function resolveEnd(node: string, handle: string | null | undefined): { node: string; handle: string | null | undefined } {
  if (node.startsWith(GROUP_PREFIX) && handle && (handle.startsWith('in:') || handle.startsWith('out:'))) {
    return { node: handle.slice(handle.indexOf(':') + 1), handle: null };
  }
  return { node, handle };
}

export function membersOfGroupNode(graph: Graph, id: string): string[] {
  const group = id.slice(GROUP_PREFIX.length);
  return graph.nodes.filter((node) => groupOf(node) === group).map((node) => node.id);
}
