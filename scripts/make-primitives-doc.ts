/**
 * Writes docs/primitives.md from the registries.
 * Run: npx tsx scripts/make-primitives-doc.ts
 */
import { writeFileSync } from 'node:fs';
import { primitivesMarkdown } from '../engine/ops/docs.ts';

writeFileSync(new URL('../docs/primitives.md', import.meta.url), primitivesMarkdown());
console.log('docs/primitives.md written');
