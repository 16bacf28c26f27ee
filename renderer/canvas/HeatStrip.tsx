import { memo, useEffect, useRef } from 'react';
import type { HeatStrip as Strip } from '../store/telemetry.ts';
import { heatInto } from '../views/colormap.ts';

/** A units × time strip drawn on a canvas (never one DOM node per cell). */
export const HeatStrip = memo(function HeatStrip({ strip }: { strip: Strip }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    canvas.width = strip.steps;
    canvas.height = strip.units;
    const image = context.createImageData(strip.steps, strip.units);
    for (let t = 0; t < strip.steps; t += 1) {
      for (let u = 0; u < strip.units; u += 1) {
        heatInto(image.data, (u * strip.steps + t) * 4, strip.values[t * strip.units + u]);
      }
    }
    context.putImageData(image, 0, 0);
  }, [strip]);
  return <canvas ref={ref} className="cw-heat" aria-hidden title="Activation on one validation sequence: time t → across, one row per unit" />;
});
