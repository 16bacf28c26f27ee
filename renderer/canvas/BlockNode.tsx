/**
 * A block instance on the canvas (docs/blocks.md): one box with the block's
 * name, its input ports as handles on the left and its outputs on the right,
 * and whether its weights are its own or tied to another instance. Expanded,
 * it draws the inside of the block (the definition, read-only) and the heat
 * strip of every inner gate and cell of this instance (`<instance>/<node>`).
 */
import { memo, useState } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { GraphEdge, GraphNode } from '../../engine/format/types.ts';
import { inputPorts, outputPorts } from '../../engine/blocks/types.ts';
import { definitionOf } from '../doc/blocks.ts';
import { useDocument } from '../store/document.ts';
import { editBlock } from '../app/commands.ts';
import { useValidation } from '../store/validation.ts';
import { NestedDrawing, Strip } from './LayerNode.tsx';
import type { GraphFlowNode } from './nodes.tsx';
import './LayerNode.css';

interface InstanceLike {
  id: string;
  label?: string;
  block?: unknown;
  tie?: unknown;
}

export const BlockNodeView = memo(function BlockNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const inst = data.node as unknown as InstanceLike;
  const name = typeof inst.block === 'string' ? inst.block : '?';
  const def = useDocument((state) => definitionOf(state.graph, name));
  const sizes = useValidation((state) => state.sizes);
  const [open, setOpen] = useState(false);
  const inputs = inputPorts(def);
  const outputs = outputPorts(def);
  const inner = (Array.isArray(def?.nodes) ? def.nodes : []).filter((n): n is GraphNode => !!n && typeof n.id === 'string');
  const edges = (Array.isArray(def?.edges) ? def.edges : []).filter((e): e is GraphEdge => !!e && typeof e.source === 'string');
  const portSize = (id: string): string => {
    const n = inner.find((x) => x.id === id) as { size?: unknown } | undefined;
    return typeof n?.size === 'number' ? String(n.size) : '?';
  };
  const rows = Math.max(inputs.length, outputs.length, 1);
  const tie = typeof inst.tie === 'string' ? inst.tie : undefined;
  const shown = inner.filter((n) => n.kind === 'gate' || n.kind === 'cell');
  const classes = ['cw-node', 'cw-layer', 'cw-block', open ? 'is-open' : '', selected ? 'is-selected' : '', data.severity ? `has-${data.severity}` : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} data-node-id={inst.id} title={data.message}>
      <div className="cw-row">
        <span className="cw-glyph cw-layer-dir" aria-hidden>▣</span>
        <span className={`cw-title ${inst.label ? '' : 'is-id'}`}>{inst.label ?? inst.id}</span>
        {tie ? <span className="cw-chip" title={`Uses the weights of instance ${tie}: the gradient sums over both`}>⇆ {tie}</span> : null}
        <button type="button" className="cw-mini-button nodrag" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} block ${inst.id}`}
          title={`${open ? 'Hide' : 'Show'} the inside of the block (${inner.length - inputs.length} node${inner.length - inputs.length === 1 ? '' : 's'})`} onClick={(event) => { event.stopPropagation(); setOpen(!open); }}>
          {open ? '▾' : '▸'}
        </button>
      </div>
      <div className="cw-sub">
        {inst.label ? <span className="cw-id">{inst.id}</span> : null}
        <span>block · {name}{tie ? ' · tied' : ''}</span>
      </div>
      <div className="cw-groupbox-ports cw-block-ports">
        {Array.from({ length: rows }, (_, i) => (
          <div className="cw-groupbox-row" key={i}>
            <span className="cw-port-in">
              {inputs[i] !== undefined ? (
                <>
                  <Handle type="target" position={Position.Left} id={`in:${inputs[i]}`} className="cw-handle" />
                  {inputs[i]}:{portSize(inputs[i])}
                </>
              ) : null}
            </span>
            <span className="cw-port-out">
              {outputs[i] !== undefined ? (
                <>
                  {outputs[i]}:{sizes.get(`${inst.id}/${outputs[i]}`) ?? '?'}
                  <Handle type="source" position={Position.Right} id={`out:${outputs[i]}`} className="cw-handle" />
                </>
              ) : null}
            </span>
          </div>
        ))}
      </div>
      {open ? null : outputs.map((o) => <Strip key={o} id={`${inst.id}/${o}`} title={`Output ${o} of this instance on one validation sequence`} />)}
      {open ? (
        <div className="cw-layer-body nodrag">
          <NestedDrawing layer={inst.id} nodes={inner} edges={edges} pickable={false} what={`block ${name}`} />
          <button type="button" className="cw-small-button nodrag cw-block-edit" title="Edit the block's inside on the canvas: every instance changes" onClick={(event) => { event.stopPropagation(); editBlock(inst.id); }}>Edit block</button>
          {shown.map((n) => <Strip key={n.id} id={`${inst.id}/${n.id}`} title={`${n.kind} ${n.id} of this instance on one validation sequence`} />)}
        </div>
      ) : null}
      {data.severity ? <span className={`cw-badge cw-badge-${data.severity}`} title={data.message} role="img" aria-label={`${data.severity}: ${data.message ?? ''}`}>{data.severity === 'error' ? '!' : '?'}</span> : null}
    </div>
  );
});
