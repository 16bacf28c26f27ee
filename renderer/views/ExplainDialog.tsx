/**
 * "Explain this value": what a node's value at one step is made of — a
 * gate's pre-activation split into a W·x term per incoming edge and the bias,
 * an op's inputs, a cell's writer — computed by the engine in the worker
 * (engine/diagnostics/explain.ts). Every term with a source opens that
 * source's value at the step it was read: one step further back.
 */
import { useEffect, useState } from 'react';
import { createStore, useStore } from 'zustand';
import type { Explanation } from '../../engine/diagnostics/explain.ts';
import { useDocument } from '../store/document.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { uiStore } from '../store/ui.ts';
import { requestExplain } from '../train/client.ts';
import { ExplainHead, GradientExplain } from './GradientExplain.tsx';
import { nodeName } from './names.ts';
import { scrubStore } from './scrub.ts';

interface Target {
  node: string;
  /** 0-based step. */
  t: number;
  unit: number;
  /** 'gradient': where ‖∂L/∂node‖ at t comes from (a cell); else the forward value. */
  kind?: 'value' | 'gradient';
}

export const explainStore = createStore<{ stack: Target[] }>(() => ({ stack: [] }));

/** Open the explanation of node's value at step t (0-based), unit `unit`. */
export function explainValueAt(node: string, t: number, unit = 0): void {
  explainStore.setState({ stack: [{ node, t, unit }] });
}

/**
 * Open the explanation of the gradient ‖∂L/∂node‖ of a cell at step t
 * (0-based), and show that cell and step on the canvas (selection, scrubber).
 */
export function explainGradientAt(node: string, t: number, select = node): void {
  explainStore.setState({ stack: [{ node, t, unit: 0, kind: 'gradient' }] });
  uiStore.getState().select([select]);
  scrubStore.setState({ t: t + 1 });
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

export function ExplainDialog() {
  const stack = useStore(explainStore, (s) => s.stack);
  const graph = useDocument((s) => s.graph);
  const seq = useTelemetry((s) => s.seq);
  const top = stack.at(-1) ?? null;
  const [result, setResult] = useState<{ key: string; explanation: Explanation | null; reason: string | null } | null>(null);
  const key = top ? `${top.node}@${top.t}` : '';
  const isGradient = top?.kind === 'gradient';

  useEffect(() => {
    if (!top || isGradient) return;
    let live = true;
    void requestExplain(top.node, top.t).then((r) => {
      if (live) setResult({ key: `${top.node}@${top.t}`, explanation: r.explanation, reason: r.reason });
    });
    return () => {
      live = false;
    };
    // seq: the parameters moved (a training step): explain again.
  }, [key, seq, isGradient]);

  if (!top) return null;
  const close = () => explainStore.setState({ stack: [] });
  const back = () => explainStore.setState({ stack: stack.slice(0, -1) });
  if (isGradient) {
    return (
      <GradientExplain node={top.node} t={top.t} depth={stack.length} onClose={close} onBack={stack.length > 1 ? back : null}
        onValue={(node, t) => explainStore.setState({ stack: [...stack, { node, t, unit: 0 }] })} />
    );
  }
  const current = result?.key === key ? result : null;
  const e = current?.explanation ?? null;
  const unit = e ? Math.min(top.unit, Math.max(0, e.value.length - 1)) : top.unit;
  const name = (id: string) => nodeName(graph, id);
  const stepText = (s: number | null) => (s === null ? '' : s < 0 ? 'initial state' : `t = ${s + 1}`);
  const go = (node: string, t: number) => explainStore.setState({ stack: [...stack, { node, t, unit }] });
  return (
    <div className="cw-explain" role="dialog" aria-label="Explain this value" data-depth={stack.length} onKeyDown={(ev) => { if (ev.key === 'Escape') close(); }}>
      <ExplainHead onBack={stack.length > 1 ? back : null} onClose={close} value={e ? { v: e.value[unit], text: fmt(e.value[unit]) } : null}>
        {name(top.node)}{e && e.value.length > 1 ? <>, unit {unit}</> : null} at t = {top.t + 1}
      </ExplainHead>
      {stack.length > 1 ? <div className="cw-explain-path">{stack.map((s) => `${s.kind === 'gradient' ? `∂L/∂${name(s.node)}` : name(s.node)}@${s.t + 1}`).join(' ← ')}</div> : null}
      {current?.reason ? <p role="alert">{current.reason}</p> : null}
      {!current ? <p>Computing…</p> : null}
      {e ? (
        <>
          <p className="cw-explain-how">
            {e.kind === 'gate' ? <>{e.activation}(z), z = bias + Σ W·source = <b>{fmt(e.preActivation![unit])}</b>. Each row is one term of z:</> : null}
            {e.kind === 'op' ? <>{e.op} of its inputs, at this step:</> : null}
            {e.kind === 'cell' ? <>The state written at this step is the value of:</> : null}
            {e.kind === 'input' || e.kind === 'target' ? <>Data: read from the sequence, nothing further back.</> : null}
          </p>
          <table className="cw-explain-terms">
            <tbody>
              {e.terms.map((term, k) => (
                <tr key={k}>
                  <td>{term.source === null ? 'bias' : <>{e.kind === 'gate' ? 'W · ' : ''}{name(term.source)} <span className="cw-muted">({stepText(term.sourceStep)})</span></>}</td>
                  <td className="cw-num">{fmt(term.contribution[unit] ?? NaN)}</td>
                  <td>
                    {term.source !== null && term.sourceStep !== null && term.sourceStep >= 0 ? (
                      <button type="button" className="cw-link" onClick={() => go(term.source!, term.sourceStep!)}>explain {name(term.source)} at t = {term.sourceStep + 1}</button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
