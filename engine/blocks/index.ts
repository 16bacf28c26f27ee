/**
 * Blocks: subgraph macros (docs/blocks.md). Entry points:
 *
 * ```ts
 * const x = expandBlocks(graph);         // the flat graph, nodeTies, where each element came from
 * const program = compileAny(graph);     // (also exported by engine/layers) any graph → Program
 * const def = groupAsBlock(graph, ids, 'my gate'); // editor: selection → definition + instance
 * ```
 */
export { compileAny, expansionOf, flatForCompile, inferSizesAny, validateAny, validateDataAny } from './any.ts';
export { expandBlocks, MAX_BLOCK_DEPTH } from './expand.ts';
export type { Expansion, InstanceInfo, Origin, PortFeed } from './expand.ts';
export { BLOCK_KIND, blockTable, hasBlocks, innerId, inputPorts, outputPorts } from './types.ts';
export type { BlockDef, BlockInstanceNode } from './types.ts';
