import { memo } from 'react';
import { openConnectivity } from '../views/connectivity.ts';
import type { Graph, GraphEdge, GraphNode } from '../../engine/format/types.ts';
import { LAYER_META } from '../../engine/layers/meta.ts';
import { INIT_KINDS, NODE_KIND_META, nodeFields, parseNumberField, primitiveDoc, primitiveSymbol, WEIGHT_KINDS, type FieldMeta } from '../../engine/meta.ts';
import { getOp } from '../../engine/ops/ops.ts';
import { idRefusal, renameEdge, renameNode, updateEdge, updateGraphFields, updateNode, edgeIds, nodeIds, effectiveWeight, tieCandidates } from '../doc/ops.ts';
import { useDocument } from '../store/document.ts';
import { activeGraph, commitActive, useActiveGraph, useActiveSizes, useBlockView } from '../store/blockView.ts';
import { finishBlockEdit } from '../app/commands.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { focusNode, ungroupNodes } from '../app/commands.ts';
import { groupName, groupOf } from '../doc/groups.ts';
import { WeightMatrix } from './WeightMatrix.tsx';
import { CheckField, NumberField, parseSize, SelectField, TextField, type Option } from './fields.tsx';
import { NestedNodeFields, nestedSelection } from './NestedNodeFields.tsx';
import { BlockFields, GroupAsBlock, BLOCK_HELP } from './BlockFields.tsx';

// The graph being edited: the document, or the open block's inside (Edit block, renderer/store/blockView.ts).
function commit(label: string, next: Graph) {
  commitActive(label, next);
}

function g(): Graph {
  return activeGraph();
}

const WEIGHT_LABEL: Record<string, string> = {
  full: 'full — W, a learned matrix',
  diagonal: 'diagonal — a learned vector (peephole)',
  scalar: 'scalar — one learned number',
  identity: 'identity — no parameter (=)',
};

/** The inspector's fields of a node kind; a layer (engine/layers) is not a kind of engine/meta.ts. */
function metaOf(kind: string): { label: string; help: string; fields: FieldMeta[] } {
  return (NODE_KIND_META as Record<string, { label: string; help: string; fields: FieldMeta[] }>)[kind] ?? LAYER_META;
}

function enumLabel(field: FieldMeta, value: string): string {
  if (field.name === 'activation' || field.name === 'op') {
    const symbol = primitiveSymbol(field.name, value);
    return symbol && symbol !== value ? `${value} (${symbol})` : value;
  }
  return value;
}

