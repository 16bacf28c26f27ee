import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from '../canvas/Canvas.tsx';
import { Inspector } from '../panels/Inspector.tsx';
import { HelpDialog, HintLine, NoticeToast, RestoreBanner } from '../panels/Overlays.tsx';
import { Palette } from '../panels/Palette.tsx';
import { Problems } from '../panels/Problems.tsx';
import { Toolbar } from '../panels/Toolbar.tsx';
import { useUi } from '../store/ui.ts';

export function App() {
  const theme = useUi((state) => state.theme);
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
            <HintLine />
            <Canvas />
            <NoticeToast />
          </main>
          <div className="cw-side">
            <Inspector />
            <Problems />
          </div>
        </div>
        <HelpDialog />
      </div>
    </ReactFlowProvider>
  );
}
