/**
 * Validation of a loaded graph: shape checks per element (zod schemas of
 * schema.ts), then the relations between elements (ids, sizes, weight kinds,
 * ports, cells, ops, losses, algebraic loops, parameters). It reports every
 * problem it finds and never throws, whatever it is given.
 */
import type { z } from 'zod';
import { problem, show } from '../errors.ts';
import type { ProblemArgs } from '../errors.ts';
import { edgeSchema, enumValues, graphFieldSchemas, nodeBaseSchema, nodeSchemas, PORTS, tensorSchema } from './schema.ts';
import { INIT_KINDS, LOSSES, NODE_KINDS, WEIGHT_KINDS } from '../meta.ts';
import type { OpDef } from '../ops/ops.ts';
import { getOp, opAttrs } from '../ops/ops.ts';
import { WEIGHT_KIND_DEFS } from '../ops/weights.ts';
import type { Graph, NodeKind, Problem, WeightKind } from './types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from './types.ts';
import type { Limits } from '../limits.ts';
import { resolveLimits } from '../limits.ts';

/** Options of validateGraph. */
export interface ValidateOptions {
  /** Size limits over the defaults of engine/limits.ts (node sizes, parameter counts, node and edge counts). */
  limits?: Partial<Limits>;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JSON path: pathOf('nodes', 3, 'size') → `nodes[3].size`; odd keys as `["a:b"]`. */
export function pathOf(...segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENT.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

// ── the model: what the checks know about nodes and edges ──────────────────

interface NodeInfo {
  index: number;
  id: string;
  /** undefined when the kind is unknown (already reported) */
  kind: NodeKind | undefined;
  /** the declared size when it is a positive integer */
  size: number | undefined;
  raw: Record<string, unknown>;
}

interface EdgeInfo {
  index: number;
  id: string | undefined;
  source: NodeInfo | undefined;
  target: NodeInfo | undefined;
  /** weight written in the file, when it is a known weight kind */
  weight: WeightKind | undefined;
  /** the weight in effect (explicit, or the default for the target) */
  effective: WeightKind | undefined;
  port: string | undefined;
  raw: Record<string, unknown>;
}

interface Model {
  nodes: NodeInfo[];
  byId: Map<string, NodeInfo>;
  edges: EdgeInfo[];
  edgeById: Map<string, EdgeInfo>;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isNodeKind(v: unknown): v is NodeKind {
  return typeof v === 'string' && (NODE_KINDS as readonly string[]).includes(v);
}

function isWeightKind(v: unknown): v is WeightKind {
  return typeof v === 'string' && (WEIGHT_KINDS as readonly string[]).includes(v);
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Builds the model; with `problems`, also reports the per-element problems
 * (shape, ids, dangling edges).
 */
function buildModel(graph: unknown, problems?: Problem[]): Model {
  const g = isRecord(graph) ? graph : {};
  const model: Model = { nodes: [], byId: new Map(), edges: [], edgeById: new Map() };
  const report = (p: Problem): void => {
    problems?.push(p);
  };

  arrayOf(g.nodes).forEach((raw, index) => {
    const at = pathOf('nodes', index);
    if (!isRecord(raw)) {
      report(problem('CW010', { what: 'node', found: raw }, { path: at }));
      return;
    }
    const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
    const kind = isNodeKind(raw.kind) ? raw.kind : undefined;
    if (problems) {
      const node = id;
      if (id !== undefined && model.byId.has(id)) {
        const first = model.byId.get(id);
        report(problem('CW012', { id, first: pathOf('nodes', first ? first.index : 0) }, { path: pathOf('nodes', index, 'id'), node }));
      }
      if (kind === undefined) {
        report(problem('CW013', { found: raw.kind, allowed: NODE_KINDS }, { path: pathOf('nodes', index, 'kind'), node }));
      }
      const schema = kind === undefined ? nodeBaseSchema : nodeSchemas[kind];
      reportShape(schema.safeParse(raw), raw, kind ?? 'node', 'node', index, node, problems);
    }
    if (id === undefined || model.byId.has(id)) return;
    const info: NodeInfo = { index, id, kind, size: isSize(raw.size) ? raw.size : undefined, raw };
    model.nodes.push(info);
    model.byId.set(id, info);
  });

  arrayOf(g.edges).forEach((raw, index) => {
    const at = pathOf('edges', index);
    if (!isRecord(raw)) {
      report(problem('CW010', { what: 'edge', found: raw }, { path: at }));
      return;
    }
    const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
    if (problems) {
      if (id !== undefined && model.edgeById.has(id)) {
        const first = model.edgeById.get(id);
        report(problem('CW030', { id, first: pathOf('edges', first ? first.index : 0) }, { path: pathOf('edges', index, 'id'), edge: id }));
      }
      reportShape(edgeSchema.safeParse(raw), raw, 'edge', 'edge', index, id, problems);
      for (const end of ['source', 'target'] as const) {
        const v = raw[end];
        // a non-string end is reported by the schema; a string must name a node
        if (typeof v === 'string' && !model.byId.has(v)) {
          report(problem('CW031', { end, found: v }, { path: pathOf('edges', index, end), edge: id }));
        }
      }
    }
    const source = typeof raw.source === 'string' ? model.byId.get(raw.source) : undefined;
    const target = typeof raw.target === 'string' ? model.byId.get(raw.target) : undefined;
    const weight = isWeightKind(raw.weight) ? raw.weight : undefined;
    const defaultWeight: WeightKind | undefined = target?.kind === undefined ? undefined : target.kind === 'gate' ? 'full' : 'identity';
    const effective = raw.weight === undefined ? defaultWeight : weight;
    const port = typeof raw.port === 'string' && (PORTS as readonly string[]).includes(raw.port) ? raw.port : undefined;
    const info: EdgeInfo = { index, id, source, target, weight, effective, port, raw };
    model.edges.push(info);
    if (id !== undefined && !model.edgeById.has(id)) model.edgeById.set(id, info);
  });
  return model;
}

/** Turns zod issues into problems, one per field, with our own wording. */
function reportShape(
  result: z.ZodSafeParseResult<unknown>,
  raw: Record<string, unknown>,
  kind: string,
  what: 'node' | 'edge',
  index: number,
  id: string | undefined,
  problems: Problem[],
): void {
  if (result.success) return;
  const where = (field: string, ...rest: (string | number)[]): { path: string; node?: string; edge?: string } => {
    const path = pathOf(what === 'node' ? 'nodes' : 'edges', index, field, ...rest);
    return what === 'node' ? { path, node: id } : { path, edge: id };
  };
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : '';
    if (field === 'kind' || seen.has(field)) continue; // the kind is reported before
    seen.add(field);
    const value = raw[field];
    if (field === '') {
      problems.push(problem('CW010', { what, found: raw }, where('')));
    } else if (field === 'id') {
      problems.push(problem('CW011', { what, found: value }, where('id')));
    } else if (field === 'source' || field === 'target') {
      problems.push(problem('CW031', { end: field, found: value }, where(field)));
    } else if (field === 'size' || field === 'initScale') {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        problems.push(problem('CW017', { field, found: value }, where(field)));
      } else if (field === 'size') {
        problems.push(problem('CW014', { kind, found: value, optional: kind === 'op' }, where(field)));
      } else {
        problems.push(problem('CW016', { field, found: value, expected: 'a number' }, where(field)));
      }
    } else if (field === 'position') {
      const sub = issue.path.length > 1 ? String(issue.path[1]) : undefined;
      const v = isRecord(value) && sub !== undefined ? value[sub] : undefined;
      if (sub !== undefined && typeof v === 'number' && !Number.isFinite(v)) {
        problems.push(problem('CW017', { field: `position.${sub}`, found: v }, where('position', sub)));
      } else {
        problems.push(problem('CW018', { found: value }, where('position')));
      }
    } else {
      const allowed = enumOf(kind, field);
      const args: ProblemArgs<'CW015'> = { field, kind, found: value, allowed };
      if (allowed.length > 0) problems.push(problem('CW015', args, where(field)));
      else problems.push(problem('CW016', { field, found: value, expected: expectedType(field) }, where(field)));
    }
  }
}

function enumOf(kind: string, field: string): readonly string[] {
  switch (field) {
    case 'weight': return WEIGHT_KINDS;
    case 'init': return INIT_KINDS;
    case 'port': return PORTS;
    default: return isNodeKind(kind) ? enumValues(kind, field) : [];
  }
}

const EXPECTED_TYPE: Record<string, string> = {
  label: 'a string', slot: 'an integer ≥ 0', tie: 'the id of another edge (a string)', zoneout: 'a number',
};

function expectedType(field: string): string {
  return Object.hasOwn(EXPECTED_TYPE, field) ? EXPECTED_TYPE[field] : 'true or false';
}

// ── sizes ──────────────────────────────────────────────────────────────────

function sizesOf(model: Model): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const n of model.nodes) {
    if (n.kind === 'loss') sizes.set(n.id, 1);
    else if (n.kind !== undefined && n.kind !== 'op' && n.size !== undefined) sizes.set(n.id, n.size);
  }
  // Elementwise ops take the size of their first input whose size is known;
  // ops with a size rule of their own (concat, slice) apply it once every
  // input size is known. Sizes spread from the known nodes along edges into
  // ops, each edge counted once: linear in nodes + edges, whatever the order
  // of the file (a round-by-round fixpoint is quadratic on a reversed chain).
  const inputs = new Map<string, EdgeInfo[]>();
  const readers = new Map<string, NodeInfo[]>();
  const pending = new Map<string, number>();
  for (const e of model.edges) {
    if (e.target?.kind === 'op' && e.source && e.source.kind !== 'loss') {
      const list = inputs.get(e.target.id) ?? [];
      list.push(e);
      inputs.set(e.target.id, list);
      const r = readers.get(e.source.id) ?? [];
      r.push(e.target);
      readers.set(e.source.id, r);
      pending.set(e.target.id, (pending.get(e.target.id) ?? 0) + 1);
    }
  }
  const ops = model.nodes.filter((n) => n.kind === 'op');
  const queue = model.nodes.filter((n) => sizes.has(n.id)).map((n) => n.id);
  for (let q = 0; q < queue.length; q++) {
    for (const op of readers.get(queue[q]) ?? []) {
      const left = (pending.get(op.id) ?? 0) - 1;
      pending.set(op.id, left);
      if (sizes.has(op.id)) continue;
      const def = opDefOf(op);
      const ins = inputs.get(op.id) ?? [];
      let size: number | undefined;
      if (def?.size) {
        if (left === 0) size = def.size(slotOrder(def, ins).map((e) => sizes.get(e.source!.id)!), opAttrs(def, op.raw));
        if (size !== undefined && !isSize(size)) size = undefined;
      } else {
        const known = ins.find((e) => sizes.has(e.source!.id));
        if (known) size = sizes.get(known.source!.id);
      }
      if (size !== undefined) {
        sizes.set(op.id, size);
        queue.push(op.id);
      }
    }
  }
  for (const op of ops) {
    if (!sizes.has(op.id) && op.size !== undefined) sizes.set(op.id, op.size);
  }
  return sizes;
}

