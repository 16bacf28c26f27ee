/** `cellwright export onnx GRAPH -o model.onnx`: registered by export.ts. */
import { existsSync } from 'node:fs';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatProblem } from '../../engine/format/data.ts';
import type { OnnxExport } from '../../engine/export/onnx.ts';
import { exportOnnx } from '../../engine/export/onnx.ts';
import { ImportError } from '../../engine/import/types.ts';
import type { Io } from '../main.ts';
import { CliError, readGraph } from '../io.ts';

export function registerOnnx(exp: Command, io: Io, integer: (name: string) => (v: string) => number): Command {
  return exp
    .command('onnx')
    .description('Write GRAPH as an ONNX model: a fused LSTM/GRU/RNN node when the graph (or a layer) is one, else a Scan over the step. Inputs [T, B, size] named by input-node id; outputs [T, B, size] named by node id (nested nodes of layers as l1/h).')
    .argument('<graph>', 'graph file')
    .requiredOption('-o, --out <file>', 'model file to write (.onnx)')
    .option('--outputs <ids>', 'comma-separated node ids to output (default: what each loss reads as prediction, and every cell)')
    .option('--initial-states', 'add an input <cellId>.initial [B, size] per cell, nested cells as l1/h.initial (otherwise the initial states are in the model: learned or zeros)')
    .addOption(new Option('--seed <n>', 'seed for parameters the graph does not give (default: training.seed, else 1)').argParser(integer('--seed')))
    .option('--force', 'replace an existing file')
    .action(async (graphPath: string, opts: { out: string; outputs?: string; initialStates?: boolean; seed?: number; force?: boolean }) => {
      const { graph } = readGraph(graphPath, { validate: true });
      let r: OnnxExport;
      try {
        r = exportOnnx(graph, {
          ...(opts.outputs !== undefined ? { outputs: opts.outputs.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          initialStates: opts.initialStates === true,
        });
      } catch (e) {
        if (e instanceof ImportError) throw new CliError(`${graphPath}: ${formatProblem(e.problem)}`);
        throw e;
      }
      if (existsSync(opts.out) && !opts.force) throw new CliError(`${opts.out} already exists; pass --force to replace it, or choose another file with -o`);
      try {
        await atomicWrite(opts.out, r.bytes);
      } catch (e) {
        throw new CliError(`cannot write ${opts.out}: ${(e as Error).message}`);
      }
      const form = r.form === 'fused'
        ? (r.ops.length === 1 ? `one fused ${r.ops[0]} node` : `fused ${r.ops.join(' → ')} nodes, one per layer`)
        : (r.ops.length === 1 ? 'a Scan over the step' : `${r.ops.join(' → ')}: a node per layer (a Scan per copy where the layer is no standard cell), then the step`);
      io.out(`wrote ${opts.out} (${form}, opset 17): inputs ${r.inputs.join(', ')}; outputs ${r.outputs.join(', ')}`);
    });
}
