/**
 * Compares two sessions after forward + backward: loss, per-step losses,
 * every parameter gradient, every node's values and gradient norms, and the
 * gradients of given initial states. Returns the worst relative difference
 * (max |a − b| over an array divided by max |b| of the reference array,
 * floored), with where it was.
 */
import type { Program } from '../../compile.ts';
import type { RunSession } from '../../session.ts';

export interface Difference { worst: number; where: string }

export function compareSessions(p: Program, fast: RunSession, ref: RunSession, opts: { floor?: number; states?: boolean } = {}): Difference {
  const floor = opts.floor ?? 1e-14;
  const out: Difference = { worst: 0, where: '' };
  const consider = (where: string, a: ArrayLike<number>, b: ArrayLike<number>): void => {
    if (a.length !== b.length) { out.worst = Infinity; out.where = `${where}: length ${a.length} vs ${b.length}`; return; }
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      const d = Math.abs(a[i] - b[i]);
      diff = Number.isNaN(d) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? diff : Infinity) : Math.max(diff, d);
    }
    const rel = diff / Math.max(scale, floor);
    if (rel > out.worst) { out.worst = rel; out.where = where; }
  };
  consider('loss', [fast.loss], [ref.loss]);
  for (const i of p.losses) consider(`stepLoss ${p.nodes[i].id}`, fast.stepLoss[i], ref.stepLoss[i]);
  for (const e of p.layout.entries) {
    consider(`gradient ${e.key}`, fast.gparams.subarray(e.offset, e.offset + e.length), ref.gparams.subarray(e.offset, e.offset + e.length));
  }
  for (const n of p.nodes) {
    if (n.kind === 'loss') continue;
    consider(`values ${n.id}`, fast.values(n.index), ref.values(n.index));
    if (n.kind !== 'target') consider(`gradNorms ${n.id}`, fast.gradNorms[n.index], ref.gradNorms[n.index]);
  }
  if (opts.states) for (const c of p.cells) consider(`state:${p.nodes[c].id}`, fast.initialStateGrad(c), ref.initialStateGrad(c));
  return out;
}