function opDefOf(n: NodeInfo): OpDef | undefined {
  return typeof n.raw.op === 'string' ? getOp(n.raw.op) : undefined;
}

/** An op's input edges in slot order (ops without slots: file order). */
function slotOrder(def: OpDef | undefined, ins: EdgeInfo[]): EdgeInfo[] {
  if (!def?.slots) return ins;
  const slot = (e: EdgeInfo): number => (typeof e.raw.slot === 'number' ? e.raw.slot : 0);
  return [...ins].sort((a, b) => slot(a) - slot(b));
}

/**
 * The size of every node whose size can be known: declared sizes, ops from
 * their inputs (or their own `size` when no input size is known), losses 1.
 * Never throws.
 *
 * Example: inferSizes(graph).get('h_new') // 3
 */
export function inferSizes(graph: Graph): Map<string, number> {
  try {
    return sizesOf(buildModel(graph));
  } catch {
    return new Map();
  }
}

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

// ── validation ─────────────────────────────────────────────────────────────

/**
 * Every problem of a graph, errors and warnings, in file order of the checks.
 * Never throws.
 *
 * Example: hasErrors(validateGraph(graph)) // false for a graph that compiles
 */
export function validateGraph(graph: Graph, options: ValidateOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const stage = { name: 'the file', path: '' };
  try {
    check(graph as unknown, problems, resolveLimits(options.limits), stage);
  } catch (e) {
    // A bug, but still said with what and where: the check that failed and its part of the file.
    problems.push(problem('CW099', { detail: `${stage.name}: ${e instanceof Error ? e.message : show(e)}` }, { path: stage.path }));
  }
  return problems;
}

