/**
 * docs/primitives.md, generated from the registries (scripts/make-primitives-doc.ts
 * writes it; test/primitives-doc.test.ts fails when it is out of date), so the
 * reference of every activation, op, loss, weight kind and initializer is the
 * registry's own text.
 */
import { INITIALIZERS } from '../init.ts';
import { activationNames, getActivation } from './activations.ts';
import { LOSS_DEFS } from './losses.ts';
import type { OpField } from './ops.ts';
import { getOp, opNames } from './ops.ts';
import { WEIGHT_KIND_DEFS } from './weights.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function fieldText(f: OpField): string {
  const range = [
    f.min !== undefined ? `${f.minExclusive ? '>' : '≥'} ${f.min}` : '',
    f.maxExclusive !== undefined ? `< ${f.maxExclusive}` : '',
  ].filter(Boolean).join(', ');
  const def = f.default !== undefined ? `, default ${String(f.default)}` : f.required ? ', required' : '';
  return `\`${f.name}\` (${f.type}${range ? ` ${range}` : ''}${def})`;
}

function arity(min: number, max: number): string {
  if (min === max) return String(min);
  return max === Infinity ? `${min} or more` : `${min}–${max}`;
}

/** The text of docs/primitives.md. */
export function primitivesMarkdown(): string {
  const lines: string[] = [
    '# Primitives',
    '',
    '<!-- Generated from the registries (engine/ops/*, engine/init.ts) by `npx tsx scripts/make-primitives-doc.ts`; do not edit by hand. -->',
    '',
    'Every name below is part of the graph file format (shared/spec/graph-format.md).',
    'Each primitive is defined once, in a registry entry that holds its forward and',
    'backward, its fast-engine kernel, its PyTorch form, its validation rules and',
    'the text shown here, in the palette and in the inspector. Adding an activation',
    'is one entry in engine/ops/activations.ts plus its row in the table-driven',
    'tests (engine/testing/primitive-cases.ts), which check its gradient against',
    'finite differences (reference and fast runtime) and against PyTorch.',
    '',
    '## Activations (`"kind": "gate"`, field `activation`)',
    '',
    '| name | symbol | definition | PyTorch | kinks checked against autograd |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const name of activationNames()) {
    const d = getActivation(name)!.def;
    lines.push(`| \`${name}\` | ${cell(d.symbol)} | ${cell(d.doc)} | \`${cell(d.torch('x'))}\` | ${d.kinks ? d.kinks.join(', ') : '—'} |`);
  }
  lines.push('', '## Ops (`"kind": "op"`, field `op`)', '', 'Inputs told apart by `"slot"` on their edges are marked *slots*.', '',
    '| name | symbol | inputs | fields | output | parameters | PyTorch |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const name of opNames()) {
    const d = getOp(name)!;
    const inputs = `${arity(d.arity.min, d.arity.max)}${d.slots ? (d.slots === 'pair' ? ', slots 0 and 1' : ', distinct slots') : ''}`;
    const fields = [...d.fields.map(fieldText), ...(name === 'slice' ? ['`size` (integer ≥ 1, required)'] : [])].join(', ') || '—';
    const params = d.params ? d.params({}).map((p) => `\`${p.prefix}:<id>\` (init ${p.init})`).join(', ') : '—';
    const torch = d.torch(d.slots === 'pair' ? ['a', 'b'] : d.arity.max > 1 ? ['a', 'b', '…'] : ['x'], Object.fromEntries(d.fields.map((f) => [f.name, f.default ?? f.initial ?? 0])), 4, d.params ? ['gain', 'shift'] : []);
    lines.push(`| \`${name}\` | ${cell(d.symbol)} | ${inputs} | ${cell(fields)} | ${cell(d.doc)} | ${params} | \`${cell(torch)}\` |`);
  }
  lines.push('', '## Losses (`"kind": "loss"`, field `loss`)', '', '| name | target port | definition |', '| --- | --- | --- |');
  for (const d of Object.values(LOSS_DEFS)) lines.push(`| \`${d.name}\` | ${d.target ? 'yes (any node)' : 'no'} | ${cell(d.doc)} |`);
  lines.push('', '## Weight kinds (edges into a gate, field `weight`)', '', '| name | symbol | meaning | parameter shape (source n_s → gate n_t) |', '| --- | --- | --- | --- |');
  for (const d of Object.values(WEIGHT_KIND_DEFS)) {
    const shape = d.shape(3, 4);
    lines.push(`| \`${d.name}\` | ${cell(d.symbol)} | ${cell(d.doc)} | ${shape ? `[${d.name === 'full' ? 'n_t, n_s' : d.name === 'diagonal' ? 'n_t' : '1'}]` : 'none'} |`);
  }
  lines.push('', 'An edge with `"tie": "<edgeId>"` uses that edge\'s parameter (same weight kind and shape) and has none of its own; the gradient, reported under the owner\'s key, sums both uses.');
  lines.push('', '## Initializers (edges, field `init`)', '', '| name | meaning |', '| --- | --- |');
  for (const d of Object.values(INITIALIZERS)) lines.push(`| \`${d.name}\` | ${cell(d.doc)}${d.forEdges ? '' : ' (internal: not an edge initializer)'} |`);
  lines.push('', '## Training noise', '',
    'Dropout masks (op `dropout`) and zoneout masks (cell field `"zoneout": p`) are drawn in training only, from the training seed, fresh for every update, step and sequence: a counter-based hash of (seed, update, node, t·B + b, unit), so the reference and the fast runtime draw the same masks. Evaluation (`run`, `grad`, validation, the PyTorch export) uses none: dropout passes x through, zoneout mixes p · previous + (1 − p) · new.', '');
  return lines.join('\n');
}
