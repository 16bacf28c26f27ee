/**
 * One colour scale for every live view (heat strips, heatmap, unrolled view):
 * deep blue (0) → pale (0.5) → orange-red (1). Low, middle and high read the
 * same on the canvas and in the charts; NaN is drawn magenta so a non-finite
 * value is never mistaken for a small one.
 */

const STOPS: Array<[number, [number, number, number]]> = [
  [0, [33, 62, 143]],
  [0.25, [72, 128, 196]],
  [0.5, [238, 238, 232]],
  [0.75, [242, 150, 74]],
  [1, [190, 40, 30]],
];

const LUT = new Uint8ClampedArray(256 * 3);
for (let i = 0; i < 256; i++) {
  const v = i / 255;
  let k = 0;
  while (k < STOPS.length - 2 && v > STOPS[k + 1][0]) k++;
  const [a, ca] = STOPS[k];
  const [b, cb] = STOPS[k + 1];
  const f = (v - a) / (b - a);
  for (let c = 0; c < 3; c++) LUT[i * 3 + c] = Math.round(ca[c] + (cb[c] - ca[c]) * f);
}

export const NAN_RGB: [number, number, number] = [214, 0, 170];

/** Writes the colour of v ∈ [0, 1] into out[o..o+3] (RGBA). */
export function heatInto(out: Uint8ClampedArray, o: number, v: number): void {
  if (!Number.isFinite(v)) {
    out[o] = NAN_RGB[0];
    out[o + 1] = NAN_RGB[1];
    out[o + 2] = NAN_RGB[2];
    out[o + 3] = 255;
    return;
  }
  const i = Math.max(0, Math.min(255, Math.round(v * 255))) * 3;
  out[o] = LUT[i];
  out[o + 1] = LUT[i + 1];
  out[o + 2] = LUT[i + 2];
  out[o + 3] = 255;
}

export function heatCss(v: number): string {
  const px = new Uint8ClampedArray(4);
  heatInto(px, 0, v);
  return `rgb(${px[0]}, ${px[1]}, ${px[2]})`;
}

/** Series colours of the charts, in order (cells, weights). */
export const SERIES = ['#4257d6', '#d9480f', '#2b8a3e', '#ae3ec9', '#1098ad', '#e8590c', '#5c940d', '#c2255c'];