function check(graph: unknown, problems: Problem[], limits: Limits, stage: { name: string; path: string }): void {
  if (!isRecord(graph)) {
    problems.push(problem('CW002', { found: graph }, { path: '' }));
    return;
  }
  if (graph.format !== GRAPH_FORMAT) problems.push(problem('CW002', { found: graph.format }, { path: 'format' }));
  const version = graph.version;
  if (version === undefined) problems.push(problem('CW003', {}, { path: 'version' }));
  else if (typeof version === 'number' && Number.isInteger(version) && version > GRAPH_VERSION) {
    problems.push(problem('CW004', { version, supported: GRAPH_VERSION }, { path: 'version' }));
  } else if (version !== GRAPH_VERSION) problems.push(problem('CW005', { found: version }, { path: 'version' }));
  for (const [field, { schema, expected }] of Object.entries(graphFieldSchemas)) {
    if (graph[field] !== undefined && !schema.safeParse(graph[field]).success) {
      problems.push(problem('CW016', { field, found: graph[field], expected }, { path: field }));
    }
  }
  for (const field of ['nodes', 'edges'] as const) {
    if (!Array.isArray(graph[field])) problems.push(problem('CW006', { field, found: graph[field] }, { path: field }));
  }

  // Counts first: a graph over them is refused before anything per element is built.
  let tooMany = false;
  for (const [what, limit] of [['nodes', limits.maxNodes], ['edges', limits.maxEdges]] as const) {
    const list = graph[what];
    if (Array.isArray(list) && list.length > limit) {
      problems.push(problem('CW113', { what, count: list.length, limit }, { path: what }));
      tooMany = true;
    }
  }
  if (tooMany) return;

  const at = (name: string, path: string): void => {
    stage.name = name;
    stage.path = path;
  };
  at('checking nodes and edges', 'nodes');
  const model = buildModel(graph, problems);
  at('inferring sizes', 'nodes');
  const sizes = sizesOf(model);
  at('checking sizes against the limits', 'nodes');
  checkLimits(model, sizes, problems, limits);
  at('checking edges', 'edges');
  checkEdges(model, sizes, problems);
  at('checking nodes', 'nodes');
  checkNodes(model, sizes, problems);
  checkTies(model, sizes, problems);
  const losses = model.nodes.filter((n) => n.kind === 'loss');
  if (losses.length === 0) problems.push(problem('CW049', {}, { path: 'nodes' }));
  at('searching for algebraic loops', 'edges');
  checkLoops(model, problems);
  at('checking what reaches a loss', 'edges');
  if (losses.length > 0) checkReachable(model, problems);
  at('checking parameters', 'parameters');
  checkParameters(graph, model, sizes, problems);
}

