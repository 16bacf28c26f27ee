/**
 * The bar over the canvas while a block's inside is open (Edit block): where
 * you are — "<graph> › block "my gate"" — how many instances the edits
 * change, and Done (or Escape, or the graph's name) to go back to the graph.
 */
import { finishBlockEdit } from '../app/commands.ts';
import { instancesOf } from '../doc/blockEdit.ts';
import { useDocument } from '../store/document.ts';

export function BlockEditBar({ block }: { block: string }) {
  const graphName = useDocument((state) => state.graph.name ?? state.file?.name?.replace(/\.(cellwright|json)$/i, '') ?? 'graph');
  const count = useDocument((state) => instancesOf(state.graph, block).length);
  return (
    <div className="cw-block-bar" role="navigation" aria-label="Editing a block">
      <button type="button" className="cw-block-crumb" title="Back to the graph (Escape)" onClick={finishBlockEdit}>{graphName}</button>
      <span className="cw-block-sep" aria-hidden="true">›</span>
      <span className="cw-block-current">block <b>“{block}”</b></span>
      <span className="cw-block-note">{count === 1 ? 'edits change its 1 instance' : `edits change all ${count} instances`}</span>
      <button type="button" className="cw-small-button cw-block-done" title="Back to the graph (Escape)" onClick={finishBlockEdit}>Done</button>
    </div>
  );
}
