import type { Command } from 'commander';
import { Option } from 'commander';
import { gradReport } from '../../engine/grad.ts';
import { compileAny, nestedCells } from '../../engine/layers/index.ts';
import type { DType } from '../../engine/tensor.ts';
import type { Io } from '../main.ts';
import { CliError, limitsOf, limitsOption, maxMemoryOption, readData, readGraph, reportJson } from '../io.ts';
import { dtypeOption } from './run.ts';
import { own } from '../../engine/format/dict.ts';

function positive(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new CliError(`${name} must be a positive number, got "${v}"`, 2);
    return x;
  };
}

export function register(program: Command, io: Io): void {
  program
    .command('grad')
    .description('Loss, dL/dθ for every parameter, values, gradient norms through time and explode/vanish flags.')
    .argument('<graph>', 'graph file')
    .argument('<data>', 'data file')
    .option('--json', 'print the report as one JSON object (the spec\'s "What grad reports")')
    .addOption(dtypeOption('float64'))
    .addOption(maxMemoryOption())
    .addOption(limitsOption())
    .addOption(new Option('--explode <ratio>', 'flag `exploding` when gradNorm(first)/gradNorm(last) exceeds this').argParser(positive('--explode')).default(100))
    .addOption(new Option('--vanish <ratio>', 'flag `vanishing` when the ratio is below this').argParser(positive('--vanish')).default(0.01))
    .action((graphPath: string, dataPath: string, opts: { json?: boolean; dtype: DType; explode: number; vanish: number; maxMemory?: string; limits?: string }) => {
      const limits = limitsOf(opts);
      const { graph } = readGraph(graphPath, { validate: true, limits });
      const data = readData(dataPath, graph, limits);
      const r = gradReport(graph, data, { dtype: opts.dtype, limits, thresholds: { exploding: opts.explode, vanishing: opts.vanish } });
      if (opts.json) {
        io.out(reportJson(r, 'grad'));
        return;
      }
      io.out(`loss ${r.loss}`);
      io.out('gradients (Frobenius norm):');
      for (const [k, g] of Object.entries(r.gradients)) {
        io.out(`  ${k} [${g.shape.join('×')}]: ${Math.sqrt(g.data.reduce((a, x) => a + x * x, 0)).toPrecision(6)}`);
      }
      io.out('gradient norm through time (‖dL/dh_t‖, first → last step):');
      const program = compileAny(graph);
      for (const i of [...program.cells, ...nestedCells(program)]) {
        const id = program.nodes[i].id;
        const g = own(r.gradNorms, id);
        if (!g || g.length === 0) continue;
        io.out(`  ${id}: ${g[0].toPrecision(4)} → ${g[g.length - 1].toPrecision(4)}`);
      }
      if (r.flags.length === 0) io.out('flags: none');
      for (const f of r.flags) io.out(`flag: ${f.node} ${f.kind}${f.kind === 'nonfinite' ? ` at step ${f.step}` : ` (ratio ${f.ratio.toPrecision(4)}, ×${f.perStep.toPrecision(4)} per step)`}`);
    });
}