/**
 * Node sizes and parameter counts against the limits (engine/limits.ts), so
 * nothing downstream allocates for a 1 KB file that asks for gigabytes.
 * Linear in nodes + edges; allocates nothing per unit.
 */
function checkLimits(model: Model, sizes: Map<string, number>, problems: Problem[], limits: Limits): void {
  for (const n of model.nodes) {
    const size = sizes.get(n.id);
    if (size !== undefined && size > limits.maxNodeSize) {
      problems.push(problem('CW110', { node: n.id, size, limit: limits.maxNodeSize }, { path: pathOf('nodes', n.index, ...(n.size !== undefined ? ['size'] : [])), node: n.id }));
    }
  }
  let total = 0;
  let largest = { count: 0, what: '' };
  const add = (count: number, what: string): void => {
    total += count;
    if (count > largest.count) largest = { count, what: `${what}, ${count} numbers` };
  };
  for (const e of model.edges) {
    if (e.target?.kind !== 'gate' || !e.source || e.effective === undefined || e.effective === 'identity') continue;
    const s = sizes.get(e.source.id);
    const t = sizes.get(e.target.id);
    if (s === undefined || t === undefined) continue;
    const shape = e.effective === 'full' ? [t, s] : e.effective === 'diagonal' ? [t] : [1];
    const count = shape.reduce((a, b) => a * b, 1);
    const key = `edge:${e.id ?? `#${e.index}`}`;
    if (count > limits.maxParameters) {
      problems.push(problem('CW111', { key, shape, count, limit: limits.maxParameters }, { ...edgeWhere(e), nodes: [e.source.id, e.target.id] }));
    }
    add(count, `"${key}" [${shape.join(', ')}]`);
  }
  for (const n of model.nodes) {
    const size = sizes.get(n.id);
    if (size === undefined) continue;
    if (n.kind === 'gate' && n.raw.bias !== false) add(size, `"bias:${n.id}"`);
    if (n.kind === 'cell' && n.raw.initial === 'learned') add(size, `"init:${n.id}"`);
  }
  if (total > limits.maxParameters) problems.push(problem('CW112', { count: total, limit: limits.maxParameters, largest: largest.what }, { path: 'edges' }));
}

function edgeWhere(e: EdgeInfo, field?: string): { path: string; edge?: string } {
  return { path: field === undefined ? pathOf('edges', e.index) : pathOf('edges', e.index, field), edge: e.id };
}

function checkEdges(model: Model, sizes: Map<string, number>, problems: Problem[]): void {
  for (const e of model.edges) {
    const { source, target } = e;
    if (target?.kind !== undefined && e.raw.port !== undefined && target.kind !== 'loss') {
      problems.push(problem('CW037', { target: target.id }, edgeWhere(e, 'port')));
    }
    if (e.raw.slot !== undefined && target?.kind !== undefined && !(target.kind === 'op' && opDefOf(target)?.slots)) {
      problems.push(problem('CW143', { target: target.id }, edgeWhere(e, 'slot')));
    }
    if (!source || !target || source.kind === undefined || target.kind === undefined) continue;
    if (target.kind === 'input' || target.kind === 'target') {
      problems.push(problem('CW034', { target: target.id, targetKind: target.kind }, edgeWhere(e, 'target')));
      continue;
    }
    if (source.kind === 'loss') {
      problems.push(problem('CW035', { source: source.id }, edgeWhere(e, 'source')));
      continue;
    }
    if (source.kind === 'target' && !(target.kind === 'loss' && e.port === 'target')) {
      problems.push(problem('CW036', { source: source.id, target: target.id }, edgeWhere(e, 'source')));
    }
    if (target.kind === 'loss' && e.raw.port === undefined) {
      problems.push(problem('CW038', { target: target.id, allowed: PORTS }, edgeWhere(e)));
    }
    if ((target.kind === 'op' || target.kind === 'cell' || target.kind === 'loss') && e.weight !== undefined && e.weight !== 'identity') {
      problems.push(problem('CW032', { weight: e.weight, targetKind: target.kind, target: target.id }, edgeWhere(e, 'weight')));
      continue;
    }
    // Sizes into ops and losses are compared among the inputs (checkNodes).
    if (target.kind !== 'gate' && target.kind !== 'cell') continue;
    const s = sizes.get(source.id);
    const t = sizes.get(target.id);
    if (s === undefined || t === undefined || e.effective === undefined) continue;
    const w = e.effective;
    if (!WEIGHT_KIND_DEFS[w].fits(s, t)) {
      problems.push(problem('CW033', { weight: w, source: source.id, sourceSize: s, target: target.id, targetSize: t }, edgeWhere(e)));
    }
  }
}