function NodeFields({ node }: { node: GraphNode }) {
  // The kind's fields, then the op's own (factor, eps, p, start…) from the op registry; a layer's from engine/layers.
  const fields = (node.kind as string) === 'layer' ? LAYER_META.fields : nodeFields(node);
  const incoming = useActiveGraph().edges.filter((edge) => edge.target === node.id).length;
  const inferred = useActiveSizes().get(node.id);
  const record = node as Record<string, unknown>;
  return (
    <>
      <TextField
        label="Id"
        mono
        value={node.id}
        help={node.kind === 'input' || node.kind === 'target' ? 'Also the name of the data stream it reads.' : 'Unique among nodes; parameters are keyed by it.'}
        validate={(value) => idRefusal(value, nodeIds(g()), node.id, 'node')}
        onCommit={(value) => {
          commit('Rename node', renameNode(g(), node.id, value));
          uiStore.getState().select([value]);
        }}
      />
      <TextField
        label="Label"
        value={node.label ?? ''}
        placeholder="optional display name"
        onCommit={(value) => commit('Edit label', updateNode(g(), node.id, { label: value === '' ? undefined : value }))}
      />
      {fields.map((field) => {
        const value = record[field.name];
        switch (field.field.type) {
          case 'number':
          case 'size': {
            const type = field.field;
            return (
              <NumberField
                key={field.name}
                label={field.label}
                help={field.help}
                value={typeof value === 'number' ? value : undefined}
                parse={type.type === 'size' ? parseSize : (text) => parseNumberField(type, text, field.required)}
                onCommit={(n) => commit(`Set ${field.label.toLowerCase()}`, updateNode(g(), node.id, { [field.name]: n }))}
              />
            );
          }
          case 'boolean':
            return (
              <CheckField
                key={field.name}
                label={field.label}
                help={field.help}
                checked={typeof value === 'boolean' ? value : field.default === true}
                onCommit={(checked) => commit(`Set ${field.label.toLowerCase()}`, updateNode(g(), node.id, { [field.name]: checked }))}
              />
            );
          case 'enum': {
            const options: Option[] = field.field.values.map((v) => ({ value: v, label: enumLabel(field, v) }));
            if (field.name === 'op') {
              for (const option of options) {
                if (option.value === 'one_minus' && incoming > 1) option.refused = `1−x takes exactly one input; this node has ${incoming}.`;
              }
            }
            if (field.name === 'loss') {
              const hasTarget = g().edges.some((edge) => edge.target === node.id && edge.port === 'target');
              for (const option of options) {
                if (option.value === 'sum' && hasTarget) option.refused = 'A sum loss has no target: remove the edge into the target port first.';
              }
            }
            return (
              <SelectField
                key={field.name}
                label={field.label}
                help={field.help}
                value={typeof value === 'string' ? value : String(field.default ?? field.field.values[0])}
                options={options}
                onCommit={(v) => commit(`Set ${field.label.toLowerCase()}`, updateNode(g(), node.id, { [field.name]: v }))}
              />
            );
          }
        }
        return null;
      })}
      {primitiveDoc(node) ? <p className="cw-note cw-primitive-doc">{primitiveDoc(node)}</p> : null}
      {node.kind === 'op' && !fields.some((f) => f.name === 'size') ? <p className="cw-note">Size {inferred ?? '—'} ({node.op === 'concat' ? 'the sum of its inputs' : 'taken from its inputs'}).</p> : null}
    </>
  );
}

