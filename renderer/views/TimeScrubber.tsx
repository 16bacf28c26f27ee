/** A slider over the probe sequence's steps t = 1…T: the canvas values follow it. */
import { useTelemetry } from '../store/telemetry.ts';
import { scrubStore, useScrub } from './scrub.ts';

export function TimeScrubber() {
  const T = useTelemetry((s) => s.probe?.T ?? 0);
  const t = useScrub();
  if (T === 0) return null;
  return (
    <label className="cw-pane-check cw-scrubber" title="Scrub through time: the node strips on the canvas show their value at this step">
      t
      <input type="range" aria-label="Time step" min={0} max={T} value={t ?? 0} onChange={(e) => {
        const n = Math.round(Number(e.target.value));
        scrubStore.setState({ t: n >= 1 ? Math.min(T, n) : null });
      }} />
      <output aria-label="Scrubbed step">{t ? `${t}/${T}` : 'off'}</output>
    </label>
  );
}