function checkNodes(model: Model, sizes: Map<string, number>, problems: Problem[]): void {
  const incoming = new Map<string, EdgeInfo[]>();
  for (const e of model.edges) {
    if (!e.source || !e.target) continue;
    const list = incoming.get(e.target.id) ?? [];
    list.push(e);
    incoming.set(e.target.id, list);
  }
  for (const n of model.nodes) {
    const ins = incoming.get(n.id) ?? [];
    const where = { path: pathOf('nodes', n.index), node: n.id };
    switch (n.kind) {
      case 'gate':
        if (ins.length === 0) problems.push(problem('CW071', { id: n.id }, where));
        break;
      case 'op':
        checkOp(n, ins, sizes, problems);
        break;
      case 'cell': {
        const z = n.raw.zoneout;
        if (typeof z === 'number' && !(z >= 0 && z < 1)) problems.push(problem('CW150', { cell: n.id, found: z }, { path: pathOf('nodes', n.index, 'zoneout'), node: n.id }));
        if (ins.length !== 1) problems.push(problem('CW044', { cell: n.id, count: ins.length }, where));
        break;
      }
      case 'loss':
        checkLoss(n, ins, sizes, problems);
        break;
      case 'input':
      case 'target':
      case undefined:
        break;
      default: {
        const never: never = n.kind;
        void never;
      }
    }
  }
}

function arityText(min: number, max: number): string {
  if (min === max) return `exactly ${min} input${min === 1 ? '' : 's'}`;
  return max === Infinity ? `at least ${min} input${min === 1 ? '' : 's'}` : `${min} to ${max} inputs`;
}

/** An op's inputs, slots, fields and sizes, by the rules of its registry entry. */
function checkOp(n: NodeInfo, ins: EdgeInfo[], sizes: Map<string, number>, problems: Problem[]): void {
  const where = { path: pathOf('nodes', n.index), node: n.id };
  const def = opDefOf(n);
  if (ins.length === 0) problems.push(problem('CW045', { op: n.id }, where));
  if (!def) return; // an unknown op is reported by the schema, naming the node and the name
  if (ins.length > 0 && (ins.length < def.arity.min || ins.length > def.arity.max)) {
    if (def.name === 'one_minus') problems.push(problem('CW046', { op: n.id, count: ins.length }, where));
    else problems.push(problem('CW140', { op: n.id, opKind: def.name, expected: arityText(def.arity.min, def.arity.max), count: ins.length }, where));
  }
  if (def.slots) {
    const seen = new Map<number, EdgeInfo>();
    for (const e of ins) {
      const slot = e.raw.slot;
      if (slot !== undefined && !(typeof slot === 'number' && Number.isInteger(slot) && slot >= 0)) continue; // the schema reports it
      if (slot === undefined || (def.slots === 'pair' && slot > 1)) {
        problems.push(problem('CW141', { op: n.id, opKind: def.name, found: slot }, { ...edgeWhere(e, slot === undefined ? undefined : 'slot'), node: n.id }));
        continue;
      }
      const first = seen.get(slot);
      if (first) problems.push(problem('CW142', { op: n.id, slot, first: `edge "${first.id ?? pathOf('edges', first.index)}"` }, { ...edgeWhere(e, 'slot'), node: n.id }));
      else seen.set(slot, e);
    }
  }
  const attrs = opAttrs(def, n.raw);
  for (const f of def.fields) {
    const v = n.raw[f.name];
    const at = { path: pathOf('nodes', n.index, f.name), node: n.id };
    if (v === undefined) {
      if (f.required) problems.push(problem('CW144', { op: n.id, opKind: def.name, field: f.name, found: undefined, expected: fieldExpectation(f) }, at));
      continue;
    }
    const ok = f.type === 'boolean'
      ? typeof v === 'boolean'
      : typeof v === 'number' && Number.isFinite(v) && (f.type !== 'integer' || Number.isInteger(v))
        && (f.min === undefined || (f.minExclusive ? v > f.min : v >= f.min)) && (f.maxExclusive === undefined || v < f.maxExclusive);
    if (!ok) problems.push(problem('CW144', { op: n.id, opKind: def.name, field: f.name, found: v, expected: fieldExpectation(f) }, at));
  }
  const usable = slotOrder(def, ins.filter((e) => e.source && e.source.kind !== 'loss'));
  const inSizes = usable.map((e) => sizes.get(e.source!.id));
  if (def.check && inSizes.every((x) => x !== undefined)) {
    const why = def.check(inSizes as number[], attrs);
    if (why) problems.push(problem('CW145', { op: n.id, opKind: def.name, why }, where));
  }
  const known = usable.filter((e) => sizes.has(e.source!.id));
  if (def.sameSize) {
    const first = known.length > 0 ? sizes.get(known[0].source!.id) : undefined;
    const odd = known.find((e) => sizes.get(e.source!.id) !== first);
    if (odd) {
      const list = known.map((e) => `${e.source?.id}: ${sizes.get(e.source!.id)}`).join(', ');
      problems.push(problem('CW047', { op: n.id, sizes: list }, { path: pathOf('edges', odd.index), node: n.id, edge: odd.id }));
    } else if (first !== undefined && n.size !== undefined && n.size !== first) {
      problems.push(problem('CW048', { op: n.id, size: n.size, inputSize: first }, { path: pathOf('nodes', n.index, 'size'), node: n.id }));
    }
  } else if (def.name === 'concat' && n.size !== undefined && known.length === usable.length && usable.length > 0) {
    const sum = inSizes.reduce((a: number, b) => a + (b ?? 0), 0);
    if (sum !== n.size) problems.push(problem('CW146', { op: n.id, size: n.size, sum }, { path: pathOf('nodes', n.index, 'size'), node: n.id }));
  }
}

