/**
 * Writes docs/settings.md from the settings registry (engine/train/settings.ts).
 * Run: npx tsx scripts/make-settings-doc.ts
 */
import { writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../engine/train/settings-doc.ts';

writeFileSync(new URL('../docs/settings.md', import.meta.url), settingsMarkdown());
console.log('docs/settings.md written');
