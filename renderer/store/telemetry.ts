/**
 * Live telemetry from training (activations, gradient norms), kept apart from
 * the document and the UI: it changes many times a second and is never
 * undone or saved. Empty until the training view (issue 5) fills it; node
 * components already read their strip through a narrow selector.
 */
import { createStore, useStore } from 'zustand';

/** One node's activation over time: `values[t * units + u]`, already scaled to [0, 1]. */
export interface HeatStrip {
  steps: number;
  units: number;
  values: Float32Array;
}

export interface TelemetryState {
  strips: Readonly<Record<string, HeatStrip>>;
  setStrips(strips: Record<string, HeatStrip>): void;
  clear(): void;
}

export const telemetryStore = createStore<TelemetryState>()((set) => ({
  strips: {},
  setStrips(strips) {
    set({ strips });
  },
  clear() {
    set({ strips: {} });
  },
}));

export function useTelemetry<T>(selector: (state: TelemetryState) => T): T {
  return useStore(telemetryStore, selector);
}
