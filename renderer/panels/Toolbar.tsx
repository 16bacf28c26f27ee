import { memo, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import * as commands from '../app/commands.ts';
import { reinitializeWeights, reinitScope, reinitScopeText } from '../app/training.ts';
import { EXAMPLES } from '../examples.ts';
import { isDirty, useDocument } from '../store/document.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { openOnnxExport } from './OnnxDialog.tsx';

const icons: Record<string, ReactNode> = {
  undo: <path d="M6 4 3 7l3 3M3.5 7H10a3.5 3.5 0 0 1 0 7H7" />,
  redo: <path d="m10 4 3 3-3 3M12.5 7H6a3.5 3.5 0 0 0 0 7h3" />,
  layout: <path d="M2.5 3.5h4v3h-4zM9.5 9.5h4v3h-4zM9.5 3.5h4v3h-4zM6.5 5h3M11.5 6.5v3" />,
  fit: <path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10" />,
  sun: <><circle cx="8" cy="8" r="3" /><path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" /></>,
  moon: <path d="M12.5 10.5A5.5 5.5 0 0 1 5.5 3.5a5.5 5.5 0 1 0 7 7Z" />,
  help: <><circle cx="8" cy="8" r="6" /><path d="M6.3 6.3a1.8 1.8 0 1 1 2.4 1.7c-.5.2-.7.6-.7 1.1v.4M8 11.6v.1" /></>,
  reinit: <><path d="M13 8a5 5 0 1 1-1.6-3.7M13 2.5v2.8h-2.8" /><circle cx="8" cy="8" r="1.3" /></>,
  map: <path d="M2.5 4 6 2.5l4 1.5 3.5-1.5V12L10 13.5 6 12l-3.5 1.5zM6 2.5V12M10 4v9.5" />,
};

function Icon({ name }: { name: string }) {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      {icons[name]}
    </svg>
  );
}

function Button({ label, title, onClick, disabled, children, pressed }: { label: string; title?: string; onClick: () => void; disabled?: boolean; children?: ReactNode; pressed?: boolean }) {
  return (
    <button type="button" className="cw-tb-button" aria-label={label} title={title ?? label} onClick={onClick} disabled={disabled} aria-pressed={pressed}>
      {children ?? label}
    </button>
  );
}

