import type { Command } from 'commander';
import { Option } from 'commander';
import { gradReport } from '../../engine/grad.ts';
import { compileAny, nestedCells } from '../../engine/layers/index.ts';
import type { DType } from '../../engine/tensor.ts';
import type { Io } from '../main.ts';
import { CliError, limitsOf, limitsOption, maxMemoryOption, readData, readGraph, reportJson } from '../io.ts';
import { dtypeOption } from './run.ts';
import { own } from '../../engine/format/dict.ts';
import { DEFAULT_MAX_WORK, ProbeError } from '../../engine/diagnostics/connectivity.ts';

/** A ProbeError (CW310–CW329) as the CLI's error: code, message, hint; exit 1 for the files, 2 for the flags. */
export function probeFailure(e: unknown): never {
  if (!(e instanceof ProbeError)) throw e;
  const p = e.problem;
  throw new CliError(`${p.code} ${p.message}`, p.path.startsWith('--') ? 2 : 1, p.hint ? [`  hint: ${p.hint}`] : []);
}

/** A commander parser for a positive number flag (exit 2 otherwise). */
export function positive(name: string) {
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
    .option('--connectivity <OUT:IN>', 'add "connectivity": {"OUT:IN": M}, M[t][s] = ‖∂OUT_t/∂IN_s‖ over the batch (IN an input or cell; repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--loss-by-step', 'add "lossByStep": {cell: M}, M[t][s] = ‖∂L_t/∂h_s‖, the loss of each step sent back to each state')
    .addOption(new Option('--max-work <n>', 'refuse --connectivity/--loss-by-step beyond this many multiply-adds').argParser(positive('--max-work')).default(DEFAULT_MAX_WORK))
    .action((graphPath: string, dataPath: string, opts: { json?: boolean; dtype: DType; explode: number; vanish: number; maxMemory?: string; limits?: string; connectivity: string[]; lossByStep?: boolean; maxWork: number }) => {
      const limits = limitsOf(opts);
      const { graph } = readGraph(graphPath, { validate: true, limits });
      const data = readData(dataPath, graph, limits);
      let r;
      try {
        r = gradReport(graph, data, {
          dtype: opts.dtype, limits, thresholds: { exploding: opts.explode, vanishing: opts.vanish },
          connectivity: opts.connectivity, lossByStep: opts.lossByStep === true, maxWork: opts.maxWork,
        });
      } catch (e) {
        probeFailure(e);
      }
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
      const rows = (m: number[][]): string => `last step: ${m[m.length - 1].map((x) => x.toPrecision(3)).join(' ')}`;
      for (const [k, m] of Object.entries(r.connectivity ?? {})) io.out(`connectivity ${k} (‖∂OUT_T/∂IN_s‖, s = 1…T) ${rows(m)}`);
      for (const [k, m] of Object.entries(r.lossByStep ?? {})) io.out(`loss by step ${k} (‖∂L_T/∂h_s‖, s = 1…T) ${rows(m)}`);
      for (const [k, c] of Object.entries(r.cost ?? {})) if (c) io.out(`cost of ${k}: ${c.sweeps} backward sweeps, ${c.work.toExponential(2)} multiply-adds, ${Math.round(c.ms ?? 0)} ms`);
    });
}
