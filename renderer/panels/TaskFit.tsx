/**
 * A task that does not fit the graph: every mismatch at once, in the user's
 * terms, each with its place in the file as a detail line, and the one
 * command that fixes what can be fixed (Fit graph to task).
 */
import { memo, useMemo } from 'react';
import { fitGraphToTaskNow, taskFit } from '../app/training.ts';
import { useDocument } from '../store/document.ts';
import { useTraining } from '../store/training.ts';

export const TaskFit = memo(function TaskFit({ fallback }: { fallback: string }) {
  const task = useDocument((state) => state.graph.task);
  const nodes = useDocument((state) => state.graph.nodes);
  const edges = useDocument((state) => state.graph.edges);
  const resources = useTraining((state) => state.resources);
  // The fit reads only these parts of the graph, and the files chosen for the task.
  const fit = useMemo(() => taskFit({ format: 'cellwright-graph', version: 1, nodes, edges, task }), [task, nodes, edges, resources]);
  if (!fit || fit.problems.length === 0) return <span>{fallback}</span>;
  const fixable = fit.problems.some((problem) => problem.fixable);
  return (
    <div className="cw-task-fit">
      <span>The {fit.meta.name} task does not fit the graph{fit.problems.length > 1 ? ` (${fit.problems.length} problems)` : ''}:</span>
      <ul className="cw-fit-list" aria-label="Task problems">
        {fit.problems.map((problem, i) => (
          <li key={`${problem.path}:${i}`}>
            {problem.message}
            <span className="cw-problem-detail">at {problem.path}</span>
          </li>
        ))}
      </ul>
      {fixable ? (
        <button type="button" className="cw-primary" title="Make the input, target, prediction and loss fit the task (one undo step)" onClick={() => fitGraphToTaskNow()}>Fit graph to task</button>
      ) : null}
    </div>
  );
});
