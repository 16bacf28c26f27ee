/**
 * One step of a graph as a function of its previous state: h_t = F(h_{t−1}, x_t).
 * Evaluates many (state, input) rows at once with a T = 1 Session in float64,
 * feeding the states through the batch's `initialStates`, so the step
 * Jacobian and the fixed points use the very runtime that trains.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';
import { idTable } from '../format/dict.ts';

export class StepProbe {
  readonly session: Session;
  /** Per cell (program.cells order): offset of its units in the joint state vector. */
  readonly offsets: number[];
  /** Total state size D = Σ cell sizes. */
  readonly dims: number;
  private readonly batch: Batch;

  constructor(readonly program: Program, readonly rows: number) {
    this.session = new Session(program, { T: 1, B: rows, dtype: 'float64' });
    let d = 0;
    this.offsets = program.cells.map((i) => { const o = d; d += program.nodes[i].size; return o; });
    this.dims = d;
    const inputs = idTable<Float64Array>();
    for (const i of program.inputs) inputs[program.nodes[i].id] = new Float64Array(rows * program.nodes[i].size);
    const initialStates = idTable<Float64Array>();
    for (const i of program.cells) initialStates[program.nodes[i].id] = new Float64Array(rows * program.nodes[i].size);
    this.batch = { T: 1, B: rows, inputs, targets: idTable(), initialStates };
  }

  /** The input buffer [rows, size] of an input node (fill before run). */
  input(nodeIndex: number): Float64Array {
    return this.batch.inputs[this.program.nodes[nodeIndex].id] as Float64Array;
  }

  /** The previous-state buffer [rows, size] of a cell (fill before run). */
  state(cellIndex: number): Float64Array {
    return this.batch.initialStates![this.program.nodes[cellIndex].id] as Float64Array;
  }

  /** Zeros every input and state. */
  clear(): void {
    for (const a of Object.values(this.batch.inputs)) a.fill(0);
    for (const a of Object.values(this.batch.initialStates!)) a.fill(0);
  }

  /** Runs one step; `next(cell)` then gives the new states [rows, size]. */
  run(theta: Arr): void {
    this.session.forward(theta, this.batch);
  }

  next(cellIndex: number): Arr {
    return this.session.values(cellIndex);
  }
}
