/**
 * The layer node kind as editor metadata (engine/meta.ts's shape), so the
 * inspector shows and edits a layer's fields like any other node's.
 */
import type { FieldMeta } from '../meta.ts';
import type { Graph } from '../format/types.ts';
import { inferSizes } from '../format/validate.ts';
import { DIRECTIONS, hasLayers } from './types.ts';
import { analyzeLayers } from './validate.ts';

export const LAYER_META: { kind: 'layer'; label: string; help: string; fields: FieldMeta[] } = {
  kind: 'layer',
  label: 'Layer',
  help: 'A nested step graph run over the whole sequence before this graph\'s steps: its output at step t feeds this graph at step t (docs/layers.md).',
  fields: [
    {
      name: 'direction', label: 'Direction', field: { type: 'enum', values: DIRECTIONS }, required: false, default: 'forward',
      help: 'forward: t = 1 … T; reverse: t = T … 1 (reads the future); bidirectional: both, with separate weights, outputs [forward ‖ reverse].',
    },
  ],
};

/**
 * Sizes of every node, layers included (a layer's is its output size, twice
 * that when bidirectional). Never throws.
 *
 * Example: inferSizesAny(bidirectionalGru({ x: 1, h: 8, y: 1 })).get('bi') // 16
 */
export function inferSizesAny(graph: Graph): Map<string, number> {
  if (!hasLayers(graph)) return inferSizes(graph);
  try {
    return inferSizes(analyzeLayers(graph).flat);
  } catch {
    return new Map();
  }
}
