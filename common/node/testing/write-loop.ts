/**
 * Test helper for atomic-write.test.ts: writes versions 1, 2, 3 … of a big
 * file through atomicWrite, forever, printing "wrote N" after each, until the
 * parent kills it. `node --import tsx write-loop.ts FILE SIZE START`.
 */
import { pathToFileURL } from 'node:url';
import { atomicWrite } from '../atomic-write.ts';

/** Version `v` of the file: a header, a body of `size` bytes, a trailer; any truncation is visible. */
export function versionText(v: number, size: number): string {
  const fill = String.fromCharCode(97 + (v % 26));
  return `version ${v} size ${size}\n${fill.repeat(size)}\nend of version ${v}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, size, start] = process.argv.slice(2);
  for (let v = Number(start); ; v++) {
    await atomicWrite(file, versionText(v, Number(size)));
    process.stdout.write(`wrote ${v}\n`);
  }
}
