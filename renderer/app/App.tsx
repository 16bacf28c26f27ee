import { useEffect } from 'react';
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
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  return (
    <ReactFlowProvider>
      <div className="cw-app" data-theme={theme}>
        <Toolbar />
        <RestoreBanner />
        <div className="cw-main">
          <Palette />
          <main className="cw-center">
            <RunBar />
            <div className="cw-canvas-wrap">
              <HintLine />
              <Canvas />
              <CanvasLegend />
              <NoticeToast />
            </div>
          </main>
          <div className="cw-side">
            <SideTabs />
            {tab === 'inspector' ? <Inspector /> : <div className="cw-side-training"><TrainingPanel /></div>}
            <Problems />
          </div>
        </div>
        <Dock />
        <HelpDialog />
        <FlagPopover />
      </div>
    </ReactFlowProvider>
  );
}
