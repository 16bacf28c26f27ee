/**
 * A task and a graph that do not fit yet: every mismatch at once, in the
 * user's terms (node labels, what the task feeds), and the one edit that makes
 * the graph fit — input and target sizes, the prediction's size, the loss kind
 * and the steps it reads — so "Fit graph to task" is one undo entry. The rules
 * are the engine's (`bindTask` in engine/tasks/index.ts), which refuses the
 * first mismatch it meets; this lists them all.
 */
import type { Graph, GraphNode, LossKind } from '../../engine/format/types.ts';
import type { TaskMeta } from '../../engine/tasks/types.ts';
import { pathOf } from '../../engine/format/validate.ts';
import { reconcileParameters } from './params.ts';

/** What a task needs of the graph. */
export type TaskShape = Pick<TaskMeta, 'inputSize' | 'targetSize' | 'losses' | 'lossSteps'> & Partial<Pick<TaskMeta, 'name' | 'inputLabels' | 'targetLabels'>>;

export interface TaskMismatch {
  /** In the user's terms: node labels, what the task feeds. */
  message: string;
  /** Where in the file (a detail line). */
  path: string;
  node?: string;
  /** Fit graph to task changes this; otherwise the message says what to do by hand. */
  fixable: boolean;
}

const LOSS_NAME: Record<string, string> = { mse: 'an MSE', bce: 'a binary cross-entropy (BCE)', cross_entropy: 'a cross-entropy', sum: 'a sum' };

/** A node as people see it: its label, with the id when they differ. */
export function nodeName(node: GraphNode): string {
  return node.label && node.label !== node.id ? `“${node.label}” (${node.id})` : `“${node.id}”`;
}

interface Binding {
  input?: GraphNode;
  target?: GraphNode;
  loss?: GraphNode;
  prediction?: GraphNode;
  problems: TaskMismatch[];
}

