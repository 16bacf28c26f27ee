/**
 * Tasks by name, and how a task binds to a compiled graph: which input node
 * receives its input stream, which target node its targets, and whether the
 * sizes and the loss fit — with messages that say what to change.
 *
 * The `task` block of a graph file (all fields optional except `name`):
 *
 * | name | fields (defaults) |
 * | --- | --- |
 * | parity | length 20, validation 256 |
 * | adding | length 50, validation 512 |
 * | copy | symbols 8, sequence 5, delay 10, validation 256 (T = 2·sequence + delay) |
 * | sine | length 50, components 2, noise 0.05, validation 256 |
 * | text | length 64, lowercase true, validationFraction 0.1, validation 64, file (default: the bundled text) |
 * | temporal-order | length 100, validation 512 (Hochreiter & Schmidhuber 1997, experiment 6a) |
 * | flip-flop | length 100, bits 3, rate 0.05, validation 256 (Sussillo & Barak 2013) |
 * | csv | file, inputs, targets (required), window 20, normalize "zscore", validationFraction 0.2, shift, header true, delimiter ",", badRows "error", validation 256 |
 *
 * Every task also takes `input` and `target` (node ids; needed only when the
 * graph has several input or target nodes) and `seed` (the validation set's
 * seed; training sequences are drawn from the training seed).
 */
import type { Program } from '../compile.ts';
import { csvTask } from './csv.ts';
import type { Block } from './read.ts';
import { BlockReader } from './read.ts';
import { addingTask, copyTask, flipFlopTask, parityTask, sineTask, temporalOrderTask } from './synthetic.ts';
import { textTask } from './text.ts';
import type { Task, TaskName, TaskResources } from './types.ts';
import { TASK_NAMES, TaskError } from './types.ts';

export * from './types.ts';

/**
 * Builds a task from a `task` block.
 *
 * @example
 * const task = createTask({ name: 'adding', length: 50 });
 * task.meta.inputSize // 2
 */
export function createTask(block: Block, res: TaskResources = {}): Task {
  const name = block.name;
  if (typeof name !== 'string' || name === '') {
    throw new TaskError(`the task block has no name: set "task": {"name": …} to one of ${TASK_NAMES.join(', ')}`, 'task.name');
  }
  switch (name as TaskName) {
    case 'parity': return parityTask(block);
    case 'adding': return addingTask(block);
    case 'copy': return copyTask(block);
    case 'sine': return sineTask(block);
    case 'text': return textTask(block, res);
    case 'csv': return csvTask(block, res);
    case 'temporal-order': return temporalOrderTask(block);
    case 'flip-flop': return flipFlopTask(block);
    default:
      throw new TaskError(`unknown task "${name}": use one of ${TASK_NAMES.join(', ')}`, 'task.name');
  }
}

/** Where a task's streams go in a compiled graph. */
export interface TaskBinding {
  input: number;
  target: number;
  /** The loss node that reads the target, and the node it takes as its prediction. */
  loss: number;
  prediction: number;
}

function pick(program: Program, kind: 'input' | 'target', given: string | undefined, list: number[]): number {
  const ids = list.map((i) => program.nodes[i].id);
  if (given !== undefined) {
    const i = program.byId.get(given);
    if (i === undefined || program.nodes[i].kind !== kind) {
      throw new TaskError(`task.${kind} is "${given}", which is not ${kind === 'input' ? 'an input' : 'a target'} node of the graph${ids.length ? `; its ${kind} nodes are ${ids.join(', ')}` : ''}`, `task.${kind}`);
    }
    return i;
  }
  if (list.length === 1) return list[0];
  if (list.length === 0) throw new TaskError(`the graph has no ${kind} node: add one for the task's ${kind === 'input' ? 'inputs' : 'targets'}`, `task.${kind}`);
  throw new TaskError(`the graph has ${list.length} ${kind} nodes (${ids.join(', ')}): say which one the task feeds with "task": {"${kind}": "<id>"}`, `task.${kind}`);
}

/**
 * Checks that a task fits a graph and says where its streams go. Throws a
 * TaskError that says what to change when the input or target size, the
 * loss kind or the loss's steps do not fit.
 */
export function bindTask(program: Program, task: Task, block: Block): TaskBinding {
  const r = new BlockReader(block, 'task');
  const m = task.meta;
  const input = pick(program, 'input', r.optStr('input'), program.inputs);
  const target = pick(program, 'target', r.optStr('target'), program.targets);
  const inNode = program.nodes[input];
  const tNode = program.nodes[target];
  const others = program.inputs.filter((i) => i !== input).map((i) => program.nodes[i].id);
  if (others.length) throw new TaskError(`the ${m.name} task feeds one input stream, but the graph has other input nodes (${others.join(', ')}) it cannot fill: remove them`, 'task.input');
  const labels = (l: string[]): string => (l.length <= 8 ? ` (${l.join(', ')})` : '');
  if (inNode.size !== m.inputSize) {
    throw new TaskError(`the ${m.name} task feeds ${m.inputSize} number${m.inputSize === 1 ? '' : 's'} per step${labels(m.inputLabels)}, but input node "${inNode.id}" has size ${inNode.size}: set its size to ${m.inputSize}`, `nodes.${inNode.id}.size`);
  }
  if (tNode.size !== m.targetSize) {
    throw new TaskError(`the ${m.name} task has ${m.targetSize} target number${m.targetSize === 1 ? '' : 's'} per step${labels(m.targetLabels)}, but target node "${tNode.id}" has size ${tNode.size}: set its size (and the prediction's) to ${m.targetSize}`, `nodes.${tNode.id}.size`);
  }
  const loss = program.losses.find((i) => program.nodes[i].inEdges.some((e) => e.port === 'target' && e.source === target));
  if (loss === undefined) throw new TaskError(`no loss node reads target node "${tNode.id}": connect it to a loss node's target port`, `nodes.${tNode.id}`);
  const ln = program.nodes[loss];
  if (!m.losses.includes(ln.loss!)) {
    throw new TaskError(`the ${m.name} task needs a ${m.losses.map((l) => `"${l}"`).join(' or ')} loss, but loss node "${ln.id}" is "${ln.loss}": change its loss`, `nodes.${ln.id}.loss`);
  }
  if (m.lossSteps === 'last' && ln.steps !== 'last') {
    throw new TaskError(`the ${m.name} task has its target only at the last step, but loss node "${ln.id}" reads every step: set its "steps" to "last"`, `nodes.${ln.id}.steps`);
  }
  return { input, target, loss, prediction: ln.inEdges[0].source };
}
