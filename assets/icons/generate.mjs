#!/usr/bin/env node
// Regenerates the PNG and ICO icons from icon.svg. Needs rsvg-convert
// (Debian: apt-get install librsvg2-bin). The outputs are committed, so only
// run this after editing the SVG:  node assets/icons/generate.mjs
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const svg = path.join(here, 'icon.svg');
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

function render(size, out) {
  execFileSync('rsvg-convert', ['-w', String(size), '-h', String(size), svg, '-o', out]);
}

// Linux: electron-builder reads a folder of NxN.png files.
fs.mkdirSync(path.join(here, 'png'), { recursive: true });
for (const size of sizes) render(size, path.join(here, 'png', `${size}x${size}.png`));
// macOS/default: one large PNG (electron-builder makes the .icns from it).
fs.copyFileSync(path.join(here, 'png', '1024x1024.png'), path.join(here, 'icon.png'));

// Windows: an .ico holding PNG images (supported since Vista).
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const images = icoSizes.map((s) => fs.readFileSync(path.join(here, 'png', `${s}x${s}.png`)));
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach((img, i) => {
  const size = icoSizes[i];
  const e = 6 + 16 * i;
  header.writeUInt8(size >= 256 ? 0 : size, e);
  header.writeUInt8(size >= 256 ? 0 : size, e + 1);
  header.writeUInt8(0, e + 2);
  header.writeUInt8(0, e + 3);
  header.writeUInt16LE(1, e + 4);
  header.writeUInt16LE(32, e + 6);
  header.writeUInt32LE(img.length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += img.length;
});
fs.writeFileSync(path.join(here, 'icon.ico'), Buffer.concat([header, ...images]));
console.log(`Wrote icon.png, icon.ico and png/{${sizes.join(',')}} from icon.svg.`);