function EdgeFields({ edge }: { edge: GraphEdge }) {
  const graph = useActiveGraph();
  const source = graph.nodes.find((node) => node.id === edge.source);
  const target = graph.nodes.find((node) => node.id === edge.target);
  const intoGate = target?.kind === 'gate';
  const weight = effectiveWeight(graph, edge);
  const learned = weight !== 'identity';
  const notGateReason = target ? `Edges into a ${target.kind} carry the value unchanged (identity).` : undefined;
  const sizes = useActiveSizes();
  const tieOptions = tieCandidates(graph, edge.id, sizes);
  const weightOptions: Option[] = WEIGHT_KINDS.map((kind) => ({ value: kind, label: WEIGHT_LABEL[kind] ?? kind }));
  return (
    <>
      <TextField
        label="Id"
        mono
        value={edge.id}
        help="Unique among edges; the learned weight is stored as edge:<id>."
        validate={(value) => idRefusal(value, edgeIds(g()), edge.id, 'edge')}
        onCommit={(value) => {
          commit('Rename edge', renameEdge(g(), edge.id, value));
          uiStore.getState().select([], [value]);
        }}
      />
      <div className="cw-field">
        <span className="cw-field-label">Connects</span>
        <div className="cw-connects">
          <button type="button" className="cw-link" onClick={() => focusNode(edge.source)}>{edge.source}</button>
          <span aria-hidden>→</span>
          <button type="button" className="cw-link" onClick={() => focusNode(edge.target)}>{edge.target}</button>
          {source?.kind === 'cell' ? <span className="cw-tag cw-tag-delay" title="Reads the cell's value from the previous step">t−1</span> : null}
        </div>
      </div>
      {target?.kind === 'loss' ? (
        <SelectField
          label="Port"
          help="Which input of the loss this edge feeds."
          value={edge.port ?? 'prediction'}
          options={(['prediction', 'target'] as const).map((port) => ({
            value: port,
            label: port,
            refused: port === 'target' && target.loss === 'sum' ? 'A sum loss has no target port.'
              : graph.edges.some((other) => other.id !== edge.id && other.target === edge.target && (other.port ?? 'prediction') === port) ? `The ${port} port is already connected.` : undefined,
          }))}
          onCommit={(port) => commit('Set port', updateEdge(g(), edge.id, { port }))}
        />
      ) : null}
      {target?.kind === 'op' && getOp(target.op)?.slots ? (
        <NumberField
          label="Slot"
          help={target.op === 'concat' ? 'Position of this piece in the concatenation (0, 1, …).' : 'Operand position: 0 is the first (in0), 1 the second.'}
          value={edge.slot}
          parse={(text) => parseNumberField({ type: 'number', integer: true, min: 0 }, text, true)}
          onCommit={(value) => commit('Set slot', updateEdge(g(), edge.id, { slot: value }))}
        />
      ) : null}
      <SelectField
        label="Weight"
        help="How the source is mixed into the gate's weighted sum."
        value={weight}
        options={weightOptions}
        disabledReason={intoGate ? undefined : notGateReason}
        onCommit={(value) => commit('Set weight', updateEdge(g(), edge.id, { weight: value }))}
      />
      {intoGate && learned && edge.tie === undefined ? <WeightMatrix edge={edge} kind={weight} /> : null}
      {intoGate && learned && (edge.tie !== undefined || tieOptions.length > 0) ? (
        <SelectField
          label="Shares weight of"
          help="Tie this edge to another learned edge of the same kind and shape: both use one parameter, and its gradient sums both uses."
          value={edge.tie ?? ''}
          options={[{ value: '', label: 'its own weight' }, ...[...new Set([...(edge.tie !== undefined ? [edge.tie] : []), ...tieOptions])].map((id) => ({ value: id, label: `edge ${id}` }))]}
          onCommit={(value) => commit(value === '' ? 'Untie edge' : 'Tie edge', updateEdge(g(), edge.id, { tie: value === '' ? undefined : value }))}
        />
      ) : null}
      {intoGate && learned && edge.tie === undefined ? (
        <>
          <SelectField
            label="Initializer"
            help="How the weight starts before training."
            value={edge.init ?? 'glorot_uniform'}
            options={INIT_KINDS.map((kind) => ({ value: kind, label: kind }))}
            onCommit={(value) => commit('Set initializer', updateEdge(g(), edge.id, { init: value }))}
          />
          <NumberField
            label="Scale"
            help="Multiplies the initial values (empty: 1)."
            value={edge.initScale}
            parse={(text) => {
              const t = text.trim();
              if (t === '') return { value: undefined };
              const n = Number(t);
              if (!Number.isFinite(n)) return { error: `"${t}" is not a number.` };
              if (n <= 0) return { error: 'A scale must be greater than 0.' };
              return { value: n };
            }}
            onCommit={(value) => commit('Set scale', updateEdge(g(), edge.id, { initScale: value }))}
          />
          <CheckField
            label="Trainable"
            help="Unticked keeps the weight fixed while training."
            checked={edge.trainable !== false}
            onCommit={(checked) => commit('Set trainable', updateEdge(g(), edge.id, { trainable: checked }))}
          />
        </>
      ) : null}
    </>
  );
}

/** Inside a block (Edit block), with nothing selected: what is open and how to leave. */
function BlockInsideFields({ block }: { block: string }) {
  const graph = useActiveGraph();
  return (
    <>
      <p className="cw-note">The inside of block <b>{block}</b>: {graph.nodes.length} nodes · {graph.edges.length} edges. Its input nodes are the block's input ports; the nodes marked “output” leave it.</p>
      <p className="cw-note">Every edit here changes every instance of the block, one undo step each.</p>
      <div className="cw-button-row">
        <button type="button" className="cw-small-button" onClick={finishBlockEdit} title="Back to the graph (Escape)">Done</button>
      </div>
    </>
  );
}

function GraphFields() {
  const graph = useDocument((state) => state.graph);
  const cells = graph.nodes.filter((node) => node.kind === 'cell').length;
  const gates = graph.nodes.filter((node) => node.kind === 'gate').length;
  return (
    <>
      <TextField label="Graph name" value={graph.name ?? ''} onCommit={(value) => commit('Rename graph', updateGraphFields(g(), { name: value === '' ? undefined : value }))} />
      <TextField label="Description" value={graph.description ?? ''} placeholder="what this cell is for" onCommit={(value) => commit('Edit description', updateGraphFields(g(), { description: value === '' ? undefined : value }))} />
      <p className="cw-note">{graph.nodes.length} nodes · {graph.edges.length} edges · {cells} cell{cells === 1 ? '' : 's'} · {gates} gate{gates === 1 ? '' : 's'}</p>
      <p className="cw-note">Select a node or an edge to edit it. Shift-drag selects several.</p>
    </>
  );
}

