/**
 * The engine's entry points for any graph — plain, with layers, with blocks:
 * a graph with blocks is expanded (expand.ts) and the flat graph goes on to
 * the layer-aware validator and compiler (engine/layers). engine/layers/index.ts
 * exports these, so every caller of validateAny/compileAny gets blocks.
 *
 * Problems of the flat graph are moved back into the file: an inner node's
 * problem points at the definition (`blocks["my gate"].nodes[2]`), names the
 * instance (`block "my gate", instance "g2": …`) and marks the instance node,
 * which is what the canvas shows.
 */
import type { CompileOptions, Program } from '../compile.ts';
import { GraphError } from '../compile.ts';
import { problem, show } from '../errors.ts';
import type { Graph, Problem } from '../format/types.ts';
import type { ValidateOptions } from '../format/validate.ts';
import { hasErrors } from '../format/validate.ts';
import { validateDataLayered, validateLayered } from '../layers/check.ts';
import { compileLayered } from '../layers/compile.ts';
import { inferSizesAny as inferSizesLayered } from '../layers/meta.ts';
import type { Expansion, Origin } from './expand.ts';
import { expandBlocks } from './expand.ts';
import { hasBlocks } from './types.ts';

const expansions = new WeakMap<Program, Expansion>();

/** The expansion behind a program compiled from a graph with blocks (undefined otherwise). */
export function expansionOf(program: Program): Expansion | undefined {
  return expansions.get(program);
}

/** A flat graph's problem, moved to where it is in the file. */
function relocate(p: Problem, x: Expansion): Problem {
  const m = /^(nodes|edges)\[(\d+)\](.*)$/.exec(p.path);
  const origin: Origin | undefined = m ? (m[1] === 'nodes' ? x.nodeOrigins : x.edgeOrigins)[Number(m[2])] : undefined;
  const byId = (id: string | undefined): Origin | undefined => {
    if (id === undefined) return undefined;
    const i = x.graph.nodes.findIndex((n) => (n as { id?: unknown } | undefined)?.id === id);
    return i >= 0 ? x.nodeOrigins[i] : undefined;
  };
  const from = origin?.top !== undefined ? origin : byId(p.node);
  const out: Problem = { ...p };
  if (m && origin) out.path = `${origin.path}${m[3]}`;
  if (from?.top !== undefined) {
    out.message = `block ${show(from.block)}, instance ${show(from.instance)}: ${p.message}`;
    out.node = from.top;
    if (p.edge !== undefined && origin?.top !== undefined) delete out.edge;
    if (p.nodes) out.nodes = [...new Set([from.top, ...p.nodes])];
  }
  return out;
}

/**
 * Every problem of a graph with or without blocks and layers. Never throws.
 *
 * Example: validateAny(graphWithTwoGates).filter((p) => p.severity === 'error') // []
 */
export function validateAny(graph: Graph, options: ValidateOptions = {}): Problem[] {
  if (!hasBlocks(graph)) return validateLayered(graph, options);
  const x = expandBlocks(graph, options);
  return checkExpansion(x, options);
}

function checkExpansion(x: Expansion, options: ValidateOptions): Problem[] {
  const problems = [...x.problems];
  // An instance whose ports are wired wrong (already reported, on the instance) leaves inner edges that read a
  // port nobody feeds: the flat graph's follow-on problems about its inside would only repeat it in internal ids.
  const miswired = new Set(x.problems.filter((p) => p.code === 'CW336' && p.node !== undefined).map((p) => p.node as string));
  const seen = new Set<string>();
  for (const p of validateLayered(x.graph, options)) {
    const q = relocate(p, x);
    if (q.node !== undefined && q.node !== p.node && miswired.has(q.node)) continue;
    // An error inside a definition shows once, not once per instance.
    const key = `${q.code}|${q.path}`;
    if (q.path.startsWith('blocks') && seen.has(key)) continue;
    seen.add(key);
    problems.push(q);
  }
  // An input port's size is its inner input node's: the source feeding it must match.
  if (!hasErrors(problems)) {
    const sizes = inferSizesLayered(x.graph);
    for (const f of x.portFeeds) {
      const size = sizes.get(f.source);
      if (typeof f.portSize === 'number' && size !== undefined && size !== f.portSize) {
        problems.push(problem('CW346', { edge: f.edge, instance: f.instance, block: f.block, port: f.port, source: f.source, size, portSize: f.portSize }, { path: f.path, edge: f.edge }));
      }
    }
  }
  return problems;
}

/**
 * Compiles any graph (blocks, layers or neither). Throws GraphError listing
 * every problem when it is invalid. Node ids of the program are the flat
 * graph's (`g1/f` for inner node f of instance g1); program.graph is the flat graph.
 *
 * @example
 * const program = compileAny(graph);
 * const s = sessionFor(program, { T, B });
 */
export function compileAny(graph: Graph, opts: CompileOptions = {}): Program {
  if (!hasBlocks(graph)) return compileLayered(graph, opts);
  const x = expandBlocks(graph, opts);
  const problems = checkExpansion(x, opts);
  if (hasErrors(problems)) throw new GraphError(problems);
  const program = compileLayered(x.graph, { ...opts, nodeTies: x.nodeTies });
  program.warnings = problems;
  expansions.set(program, x);
  return program;
}

/**
 * Sizes of every node: the flat graph's (inner nodes as `g1/f`) and, for an
 * instance with one output, the instance's own. Never throws.
 */
export function inferSizesAny(graph: Graph): Map<string, number> {
  if (!hasBlocks(graph)) return inferSizesLayered(graph);
  try {
    const x = expandBlocks(graph);
    const sizes = inferSizesLayered(x.graph);
    for (const i of x.instances) {
      if (i.outputs.size === 1) {
        const s = sizes.get([...i.outputs.values()][0]);
        if (s !== undefined) sizes.set(i.id, s);
      }
    }
    return sizes;
  } catch {
    return new Map();
  }
}

/** Checks a data file against any graph; inner cells of instances take `initialStates` under their flat ids (`g1/c`). */
export function validateDataAny(graph: Graph, data: unknown): Problem[] {
  if (!hasBlocks(graph)) return validateDataLayered(graph, data);
  return validateDataLayered(expandBlocks(graph).graph, data);
}

/** The flat graph and the compile options a graph with blocks needs (for code that calls compile() itself, like the exports). */
export function flatForCompile(graph: Graph): { graph: Graph; nodeTies?: ReadonlyMap<string, string> } {
  if (!hasBlocks(graph)) return { graph };
  const x = expandBlocks(graph);
  return { graph: x.graph, nodeTies: x.nodeTies };
}
