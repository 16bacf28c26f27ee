/**
 * Migrations of the graph format, applied in order from the file's version up
 * to GRAPH_VERSION. Version 1 is the first version, so the list is empty; a
 * version 2 adds `{ from: 1, to: 2, migrate }` here and nothing else changes.
 *
 * A step receives the whole document (already known to be an object) and
 * returns a NEW object: it must spread the original properties so unknown
 * fields survive, and may report warnings (e.g. "field x renamed to y").
 */
import type { Problem } from './types.ts';
import { GRAPH_VERSION } from './types.ts';

export type Doc = Record<string, unknown>;

export interface MigrationStep {
  from: number;
  to: number;
  migrate: (doc: Doc) => { doc: Doc; problems: Problem[] };
}

export const MIGRATIONS: readonly MigrationStep[] = [];

/**
 * Runs every step from `version` up to `to` (GRAPH_VERSION; other values are for tests). The caller has checked
 * that 1 ≤ version ≤ GRAPH_VERSION.
 *
 * Example: migrateDoc({ version: 1, nodes: [], edges: [] }, 1) // → same doc, no problems
 */
export function migrateDoc(
  doc: Doc,
  version: number,
  steps: readonly MigrationStep[] = MIGRATIONS,
  to: number = GRAPH_VERSION,
): { doc: Doc; problems: Problem[] } {
  let current = doc;
  let v = version;
  const problems: Problem[] = [];
  while (v < to) {
    const step = steps.find((s) => s.from === v);
    if (!step) throw new Error(`no migration from graph version ${v}`);
    const out = step.migrate(current);
    current = { ...out.doc, version: step.to };
    problems.push(...out.problems);
    v = step.to;
  }
  return { doc: current, problems };
}
