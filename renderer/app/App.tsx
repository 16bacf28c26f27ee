import { useLayoutEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from '../canvas/Canvas.tsx';
import { CanvasLegend } from '../canvas/CanvasLegend.tsx';
import { FlagPopover } from '../canvas/FlagPopover.tsx';
import { Inspector } from '../panels/Inspector.tsx';
import { HelpDialog, HintLine, NoticeToast, RestoreBanner } from '../panels/Overlays.tsx';
import { Palette } from '../panels/Palette.tsx';
import { Problems } from '../panels/Problems.tsx';
import { RunBar } from '../panels/RunBar.tsx';
import { Toolbar } from '../panels/Toolbar.tsx';
import { TrainingPanel } from '../panels/TrainingPanel.tsx';
import { uiStore, useUi } from '../store/ui.ts';
import { Dock } from '../views/Dock.tsx';
import { PanelBoundary } from './PanelBoundary.tsx';

function SideTabs() {
  const tab = useUi((state) => state.sideTab);
  return (
    <div className="cw-side-tabs" role="tablist" aria-label="Side panel">
      <button type="button" role="tab" aria-selected={tab === 'inspector'} onClick={() => uiStore.getState().setSideTab('inspector')}>Inspector</button>
      <button type="button" role="tab" aria-selected={tab === 'training'} onClick={() => uiStore.getState().setSideTab('training')}>Training</button>
    </div>
  );
}

export function App() {
  const theme = useUi((state) => state.theme);
  const tab = useUi((state) => state.sideTab);
  // Before the charts' effects read the theme's colours from the document.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  return (
    <ReactFlowProvider>
      <div className="cw-app" data-theme={theme}>
        <PanelBoundary name="Toolbar"><Toolbar /></PanelBoundary>
        <RestoreBanner />
        <div className="cw-main">
          <PanelBoundary name="Blocks"><Palette /></PanelBoundary>
          <main className="cw-center">
            <PanelBoundary name="Run bar"><RunBar /></PanelBoundary>
            <div className="cw-canvas-wrap">
              <HintLine />
              <PanelBoundary name="Canvas" className="cw-canvas-failed">
                <Canvas />
                <CanvasLegend />
              </PanelBoundary>
              <NoticeToast />
            </div>
          </main>
          <div className="cw-side">
            <SideTabs />
            {tab === 'inspector'
              ? <PanelBoundary name="Inspector"><Inspector /></PanelBoundary>
              : <div className="cw-side-training"><PanelBoundary name="Training settings"><TrainingPanel /></PanelBoundary></div>}
            <PanelBoundary name="Problems"><Problems /></PanelBoundary>
          </div>
        </div>
        <PanelBoundary name="Training charts"><Dock /></PanelBoundary>
        <HelpDialog />
        <FlagPopover />
      </div>
    </ReactFlowProvider>
  );
}
