/**
 * Template groups on the canvas: expanded, a titled frame behind the member
 * nodes with a Collapse button; collapsed, one box with the group's name and
 * its outside ports (the members that edges enter or leave).
 */
import { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { uiStore } from '../store/ui.ts';

export interface GroupBoxData extends Record<string, unknown> {
  group: string;
  name: string;
  count: number;
  /** "1 input · 2 gates · …" */
  summary: string;
  inputs: string[];
  outputs: string[];
  severity?: 'error' | 'warning';
  message?: string;
}

export interface FrameData extends Record<string, unknown> {
  group: string;
  name: string;
  width: number;
  height: number;
}

export type GroupBoxNode = Node<GroupBoxData>;
export type FrameNode = Node<FrameData>;

export const GroupBoxView = memo(function GroupBoxView({ data, selected }: NodeProps<GroupBoxNode>) {
  const rows = Math.max(data.inputs.length, data.outputs.length);
  return (
    <div className={`cw-groupbox ${selected ? 'is-selected' : ''} ${data.severity ? `has-${data.severity}` : ''}`} title={data.message}>
      <div className="cw-groupbox-head">
        <span className="cw-groupbox-name">{data.name}</span>
        <span className="cw-chip">{data.count} nodes</span>
        <button type="button" className="cw-mini-button nodrag" aria-label={`Expand ${data.name}`} title="Expand the group (or double-click it)" onClick={() => uiStore.getState().toggleGroup(data.group)}>
          <svg viewBox="0 0 16 16" width="13" height="13" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden><path d="M3 6V3h3M10 3h3v3M13 10v3h-3M6 13H3v-3" /></svg>
        </button>
      </div>
      <div className="cw-groupbox-summary">{data.summary}</div>
      {data.inputs.length + data.outputs.length === 0 ? <div className="cw-groupbox-summary">no connections outside the group</div> : null}
      <div className="cw-groupbox-ports">
        {Array.from({ length: rows }, (_, i) => (
          <div className="cw-groupbox-row" key={i}>
            <span className="cw-port-in">
              {data.inputs[i] !== undefined ? (
                <>
                  <Handle type="target" position={Position.Left} id={`in:${data.inputs[i]}`} className="cw-handle" />
                  {data.inputs[i]}
                </>
              ) : null}
            </span>
            <span className="cw-port-out">
              {data.outputs[i] !== undefined ? (
                <>
                  {data.outputs[i]}
                  <Handle type="source" position={Position.Right} id={`out:${data.outputs[i]}`} className="cw-handle" />
                </>
              ) : null}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
});

export const FrameView = memo(function FrameView({ data }: NodeProps<FrameNode>) {
  return (
    <div className="cw-frame" style={{ width: data.width, height: data.height }}>
      <div className="cw-frame-title">
        <span>{data.name}</span>
        <button type="button" className="cw-mini-button nodrag" aria-label={`Collapse ${data.name}`} title="Collapse the group into one box" onClick={() => uiStore.getState().toggleGroup(data.group)}>
          <svg viewBox="0 0 16 16" width="13" height="13" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden><path d="M6 3v3H3M13 6h-3V3M10 13v-3h3M3 10h3v3" /></svg>
        </button>
      </div>
    </div>
  );
});
