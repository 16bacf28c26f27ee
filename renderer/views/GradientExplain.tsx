/**
 * "Where does this gradient go?": for a cell's ‖∂L/∂h‖ at one step (a point
 * of the gradient-flow chart, a vanishing/exploding badge), the losses it
 * comes from, the largest path back through time step by step, and the
 * routes out of the cell with the factors of the reference text's §4 story
 * (activation derivative · ‖W‖, × f of f ⊙ c). Computed by the engine in the
 * worker (engine/diagnostics/gradient-paths.ts) on the probe's sequence.
 */
import type { ReactNode } from 'react';
import { useEffect, useState } from 'react';
import type { GradientExplanation, GradientRoute, RouteFactors } from '../../engine/diagnostics/gradient-paths.ts';
import { fmtNumber as f, gradientStory } from '../../engine/diagnostics/gradient-paths.ts';
import { useDocument } from '../store/document.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { requestGradientExplain } from '../train/client.ts';
import { flowCell } from './gradient-flow.ts';
import { edgeName } from './names.ts';
import { scrubStore } from './scrub.ts';

/** Steps of the path listed one by one; longer paths show their two ends. */
const PATH_ROWS = 8;

function factorText(x: RouteFactors, name: (id: string) => string): string {
  if (x.derivative !== undefined && x.weightNorm !== undefined) return `${x.activation}′ ${f(x.derivative)} · ‖W‖ ${f(x.weightNorm)} = ${f(x.bound!)}`;
  if (x.gate) return `× ${x.gate.node.split(' · ').map(name).join(' · ')} ${f(x.gate.mean)}`;
  return 'passes it on';
}

/** The explanation's title row: back, what is explained and its value, close (shared with ExplainDialog). */
export function ExplainHead({ onBack, onClose, value, children }: { onBack: (() => void) | null; onClose(): void; value: { v: number; text: string } | null; children: ReactNode }) {
  return (
    <div className="cw-explain-head">
      {onBack ? <button type="button" className="cw-pane-button" onClick={onBack} aria-label="Back one level">←</button> : null}
      <h3>
        {children}
        {value ? <> = <span className="cw-explain-value" data-value={value.v}>{value.text}</span></> : null}
      </h3>
      <button type="button" className="cw-pane-button" onClick={onClose} aria-label="Close explanation">✕</button>
    </div>
  );
}

export function GradientExplain({ node, t, depth, onClose, onBack, onValue }: {
  node: string;
  /** 0-based step. */
  t: number;
  depth: number;
  onClose(): void;
  onBack: (() => void) | null;
  /** Go on to the forward value of a node at a step (0-based). */
  onValue(node: string, t: number): void;
}) {
  const graph = useDocument((s) => s.graph);
  const seq = useTelemetry((s) => s.seq);
  const key = `${node}@${t}`;
  const [result, setResult] = useState<{ key: string; g: GradientExplanation | null; reason: string | null } | null>(null);

  useEffect(() => {
    let live = true;
    void requestGradientExplain(node, t).then((r) => {
      if (live) setResult({ key, g: r.explanation, reason: r.reason });
    });
    return () => {
      live = false;
    };
    // seq: the parameters moved (a training step): explain again.
  }, [key, seq]);

  const current = result?.key === key ? result : null;
  const g = current?.g ?? null;
  // Cells and gates inside a layer go by their layer ("l1 › h").
  const name = (id: string) => flowCell(graph, id).label;
  const route = (r: GradientRoute) => edgeName(graph, r.edge);
  const steps = g?.path?.steps ?? [];
  const shown = steps.length <= PATH_ROWS ? steps : [...steps.slice(0, PATH_ROWS / 2), null, ...steps.slice(-PATH_ROWS / 2)];
  return (
    <div className="cw-explain" role="dialog" aria-label="Explain this value" data-depth={depth} data-kind="gradient"
      data-total={g?.total} data-sources={g?.sourceCount} data-route={g?.path?.routes[0]?.edge}
      onKeyDown={(ev) => { if (ev.key === 'Escape') onClose(); }}>
      <ExplainHead onBack={onBack} onClose={onClose} value={g ? { v: g.total, text: f(g.total) } : null}>‖∂L/∂{name(node)}‖ at t = {t + 1}</ExplainHead>
      {current?.reason ? <p role="alert">{current.reason}</p> : null}
      {!current ? <p>Tracing the gradient back…</p> : null}
      {g ? (
        <>
          <p className="cw-explain-story">{gradientStory(g, { node: name, route })}</p>
          <table className="cw-explain-terms" aria-label="Where the gradient comes from">
            <caption>Where it comes from{g.sourceCount > g.sources.length ? ` (largest ${g.sources.length} of ${g.sourceCount} loss steps)` : ''}</caption>
            <tbody>
              {g.sources.map((src) => (
                <tr key={src.step}>
                  <td>loss at t = {src.step + 1} <span className="cw-muted">({src.distance === 0 ? 'same step' : `${src.distance} ${g.reverse ? 'earlier' : 'later'}`})</span></td>
                  <td className="cw-num">{f(src.norm)}</td>
                  <td className="cw-num">{Number.isFinite(src.share) ? `${Math.round(src.share * 100)} %` : ''}</td>
                  <td className="cw-num" title="Mean factor per step back">{src.distance > 0 ? `×${f(src.perStep)}/step` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {g.path ? (
            <>
              <table className="cw-explain-terms" aria-label="Routes out of the cell">
                <caption>Back through (steps {g.reverse ? `${g.path.from + 1}…${g.t}` : `${g.t + 2}…${g.path.from + 1}`}, mean over the path)</caption>
                <tbody>
                  {g.path.routes.map((r) => (
                    <tr key={r.edge}>
                      <td>{route(r)}</td>
                      <td className="cw-num">{Math.round(r.share * 100)} %</td>
                      <td className="cw-num">{factorText(r.factors, name)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table className="cw-explain-terms" aria-label="Path back through time">
                <caption>From the loss at t = {g.path.from + 1}, one step back at a time{g.reverse ? ' (this copy reads time backwards: back is towards t = T)' : ''}</caption>
                <tbody>
                  {shown.map((st, k) => (st === null ? (
                    <tr key={`gap${k}`}><td colSpan={3} className="cw-muted">… {steps.length - PATH_ROWS} more steps …</td></tr>
                  ) : (
                    <tr key={st.step}>
                      <td>t = {st.step + 1} → {g.reverse ? st.step + 2 : st.step}</td>
                      <td className="cw-num">×{f(st.gain)}</td>
                      <td>
                        <button type="button" className="cw-link" onClick={() => { scrubStore.setState({ t: st.step + 1 }); onValue(node, st.step); }}>explain {name(node)} at t = {st.step + 1}</button>
                      </td>
                    </tr>
                  )))}
                </tbody>
              </table>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
