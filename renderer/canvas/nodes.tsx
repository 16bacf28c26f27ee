/**
 * One memo'd component per node kind, drawn so the kind reads at a glance:
 * a gate shows its activation and size, an op its symbol, a cell that it is
 * memory (its output is the previous step), a loss its kind.
 */
import { memo, type ReactNode } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode, LossKind } from '../../engine/format/types.ts';
import { ACTIVATION_SYMBOL, OP_SYMBOL } from '../../engine/meta.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { uiStore } from '../store/ui.ts';
import { FLAG_WORD } from './FlagPopover.tsx';
import { ScrubbedStrip } from './ScrubbedStrip.tsx';
import { own } from '../../engine/format/dict.ts';

export interface NodeViewData extends Record<string, unknown> {
  node: GraphNode;
  severity?: 'error' | 'warning';
  message?: string;
  inLoop: boolean;
  /** Size the validator inferred (ops have none of their own). */
  inferredSize?: number;
}

export type GraphFlowNode = Node<NodeViewData>;

/** "h_{t−1}" → h<sub>t−1</sub>, "x_t" → x<sub>t</sub>: the reference text's notation in labels. */
export function formatMath(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /_\{([^}]*)\}|_([^\s_{}⊙·+,()]+)/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(<sub key={match.index}>{match[1] ?? match[2]}</sub>);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function classes(data: NodeViewData, kind: string, selected: boolean, extra = ''): string {
  return [
    kind === 'op' ? 'cw-round' : 'cw-node', `cw-${kind}`, extra,
    selected ? 'is-selected' : '',
    data.severity ? `has-${data.severity}` : '',
    data.inLoop ? 'in-loop' : '',
  ].filter(Boolean).join(' ');
}

function ProblemBadge({ data }: { data: NodeViewData }) {
  if (!data.severity) return null;
  return (
    <span className={`cw-badge cw-badge-${data.severity}`} title={data.message} role="img" aria-label={`${data.severity}: ${data.message ?? ''}`}>
      {data.severity === 'error' ? '!' : '?'}
    </span>
  );
}

const FLAG_ICON = { vanishing: '↘', exploding: '↗', nonfinite: '!' } as const;

/** A gradient flag from training: opens the explanation and its one-click fixes. */
function FlagBadge({ id }: { id: string }) {
  const kind = useTelemetry((state) => own(state.flags, id)?.kind);
  if (!kind) return null;
  const open = () => uiStore.getState().setFlagOpen(id);
  return (
    <button
      type="button"
      className={`cw-flag cw-flag-${kind} nodrag nopan`}
      data-flag-for={id}
      aria-label={`${FLAG_WORD[kind]} gradient at ${id}`}
      aria-haspopup="dialog"
      title="What is happening, and how to fix it"
      onClick={(event) => {
        event.stopPropagation();
        open();
      }}
      onMouseEnter={open}
    >
      <span aria-hidden>{FLAG_ICON[kind]}</span>{FLAG_WORD[kind]}
    </button>
  );
}

function In() {
  return <Handle type="target" position={Position.Left} className="cw-handle" />;
}

function Out() {
  return <Handle type="source" position={Position.Right} className="cw-handle" />;
}

function SizeChip({ size }: { size: number | undefined }) {
  return <span className="cw-chip" title={size === undefined ? 'size not known yet' : `${size} unit${size === 1 ? '' : 's'}`}>{size === undefined ? '?' : size}</span>;
}

/** The shared card: glyph, title (label, or id when there is none), size, then the id and notes. */
function Card({ data, selected, kind, glyph, size, notes, extra, children }: {
  data: NodeViewData; selected: boolean; kind: string; glyph: ReactNode; size?: number | null;
  notes?: ReactNode; extra?: string; children?: ReactNode;
}) {
  const node = data.node;
  return (
    <div className={classes(data, kind, selected, extra)} data-node-id={node.id} title={data.message}>
      <div className="cw-row">
        {glyph}
        <span className={`cw-title ${node.label ? '' : 'is-id'}`}>{node.label ? formatMath(node.label) : node.id}</span>
        {size === null ? null : <SizeChip size={size} />}
      </div>
      <div className="cw-sub">
        {node.label ? <span className="cw-id">{node.id}</span> : null}
        {notes}
      </div>
      {children}
      <ProblemBadge data={data} />
      <FlagBadge id={node.id} />
    </div>
  );
}

/** Live activation over time on one validation sequence, from the training worker's probe. */
function LiveStrip({ id }: { id: string }) {
  const strip = useTelemetry((state) => own(state.strips, id));
  return strip ? <ScrubbedStrip id={id} strip={strip} /> : null;
}

