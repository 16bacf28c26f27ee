import { memo } from 'react';
import type { Problem } from '../../engine/format/types.ts';
import { finishBlockEdit, focusNode } from '../app/commands.ts';
import { blockOfPath, blockProblems } from '../doc/blockEdit.ts';
import { activeGraph, blockViewStore, openBlock } from '../store/blockView.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { problemDetail, userMessage } from '../doc/wording.ts';
import { uiStore } from '../store/ui.ts';
import { useValidation } from '../store/validation.ts';

/**
 * Show where a problem is. One inside a block's definition opens the block
 * (Edit block) with the inner node or edge selected; one of the graph, while
 * a block is open, goes back to the graph first.
 */
function reveal(found: Problem) {
  const doc = documentStore.getState().graph;
  const open = blockViewStore.getState().block;
  const inside = blockOfPath(doc, found.path);
  if (inside === null) {
    if (open !== null) finishBlockEdit();
    revealHere(found);
    return;
  }
  const mapped = blockProblems(doc, inside, [found])[0] ?? found;
  if (inside === open) {
    revealHere(mapped);
    return;
  }
  // The canvas switches and fits the block: select what the problem names.
  openBlock(inside, null);
  uiStore.getState().select(mapped.node !== undefined ? [mapped.node] : [], mapped.edge !== undefined ? [mapped.edge] : []);
}

function revealHere(problem: Problem) {
  const nodeId = problem.node ?? problem.nodes?.[0];
  if (problem.edge && !nodeId) {
    const edge = activeGraph().edges.find((entry) => entry.id === problem.edge);
    uiStore.getState().select([], [problem.edge]);
    if (edge) uiStore.getState().focusNode(edge.target);
    return;
  }
  if (nodeId) {
    focusNode(nodeId);
    if (problem.nodes && problem.nodes.length > 1) uiStore.getState().select(problem.nodes);
  }
}

export const Problems = memo(function Problems() {
  const problems = useValidation((state) => state.problems);
  const graph = useDocument((state) => state.graph);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    <section className="cw-problems" aria-label="Problems">
      <h2 className="cw-section-title">
        Problems
        <span className={`cw-count ${errors ? 'is-error' : warnings ? 'is-warning' : 'is-ok'}`}>
          {problems.length === 0 ? 'none' : `${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`}
        </span>
      </h2>
      {problems.length === 0 ? (
        <p className="cw-note cw-ok">The graph is valid: every node has what it needs.</p>
      ) : (
        <ul className="cw-problem-list">
          {problems.map((problem, i) => (
            <li key={`${problem.code}:${problem.path}:${i}`}>
              <button type="button" className={`cw-problem is-${problem.severity}`} onClick={() => reveal(problem)} title={`${problem.message} (${problemDetail(problem)})`}>
                <span className="cw-problem-icon" aria-hidden>{problem.severity === 'error' ? '●' : '▲'}</span>
                <span className="cw-problem-text">
                  <span className="cw-problem-message">{userMessage(problem, graph)}</span>
                  {problem.hint ? <span className="cw-problem-hint">{problem.hint}</span> : null}
                  <span className="cw-problem-detail">{problemDetail(problem)}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