/** Open example: a menu of the bundled examples and templates, one line each. */
function ExampleMenu() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const close = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    return () => window.removeEventListener('pointerdown', close);
  }, [open]);
  const onKey = (event: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(items.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') {
      setOpen(false);
      if (event.key === 'Escape') button.current?.focus();
    }
  };
  const choose = (key: string) => {
    setOpen(false);
    commands.openExample(key);
  };
  return (
    <div className="cw-menu-wrap">
      <button
        ref={button}
        type="button"
        className="cw-tb-button"
        aria-haspopup="menu"
        aria-expanded={open}
        title="Open one of the bundled examples (it brings its own task or data: press Train)"
        onClick={() => setOpen((v) => !v)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        Open example
      </button>
      {open ? (
        <div ref={menu} className="cw-menu" role="menu" aria-label="Examples" onKeyDown={onKey}>
          {EXAMPLES.map((example) => (
            <button key={example.key} type="button" role="menuitem" tabIndex={-1} className="cw-menu-item" onClick={() => choose(example.key)}>
              <span className="cw-menu-title">{example.title}</span>
              <span className="cw-menu-help">{example.blurb}</span>
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** Save's companion checkbox: trained weights go into the file unless it is unticked. */
function SaveWeights() {
  const on = useUi((state) => state.saveWeights);
  return (
    <label className="cw-tb-check" title="Save, Save As and Export JSON write the trained weights into the file, so it reopens with the same numbers. Untick to save the graph and settings with only the weights already stored in it.">
      <input type="checkbox" checked={on} onChange={(event) => uiStore.getState().setSaveWeights(event.target.checked)} />
      with weights
    </label>
  );
}

function ReinitButton() {
  const selectedNodes = useUi((state) => state.selectedNodes);
  const selectedEdges = useUi((state) => state.selectedEdges);
  const scope = reinitScope(selectedNodes, selectedEdges);
  return (
    <Button label="Re-initialize weights" title={`Re-initialize weights: ${reinitScopeText(scope)} start again from their initializers (select one node or edge for only its weights)`} onClick={() => reinitializeWeights(scope)}>
      <Icon name="reinit" />
    </Button>
  );
}

export const Toolbar = memo(function Toolbar() {
  const canUndo = useDocument((state) => state.past.length > 0);
  const canRedo = useDocument((state) => state.future.length > 0);
  const undoLabel = useDocument((state) => state.past.at(-1)?.label);
  const redoLabel = useDocument((state) => state.future[0]?.label);
  const dirty = useDocument(isDirty);
  const fileName = useDocument((state) => state.file?.name);
  const graphName = useDocument((state) => state.graph.name);
  const theme = useUi((state) => state.theme);
  const minimap = useUi((state) => state.minimap);
  const saveWeights = useUi((state) => state.saveWeights);
  return (
    <header className="cw-toolbar" role="toolbar" aria-label="Toolbar">
      <div className="cw-brand" aria-hidden>
        <svg viewBox="0 0 20 20" width="20" height="20"><rect x="2" y="2" width="16" height="16" rx="4" fill="var(--cw-accent)" /><path d="M6 13V7h5a2 2 0 0 1 0 4H8m3 0 2 2" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" /></svg>
        <span>Cellwright</span>
      </div>
      <div className="cw-doc-title" title={fileName ?? 'not saved yet'}>
        <span className="cw-doc-name">{graphName || 'Untitled'}</span>
        <span className="cw-doc-file">{fileName ?? 'unsaved'}{dirty ? <span className="cw-dirty" aria-label="unsaved changes"> ●</span> : null}</span>
      </div>
      <div className="cw-tb-group" aria-label="File">
        <Button label="New" onClick={commands.newDocument} />
        <Button label="Open" title="Open… (Ctrl+O)" onClick={() => void commands.openDocument()} />
        <ExampleMenu />
        <Button label="Save" title={`Save (Ctrl+S): the graph, its task and training settings${saveWeights ? ' and the trained weights' : ' and the weights stored in it'}`} onClick={() => void commands.save()} />
        <SaveWeights />
        <Button label="Save As" title={`Save as… (Ctrl+Shift+S): the graph, its task and training settings${saveWeights ? ' and the trained weights' : ' and the weights stored in it'}`} onClick={() => void commands.saveAs()} />
        <Button label="Import" title="Import a graph file into this one (Ctrl+I)" onClick={() => void commands.importDocument()} />
        <Button label="Import model" title="Import an ONNX model or a PyTorch state_dict (.onnx, .pt, .pth, .safetensors) as a new graph; or drop the file on the canvas" onClick={commands.chooseModelFile} />
      </div>
      <div className="cw-tb-group" aria-label="Export">
        <span className="cw-tb-caption">Export</span>
        <Button label="Export JSON" title={`Export the graph file (Ctrl+E): the graph, its task and training settings${saveWeights ? ' and the trained weights' : ' and the weights stored in it'}`} onClick={() => void commands.exportJson()}>JSON</Button>
        <Button label="Export PNG" title="Export the canvas as a PNG image" onClick={() => void commands.exportPngImage()}>PNG</Button>
        <Button label="Export SVG" title="Export the canvas as an SVG drawing" onClick={() => void commands.exportSvgImage()}>SVG</Button>
        <Button label="Export PyTorch" title="Export the cell as a PyTorch module with its parameters and a training script (a zip)" onClick={() => void commands.exportPytorch()}>PyTorch</Button>
        <Button label="Export ONNX" title="Export the graph as an ONNX model (.onnx), as cellwright export onnx writes it" onClick={openOnnxExport}>ONNX</Button>
      </div>
      <div className="cw-tb-group" aria-label="Edit">
        <Button label="Undo" title={undoLabel ? `Undo ${undoLabel} (Ctrl+Z)` : 'Undo (Ctrl+Z)'} onClick={commands.undo} disabled={!canUndo}><Icon name="undo" /></Button>
        <Button label="Redo" title={redoLabel ? `Redo ${redoLabel} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)'} onClick={commands.redo} disabled={!canRedo}><Icon name="redo" /></Button>
        <ReinitButton />
      </div>
      <div className="cw-tb-spacer" />
      <div className="cw-tb-group" aria-label="View">
        <Button label="Auto layout" title="Auto layout (Shift+L)" onClick={() => void commands.layoutGraph()}><Icon name="layout" /></Button>
        <Button label="Fit view" title="Fit the graph in view (Shift+1)" onClick={commands.fitView}><Icon name="fit" /></Button>
        <Button label="Minimap" title="Show or hide the minimap (Shift+M)" onClick={() => uiStore.getState().toggleMinimap()} pressed={minimap}><Icon name="map" /></Button>
        <Button label={theme === 'dark' ? 'Light theme' : 'Dark theme'} title="Switch light / dark theme (Shift+T)" onClick={commands.toggleTheme}><Icon name={theme === 'dark' ? 'sun' : 'moon'} /></Button>
        <Button label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => uiStore.getState().setHelpOpen(true)}><Icon name="help" /></Button>
      </div>
    </header>
  );
});