export const InputNodeView = memo(function InputNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  return (
    <Card data={data} selected={selected} kind="input" size={node.kind === 'input' ? node.size : undefined}
      glyph={<span className="cw-glyph" aria-hidden>x<sub>t</sub></span>}
      notes={<span>{node.kind === 'input' && node.reverse ? 'input · reversed' : 'input'}</span>}>
      <Out />
    </Card>
  );
});

export const TargetNodeView = memo(function TargetNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  return (
    <Card data={data} selected={selected} kind="target" size={node.kind === 'target' ? node.size : undefined}
      glyph={<span className="cw-glyph" aria-hidden>y<sub>t</sub></span>}
      notes={<span>target</span>}>
      <Out />
    </Card>
  );
});

const memoryIcon = (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden><rect x="2" y="3" width="12" height="10" rx="2" fill="none" stroke="currentColor" strokeWidth="1.6" /><path d="M5 6.5h6M5 9.5h6" stroke="currentColor" strokeWidth="1.4" /></svg>
);

export const CellNodeView = memo(function CellNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  const learned = node.kind === 'cell' && node.initial === 'learned';
  return (
    <Card data={data} selected={selected} kind="cell" size={node.kind === 'cell' ? node.size : undefined}
      glyph={<span className="cw-glyph" title="memory">{memoryIcon}</span>}
      notes={<span className="cw-out-note" title="A cell outputs the value written into it at the previous step">memory · out = {node.id}<sub>t−1</sub>{learned ? ' · learned h₀' : ''}</span>}>
      <In />
      <LiveStrip id={node.id} />
      <Out />
    </Card>
  );
});

export const GateNodeView = memo(function GateNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  if (node.kind !== 'gate') return null;
  const symbol = ACTIVATION_SYMBOL[node.activation] ?? node.activation;
  return (
    <Card data={data} selected={selected} kind="gate" extra={`act-${node.activation}`} size={node.size}
      glyph={<span className={`cw-act ${symbol.length > 2 ? 'is-word' : ''}`} title={node.activation}>{symbol}</span>}
      notes={<span>{node.bias === false ? 'no bias' : '+ bias'}</span>}>
      <In />
      <LiveStrip id={node.id} />
      <Out />
    </Card>
  );
});

export const OpNodeView = memo(function OpNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  if (node.kind !== 'op') return null;
  return (
    <div className={classes(data, 'op', selected, `op-${node.op}`)} data-node-id={node.id} title={data.message ?? `${node.op}${node.label ? ` — ${node.label}` : ''}`}>
      <In />
      <div className="cw-op-symbol">{OP_SYMBOL[node.op] ?? node.op}</div>
      <div className="cw-op-caption"><span>{node.label ? formatMath(node.label) : node.id}</span></div>
      <ProblemBadge data={data} />
      <FlagBadge id={node.id} />
      <Out />
    </div>
  );
});

const LOSS_TITLE: Record<LossKind, string> = { mse: 'MSE', cross_entropy: 'cross-entropy', bce: 'BCE', sum: 'Σ sum' };

export const LossNodeView = memo(function LossNodeView({ data, selected }: NodeProps<GraphFlowNode>) {
  const node = data.node;
  if (node.kind !== 'loss') return null;
  const hasTarget = node.loss !== 'sum';
  return (
    <Card data={data} selected={selected} kind="loss" size={null}
      glyph={<span className="cw-loss-kind">{LOSS_TITLE[node.loss] ?? node.loss}</span>}
      notes={<span>{node.steps === 'last' ? 'last step' : 'every step'}</span>}>
      <Handle type="target" id="prediction" position={Position.Left} className="cw-handle" style={{ top: hasTarget ? 22 : '50%' }} />
      {hasTarget ? <Handle type="target" id="target" position={Position.Left} className="cw-handle cw-handle-target" style={{ top: 50 }} /> : null}
      <div className="cw-ports" aria-hidden>
        <span style={{ top: hasTarget ? 22 : '50%' }}>pred</span>
        {hasTarget ? <span style={{ top: 50 }}>target</span> : null}
      </div>
    </Card>
  );
});

/**
 * Declared once at module scope: React Flow re-mounts every node when this
 * object changes. Prefixed so React Flow's own "input" node styles never apply.
 */
export const nodeTypes = {
  'cw-input': InputNodeView,
  'cw-target': TargetNodeView,
  'cw-cell': CellNodeView,
  'cw-gate': GateNodeView,
  'cw-op': OpNodeView,
  'cw-loss': LossNodeView,
};

export function nodeTypeOf(kind: GraphNode['kind']): keyof typeof nodeTypes {
  return `cw-${kind}`;
}
