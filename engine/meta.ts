/**
 * Node kinds, activations, ops, losses, weight kinds and initializers as data:
 * the one source of truth shared by the validator, the palette and the inspector.
 * Activations, ops, losses, weight kinds and initializers are read from their
 * registries (engine/ops/*, engine/init.ts); this file adds the node kinds and
 * turns the registries into editor metadata (fields, palette entries, symbols).
 */
import type { Activation, GraphNode, InitKind, LossKind, NodeKind, OpKind, WeightKind } from './format/types.ts';
import { INITIALIZERS } from './init.ts';
import { activationNames, BUILTIN_ACTIVATIONS, getActivation } from './ops/activations.ts';
import { LOSS_DEFS } from './ops/losses.ts';
import type { OpField } from './ops/ops.ts';
import { BUILTIN_OPS, getOp, opNames } from './ops/ops.ts';
import { WEIGHT_KIND_DEFS } from './ops/weights.ts';

export type FieldType =
  | { type: 'size' }
  | { type: 'boolean' }
  | { type: 'number'; integer?: boolean; min?: number; minExclusive?: boolean; maxExclusive?: number }
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

export const ACTIVATIONS = Object.keys(BUILTIN_ACTIVATIONS) as readonly Activation[];
export const OPS = Object.keys(BUILTIN_OPS) as readonly OpKind[];
export const LOSSES = Object.keys(LOSS_DEFS) as readonly LossKind[];
export const WEIGHT_KINDS = Object.keys(WEIGHT_KIND_DEFS) as readonly WeightKind[];
export const INIT_KINDS = Object.values(INITIALIZERS).filter((d) => d.forEdges).map((d) => d.name) as readonly InitKind[];
export const NODE_KINDS: readonly NodeKind[] = ['input', 'target', 'cell', 'gate', 'op', 'loss'];

function symbols<K extends string>(defs: Record<K, { symbol: string }>): Record<K, string> {
  return Object.fromEntries(Object.entries<{ symbol: string }>(defs).map(([k, d]) => [k, d.symbol])) as Record<K, string>;
}

/** Symbols the editor draws on nodes and edges. */
export const ACTIVATION_SYMBOL: Record<Activation, string> = symbols(BUILTIN_ACTIVATIONS);
export const OP_SYMBOL: Record<OpKind, string> = symbols(BUILTIN_OPS);
export const WEIGHT_SYMBOL: Record<WeightKind, string> = symbols(WEIGHT_KIND_DEFS);

/** The symbol of any registered activation or op (test-only and plugin entries included). */
export function primitiveSymbol(kind: 'activation' | 'op', name: string): string | undefined {
  return kind === 'activation' ? getActivation(name)?.def.symbol : getOp(name)?.symbol;
}

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
    fields: [
      size,
      { name: 'initial', label: 'Initial state', field: { type: 'enum', values: ['zeros', 'learned'] }, required: false, default: 'zeros', help: 'The state at t = 1: zeros, or a learned vector.' },
      { name: 'zoneout', label: 'Zoneout', field: { type: 'number', min: 0, maxExclusive: 1 }, required: false, help: 'Training keeps each unit\'s previous state with probability p; evaluation mixes p·old + (1 − p)·new.' },
    ],
  },
  gate: {
    kind: 'gate', label: 'Gate', help: 'act(Σ W·source + b): a learned layer with an activation.',
    fields: [
      size,
      // Live lists: an activation or op registered later (a plugin, a test) is offered and accepted too.
      { name: 'activation', label: 'Activation', field: { type: 'enum', get values() { return activationNames(); } }, required: true, help: 'The nonlinearity applied to the weighted sum (see the docs line of each).' },
      { name: 'bias', label: 'Bias', field: { type: 'boolean' }, required: false, default: true, help: 'Add a learned bias vector.' },
    ],
  },
  op: {
    kind: 'op', label: 'Op', help: 'A fixed operation on its inputs: ⊙, +, −, ÷, exp, log, softmax, layer norm, concat, slice, dropout…',
    fields: [{ name: 'op', label: 'Operation', field: { type: 'enum', get values() { return opNames(); } }, required: true, help: 'The operation; each has its own fields (slots, factor, eps, start, p).' }],
  },
  loss: {
    kind: 'loss', label: 'Loss', help: 'A scalar: compares the prediction port with the target port.',
    fields: [
      { name: 'loss', label: 'Loss', field: { type: 'enum', values: LOSSES }, required: true, help: 'mse, cross_entropy (logits), bce (logits), or sum (no target).' },
      { name: 'steps', label: 'Steps', field: { type: 'enum', values: ['all', 'last'] }, required: false, default: 'all', help: 'Score every step, or only the last one.' },
    ],
  },
};

