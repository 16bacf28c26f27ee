/**
 * How to read the live colouring on the canvas, shown once training data is
 * there: what a heat strip is, what edge colour means, what a badge means.
 */
import { memo } from 'react';
import { useTelemetry } from '../store/telemetry.ts';

export const CanvasLegend = memo(function CanvasLegend() {
  const live = useTelemetry((s) => s.probe !== null);
  const flagged = useTelemetry((s) => Object.keys(s.flags).length > 0);
  if (!live) return null;
  return (
    <div className="cw-legend" role="note" aria-label="Live colouring">
      <div><span className="cw-scale" aria-hidden /> node strip: activation over time t →, a row per unit</div>
      <div><span className="cw-edge-key" aria-hidden /> edge: gradient flowing back through it</div>
      {flagged ? <div><span className="cw-flag cw-flag-vanishing is-static" aria-hidden>↘ badge</span> gradient vanishes/explodes: hover it</div> : null}
    </div>
  );
});