function bind(graph: Graph, task: string): Binding {
  const problems: TaskMismatch[] = [];
  const block = graph.task ?? {};
  const choose = (kind: 'input' | 'target'): GraphNode | undefined => {
    const list = graph.nodes.filter((node) => node.kind === kind);
    const given = typeof block[kind] === 'string' ? block[kind] as string : undefined;
    const chosen = given !== undefined ? list.find((node) => node.id === given) : list.length === 1 ? list[0] : undefined;
    if (chosen) return chosen;
    const message = list.length === 0
      ? `The ${task} task needs ${kind === 'input' ? 'an input' : 'a target'} node: drag one from the palette.`
      : given !== undefined ? `The task names ${kind} “${given}”, which the graph does not have.`
        : `The graph has ${list.length} ${kind} nodes (${list.map(nodeName).join(', ')}); the ${task} task feeds one.`;
    problems.push({ message, path: `task.${kind}`, fixable: false });
    return undefined;
  };
  const input = choose('input');
  const target = choose('target');
  const extra = input ? graph.nodes.filter((node) => node.kind === 'input' && node.id !== input.id) : [];
  if (extra.length > 0) problems.push({ message: `The ${task} task fills one input stream; remove the other input${extra.length === 1 ? '' : 's'} ${extra.map(nodeName).join(', ')}.`, path: 'task.input', fixable: false });
  let loss: GraphNode | undefined;
  let prediction: GraphNode | undefined;
  if (target) {
    const edge = graph.edges.find((e) => e.source === target.id && e.port === 'target');
    loss = edge ? graph.nodes.find((node) => node.id === edge.target && node.kind === 'loss') : undefined;
    if (!loss) problems.push({ message: `No loss reads target ${nodeName(target)}: connect it to a loss's target port.`, path: pathOf('nodes', target.id), node: target.id, fixable: false });
    else {
      const into = graph.edges.find((e) => e.target === loss!.id && (e.port ?? 'prediction') === 'prediction');
      prediction = into ? graph.nodes.find((node) => node.id === into.source) : undefined;
    }
  }
  return { input, target, loss, prediction, problems };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function labels(list: string[] | undefined): string {
  return list && list.length > 0 && list.length <= 8 ? ` (${list.join(', ')})` : '';
}

/** A regression (MSE only) read through a sigmoid: the targets go past (0, 1). */
function squashed(prediction: GraphNode | undefined, want: TaskShape): boolean {
  return prediction?.kind === 'gate' && prediction.activation === 'sigmoid' && want.losses.length === 1 && want.losses[0] === 'mse';
}

/** Every way the graph does not fit the task, in the user's terms. */
export function taskMismatches(graph: Graph, want: TaskShape): TaskMismatch[] {
  const task = want.name ?? 'chosen';
  const b = bind(graph, task);
  const out = [...b.problems];
  const sizeOf = (node: GraphNode | undefined): number | undefined => (node && 'size' in node && typeof node.size === 'number' ? node.size : undefined);
  if (b.input && sizeOf(b.input) !== want.inputSize) {
    out.push({ message: `The ${task} task feeds ${plural(want.inputSize, 'number')} per step${labels(want.inputLabels)}, but input ${nodeName(b.input)} has size ${sizeOf(b.input)}.`, path: pathOf('nodes', b.input.id, 'size'), node: b.input.id, fixable: true });
  }
  if (b.target && sizeOf(b.target) !== want.targetSize) {
    out.push({ message: `The ${task} task has ${plural(want.targetSize, 'target number')} per step${labels(want.targetLabels)}, but target ${nodeName(b.target)} has size ${sizeOf(b.target)}.`, path: pathOf('nodes', b.target.id, 'size'), node: b.target.id, fixable: true });
  }
  if (b.prediction && b.prediction.kind === 'gate' && b.prediction.size !== want.targetSize) {
    out.push({ message: `The prediction ${nodeName(b.prediction)} has size ${b.prediction.size}; the task's target has ${want.targetSize}.`, path: pathOf('nodes', b.prediction.id, 'size'), node: b.prediction.id, fixable: true });
  }
  if (squashed(b.prediction, want)) {
    out.push({ message: `The prediction ${nodeName(b.prediction!)} is squashed into (0, 1) by σ, but the ${task} task's targets go past it.`, path: pathOf('nodes', b.prediction!.id, 'activation'), node: b.prediction!.id, fixable: true });
  }
  if (b.loss && b.loss.kind === 'loss') {
    if (!want.losses.includes(b.loss.loss)) {
      out.push({ message: `The ${task} task needs ${want.losses.map((l) => `${LOSS_NAME[l] ?? l} loss`).join(' or ')}, but ${nodeName(b.loss)} is ${LOSS_NAME[b.loss.loss] ?? b.loss.loss} loss.`, path: pathOf('nodes', b.loss.id, 'loss'), node: b.loss.id, fixable: true });
    }
    const steps = b.loss.steps === 'last' ? 'last' : 'all';
    if (steps !== want.lossSteps) {
      out.push({
        message: want.lossSteps === 'last'
          ? `The ${task} task has its target only at the last step, but ${nodeName(b.loss)} reads every step.`
          : `The ${task} task has a target at every step, but ${nodeName(b.loss)} reads only the last one.`,
        path: pathOf('nodes', b.loss.id, 'steps'), node: b.loss.id, fixable: true,
      });
    }
  }
  return out;
}

/**
 * Fit graph to task: the input and target (and the prediction feeding the
 * loss) as wide as the task's streams, a loss the task accepts reading the
 * steps it has targets at, and a regression's prediction not squashed by σ
 * (its targets go past (0, 1)). Stored weights that no
 * longer fit are dropped. Returns what changed, in words.
 */
export function fitGraphToTask(graph: Graph, want: TaskShape): { graph: Graph; changes: string[] } {
  const b = bind(graph, want.name ?? 'chosen');
  const changes: string[] = [];
  const size = new Map<string, number>();
  if (b.input) size.set(b.input.id, want.inputSize);
  if (b.target) size.set(b.target.id, want.targetSize);
  if (b.prediction?.kind === 'gate') size.set(b.prediction.id, want.targetSize);
  const lossKind: LossKind | undefined = b.loss?.kind === 'loss' && !want.losses.includes(b.loss.loss) ? want.losses[0] : undefined;
  const nodes = graph.nodes.map((node) => {
    let next = node;
    const n = size.get(node.id);
    if (n !== undefined && 'size' in node && node.size !== n) {
      changes.push(`${node.id} is ${n} wide`);
      next = { ...next, size: n } as GraphNode;
    }
    if (node.id === b.loss?.id && node.kind === 'loss') {
      if (lossKind) {
        changes.push(`${node.id} is ${LOSS_NAME[lossKind] ?? lossKind} loss`);
        next = { ...next, loss: lossKind } as GraphNode;
      }
      const steps = node.steps === 'last' ? 'last' : 'all';
      if (steps !== want.lossSteps) {
        changes.push(want.lossSteps === 'last' ? `${node.id} reads the last step` : `${node.id} reads every step`);
        next = { ...next } as GraphNode;
        if (want.lossSteps === 'last') (next as { steps?: string }).steps = 'last';
        else delete (next as { steps?: string }).steps;
      }
    }
    if (node.id === b.prediction?.id && squashed(node, want)) {
      changes.push(`${node.id} has no squashing activation`);
      next = { ...next, activation: 'identity' } as GraphNode;
    }
    return next;
  });
  if (changes.length === 0) return { graph, changes };
  return { graph: reconcileParameters(graph, { ...graph, nodes }).graph, changes };
}
