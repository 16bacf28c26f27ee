/**
 * Problems in the user's terms. The engine's messages name nodes by id and
 * are written for a file ("gate "g1" has no inputs"); the editor shows the
 * names people gave the nodes on the canvas ("gate “forget f” needs an
 * input"), a sentence, and keeps the JSON path for a detail line.
 */
import type { Graph, Problem } from '../../engine/format/types.ts';

/** Engine wording → what a person building the graph would say. */
const REWRITES: Array<[RegExp, string]> = [
  [/^(gate|op) (“[^”]*”(?: \([^)]*\))?) has no inputs(?::.*)?$/, '$1 $2 needs an input'],
  [/^cell (“[^”]*”(?: \([^)]*\))?) has no incoming edge: nothing writes its next state$/, 'cell $1 needs its next state: connect the node that computes it into the cell'],
  [/^node (“[^”]*”(?: \([^)]*\))?) does not contribute to any loss$/, 'node $1 does not lead to a loss, so training ignores it'],
];

function displayName(graph: Graph, id: string): string | null {
  const node = graph.nodes.find((n) => n.id === id);
  if (!node) return null;
  return node.label && node.label !== id ? `“${node.label}” (${id})` : `“${id}”`;
}

/**
 * The message of a problem with node ids shown as the nodes' labels, the
 * engine's file wording turned into an editor's, starting with a capital.
 *
 * @example
 * userMessage({ message: 'gate "f" has no inputs: …', … }, graph) // → 'Gate “forget f_t” (f) needs an input.'
 */
export function userMessage(problem: Problem, graph: Graph): string {
  let text = problem.message.replace(/"([^"]+)"/g, (whole, id: string) => displayName(graph, id) ?? whole);
  for (const [pattern, replacement] of REWRITES) {
    if (pattern.test(text)) {
      text = text.replace(pattern, replacement);
      break;
    }
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The detail line: where in the file, and the problem's code. */
export function problemDetail(problem: Problem): string {
  return problem.path ? `${problem.code} at ${problem.path}` : problem.code;
}
