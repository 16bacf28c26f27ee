import { memo, type DragEvent, type KeyboardEvent } from 'react';
import type { NodeKind } from '../../engine/format/types.ts';
import { NODE_KIND_META, NODE_KINDS } from '../../engine/meta.ts';
import { addNodeOfKind, insertTemplate, openExample } from '../app/commands.ts';
import { PALETTE_MIME, type PalettePayload } from '../canvas/Canvas.tsx';
import { EXAMPLES } from '../examples.ts';

const KIND_GLYPH: Record<NodeKind, string> = { input: 'xₜ', target: 'yₜ', cell: 'h', gate: 'σ', op: '⊙', loss: 'L' };

function startDrag(event: DragEvent, payload: PalettePayload) {
  event.dataTransfer.setData(PALETTE_MIME, JSON.stringify(payload));
  event.dataTransfer.effectAllowed = 'copy';
}

function activate(event: KeyboardEvent, run: () => void) {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    run();
  }
}

export const Palette = memo(function Palette() {
  return (
    <aside className="cw-palette" aria-label="Palette">
      <section>
        <h2 className="cw-section-title">Blocks</h2>
        <ul className="cw-palette-list" role="list">
          {NODE_KINDS.map((kind) => {
            const meta = NODE_KIND_META[kind];
            return (
              <li key={kind}>
                <div
                  className={`cw-palette-item cw-kind-${kind}`}
                  role="button"
                  tabIndex={0}
                  aria-label={meta.label}
                  title={`${meta.help}\nDrag onto the canvas, or press Enter to add it in the middle.`}
                  draggable
                  onDragStart={(event) => startDrag(event, { type: 'kind', kind })}
                  onDoubleClick={() => addNodeOfKind(kind)}
                  onKeyDown={(event) => activate(event, () => addNodeOfKind(kind))}
                >
                  <span className="cw-palette-glyph" aria-hidden>{KIND_GLYPH[kind]}</span>
                  <span className="cw-palette-text">
                    <span className="cw-palette-name">{meta.label}</span>
                    <span className="cw-palette-help">{meta.help}</span>
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      </section>
      <section>
        <h2 className="cw-section-title">Templates</h2>
        <ul className="cw-palette-list" role="list">
          {EXAMPLES.map((example) => (
            <li key={example.key}>
              <div
                className="cw-palette-item cw-template"
                role="button"
                tabIndex={0}
                aria-label={example.title}
                title={`${example.blurb}\nClick (or Enter) to open it as a new document with its own task; drag it onto the canvas (or Shift+Enter) to insert it into this graph.`}
                draggable
                onDragStart={(event) => startDrag(event, { type: 'template', key: example.key })}
                onClick={() => openExample(example.key)}
                onKeyDown={(event) => activate(event, () => (event.shiftKey ? insertTemplate(example.key) : openExample(example.key)))}
              >
                <span className="cw-palette-text">
                  <span className="cw-palette-name">{example.title}</span>
                  <span className="cw-palette-help">{example.blurb}</span>
                </span>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
});
