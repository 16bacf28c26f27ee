/**
 * The editor's one door into the engine's format code: parse, serialize,
 * validate and infer sizes exactly as the engine and the CLI do.
 */
export { loadGraphText, serializeGraph, type LoadResult } from '../../engine/format/parse.ts';
// Graphs with layers (docs/layers.md) validate and size through engine/layers, plain graphs exactly as before.
export { inferSizesAny as inferSizes, validateAny as validateGraph } from '../../engine/layers/index.ts';

/** The validator's code for an algebraic loop (engine/errors.ts). */
export const ALGEBRAIC_LOOP_CODE = 'CW050';
