/**
 * Layers: stacked and bidirectional recurrent layers as nested step graphs
 * (docs/layers.md). The entry points the rest of the engine uses:
 *
 * ```ts
 * const problems = validateAny(graph);          // plain or layered
 * const program = compileAny(graph);            // a Program either way
 * const s = sessionFor(program, { T, B });      // a LayeredSession when it has layers
 * ```
 */
export { layerModel, stepProgram } from './compile.ts';
// Any graph, with blocks (engine/blocks) and layers: blocks are expanded first.
export { compileAny, inferSizesAny, validateAny, validateDataAny } from '../blocks/any.ts';
export type { CompiledCopy, CompiledLayer, LayerModel } from './compile.ts';
export { LayeredSession, nestedCells, nestedFlags, nestedOf, sessionFor, withLayers, withNestedFlags } from './session.ts';
export type { PartFactory } from './session.ts';
export { bidirectionalGru, stackedLstm } from './templates.ts';
export { copyPrefix, DIRECTIONS, hasLayers, LAYER_KIND, layerOfKey, paramPrefix } from './types.ts';
export type { Direction, LayerNode, NestedGraph } from './types.ts';
export { analyzeLayers } from './validate.ts';

export { LAYER_META } from './meta.ts';