/** Shown when the selection lies in one template group: collapse, expand, dissolve. */
function GroupControls({ group }: { group: string }) {
  const name = useDocument((state) => groupName(state.graph, group));
  const collapsed = useUi((state) => state.collapsedGroups.has(group));
  return (
    <div className="cw-group-controls">
      <span className="cw-field-label">Template group <b>{name}</b></span>
      <div className="cw-button-row">
        <button type="button" className="cw-small-button" onClick={() => uiStore.getState().toggleGroup(group)}>{collapsed ? `Expand ${name}` : `Collapse ${name}`}</button>
        <button type="button" className="cw-small-button" onClick={() => ungroupNodes(group)} title="Keep the nodes, drop the grouping">Ungroup</button>
      </div>
    </div>
  );
}

export const Inspector = memo(function Inspector() {
  const selectedNodes = useUi((state) => state.selectedNodes);
  const selectedEdges = useUi((state) => state.selectedEdges);
  const graph = useActiveGraph();
  const block = useBlockView((state) => state.block);
  const onlyNode = selectedNodes.size === 1 && selectedEdges.size === 0 ? graph.nodes.find((node) => selectedNodes.has(node.id)) : undefined;
  const onlyEdge = selectedEdges.size === 1 && selectedNodes.size === 0 ? graph.edges.find((edge) => selectedEdges.has(edge.id)) : undefined;
  const many = selectedNodes.size + selectedEdges.size > 1;
  const nested = !onlyNode && selectedNodes.size === 1 && selectedEdges.size === 0 ? nestedSelection(graph, [...selectedNodes][0]) : null;
  let title = block !== null ? `Block “${block}”` : 'Graph';
  let body = block !== null ? <BlockInsideFields block={block} /> : <GraphFields />;
  if (onlyNode && (onlyNode.kind as string) === 'block') {
    title = 'Block';
    body = <BlockFields key={onlyNode.id} node={onlyNode} />;
  } else if (onlyNode) {
    title = metaOf(onlyNode.kind).label;
    body = (
      <>
        <NodeFields key={onlyNode.id} node={onlyNode} />
        {onlyNode.kind !== 'loss' && onlyNode.kind !== 'target' ? (
          <div className="cw-button-row">
            <button type="button" className="cw-small-button" title="Which past steps of the nearest cell or input reach this node (dock → Connectivity)" onClick={() => openConnectivity(g(), onlyNode.id)}>Connectivity</button>
          </div>
        ) : null}
      </>
    );
  } else if (nested) {
    title = `${NODE_KIND_META[nested.node.kind]?.label ?? nested.node.kind} in layer ${nested.layer.id}`;
    body = <NestedNodeFields key={[...selectedNodes][0]} layer={nested.layer} node={nested.node} />;
  } else if (onlyEdge) {
    title = 'Edge';
    body = <EdgeFields key={onlyEdge.id} edge={onlyEdge} />;
  } else if (many) {
    title = 'Selection';
    body = <p className="cw-note">{selectedNodes.size} nodes and {selectedEdges.size} edges selected. Copy, duplicate or delete them together.</p>;
  }
  const selectedGroups = new Set(graph.nodes.filter((node) => selectedNodes.has(node.id)).map(groupOf));
  const sharedGroup = selectedNodes.size > 0 && selectedGroups.size === 1 ? [...selectedGroups][0] : undefined;
  return (
    <section className="cw-inspector" aria-label="Inspector">
      <h2 className="cw-section-title">{title}{onlyNode ? <span className="cw-kind-help">{(onlyNode.kind as string) === 'block' ? BLOCK_HELP : metaOf(onlyNode.kind).help}</span> : null}</h2>
      <div className="cw-inspector-body">
        {sharedGroup ? <GroupControls group={sharedGroup} /> : null}
        {body}
        <GroupAsBlock />
      </div>
    </section>
  );
});
