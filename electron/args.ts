import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGraphFileName } from '../common/graph-files.ts';

/**
 * Graph files (.cellwright or .json) named on a command line: `cellwright a.cellwright` from a shell, the
 * OS on double-click, or a second instance forwarding its argv. Skips the
 * executable, the app path (`electron .` in development) and switches.
 */
export function filesFromArgv(argv: readonly string[], cwd: string, isPackaged: boolean): string[] {
  return splitArgv(argv, cwd, isPackaged).files;
}

/**
 * The graph files on a command line, and the other (non-switch) arguments,
 * which main reports instead of ignoring: `cellwright notes.txt` says why
 * nothing opened.
 */
export function splitArgv(argv: readonly string[], cwd: string, isPackaged: boolean): { files: string[]; notGraphs: string[] } {
  // Packaged: argv = [exe, ...args]. Development: argv = [electron, appPath, ...args].
  const args = argv.slice(isPackaged ? 1 : 2);
  const files: string[] = [];
  const notGraphs: string[] = [];
  let afterDashes = false;
  for (const arg of args) {
    if (!afterDashes && arg === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && arg.startsWith('-')) continue;
    if (!isGraphFileName(arg)) {
      notGraphs.push(arg);
      continue;
    }
    // Linux desktop entries pass files as URLs (Exec=... %U).
    if (arg.startsWith('file://')) {
      try {
        files.push(fileURLToPath(arg));
      } catch {
        // Not a local file URL (file://host/...): skip it.
      }
      continue;
    }
    files.push(path.resolve(cwd, arg));
  }
  return { files, notGraphs };
}
