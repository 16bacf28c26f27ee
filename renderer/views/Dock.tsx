/**
 * The training charts under the canvas: loss, gradient flow through time,
 * gate activations, and dynamics or the unrolled view. Every chart draws on
 * canvas elements and exports as PNG and CSV.
 */
import { memo } from 'react';
import { PanelBoundary } from '../app/PanelBoundary.tsx';
import { useTraining } from '../store/training.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { ConnectivityPane } from './ConnectivityPane.tsx';
import { ExplainDialog } from './ExplainDialog.tsx';
import { DynamicsPane } from './DynamicsPane.tsx';
import { GatesPane } from './GatesPane.tsx';
import { GradientPane } from './GradientPane.tsx';
import { LossPane } from './LossPane.tsx';
import { NumbersPane } from './NumbersPane.tsx';
import { PredictionPane } from './PredictionPane.tsx';
import { SamplePane } from './SamplePane.tsx';
import { UnrolledPane } from './UnrolledPane.tsx';

export const Dock = memo(function Dock() {
  const open = useUi((s) => s.dockOpen);
  const view = useUi((s) => s.dockView);
  const isText = useTraining((s) => s.info?.task?.name === 'text');
  if (!open) return null;
  return (
    <div className="cw-dock" role="region" aria-label="Training charts">
      <PanelBoundary name="Explain this value"><ExplainDialog /></PanelBoundary>
      <PanelBoundary name="Loss and metric"><LossPane /></PanelBoundary>
      <PanelBoundary name="Gradient flow"><GradientPane /></PanelBoundary>
      <PanelBoundary name="Gate activations"><GatesPane /></PanelBoundary>
      <div className="cw-dock-last">
        <div className="cw-dock-tabs" role="tablist" aria-label="Fourth chart">
          <button type="button" role="tab" aria-selected={view === 'dynamics'} onClick={() => uiStore.getState().setDockView('dynamics')}>Dynamics</button>
          <button type="button" role="tab" aria-selected={view === 'unrolled'} onClick={() => uiStore.getState().setDockView('unrolled')}>Unrolled</button>
          <button type="button" role="tab" aria-selected={view === 'prediction'} onClick={() => uiStore.getState().setDockView('prediction')}>Prediction</button>
          <button type="button" role="tab" aria-selected={view === 'numbers'} onClick={() => uiStore.getState().setDockView('numbers')}>Numbers</button>
          <button type="button" role="tab" aria-selected={view === 'connectivity'} onClick={() => uiStore.getState().setDockView('connectivity')}>Connectivity</button>
          {isText ? <button type="button" role="tab" aria-selected={view === 'sample'} onClick={() => uiStore.getState().setDockView('sample')}>Sample</button> : null}
        </div>
        {view === 'dynamics' ? <PanelBoundary name="Dynamics"><DynamicsPane /></PanelBoundary> : null}
        {view === 'unrolled' ? <PanelBoundary name="Unrolled view"><UnrolledPane /></PanelBoundary> : null}
        {view === 'prediction' ? <PanelBoundary name="Prediction vs target"><PredictionPane /></PanelBoundary> : null}
        {view === 'numbers' ? <PanelBoundary name="Numbers"><NumbersPane /></PanelBoundary> : null}
        {view === 'connectivity' ? <PanelBoundary name="Connectivity"><ConnectivityPane /></PanelBoundary> : null}
        {view === 'sample' ? <PanelBoundary name="Sampled text"><SamplePane /></PanelBoundary> : null}
      </div>
    </div>
  );
});
