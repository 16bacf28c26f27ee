/**
 * Template groups: the nodes a template brought in carry `"group": "<id>"`
 * and the graph keeps each group's display name under `"groups"`. Both are
 * editor fields the engine ignores (the format allows extra fields); they let
 * a template be collapsed into one box and expanded again.
 */
import type { Graph, GraphNode } from '../../engine/format/types.ts';
import { uniqueId } from './ops.ts';

export interface GroupInfo {
  name: string;
  [extra: string]: unknown;
}

export function groupOf(node: GraphNode): string | undefined {
  return typeof node.group === 'string' ? node.group : undefined;
}

export function groupsOf(graph: Graph): Record<string, GroupInfo> {
  const value = graph.groups;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return value as Record<string, GroupInfo>;
}

export function groupMembers(graph: Graph): Map<string, GraphNode[]> {
  const members = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    const group = groupOf(node);
    if (!group) continue;
    const list = members.get(group);
    if (list) list.push(node);
    else members.set(group, [node]);
  }
  return members;
}

export function groupName(graph: Graph, group: string): string {
  return groupsOf(graph)[group]?.name ?? group;
}

/** Put nodes into a new group; returns its id. */
export function tagGroup(graph: Graph, ids: Iterable<string>, name: string, base: string): { graph: Graph; group: string } {
  const taken = new Set([...Object.keys(groupsOf(graph)), ...groupMembers(graph).keys()]);
  const group = uniqueId(base.replace(/[^A-Za-z0-9_-]+/g, '_') || 'group', taken);
  const members = new Set(ids);
  return {
    group,
    graph: {
      ...graph,
      nodes: graph.nodes.map((node) => (members.has(node.id) ? { ...node, group } : node)),
      groups: { ...groupsOf(graph), [group]: { name } },
    },
  };
}

/** Dissolve a group: its nodes stay, the grouping goes. */
export function ungroup(graph: Graph, group: string): Graph {
  const groups = { ...groupsOf(graph) };
  delete groups[group];
  const next: Graph = {
    ...graph,
    nodes: graph.nodes.map((node) => {
      if (groupOf(node) !== group) return node;
      const { group: _dropped, ...rest } = node;
      return rest as GraphNode;
    }),
  };
  if (Object.keys(groups).length > 0) next.groups = groups;
  else delete next.groups;
  return next;
}

