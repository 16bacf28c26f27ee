/**
 * Types of the Cellwright graph format, version 1 (shared/spec/graph-format.md).
 *
 * Every object keeps the fields it was loaded with (`[extra: string]: unknown`),
 * so unknown fields survive a load → save round trip.
 */

export const GRAPH_FORMAT = 'cellwright-graph';
export const GRAPH_VERSION = 1;

export type NodeKind = 'input' | 'target' | 'cell' | 'gate' | 'op' | 'loss';
export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'step' | 'softplus';
export type OpKind = 'mul' | 'add' | 'one_minus';
export type LossKind = 'mse' | 'cross_entropy' | 'bce' | 'sum';
export type LossSteps = 'all' | 'last';
export type WeightKind = 'full' | 'diagonal' | 'scalar' | 'identity';
export type InitKind = 'glorot_uniform' | 'orthogonal' | 'identity' | 'normal' | 'uniform' | 'zeros';
export type Port = 'prediction' | 'target';

export interface Position {
  x: number;
  y: number;
  [extra: string]: unknown;
}

interface NodeBase {
  id: string;
  kind: NodeKind;
  label?: string;
  position?: Position;
  [extra: string]: unknown;
}

export interface InputNode extends NodeBase { kind: 'input'; size: number; reverse?: boolean }
export interface TargetNode extends NodeBase { kind: 'target'; size: number }
export interface CellNode extends NodeBase { kind: 'cell'; size: number; initial?: 'zeros' | 'learned' }
export interface GateNode extends NodeBase { kind: 'gate'; size: number; activation: Activation; bias?: boolean }
export interface OpNode extends NodeBase { kind: 'op'; op: OpKind; size?: number }
export interface LossNode extends NodeBase { kind: 'loss'; loss: LossKind; steps?: LossSteps }

export type GraphNode = InputNode | TargetNode | CellNode | GateNode | OpNode | LossNode;

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  weight?: WeightKind;
  init?: InitKind;
  initScale?: number;
  trainable?: boolean;
  port?: Port;
  [extra: string]: unknown;
}

/** A tensor as stored in files: flat row-major data. */
export interface TensorJSON {
  shape: number[];
  data: number[];
  [extra: string]: unknown;
}

export interface Graph {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  name?: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  parameters?: Record<string, TensorJSON>;
  task?: Record<string, unknown>;
  training?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** The data file: time-major streams, index = (t·B + b)·size + unit. */
export interface DataFile {
  inputs: Record<string, TensorJSON>;
  targets?: Record<string, TensorJSON>;
  initialStates?: Record<string, TensorJSON>;
  [extra: string]: unknown;
}

export type Severity = 'error' | 'warning';

/**
 * One problem found in a graph or data file. `path` is a JSON path into the
 * file (`nodes[3].size`); `node`/`edge` name the offending element; `nodes`
 * lists every node involved (an algebraic loop names its cycle).
 */
export interface Problem {
  severity: Severity;
  code: string;
  message: string;
  path: string;
  node?: string;
  edge?: string;
  nodes?: string[];
  hint?: string;
}
