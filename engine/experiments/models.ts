/**
 * Templates by name, sized to a task: what a sweep SPEC's `"template:lstm"`
 * and a preset's cell mean. The task's meta gives the input and readout
 * sizes and the loss; the caller gives the hidden size.
 *
 * @example
 * const g = templateForTask('lstm-cifg', { name: 'adding', length: 50 }, { hidden: 16, forgetBias: 1 });
 */
import { problem } from '../errors.ts';
import type { Graph } from '../format/types.ts';
import type { Block } from '../tasks/read.ts';
import { createTask } from '../tasks/index.ts';
import type { TaskMeta } from '../tasks/types.ts';
import { TaskError } from '../tasks/types.ts';
import type { Sizes } from '../templates.ts';
import { elman, gru, irnn, layerNormLstm, lstm, peepholeLstm } from '../templates.ts';
import { GRU_VARIANTS, gruVariant, LSTM_VARIANTS, lstmVariant } from '../templates/variants.ts';

type Maker = (s: Sizes) => Graph;

/** Every template a SPEC or preset can name. Variants are `lstm-<variant>` (lower case) and `mgu`, `mut1`–`mut3`. */
export const TEMPLATES: ReadonlyMap<string, Maker> = new Map<string, Maker>([
  ['elman', (s) => elman(s)],
  ['irnn', irnn],
  ['lstm', lstm],
  ['peephole-lstm', peepholeLstm],
  ['gru', gru],
  ['layernorm-lstm', layerNormLstm],
  ['lstm-vanilla', (s) => lstmVariant('vanilla', s)],
  ...LSTM_VARIANTS.map((v): [string, Maker] => [`lstm-${v.toLowerCase()}`, (s) => lstmVariant(v, s)]),
  ...GRU_VARIANTS.map((v): [string, Maker] => [v.toLowerCase(), (s) => gruVariant(v, s)]),
]);

/** Sizes that fit a task: input and readout from its meta, its first loss, `last` when the target is only at the end. */
export function sizesForTask(meta: TaskMeta, hidden: number, forgetBias?: number): Sizes {
  return {
    x: meta.inputSize, h: hidden, y: meta.targetSize, loss: meta.losses[0],
    ...(meta.lossSteps === 'last' ? { steps: 'last' as const } : {}),
    ...(forgetBias !== undefined ? { forgetBias } : {}),
  };
}

/**
 * A template built to fit a task block, with the task block set on the graph.
 * Throws a TaskError for an unknown name (listing the known ones).
 */
export function templateForTask(name: string, task: Block, o: { hidden: number; forgetBias?: number }): Graph {
  const make = TEMPLATES.get(name.toLowerCase());
  if (!make) {
    const p = problem('CW291', { name, known: [...TEMPLATES.keys()].join(', ') }, { path: 'template' });
    throw new TaskError(`${p.message} (${p.code}): ${p.hint}`, 'template');
  }
  const meta = createTask(task).meta;
  // The forget bias only means something where there is a forget gate (bias:f).
  const g = make(sizesForTask(meta, o.hidden));
  const hasF = g.nodes.some((n) => n.id === 'f' && n.kind === 'gate');
  const sized = hasF && o.forgetBias !== undefined ? make(sizesForTask(meta, o.hidden, o.forgetBias)) : g;
  return { ...sized, task: { ...task } };
}
