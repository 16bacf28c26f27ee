/**
 * What a Cellwright graph file is called on disk, shared by the desktop
 * (dialogs, file association, command line) and the browser (file pickers).
 * Graph files are JSON; Cellwright's own extension keeps the OS from sending
 * it every *.json on the system, while plain .json still opens and saves.
 */

/** Cellwright's own extension, without the dot; the OS associates it with the app. */
export const GRAPH_EXTENSION = 'cellwright';
/** Runs kept beside a graph file (Keep runs: beside the file): `lstm.cellwright` → `lstm.cellwright.runs.json`. */
export const RUNS_BESIDE_SUFFIX = '.runs.json';

export function runsBesidePath(graphPath: string): string {
  return `${graphPath}${RUNS_BESIDE_SUFFIX}`;
}

/** The MIME type registered for it (electron-builder.yml fileAssociations, linux.mimeTypes). */
export const GRAPH_MIME = 'application/vnd.cellwright.graph+json';
/** What Open accepts: the own extension first, then plain JSON. */
export const OPENABLE_EXTENSIONS: readonly string[] = [GRAPH_EXTENSION, 'json'];

/** True for a name Open would list as a graph (`a.cellwright`, `b.json`, any case). */
export function isGraphFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && OPENABLE_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
}

/** The extension (no dot, lower case) a save should default to for `suggestedName`: .json stays .json, anything else is .cellwright. */
export function saveExtensionFor(suggestedName: string): string {
  return /\.json$/i.test(suggestedName) ? 'json' : GRAPH_EXTENSION;
}

/**
 * The largest graph file either edition opens (trained parameters make files
 * big, but a file past this would freeze the editor). Also the IPC limit on
 * text crossing to main.
 */
export const MAX_GRAPH_FILE_BYTES = 64 * 1024 * 1024;

/** Null when a file of `bytes` may be opened, else why not (with the limit). */
export function fileTooBig(name: string, bytes: number): string | null {
  if (bytes <= MAX_GRAPH_FILE_BYTES) return null;
  const mb = (n: number) => `${Math.ceil(n / (1024 * 1024))} MB`;
  return `"${name}" is ${mb(bytes)}; Cellwright opens graph files up to ${mb(MAX_GRAPH_FILE_BYTES)}.`;
}
