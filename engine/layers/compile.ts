/**
 * Compiling a graph with layers: the outer flat graph and every copy of every
 * nested step graph go through the ordinary compile(); this module joins them
 * into one parameter layout and one Program the rest of the engine can read.
 *
 * The Program returned (the "public" program) is the outer program with
 * - `layout`: the outer parameters first (same keys, same offsets), then one
 *   contiguous block per layer copy with namespaced keys (`layer:l1/edge:x_f`);
 * - `nodes`: the outer nodes (a layer is an input-like node holding its output
 *   sequence), then one inert entry per nested node of every copy, with its
 *   reported id (`l1/h`, `l1/reverse/h`), so code that lists values and
 *   gradient norms by node (grad reports, the trainer's samples, the UI's
 *   probe) shows nested nodes without knowing about layers. Those entries
 *   have kind "input" and no edges, and are in none of order/cells/inputs, so
 *   a plain Session given this program leaves them alone.
 *
 * The LayerModel behind a public program (compiled copies, feeds, offsets) is
 * found with layerModel(program).
 */
import type { CNode, CompileOptions, Program } from '../compile.ts';
import { compile, GraphError } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { hasErrors } from '../format/validate.ts';
import type { ParamEntry, ParamLayout } from '../params.ts';
import { hasLayers } from './types.ts';
import type { Direction } from './types.ts';
import { analyzeLayers } from './validate.ts';

export interface CompiledCopy {
  reverse: boolean;
  prefix: string;
  keyPrefix: string;
  program: Program;
  /** Offset of this copy's parameter block in the joint layout. */
  offset: number;
  /** Nested index of the output node. */
  output: number;
  /** Public index of nested node k is firstPublic + k. */
  firstPublic: number;
}

export interface CompiledFeed {
  /** Nested input node index (the same in every copy). */
  port: number;
  /** Outer node index of the source (an input node or a layer). */
  source: number;
  /** Index into LayerModel.layers when the source is a layer, else -1. */
  layer: number;
}

export interface CompiledLayer {
  id: string;
  /** Outer (and public) node index of the layer. */
  index: number;
  direction: Direction;
  size: number;
  copySize: number;
  feeds: CompiledFeed[];
  copies: CompiledCopy[];
}

export interface LayerModel {
  /** The outer flat program, with the joint layout. */
  outer: Program;
  /** Layers in dependency order. */
  layers: CompiledLayer[];
  /** Public index → [layer, copy, nested index] for nested entries. */
  nested: { layer: number; copy: number; node: number }[];
}

const models = new WeakMap<Program, LayerModel>();

/** The layer structure behind a program compiled by compileAny, or undefined for a plain graph. */
export function layerModel(program: Program): LayerModel | undefined {
  return models.get(program);
}

/**
 * The program the step-level diagnostics (Jacobian probes) should read: for a
 * graph with layers the outer program, where each layer is an input stream
 * holding its output (so a probe feeds the outer cells what they really saw);
 * the program itself otherwise. Node indices and the layout are the same.
 */
export function stepProgram(program: Program): Program {
  return layerModel(program)?.outer ?? program;
}

/**
 * Compiles any graph: plain graphs with compile(), graphs with layers as
 * described above. Throws GraphError listing every problem when invalid.
 *
 * @example
 * const program = compileLayered(graph);  // graph may hold "kind": "layer" nodes
 * const s = sessionFor(program, { T, B }); // engine/layers/session.ts
 */
export function compileLayered(graph: Graph, opts: CompileOptions = {}): Program {
  if (!hasLayers(graph)) return compile(graph, opts);
  const analysis = analyzeLayers(graph, { limits: opts.limits });
  if (hasErrors(analysis.problems)) throw new GraphError(analysis.problems);
  const flat = compile(analysis.flat, opts);

  const entries: ParamEntry[] = flat.layout.entries.map((e) => ({ ...e }));
  let offset = flat.layout.size;
  const publicNodes: CNode[] = flat.nodes.slice();
  const nested: LayerModel['nested'] = [];
  const layerIndex = new Map(analysis.layers.map((l, i) => [l.id, i]));
  const layers: CompiledLayer[] = analysis.layers.map((info, li) => {
    const copies: CompiledCopy[] = info.copies.map((c, ci) => {
      const program = compile(c.graph, { ...opts, stepGraph: true });
      for (const e of program.layout.entries) entries.push({ ...e, key: c.keyPrefix + e.key, offset: offset + e.offset });
      const firstPublic = publicNodes.length;
      for (const n of program.nodes) {
        nested.push({ layer: li, copy: ci, node: n.index });
        publicNodes.push({ index: publicNodes.length, id: c.prefix + n.id, kind: 'input', size: n.size, inEdges: [], outEdges: [] });
      }
      const copy: CompiledCopy = {
        reverse: c.reverse, prefix: c.prefix, keyPrefix: c.keyPrefix, program, offset,
        output: program.byId.get(info.output)!, firstPublic,
      };
      offset += program.layout.size;
      return copy;
    });
    const nestedById = copies[0].program.byId;
    return {
      id: info.id, index: info.index, direction: info.direction, size: info.size, copySize: info.copySize, copies,
      feeds: info.feeds.map((f) => ({
        port: nestedById.get(f.port)!, source: flat.byId.get(f.source)!, layer: f.sourceIsLayer ? layerIndex.get(f.source)! : -1,
      })),
    };
  });
  const byKey = new Map<string, ParamEntry>(entries.map((e) => [e.key, e]));
  const layout: ParamLayout = { entries, byKey, size: offset };
  const outer: Program = { ...flat, layout };
  const byId = new Map(flat.byId);
  for (let i = flat.nodes.length; i < publicNodes.length; i++) byId.set(publicNodes[i].id, i);
  const standIns = new Set(layers.map((l) => l.index));
  const pub: Program = {
    ...flat, graph, nodes: publicNodes, byId, layout,
    inputs: flat.inputs.filter((i) => !standIns.has(i)),
    warnings: analysis.problems,
  };
  models.set(pub, { outer, layers, nested });
  return pub;
}
