/**
 * The editor's one door into the engine's format code: parse, serialize,
 * validate and infer sizes exactly as the engine and the CLI do.
 */
export { loadGraphText, serializeGraph, type LoadResult } from '../../engine/format/parse.ts';
export { inferSizes, validateGraph } from '../../engine/format/validate.ts';

/** The validator's code for an algebraic loop (engine/errors.ts). */
export const ALGEBRAIC_LOOP_CODE = 'CW050';