function fieldExpectation(f: OpDef['fields'][number]): string {
  if (f.type === 'boolean') return 'true or false';
  const kind = f.type === 'integer' ? 'an integer' : 'a number';
  const lo = f.min === undefined ? '' : ` ${f.minExclusive ? '>' : '≥'} ${f.min}`;
  const hi = f.maxExclusive === undefined ? '' : `${lo ? ' and' : ''} < ${f.maxExclusive}`;
  return `${kind}${lo}${hi}`;
}

/**
 * Tied edges: the owner is another edge of the graph that owns a learned
 * weight (not tied itself: no chains, so no cycles), with the same weight
 * kind and parameter shape.
 */
function checkTies(model: Model, sizes: Map<string, number>, problems: Problem[]): void {
  for (const e of model.edges) {
    const tie = e.raw.tie;
    if (tie === undefined || e.id === undefined) continue;
    if (typeof tie !== 'string') continue; // the schema reports it
    const owner = model.edgeById.get(tie);
    const at = edgeWhere(e, 'tie');
    if (!owner) {
      problems.push(problem('CW147', { edge: e.id, tie }, at));
      continue;
    }
    const learned = (x: EdgeInfo): boolean => x.target?.kind === 'gate' && x.effective !== undefined && x.effective !== 'identity';
    let why = '';
    if (owner === e) why = 'an edge cannot be tied to itself';
    else if (owner.raw.tie !== undefined) why = `"${tie}" is tied to another edge itself (tie to the edge that owns the weight)`;
    else if (!learned(owner)) why = `"${tie}" has no learned weight (only full, diagonal or scalar edges into a gate have one)`;
    else if (!learned(e)) why = 'this edge has no learned weight to share (only full, diagonal or scalar edges into a gate have one)';
    if (why) {
      problems.push(problem('CW148', { edge: e.id, owner: tie, why }, at));
      continue;
    }
    const shapeOf = (x: EdgeInfo): number[] | null | undefined => {
      const ns = x.source ? sizes.get(x.source.id) : undefined;
      const nt = x.target ? sizes.get(x.target.id) : undefined;
      return ns === undefined || nt === undefined ? undefined : WEIGHT_KIND_DEFS[x.effective!].shape(ns, nt);
    };
    const mine = shapeOf(e);
    const theirs = shapeOf(owner);
    const show = (x: EdgeInfo, s: number[] | null | undefined): string => `${x.effective}${s ? ` [${s.join(', ')}]` : ''}`;
    if (e.effective !== owner.effective || (mine && theirs && !sameShape(mine, theirs))) {
      problems.push(problem('CW149', { edge: e.id, owner: tie, mine: show(e, mine), theirs: show(owner, theirs) }, at));
    }
  }
}

