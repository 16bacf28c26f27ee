import type { Command } from 'commander';
import { compileAny, nestedCells } from '../../engine/layers/index.ts';
import { formatProblem } from '../../engine/format/data.ts';
import type { Io } from '../main.ts';
import { limitsOf, limitsOption, readGraph, shown } from '../io.ts';

export function register(program: Command, io: Io): void {
  program
    .command('check')
    .description('Validate a graph file: exit 0 with a summary, or exit 1 with every problem on stderr.')
    .argument('<graph>', 'graph file (JSON, cellwright-graph v1), or - to read it from standard input')
    .addOption(limitsOption())
    .action((path: string, opts: { limits?: string }) => {
      const limits = limitsOf(opts);
      const { graph, problems } = readGraph(path, { validate: true, limits });
      for (const p of problems) io.err(formatProblem(p));
      const prog = compileAny(graph, { limits });
      const count = (k: string): number => graph.nodes.filter((n) => (n.kind as string) === k).length;
      const layers = count('layer');
      // Block instances (docs/blocks.md): how many, of how many blocks, and what they expand to.
      const instances = count('block');
      const blocks = instances ? `${instances} block instance${instances === 1 ? '' : 's'} (${prog.nodes.length} nodes expanded), ` : '';
      const trainable = prog.layout.entries.filter((e) => e.trainable).reduce((a, e) => a + e.length, 0);
      const warn = problems.length ? `, ${problems.length} warning${problems.length === 1 ? '' : 's'}` : '';
      io.out(`ok: ${graph.name ? `"${graph.name}"` : shown(path)} — ${graph.nodes.length} nodes (${count('cell')} cells, ${count('gate')} gates, ${count('op')} ops, ${layers ? `${layers} layer${layers === 1 ? '' : 's'} holding ${nestedCells(prog).length} cells, ` : ''}${blocks}${count('loss')} losses), ${graph.edges.length} edges, ${trainable} trainable parameters${warn}`);
    });
}
