import { memo, type DragEvent, type KeyboardEvent } from 'react';
import { paletteModel, type PaletteEntry } from '../../engine/meta.ts';
import { addNodeOfKind, getHost, insertTemplate, openExample, placeLibraryBlock } from '../app/commands.ts';
import { blockTable } from '../../engine/blocks/types.ts';
import { useDocument } from '../store/document.ts';
import { removeFromLibrary, useBlockLibrary } from '../store/blockLibrary.ts';
import { PALETTE_MIME, type PalettePayload } from '../canvas/Canvas.tsx';
import { EXAMPLES } from '../examples.ts';

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

/** One block of the palette; its text and symbol come from the registries (engine/meta.ts paletteModel). */
function Entry({ entry, compact }: { entry: PaletteEntry; compact: boolean }) {
  const add = () => addNodeOfKind(entry.kind, undefined, entry.preset);
  const name = compact ? `${entry.label} ${entry.kind}` : entry.label;
  return (
    <li>
      <div
        className={`cw-palette-item cw-kind-${entry.kind}${compact ? ' cw-palette-chip' : ''}`}
        role="button"
        tabIndex={0}
        aria-label={name}
        title={`${entry.help}\nDrag onto the canvas, or press Enter to add it in the middle.`}
        draggable
        onDragStart={(event) => startDrag(event, { type: 'kind', kind: entry.kind, preset: entry.preset })}
        onDoubleClick={add}
        onKeyDown={(event) => activate(event, add)}
      >
        <span className="cw-palette-glyph" aria-hidden>{compact && entry.symbol.length > 4 ? (entry.kind === 'gate' ? 'ƒ' : '∘') : entry.symbol}</span>
        <span className="cw-palette-text">
          <span className="cw-palette-name">{entry.label}</span>
          {compact ? null : <span className="cw-palette-help">{entry.help}</span>}
        </span>
      </div>
    </li>
  );
}

/**
 * The user's blocks (docs/blocks.md): the library's and this file's, each
 * dragged (or Enter) in as a new instance. Made with "Group as block".
 */
function MyBlocks() {
  const library = useBlockLibrary((state) => state.blocks);
  const fileBlocks = useDocument((state) => state.graph.blocks);
  const names = [...new Set([...Object.keys(blockTable({ blocks: fileBlocks })), ...library.map((b) => b.name)])];
  return (
    <section>
      <h2 className="cw-section-title">My blocks</h2>
      {names.length === 0 ? <p className="cw-note cw-palette-empty">Select gates, ops or cells and choose Group as block (inspector): the block lands here, for every graph.</p> : null}
      <ul className="cw-palette-list" role="list" aria-label="My blocks">
        {names.map((name) => {
          const inFile = Object.hasOwn(blockTable({ blocks: fileBlocks }), name);
          return (
            <li key={name} className="cw-palette-block-row">
              <div
                className="cw-palette-item cw-template cw-palette-block"
                role="button"
                tabIndex={0}
                aria-label={`Block ${name}`}
                title={`Block "${name}"${inFile ? ' (in this file)' : ''}${library.some((b) => b.name === name) ? ' (in your library)' : ''}.\nDrag onto the canvas, or press Enter, to use it once more.`}
                draggable
                onDragStart={(event) => startDrag(event, { type: 'block', name })}
                onDoubleClick={() => placeLibraryBlock(name)}
                onKeyDown={(event) => activate(event, () => placeLibraryBlock(name))}
              >
                <span className="cw-palette-glyph" aria-hidden>▣</span>
                <span className="cw-palette-text">
                  <span className="cw-palette-name">{name}</span>
                  <span className="cw-palette-help">{inFile ? 'in this file' : 'from your library'}</span>
                </span>
              </div>
              {library.some((b) => b.name === name) ? (
                <button type="button" className="cw-mini-button cw-palette-remove" aria-label={`Remove ${name} from your library`}
                  title="Remove it from your library (the files that use it keep their copy)" onClick={() => void removeFromLibrary(getHost(), name)}>×</button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export const Palette = memo(function Palette() {
  return (
    <aside className="cw-palette" aria-label="Palette">
      {paletteModel().map((section) => {
        const compact = section.title !== 'Blocks';
        return (
          <section key={section.title}>
            <h2 className="cw-section-title">{section.title}</h2>
            <ul className={`cw-palette-list${compact ? ' cw-palette-grid' : ''}`} role="list" aria-label={section.title}>
              {section.entries.map((entry) => <Entry key={entry.key} entry={entry} compact={compact} />)}
            </ul>
          </section>
        );
      })}
      <MyBlocks />
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
