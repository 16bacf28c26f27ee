/**
 * When a run counts as diverged — one rule for the app's run bar, sweeps and
 * presets: its last loss (or validation loss) is not finite, at least 1e10, or
 * above 1 and a thousand times the first loss of the run.
 */

/** Loss at or above this at the end of a run: it diverged, whatever it started at. */
export const DIVERGED_LOSS = 1e10;

/**
 * @example
 * hasDiverged(3e10, 0.7)  // true
 * hasDiverged(0.4, 0.7)   // false
 */
export function hasDiverged(last: number, first: number | undefined, validation?: number): boolean {
  // NaN is "no number" here (a non-finite loss stops the trainer with a failure before the run can end).
  const blown = (x: number | undefined): boolean => x !== undefined && !Number.isNaN(x) && (!Number.isFinite(x) || Math.abs(x) >= DIVERGED_LOSS
    || (first !== undefined && Number.isFinite(first) && first > 0 && x > 1 && x > 1000 * first));
  return blown(last) || blown(validation);
}
