/**
 * File › Export › ONNX Model…: one option, then `<graph>.onnx`
 * (commands.exportOnnxModel). Outputs are the CLI's default: every loss's
 * prediction and every cell. "Initial states as inputs" is the CLI's
 * `--initial-states`: each cell's state at t = 0 becomes an input
 * `<cellId>.initial` [B, size]; without it the model starts from the graph's
 * own initial states.
 */
import { memo } from 'react';
import { createStore, useStore } from 'zustand';
import { exportOnnxModel } from '../app/commands.ts';
import { useModalDialog } from '../runs/modal.ts';
import { useDocument } from '../store/document.ts';
import { useUi } from '../store/ui.ts';

interface OnnxDialogState {
  open: boolean;
  initialStates: boolean;
}

export const onnxDialogStore = createStore<OnnxDialogState>(() => ({ open: false, initialStates: false }));

export function openOnnxExport(): void {
  onnxDialogStore.setState({ open: true });
}

const close = (): void => onnxDialogStore.setState({ open: false });

export const OnnxDialog = memo(function OnnxDialog() {
  const open = useStore(onnxDialogStore, (s) => s.open);
  const initialStates = useStore(onnxDialogStore, (s) => s.initialStates);
  const cells = useDocument((s) => s.graph.nodes.filter((n) => n.kind === 'cell').map((n) => n.id).join(', '));
  const layered = useDocument((s) => s.graph.nodes.some((n) => (n.kind as string) === 'layer'));
  const saveWeights = useUi((s) => s.saveWeights);
  const ref = useModalDialog(open);
  const exportNow = (): void => {
    close();
    void exportOnnxModel({ initialStates });
  };
  return (
    <dialog ref={ref} className="cw-dialog cw-onnx-dialog" aria-label="Export ONNX" onClose={close}>
      <div className="cw-dialog-head">
        <h2>Export ONNX</h2>
        <button type="button" className="cw-tb-button" aria-label="Close" onClick={close}>✕</button>
      </div>
      {open ? (
        <form className="cw-onnx-body" method="dialog" onSubmit={(e) => { e.preventDefault(); exportNow(); }}>
          <p>
            An ONNX model (opset 17, float32) of this graph, as <code>cellwright export onnx</code> writes it, with the weights Save would store{saveWeights ? ' (the trained ones: “with weights” is ticked)' : ''}.
            Inputs are the input nodes by id, [T, B, size]; outputs every loss&rsquo;s prediction and every cell, [T, B, size].
          </p>
          <label className="cw-onnx-check">
            <input type="checkbox" checked={initialStates} onChange={(e) => onnxDialogStore.setState({ initialStates: e.target.checked })} />
            <span>Initial states as inputs{cells || layered ? <> (<code>{'<cell>.initial'}</code>, [B, size]{cells ? `: ${cells}` : ''}{layered ? `${cells ? ',' : ':'} and each layer's cells` : ''})</> : null}</span>
          </label>
          <div className="cw-onnx-actions">
            <button type="button" className="cw-tb-button" onClick={close}>Cancel</button>
            <button type="submit" className="cw-tb-button cw-primary">Export</button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
});
