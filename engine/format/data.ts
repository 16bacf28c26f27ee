/**
 * Checks of a data file (spec "Data") against a valid graph, and the one-line
 * rendering of a problem used by the CLI and the editor.
 */
import { problem } from '../errors.ts';
import { own } from './dict.ts';
import type { Graph, Problem } from './types.ts';
import { checkTensor, isRecord, pathOf } from './validate.ts';

interface StreamDims {
  T: number;
  B: number;
  from: string;
}

/**
 * Every problem of `data` as the data of `graph` (which must be valid): each
 * input node has `inputs[id]` of shape [T, B, size], each target a loss reads
 * has `targets[id]`, all streams share T ≥ 1 and B ≥ 1, `initialStates[cell]`
 * is [B, size], and no stream names a node the graph lacks. Never throws.
 *
 * Example: validateData(graph, { inputs: { x: { shape: [3, 1, 2], data: [1, 2, 3, 4, 5, 6] } }, targets: {…} })
 */
export function validateData(graph: Graph, data: unknown): Problem[] {
  const problems: Problem[] = [];
  try {
    checkData(graph, data, problems);
  } catch (e) {
    // A bug, but still said with what and where: the data file as a whole, checked against the graph.
    problems.push(problem('CW099', { detail: `checking the data file against the graph: ${e instanceof Error ? e.message : String(e)}` }, { path: 'inputs' }));
  }
  return problems;
}

function checkData(graph: Graph, data: unknown, problems: Problem[]): void {
  if (!isRecord(data)) {
    problems.push(problem('CW080', { field: '', found: data }, { path: '' }));
    return;
  }
  const nodes = (Array.isArray(graph.nodes) ? graph.nodes : []).filter(isRecord);
  const kindOf = new Map<string, unknown>();
  const sizeOf = new Map<string, number>();
  for (const n of nodes) {
    if (typeof n.id !== 'string' || kindOf.has(n.id)) continue;
    kindOf.set(n.id, n.kind);
    if (typeof n.size === 'number') sizeOf.set(n.id, n.size);
  }
  const readTargets = new Set<string>();
  for (const e of Array.isArray(graph.edges) ? graph.edges : []) {
    if (isRecord(e) && e.port === 'target' && typeof e.source === 'string' && typeof e.target === 'string' && kindOf.get(e.target) === 'loss') {
      readTargets.add(e.source);
    }
  }

  const sections: Record<'inputs' | 'targets' | 'initialStates', Record<string, unknown>> = { inputs: {}, targets: {}, initialStates: {} };
  for (const field of ['inputs', 'targets', 'initialStates'] as const) {
    const v = data[field];
    if (v === undefined && field !== 'inputs') continue;
    if (!isRecord(v)) problems.push(problem('CW080', { field, found: v }, { path: field }));
    else sections[field] = v;
  }

  let dims: StreamDims | undefined;
  const stream = (section: 'inputs' | 'targets', id: string): void => {
    const path = pathOf(section, id);
    const what = `${section === 'inputs' ? 'input' : 'target'} stream "${id}"`;
    const shape = checkTensor(own(sections[section], id), what, path, problems, { node: id });
    if (!shape) return;
    const size = sizeOf.get(id);
    if (shape.length !== 3 || (size !== undefined && shape[2] !== size)) {
      problems.push(problem('CW082', { what, expected: `[T, B, ${size ?? 'size'}]`, found: shape }, { path: `${path}.shape`, node: id }));
      return;
    }
    const [T, B] = shape;
    for (const [dim, value] of [['T', T], ['B', B]] as const) {
      if (value < 1) problems.push(problem('CW084', { what, dim }, { path: `${path}.shape`, node: id }));
    }
    if (T < 1 || B < 1) return;
    if (!dims) {
      dims = { T, B, from: what };
      return;
    }
    for (const [dim, value, expected] of [['T', T, dims.T], ['B', B, dims.B]] as const) {
      if (value !== expected) {
        problems.push(problem('CW083', { what, dim, value, expected, from: dims.from }, { path: `${path}.shape`, node: id }));
      }
    }
  };

  for (const [id, kind] of kindOf) {
    if (kind === 'input') {
      if (!Object.hasOwn(sections.inputs, id)) problems.push(problem('CW081', { section: 'inputs', id }, { path: 'inputs', node: id }));
      else stream('inputs', id);
    }
  }
  for (const [id, kind] of kindOf) {
    if (kind !== 'target') continue;
    if (Object.hasOwn(sections.targets, id)) stream('targets', id);
    else if (readTargets.has(id)) problems.push(problem('CW081', { section: 'targets', id }, { path: 'targets', node: id }));
  }
  for (const section of ['inputs', 'targets'] as const) {
    const expected = section === 'inputs' ? 'input' : 'target';
    for (const id of Object.keys(sections[section])) {
      if (kindOf.get(id) !== expected) {
        problems.push(problem('CW085', { section, id, expected: `${expected} node` }, { path: pathOf(section, id) }));
      }
    }
  }
  for (const [id, value] of Object.entries(sections.initialStates)) {
    const path = pathOf('initialStates', id);
    if (kindOf.get(id) !== 'cell') {
      problems.push(problem('CW085', { section: 'initialStates', id, expected: 'cell node' }, { path }));
      continue;
    }
    const what = `initial state of "${id}"`;
    const shape = checkTensor(value, what, path, problems, { node: id });
    if (!shape) continue;
    const size = sizeOf.get(id);
    const B = dims?.B;
    if (shape.length !== 2 || (size !== undefined && shape[1] !== size) || (B !== undefined && shape[0] !== B)) {
      problems.push(problem('CW082', { what, expected: `[${B ?? 'B'}, ${size ?? 'size'}]`, found: shape }, { path: `${path}.shape`, node: id }));
    }
  }
}

/**
 * One line: `error CW012 nodes[3] (node "f"): message — hint`.
 *
 * Example: formatProblem(validateGraph(g)[0])
 */
export function formatProblem(p: Problem): string {
  const where = p.path === '' ? '' : ` ${p.path}`;
  const ids = [p.node !== undefined ? `node "${p.node}"` : '', p.edge !== undefined ? `edge "${p.edge}"` : ''].filter((s) => s !== '');
  const who = ids.length > 0 ? ` (${ids.join(', ')})` : '';
  const hint = p.hint ? ` — ${p.hint}` : '';
  return `${p.severity} ${p.code}${where}${who}: ${p.message}${hint}`;
}
