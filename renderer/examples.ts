/**
 * The bundled examples (assets/examples/*.json): the default document and the
 * palette's templates. Read as raw text so the graph goes through the same
 * parser as a file the user opens.
 */
import type { Graph } from '../engine/format/types.ts';
import { loadGraphText } from './doc/engine.ts';
import { EXAMPLE_CATALOGUE } from '../common/examples.ts';

const files = import.meta.glob('../assets/examples/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

export interface Example {
  /** File name without .json, e.g. "lstm". */
  key: string;
  /** Palette name, also the accessible name of its palette item. */
  title: string;
  blurb: string;
  text: string;
}

/** Palette order and names (shared with the desktop menu); files not listed there still appear after these. */
const CATALOGUE = EXAMPLE_CATALOGUE;

function keyOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.json$/, '');
}

function collect(): Example[] {
  const byKey = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const key = keyOf(path);
    if (key.endsWith('.data')) continue;
    byKey.set(key, text);
  }
  const examples: Example[] = [];
  for (const entry of CATALOGUE) {
    const text = byKey.get(entry.key);
    if (text !== undefined) {
      examples.push({ ...entry, text });
      byKey.delete(entry.key);
    }
  }
  for (const [key, text] of byKey) {
    const parsed = loadGraphText(text);
    const title = parsed.ok && parsed.graph.name ? parsed.graph.name : key;
    examples.push({ key, title, blurb: parsed.ok ? (parsed.graph.description ?? '') : '', text });
  }
  return examples;
}

export const EXAMPLES: readonly Example[] = collect();

export const DEFAULT_EXAMPLE_KEY = 'lstm';

export function exampleGraph(key: string): Graph | null {
  const example = EXAMPLES.find((entry) => entry.key === key);
  if (!example) return null;
  const result = loadGraphText(example.text);
  return result.ok ? result.graph : null;
}
