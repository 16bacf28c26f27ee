/**
 * Node kinds, activations, ops, losses, weight kinds and initializers as data:
 * the one source of truth shared by the validator, the palette and the inspector.
 */
import type { Activation, InitKind, LossKind, NodeKind, OpKind, WeightKind } from './format/types.ts';

export type FieldType =
  | { type: 'size' }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] };

export interface FieldMeta {
  name: string;
  label: string;
  field: FieldType;
  required: boolean;
  default?: string | number | boolean;
  help: string;
}

export interface NodeKindMeta {
  kind: NodeKind;
  label: string;
  help: string;
  fields: FieldMeta[];
}

export const ACTIVATIONS: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'step', 'softplus'];
export const OPS: readonly OpKind[] = ['mul', 'add', 'one_minus'];
export const LOSSES: readonly LossKind[] = ['mse', 'cross_entropy', 'bce', 'sum'];
export const WEIGHT_KINDS: readonly WeightKind[] = ['full', 'diagonal', 'scalar', 'identity'];
export const INIT_KINDS: readonly InitKind[] = ['glorot_uniform', 'orthogonal', 'identity', 'normal', 'uniform', 'zeros'];
export const NODE_KINDS: readonly NodeKind[] = ['input', 'target', 'cell', 'gate', 'op', 'loss'];

/** Symbols the editor draws on nodes and edges. */
export const ACTIVATION_SYMBOL: Record<Activation, string> = {
  identity: 'id', sigmoid: 'σ', tanh: 'tanh', relu: 'ReLU', step: 'step', softplus: 'softplus',
};
export const OP_SYMBOL: Record<OpKind, string> = { mul: '⊙', add: '+', one_minus: '1−x' };
export const WEIGHT_SYMBOL: Record<WeightKind, string> = { full: 'W', diagonal: 'diag', scalar: 'scalar', identity: '=' };

const size: FieldMeta = { name: 'size', label: 'Size', field: { type: 'size' }, required: true, help: 'Number of units (a positive integer).' };

export const NODE_KIND_META: Record<NodeKind, NodeKindMeta> = {
  input: {
    kind: 'input', label: 'Input', help: 'x_t: the data stream with this node\'s id.',
    fields: [size, { name: 'reverse', label: 'Reverse', field: { type: 'boolean' }, required: false, default: false, help: 'Feed the sequence in reverse order (input reversal).' }],
  },
  target: {
    kind: 'target', label: 'Target', help: 'y_t: the target stream with this node\'s id. Only a loss may read it.',
    fields: [size],
  },
  cell: {
    kind: 'cell', label: 'Cell', help: 'Memory: outputs the value written into it at the previous step (t−1).',
    fields: [size, { name: 'initial', label: 'Initial state', field: { type: 'enum', values: ['zeros', 'learned'] }, required: false, default: 'zeros', help: 'The state at t = 1: zeros, or a learned vector.' }],
  },
  gate: {
    kind: 'gate', label: 'Gate', help: 'act(Σ W·source + b): a learned layer with an activation.',
    fields: [
      size,
      { name: 'activation', label: 'Activation', field: { type: 'enum', values: ACTIVATIONS }, required: true, help: 'The nonlinearity applied to the weighted sum.' },
      { name: 'bias', label: 'Bias', field: { type: 'boolean' }, required: false, default: true, help: 'Add a learned bias vector.' },
    ],
  },
  op: {
    kind: 'op', label: 'Op', help: 'Elementwise product, sum, or 1 − x of its inputs (all the same size).',
    fields: [{ name: 'op', label: 'Operation', field: { type: 'enum', values: OPS }, required: true, help: 'mul: product of all inputs; add: sum; one_minus: 1 − x of exactly one input.' }],
  },
  loss: {
    kind: 'loss', label: 'Loss', help: 'A scalar: compares the prediction port with the target port.',
    fields: [
      { name: 'loss', label: 'Loss', field: { type: 'enum', values: LOSSES }, required: true, help: 'mse, cross_entropy (logits), bce (logits), or sum (no target).' },
      { name: 'steps', label: 'Steps', field: { type: 'enum', values: ['all', 'last'] }, required: false, default: 'all', help: 'Score every step, or only the last one.' },
    ],
  },
};
