import type { Command } from 'commander';
import { Option } from 'commander';
import { runGraph } from '../../engine/grad.ts';
import { valuesInOriginalOrder } from '../../engine/import/tensors.ts';
import type { DType } from '../../engine/tensor.ts';
import type { Io } from '../main.ts';
import { limitsOf, limitsOption, maxMemoryOption, readData, readGraph, reportJson } from '../io.ts';

export const dtypeOption = (def: DType): Option => new Option('--dtype <dtype>', 'number precision').choices(['float64', 'float32']).default(def);

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');
}

export function register(program: Command, io: Io): void {
  program
    .command('run')
    .description('Forward only: the value of every node at every step, and the loss.')
    .argument('<graph>', 'graph file')
    .argument('<data>', 'data file (inputs, targets, initialStates)')
    .option('--json', 'print one JSON object {loss, losses, values}')
    .addOption(dtypeOption('float64'))
    .addOption(maxMemoryOption())
    .addOption(limitsOption())
    .action((graphPath: string, dataPath: string, opts: { json?: boolean; dtype: DType; maxMemory?: string; limits?: string }) => {
      const limits = limitsOf(opts);
      const { graph } = readGraph(graphPath, { validate: true, limits });
      const data = readData(dataPath, graph, limits);
      const run = runGraph(graph, data, { dtype: opts.dtype, limits });
      // An imported reverse layer reports in the data's time order, like its source.
      const r = { ...run, values: valuesInOriginalOrder(graph, run.values) };
      if (opts.json) {
        io.out(reportJson(r, 'run'));
        return;
      }
      io.out(`loss ${fmt(r.loss)}`);
      for (const [id, l] of Object.entries(r.losses)) io.out(`  ${id}: ${fmt(l)}`);
      for (const [id, v] of Object.entries(r.values)) {
        const [T, B, N] = v.shape;
        if (graph.nodes.find((n) => n.id === id)?.kind === 'loss') continue;
        io.out(`${id} [T=${T}, B=${B}, size=${N}]`);
        for (let t = 0; t < T; t++) {
          const rows: string[] = [];
          for (let b = 0; b < B; b++) rows.push(v.data.slice((t * B + b) * N, (t * B + b + 1) * N).map(fmt).join(' '));
          io.out(`  t=${t + 1}: ${rows.join(' | ')}`);
        }
      }
    });
}