function opFieldMeta(f: OpField): FieldMeta {
  const field: FieldType = f.type === 'boolean'
    ? { type: 'boolean' }
    : { type: 'number', ...(f.type === 'integer' ? { integer: true } : {}), ...(f.min !== undefined ? { min: f.min } : {}), ...(f.minExclusive ? { minExclusive: true } : {}), ...(f.maxExclusive !== undefined ? { maxExclusive: f.maxExclusive } : {}) };
  return { name: f.name, label: f.label, field, required: f.required, ...(f.default !== undefined ? { default: f.default } : {}), help: f.help };
}

/**
 * The inspector's fields of one node: its kind's fields, then the fields of
 * its op (from the op registry; a slice's "size" too).
 *
 * @example
 * nodeFields({ id: 's', kind: 'op', op: 'scale' }).map((f) => f.name) // ['op', 'factor']
 */
export function nodeFields(node: Pick<GraphNode, 'kind'> & Record<string, unknown>): FieldMeta[] {
  const meta = NODE_KIND_META[node.kind];
  if (!meta) return [];
  if (node.kind !== 'op' || typeof node.op !== 'string') return meta.fields;
  const def = getOp(node.op);
  if (!def) return meta.fields;
  const extra = def.fields.map(opFieldMeta);
  if (def.name === 'slice') extra.push({ name: 'size', label: 'Size', field: { type: 'size' }, required: true, help: 'The number of units taken.' });
  return [...meta.fields, ...extra];
}

/** One entry of the palette: a node kind, or a gate/op preset from a registry. */
export interface PaletteEntry {
  key: string;
  kind: NodeKind;
  /** Fields the new node starts with (e.g. {activation: 'gelu'}; an op's required fields). */
  preset: Record<string, string | number | boolean>;
  label: string;
  symbol: string;
  help: string;
}

export interface PaletteSection {
  title: string;
  entries: PaletteEntry[];
}

/**
 * The palette's blocks, read from the registries at call time (so a
 * registered activation or op appears without any edit to the renderer).
 *
 * @example
 * paletteModel().find((s) => s.title === 'Activations')!.entries.map((e) => e.preset.activation)
 */
export function paletteModel(): PaletteSection[] {
  return [
    {
      title: 'Blocks',
      entries: NODE_KINDS.map((kind) => ({ key: kind, kind, preset: {}, label: NODE_KIND_META[kind].label, symbol: KIND_GLYPH[kind], help: NODE_KIND_META[kind].help })),
    },
    {
      title: 'Activations',
      entries: activationNames().map((name) => {
        const def = getActivation(name)!.def;
        return { key: `gate:${name}`, kind: 'gate' as const, preset: { activation: name }, label: name, symbol: def.symbol, help: `Gate with ${name}: ${def.doc}` };
      }),
    },
    {
      title: 'Ops',
      entries: opNames().map((name) => {
        const def = getOp(name)!;
        const preset: Record<string, string | number | boolean> = { op: name };
        for (const f of def.fields) if (f.required && f.initial !== undefined) preset[f.name] = f.initial;
        if (name === 'slice') preset.size = 1;
        return { key: `op:${name}`, kind: 'op' as const, preset, label: name, symbol: def.symbol, help: def.doc };
      }),
    },
  ];
}

/** The glyph of each node kind in the palette. */
export const KIND_GLYPH: Record<NodeKind, string> = { input: 'xₜ', target: 'yₜ', cell: 'h', gate: 'σ', op: '⊙', loss: 'L' };

/**
 * Reads a number typed into an inspector field of type 'number' (an op's
 * factor, eps, p, start; a cell's zoneout): the value, undefined for an empty
 * optional field, or why the text is refused.
 *
 * @example
 * parseNumberField({ type: 'number', min: 0, maxExclusive: 1 }, '1.5', false) // { error: 'Must be less than 1.' }
 */
export function parseNumberField(field: FieldType, text: string, required: boolean): { value: number | undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return required ? { error: 'A value is required.' } : { value: undefined };
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: `"${t}" is not a number.` };
  if (field.type !== 'number') return { value: n };
  if (field.integer && !Number.isInteger(n)) return { error: 'Use a whole number.' };
  if (field.min !== undefined && (field.minExclusive ? n <= field.min : n < field.min)) return { error: `Must be ${field.minExclusive ? 'greater than' : 'at least'} ${field.min}.` };
  if (field.maxExclusive !== undefined && n >= field.maxExclusive) return { error: `Must be less than ${field.maxExclusive}.` };
  return { value: n };
}

/** The registry's docs line of a node's activation or op (the inspector shows it under the fields). */
export function primitiveDoc(node: { kind: NodeKind; activation?: unknown; op?: unknown }): string | undefined {
  if (node.kind === 'gate' && typeof node.activation === 'string') return getActivation(node.activation)?.def.doc;
  if (node.kind === 'op' && typeof node.op === 'string') return getOp(node.op)?.doc;
  return undefined;
}
