/**
 * The inspector's part for blocks (docs/blocks.md): "Group as block" for a
 * selection of gates, ops and cells, and the fields of a block instance —
 * its block, its ports, and whether its weights are its own or tied to
 * another instance of the same block.
 */
import type { GraphNode } from '../../engine/format/types.ts';
import { editBlock, groupSelectionAsBlock, renameBlockEverywhere, ungroupBlockInstance } from '../app/commands.ts';
import { blockNameRefusal, freshBlockName, portsOf, setBlockTie, tieOwners } from '../doc/blocks.ts';
import { idRefusal, nodeIds, renameNode, updateNode } from '../doc/ops.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { SelectField, TextField } from './fields.tsx';

export const BLOCK_HELP = 'An instance of a named block: a reusable sub-graph with its own input and output ports (docs/blocks.md).';

const GROUPABLE = new Set(['gate', 'op', 'cell']);

/** Shown while the selection is one or more gates, ops and cells: name the block and group them. */
export function GroupAsBlock() {
  const selected = useUi((state) => state.selectedNodes);
  const graph = useDocument((state) => state.graph);
  const name = useUi((state) => state.blockNameDraft);
  const setName = (value: string) => uiStore.setState({ blockNameDraft: value });
  const nodes = graph.nodes.filter((n) => selected.has(n.id));
  if (nodes.length === 0 || nodes.length !== selected.size || !nodes.every((n) => GROUPABLE.has(n.kind))) return null;
  const suggested = freshBlockName(graph);
  return (
    <div className="cw-group-controls cw-block-group cw-field">
      <label className="cw-field-label" htmlFor="cw-block-name">Block name</label>
      <div className="cw-button-row">
        <input id="cw-block-name" value={name} placeholder={suggested} onChange={(event) => setName(event.target.value)}
          onKeyDown={(event) => {
            // Enter, or Ctrl+G as on the canvas (the global shortcuts skip text fields).
            const ctrlG = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'g';
            if (event.key === 'Enter' || ctrlG) {
              event.preventDefault();
              groupSelectionAsBlock(name.trim() || suggested);
              setName('');
            }
          }} />
        <button type="button" className="cw-small-button" title="Replace the selection by one instance of a new named block (kept in the file and in your library)"
          onClick={() => { groupSelectionAsBlock(name.trim() || suggested); setName(''); }}>
          Group as block
        </button>
      </div>
    </div>
  );
}

export function BlockFields({ node }: { node: GraphNode }) {
  const graph = useDocument((state) => state.graph);
  const record = node as Record<string, unknown>;
  const block = typeof record.block === 'string' ? record.block : '?';
  const tie = typeof record.tie === 'string' ? record.tie : '';
  const owners = tieOwners(graph, node.id);
  const { inputs, outputs } = portsOf(graph, node.id);
  const commit = (label: string, next: typeof graph) => documentStore.getState().commit(label, next);
  return (
    <>
      <p className="cw-note">Instance <b className="cw-mono">{node.id}</b> of block <b>{block}</b></p>
      <TextField
        label="Id"
        mono
        value={node.id}
        help="Unique among nodes; the inner nodes report as <id>/<node> and their parameters are keyed by it."
        validate={(value) => idRefusal(value, nodeIds(documentStore.getState().graph), node.id, 'node')}
        onCommit={(value) => {
          commit('Rename node', renameNode(documentStore.getState().graph, node.id, value));
          uiStore.getState().select([value]);
        }}
      />
      <TextField
        label="Block name"
        value={block}
        help="Renames the block for every instance in this file."
        validate={(value) => blockNameRefusal(documentStore.getState().graph, value, block)}
        onCommit={(value) => renameBlockEverywhere(block, value)}
      />
      <TextField
        label="Label"
        value={node.label ?? ''}
        placeholder="optional display name"
        onCommit={(value) => commit('Edit label', updateNode(graph, node.id, { label: value === '' ? undefined : value }))}
      />
      <SelectField
        label="Weights"
        help="Its own weights, or those of another instance of the same block: one set of parameters, the gradient summed over both uses."
        value={tie}
        options={[{ value: '', label: 'its own weights' }, ...[...new Set([...(tie ? [tie] : []), ...owners])].map((id) => ({ value: id, label: `tied to ${id}` }))]}
        onCommit={(value) => commit(value ? `Tie ${node.id} to ${value}` : `Untie ${node.id}`, setBlockTie(documentStore.getState().graph, node.id, value === '' ? undefined : value))}
      />
      <div className="cw-button-row">
        <button type="button" className="cw-small-button" title="Open the block's inside on the canvas and edit it: every instance of the block changes (double-click the instance does the same)" onClick={() => editBlock(node.id)}>Edit block</button>
        <button type="button" className="cw-small-button" title="Replace this instance by the block's nodes (its weights come along; one undo step)" onClick={() => ungroupBlockInstance(node.id)}>Ungroup</button>
      </div>
      <p className="cw-note">Inputs: {inputs.join(', ') || '—'} · outputs: {outputs.join(', ') || '—'}. Inner nodes report as {node.id}/&lt;node&gt;; parameters are keyed edge:{node.id}/…, bias:{node.id}/….</p>
    </>
  );
}