function checkLoss(n: NodeInfo, ins: EdgeInfo[], sizes: Map<string, number>, problems: Problem[]): void {
  const lossKind = typeof n.raw.loss === 'string' ? n.raw.loss : '?';
  const where = { path: pathOf('nodes', n.index), node: n.id };
  const usable = ins.filter((e) => e.source?.kind !== undefined && e.source.kind !== 'loss');
  const preds = usable.filter((e) => e.port === 'prediction');
  const targets = usable.filter((e) => e.port === 'target');
  if (preds.length === 0) problems.push(problem('CW039', { loss: n.id, lossKind, port: 'prediction' }, where));
  if (preds.length > 1) problems.push(problem('CW040', { loss: n.id, port: 'prediction', count: preds.length }, { ...edgeWhere(preds[1]), node: n.id }));
  if (lossKind === 'sum') {
    for (const e of targets) problems.push(problem('CW041', { loss: n.id }, { ...edgeWhere(e, 'port'), node: n.id }));
    return;
  }
  // an unknown loss kind is reported already; whether it needs a target is unknown
  const knownLoss = (LOSSES as readonly string[]).includes(lossKind);
  if (targets.length === 0 && knownLoss) problems.push(problem('CW039', { loss: n.id, lossKind, port: 'target' }, where));
  if (targets.length > 1) problems.push(problem('CW040', { loss: n.id, port: 'target', count: targets.length }, { ...edgeWhere(targets[1]), node: n.id }));
  // The target port may read any node (format 1 additions): gradients then flow into both ports.
  if (preds.length === 1 && targets.length === 1 && preds[0].source && targets[0].source) {
    const p = sizes.get(preds[0].source.id);
    const t = sizes.get(targets[0].source.id);
    if (p !== undefined && t !== undefined && p !== t) {
      problems.push(problem('CW043', { loss: n.id, prediction: preds[0].source.id, predictionSize: p, target: targets[0].source.id, targetSize: t }, where));
    }
  }
}

/**
 * Algebraic loops: cycles left once the edges into cells are removed (a cell
 * outputs the previous step's value, so its input is no same-step dependency).
 * Each strongly connected component with a cycle is reported once, naming one
 * shortest cycle through its first node (in file order).
 */
function checkLoops(model: Model, problems: Problem[]): void {
  const n = model.nodes.length;
  const indexOf = new Map<string, number>();
  model.nodes.forEach((node, i) => indexOf.set(node.id, i));
  const adj: number[][] = model.nodes.map(() => []);
  const edgeAt = new Map<string, EdgeInfo>();
  for (const e of model.edges) {
    if (!e.source || !e.target || e.target.kind === 'cell') continue;
    const a = indexOf.get(e.source.id) as number;
    const b = indexOf.get(e.target.id) as number;
    adj[a].push(b);
    if (!edgeAt.has(`${a}>${b}`)) edgeAt.set(`${a}>${b}`, e);
  }
  const comp = tarjan(n, adj);
  const members = new Map<number, number[]>();
  comp.forEach((c, i) => {
    const list = members.get(c) ?? [];
    list.push(i);
    members.set(c, list);
  });
  const reported = new Set<number>();
  for (let start = 0; start < n; start++) {
    const c = comp[start];
    if (reported.has(c)) continue;
    const inComp = members.get(c) ?? [];
    const selfLoop = adj[start].includes(start);
    if (inComp.length < 2 && !selfLoop) continue;
    reported.add(c);
    // shortest cycle start → … → start inside the component (BFS)
    let cycle: number[] = [start];
    if (!selfLoop) {
      const prev = new Map<number, number>();
      const queue = [start];
      let found = -1;
      for (let q = 0; q < queue.length && found < 0; q++) {
        const u = queue[q];
        for (const v of adj[u]) {
          if (comp[v] !== c) continue;
          if (v === start) {
            found = u;
            break;
          }
          if (!prev.has(v)) {
            prev.set(v, u);
            queue.push(v);
          }
        }
      }
      cycle = [];
      for (let u = found; u !== start && u >= 0; u = prev.get(u) ?? -1) cycle.push(u);
      cycle.push(start);
      cycle.reverse();
    }
    const ids = cycle.map((i) => model.nodes[i].id);
    const e = edgeAt.get(`${cycle[0]}>${cycle.length > 1 ? cycle[1] : cycle[0]}`);
    problems.push(problem('CW050', { cycle: ids, more: inComp.length - cycle.length }, {
      path: e ? pathOf('edges', e.index) : pathOf('nodes', start), node: ids[0], edge: e?.id, nodes: ids,
    }));
  }
}

/** Strongly connected components (Tarjan), iterative so big graphs cannot overflow the stack. */
function tarjan(n: number, adj: number[][]): number[] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const comp = new Array<number>(n).fill(-1);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i === 0 && index[v] < 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      if (i < adj[v].length) {
        top[1] = i + 1;
        const w = adj[v][i];
        if (index[w] < 0) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop() as number;
          onStack[w] = false;
          comp[w] = comps;
          if (w === v) break;
        }
        comps++;
      }
    }
  }
  return comp;
}

