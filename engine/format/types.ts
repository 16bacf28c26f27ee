/**
 * Types of the Cellwright graph format, version 1 (shared/spec/graph-format.md).
 *
 * Every object keeps the fields it was loaded with (`[extra: string]: unknown`),
 * so unknown fields survive a load → save round trip.
 */
import type { BuiltinActivation } from '../ops/activations.ts';
import type { BuiltinOp } from '../ops/ops.ts';

export const GRAPH_FORMAT = 'cellwright-graph';
export const GRAPH_VERSION = 1;

export type NodeKind = 'input' | 'target' | 'cell' | 'gate' | 'op' | 'loss';
/** Activation names: the built-in ones of engine/ops/activations.ts (the registry). */
export type Activation = BuiltinActivation;
/** Op names: the built-in ones of engine/ops/ops.ts (the registry). */
export type OpKind = BuiltinOp;
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
export interface CellNode extends NodeBase {
  kind: 'cell';
  size: number;
  initial?: 'zeros' | 'learned';
  /** Zoneout probability p: training keeps each unit's previous state with probability p. */
  zoneout?: number;
}
export interface GateNode extends NodeBase { kind: 'gate'; size: number; activation: Activation; bias?: boolean }
export interface OpNode extends NodeBase {
  kind: 'op';
  op: OpKind;
  size?: number;
  /** scale */
  factor?: number;
  /** layer_norm */
  eps?: number;
  affine?: boolean;
  /** dropout */
  p?: number;
  /** slice */
  start?: number;
}
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
  /** The input position of an op with slots (sub, div, concat). */
  slot?: number;
  /** Share the parameter of this learned edge (the gradient sums over both uses). */
  tie?: string;
  /**
   * An edge out of a block instance (engine/blocks): which output of the block it reads
   * (optional when the block has one). An edge into an instance names the input port
   * with `port` (the inner input node's id) instead of prediction/target.
   */
  sourcePort?: string;
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
