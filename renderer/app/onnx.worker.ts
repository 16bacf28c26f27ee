/**
 * Export ONNX off the UI thread: the engine's exporter on a worker of its
 * own, one export per worker (commands.exportOnnxModel). A wide graph (size
 * 512 LSTM) takes seconds to write; the editor stays responsive meanwhile.
 */
import { exportOnnx } from '../../engine/export/onnx.ts';
import type { Graph } from '../../engine/format/types.ts';

export interface OnnxJob {
  graph: Graph;
  initialStates: boolean;
}

export type OnnxReply = { ok: true; bytes: Uint8Array; outputs: string[] } | { ok: false; message: string };

const scope = self as unknown as { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((event: MessageEvent<OnnxJob>) => void) | null };

scope.onmessage = (event) => {
  let reply: OnnxReply;
  try {
    const { bytes, outputs } = exportOnnx(event.data.graph, { initialStates: event.data.initialStates });
    reply = { ok: true, bytes, outputs };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  scope.postMessage(reply, reply.ok ? [reply.bytes.buffer as ArrayBuffer] : []);
};