/** Warns about nodes with no path (through cells too) to a loss. */
function checkReachable(model: Model, problems: Problem[]): void {
  const incoming = new Map<string, string[]>();
  for (const e of model.edges) {
    if (!e.source || !e.target) continue;
    const list = incoming.get(e.target.id) ?? [];
    list.push(e.source.id);
    incoming.set(e.target.id, list);
  }
  const seen = new Set<string>();
  const queue = model.nodes.filter((n) => n.kind === 'loss').map((n) => n.id);
  for (const id of queue) seen.add(id);
  for (let q = 0; q < queue.length; q++) {
    for (const s of incoming.get(queue[q]) ?? []) {
      if (!seen.has(s)) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  for (const n of model.nodes) {
    if (n.kind !== undefined && !seen.has(n.id)) problems.push(problem('CW070', { id: n.id }, { path: pathOf('nodes', n.index), node: n.id }));
  }
}

/** Checks a tensor's form (shape, data length, finite numbers); returns its shape when well formed. */
export function checkTensor(value: unknown, what: string, path: string, problems: Problem[], where: { node?: string; edge?: string } = {}): number[] | undefined {
  const parsed = tensorSchema.safeParse(value);
  if (!parsed.success || !isRecord(value)) {
    problems.push(problem('CW064', { what, found: value }, { path, ...where }));
    return undefined;
  }
  const shape = value.shape as number[];
  const data = value.data as unknown[];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== data.length) {
    problems.push(problem('CW066', { what, shape, expected, found: data.length }, { path: `${path}.data`, ...where }));
    return undefined;
  }
  const bad = data.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) {
    problems.push(problem('CW067', { what, index: bad, found: data[bad] }, { path: `${path}.data[${bad}]`, ...where }));
    return undefined;
  }
  return shape;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkParameters(graph: Record<string, unknown>, model: Model, sizes: Map<string, number>, problems: Problem[]): void {
  const params = graph.parameters;
  if (params === undefined) return;
  if (!isRecord(params)) {
    problems.push(problem('CW060', { found: params }, { path: 'parameters' }));
    return;
  }
  for (const [key, value] of Object.entries(params)) {
    const path = pathOf('parameters', key);
    const colon = key.indexOf(':');
    const prefix = colon < 0 ? '' : key.slice(0, colon);
    const id = key.slice(colon + 1);
    let expected: number[] | undefined;
    let where: { node?: string; edge?: string } = {};
    if (prefix === 'edge') {
      const e = model.edgeById.get(id);
      if (!e) {
        problems.push(problem('CW062', { key, what: 'edge', id }, { path }));
      } else {
        where = { edge: id };
        const w = e.effective;
        const s = e.source ? sizes.get(e.source.id) : undefined;
        const t = e.target ? sizes.get(e.target.id) : undefined;
        const allowedHere = e.target?.kind === 'gate';
        if (typeof e.raw.tie === 'string') {
          problems.push(problem('CW063', { key, why: `edge "${id}" is tied to "${e.raw.tie}" and uses its parameter` }, { path, edge: id }));
        } else if (w === 'identity') {
          problems.push(problem('CW063', { key, why: `edge "${id}" has weight "identity", which has no parameter` }, { path, edge: id }));
        } else if (allowedHere && w === 'full' && s !== undefined && t !== undefined) expected = [t, s];
        else if (allowedHere && w === 'diagonal' && (t ?? s) !== undefined) expected = [(t ?? s) as number];
        else if (allowedHere && w === 'scalar') expected = [1];
      }
    } else if (prefix === 'bias' || prefix === 'init') {
      const n = model.byId.get(id);
      const wantKind = prefix === 'bias' ? 'gate' : 'cell';
      if (!n) {
        problems.push(problem('CW062', { key, what: 'node', id }, { path }));
      } else {
        where = { node: id };
        if (n.kind !== wantKind) {
          problems.push(problem('CW063', { key, why: `"${id}" is a ${n.kind ?? 'node of unknown kind'}, and only a ${wantKind} has a${prefix === 'init' ? ' learned initial state' : ' bias'}` }, { path, node: id }));
        } else if (prefix === 'bias' && n.raw.bias === false) {
          problems.push(problem('CW063', { key, why: `gate "${id}" has "bias": false` }, { path, node: id }));
        } else if (prefix === 'init' && n.raw.initial !== 'learned') {
          problems.push(problem('CW063', { key, why: `cell "${id}" does not have "initial": "learned"` }, { path, node: id }));
        } else if (n.size !== undefined) expected = [n.size];
      }
    } else if (prefix === 'gain' || prefix === 'shift') {
      const n = model.byId.get(id);
      if (!n) {
        problems.push(problem('CW062', { key, what: 'node', id }, { path }));
      } else {
        where = { node: id };
        const def = n.kind === 'op' ? opDefOf(n) : undefined;
        const has = def?.params?.(opAttrs(def, n.raw)).some((x) => x.prefix === prefix) === true;
        if (!has) {
          problems.push(problem('CW063', { key, why: `"${id}" is not a layer_norm op with "affine": true` }, { path, node: id }));
        } else if (sizes.has(id)) expected = [sizes.get(id)!];
      }
    } else {
      problems.push(problem('CW061', { key }, { path }));
    }
    const found = checkTensor(value, `parameter "${key}"`, path, problems, where);
    if (found && expected && !sameShape(found, expected)) {
      problems.push(problem('CW065', { key, expected, found }, { path: `${path}.shape`, ...where }));
    }
  }
}
