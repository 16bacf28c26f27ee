// @vitest-environment happy-dom
// The browser edition's file pickers: they list Cellwright's own .cellwright
// files and plain .json graphs, save as either, and every file that cannot be
// opened says which and why.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserHost, OPEN_TYPES, readPickedFile, saveTypes } from './browser.ts';

type PickerOptions = { types?: { description: string; accept: Record<string, string[]> }[]; suggestedName?: string };

function fakeHandle(file: Pick<File, 'name' | 'size' | 'text'> | Error, name = 'x') {
  const written: unknown[] = [];
  return {
    kind: 'file' as const,
    name: file instanceof Error ? name : file.name,
    getFile: async () => {
      if (file instanceof Error) throw file;
      return file as File;
    },
    createWritable: async () => ({ write: async (data: unknown) => { written.push(data); }, close: async () => undefined }),
    written,
  };
}

const pickers = window as unknown as { showOpenFilePicker?: unknown; showSaveFilePicker?: unknown };

afterEach(() => {
  delete pickers.showOpenFilePicker;
  delete pickers.showSaveFilePicker;
  vi.restoreAllMocks();
});

describe('browser Host files', () => {
  it('offers .cellwright and .json when opening, and the suggested kind first when saving', async () => {
    const accepted = Object.values(OPEN_TYPES[0].accept).flat();
    expect(accepted).toEqual(['.cellwright', '.json']);
    expect(saveTypes('lstm.cellwright').map((t) => Object.values(t.accept).flat())).toEqual([['.cellwright'], ['.json']]);
    expect(saveTypes('lstm.json').map((t) => Object.values(t.accept).flat())).toEqual([['.json'], ['.cellwright']]);

    const seen: PickerOptions[] = [];
    const handle = fakeHandle({ name: 'mine.cellwright', size: 2, text: async () => '{}' });
    pickers.showOpenFilePicker = async (options: PickerOptions) => { seen.push(options); return [handle]; };
    pickers.showSaveFilePicker = async (options: PickerOptions) => { seen.push(options); return handle; };
    const host = createBrowserHost();
    expect(await host.openFile()).toMatchObject({ name: 'mine.cellwright', text: '{}' });
    await host.saveFileAs('{"a":1}', 'graph.cellwright');
    expect(seen[1].suggestedName).toBe('graph.cellwright');
    expect(Object.values(seen[1].types![0].accept).flat()).toEqual(['.cellwright']);
    expect(handle.written).toEqual(['{"a":1}']);
  });

  it('lets the upload fallback pick .cellwright and .json files', async () => {
    const inputs: HTMLInputElement[] = [];
    vi.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(function (this: HTMLInputElement) {
      inputs.push(this);
      this.dispatchEvent(new Event('cancel'));
    });
    expect(await createBrowserHost({ forceFallback: true }).openFile()).toBeNull();
    expect(inputs[0].accept.split(',')).toEqual(expect.arrayContaining(['.cellwright', '.json']));
  });

  it('says which file could not be opened and why', async () => {
    await expect(readPickedFile({ name: 'huge.json', size: 200 * 1024 * 1024, text: async () => '' }))
      .rejects.toThrow('"huge.json" is 200 MB; Cellwright opens graph files up to 64 MB.');
    await expect(readPickedFile({ name: 'gone.cellwright', size: 10, text: async () => { throw new DOMException('The file could not be read.', 'NotReadableError'); } }))
      .rejects.toThrow(/^"gone\.cellwright" could not be read: The file could not be read\./);
    pickers.showSaveFilePicker = async () => fakeHandle({ name: 'x', size: 0, text: async () => '' });
    pickers.showOpenFilePicker = async () => [fakeHandle(new DOMException('A requested file or directory could not be found.', 'NotFoundError'), 'moved.json')];
    await expect(createBrowserHost().openFile()).rejects.toThrow(/^"moved\.json" could not be read: A requested file or directory could not be found/);
    // Cancelling is not an error.
    pickers.showOpenFilePicker = async () => { throw new DOMException('cancelled', 'AbortError'); };
    expect(await createBrowserHost().openFile()).toBeNull();
  });
});
