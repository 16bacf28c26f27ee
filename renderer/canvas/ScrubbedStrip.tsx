/**
 * A node's live strip with the scrubbed step marked on it and the node's
 * value at that step read out under it (views/scrub.ts).
 */
import type { HeatStrip as Strip } from '../store/telemetry.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { own } from '../../engine/format/dict.ts';
import { useScrub, valueAt } from '../views/scrub.ts';
import { HeatStrip } from './HeatStrip.tsx';

export function ScrubbedStrip({ id, strip }: { id: string; strip: Strip }) {
  const t = useScrub();
  const node = useTelemetry((s) => (s.probe ? own(s.probe.nodes, id) : undefined));
  if (!t || !node || t > strip.steps) return <HeatStrip strip={strip} />;
  const { value, mean } = valueAt(node.values, node.size, t);
  const text = Number.isFinite(value) ? value.toPrecision(3) : String(value);
  return (
    <div className="cw-scrubbed">
      <HeatStrip strip={strip} />
      <span className="cw-scrub-mark" style={{ left: `${((t - 0.5) / strip.steps) * 100}%` }} aria-hidden />
      <span className="cw-scrub-value" data-step={t} data-value={value}>t={t}: {mean ? 'mean ' : ''}{text}</span>
    </div>
  );
}
