import { useLayoutEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from '../canvas/Canvas.tsx';
import { CanvasLegend } from '../canvas/CanvasLegend.tsx';
import { FlagPopover } from '../canvas/FlagPopover.tsx';
import { Inspector } from '../panels/Inspector.tsx';
import { HelpDialog, HintLine, NoticeToast, RestoreBanner } from '../panels/Overlays.tsx';
import { RunsDialog } from '../runs/RunsDialog.tsx';
import { OnnxDialog } from '../panels/OnnxDialog.tsx';
import { Palette } from '../panels/Palette.tsx';
import { Problems } from '../panels/Problems.tsx';
import { RunBar } from '../panels/RunBar.tsx';
import { Toolbar } from '../panels/Toolbar.tsx';
import { TrainingPanel } from '../panels/TrainingPanel.tsx';
import { PANE_LIMITS, uiStore, useUi } from '../store/ui.ts';
import { Dock } from '../views/Dock.tsx';
import { PanelBoundary } from './PanelBoundary.tsx';
import { Splitter } from './Splitter.tsx';

function SideTabs() {
  const tab = useUi((state) => state.sideTab);
  return (
    <div className="cw-side-tabs" role="tablist" aria-label="Side panel">
      <button type="button" role="tab" aria-selected={tab === 'inspector'} onClick={() => uiStore.getState().setSideTab('inspector')}>Inspector</button>
      <button type="button" role="tab" aria-selected={tab === 'training'} onClick={() => uiStore.getState().setSideTab('training')}>Training</button>
    </div>
  );
}

/** The rail a collapsed side panel leaves: one button to bring it back. */
function Rail({ name, side, onOpen }: { name: string; side: 'left' | 'right'; onOpen: () => void }) {
  return (
    <div className={`cw-rail cw-rail-${side}`}>
      <button type="button" className="cw-rail-button" aria-label={`Show the ${name} panel`} title={`Show the ${name} panel`} onClick={onOpen}>
        <span aria-hidden>{side === 'left' ? '»' : '«'}</span>
        <span className="cw-rail-text" aria-hidden>{name}</span>
      </button>
    </div>
  );
}

function CollapseButton({ name, side, onClose }: { name: string; side: 'left' | 'right'; onClose: () => void }) {
  return (
    <button type="button" className={`cw-collapse cw-collapse-${side}`} aria-label={`Hide the ${name} panel`} title={`Hide the ${name} panel`} onClick={onClose}>
      <span aria-hidden>{side === 'left' ? '«' : '»'}</span>
    </button>
  );
}

export function App() {
  const theme = useUi((state) => state.theme);
  const tab = useUi((state) => state.sideTab);
  const layout = useUi((state) => state.layout);
  const dockOpen = useUi((state) => state.dockOpen);
  const setLayout = uiStore.getState().setLayout;
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
        <div className="cw-main" style={{ gridTemplateColumns: `${layout.paletteOpen ? layout.palette : 28}px minmax(0, 1fr) ${layout.sideOpen ? layout.side : 28}px` }}>
          {layout.paletteOpen ? (
            <div className="cw-col cw-col-left">
              <PanelBoundary name="Blocks"><Palette /></PanelBoundary>
              <CollapseButton name="Blocks" side="left" onClose={() => setLayout({ paletteOpen: false })} />
              <Splitter label="Blocks panel width" axis="x" grow={1} value={layout.palette} min={PANE_LIMITS.palette[0]} max={PANE_LIMITS.palette[1]} onChange={(v) => setLayout({ palette: v })} />
            </div>
          ) : <Rail name="Blocks" side="left" onOpen={() => setLayout({ paletteOpen: true })} />}
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
          {layout.sideOpen ? (
          <div className="cw-side cw-col">
            <Splitter label="Side panel width" axis="x" grow={-1} value={layout.side} min={PANE_LIMITS.side[0]} max={PANE_LIMITS.side[1]} onChange={(v) => setLayout({ side: v })} />
            <CollapseButton name="Inspector" side="right" onClose={() => setLayout({ sideOpen: false })} />
            <SideTabs />
            {tab === 'inspector'
              ? <PanelBoundary name="Inspector"><Inspector /></PanelBoundary>
              : <div className="cw-side-training"><PanelBoundary name="Training settings"><TrainingPanel /></PanelBoundary></div>}
            <PanelBoundary name="Problems"><Problems /></PanelBoundary>
          </div>
          ) : <Rail name="Inspector" side="right" onOpen={() => setLayout({ sideOpen: true })} />}
        </div>
        {dockOpen ? (
          <div className="cw-dock-wrap" style={{ height: layout.dock }}>
            <Splitter label="Charts height" axis="y" grow={-1} value={layout.dock} min={PANE_LIMITS.dock[0]} max={PANE_LIMITS.dock[1]} onChange={(v) => setLayout({ dock: v })} />
            <PanelBoundary name="Training charts"><Dock /></PanelBoundary>
          </div>
        ) : null}
        <HelpDialog />
        <RunsDialog />
        <OnnxDialog />
        <FlagPopover />
      </div>
    </ReactFlowProvider>
  );
}
