/**
 * The op nodes: elementwise over inputs of equal size, forward and backward
 * side by side. `ins` are (buffer, offset) pairs of the inputs at this step.
 */
import type { OpKind } from '../format/types.ts';
import type { Arr } from '../tensor.ts';

export interface Slot { buf: Arr; off: number }

export function opForward(op: OpKind, ins: Slot[], y: Arr, yo: number, n: number): void {
  switch (op) {
    case 'add': {
      for (let i = 0; i < n; i++) y[yo + i] = 0;
      for (const s of ins) for (let i = 0; i < n; i++) y[yo + i] += s.buf[s.off + i];
      return;
    }
    case 'mul': {
      for (let i = 0; i < n; i++) y[yo + i] = 1;
      for (const s of ins) for (let i = 0; i < n; i++) y[yo + i] *= s.buf[s.off + i];
      return;
    }
    case 'one_minus': {
      const s = ins[0];
      for (let i = 0; i < n; i++) y[yo + i] = 1 - s.buf[s.off + i];
      return;
    }
    default: {
      const never: never = op;
      throw new Error(`unknown op ${String(never)}`);
    }
  }
}

/**
 * Accumulates dL/d(input k) into dins[k] (null: input has no gradient).
 * mul: d/dx_k = dy · Π_{j≠k} x_j, computed directly (no division, so zeros are safe).
 */
export function opBackward(op: OpKind, ins: Slot[], dy: Arr, dyo: number, dins: (Slot | null)[], n: number): void {
  switch (op) {
    case 'add': {
      for (const d of dins) if (d) for (let i = 0; i < n; i++) d.buf[d.off + i] += dy[dyo + i];
      return;
    }
    case 'mul': {
      for (let k = 0; k < ins.length; k++) {
        const d = dins[k];
        if (!d) continue;
        for (let i = 0; i < n; i++) {
          let p = dy[dyo + i];
          for (let j = 0; j < ins.length; j++) if (j !== k) p *= ins[j].buf[ins[j].off + i];
          d.buf[d.off + i] += p;
        }
      }
      return;
    }
    case 'one_minus': {
      const d = dins[0];
      if (d) for (let i = 0; i < n; i++) d.buf[d.off + i] -= dy[dyo + i];
      return;
    }
    default: {
      const never: never = op;
      throw new Error(`unknown op ${String(never)}`);
    }
  }
}
