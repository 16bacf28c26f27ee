/**
 * The validator's verdict on the current document, recomputed on every
 * document change, indexed by node and edge for the canvas.
 */
import { createStore, useStore } from 'zustand';
import type { Graph, Problem } from '../../engine/format/types.ts';
import { ALGEBRAIC_LOOP_CODE, inferSizes, validateGraph } from '../doc/engine.ts';
import { documentStore } from './document.ts';

export interface ProblemIndex {
  problems: Problem[];
  byNode: ReadonlyMap<string, Problem[]>;
  byEdge: ReadonlyMap<string, Problem[]>;
  /** Nodes on an algebraic loop, and the edges joining consecutive ones. */
  loopNodes: ReadonlySet<string>;
  loopEdges: ReadonlySet<string>;
}

function push<K>(map: Map<K, Problem[]>, key: K, problem: Problem): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(problem)) list.push(problem);
  } else {
    map.set(key, [problem]);
  }
}

export function isLoopProblem(problem: Problem): boolean {
  return problem.code === ALGEBRAIC_LOOP_CODE;
}

export function indexProblems(graph: Graph, problems: Problem[]): ProblemIndex {
  const byNode = new Map<string, Problem[]>();
  const byEdge = new Map<string, Problem[]>();
  const loopNodes = new Set<string>();
  const loopEdges = new Set<string>();
  // Node kinds by id, built once (a search per edge is quadratic on a long loop).
  let kindOf: Map<string, string> | undefined;
  for (const problem of problems) {
    if (problem.node) push(byNode, problem.node, problem);
    for (const id of problem.nodes ?? []) push(byNode, id, problem);
    if (problem.edge) push(byEdge, problem.edge, problem);
    if (isLoopProblem(problem) && problem.nodes && problem.nodes.length > 0) {
      const cycle = problem.nodes;
      cycle.forEach((id) => loopNodes.add(id));
      const onCycle = new Set(cycle);
      kindOf ??= new Map(graph.nodes.map((node) => [node.id, node.kind]));
      for (const edge of graph.edges) {
        // An edge between two loop nodes that is not read from a cell (cells break loops).
        if (onCycle.has(edge.source) && onCycle.has(edge.target)) {
          if (kindOf.get(edge.source) !== 'cell') loopEdges.add(edge.id);
        }
      }
    }
  }
  return { problems, byNode, byEdge, loopNodes, loopEdges };
}

export interface ValidationState extends ProblemIndex {
  graph: Graph;
  /** Every node's size as far as it can be inferred (ops take theirs from their inputs). */
  sizes: ReadonlyMap<string, number>;
}

function compute(graph: Graph): ValidationState {
  let problems: Problem[];
  try {
    problems = validateGraph(graph);
  } catch (error) {
    // A validator crash must not take the editor down with it.
    problems = [{ severity: 'error', code: 'validator-crashed', message: `The validator failed: ${(error as Error).message}`, path: '' }];
  }
  let sizes: ReadonlyMap<string, number>;
  try {
    sizes = inferSizes(graph);
  } catch {
    sizes = new Map();
  }
  return { graph, sizes, ...indexProblems(graph, problems) };
}

export const validationStore = createStore<ValidationState>()(() => compute(documentStore.getState().graph));

documentStore.subscribe((state, previous) => {
  if (state.graph !== previous.graph) validationStore.setState(compute(state.graph), true);
});

export function useValidation<T>(selector: (state: ValidationState) => T): T {
  return useStore(validationStore, selector);
}
