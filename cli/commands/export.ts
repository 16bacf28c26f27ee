/**
 * `cellwright export torch GRAPH -o DIR`: writes the graph as a PyTorch project
 * (model.py, params.json, graph.json, train.py, tasks.py, README.md).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import { Option } from 'commander';
import { exportTorch, TorchExportError, type TorchDtype } from '../../engine/export/torch.ts';
import type { Io } from '../main.ts';
import { CliError, readGraph, shown } from '../io.ts';
import { registerOnnx } from './export-onnx.ts';

function integer(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x)) throw new CliError(`${name} must be an integer, got "${v}"`, 2);
    return x;
  };
}

/** Writes the files into dir (each atomically); refuses to replace a different file unless forced. */
export async function writeExport(dir: string, files: Record<string, string>, force: boolean): Promise<string[]> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`cannot export into ${dir}: it is a file, not a folder`);
  const clashes = Object.entries(files)
    .filter(([name, text]) => existsSync(join(dir, name)) && readFileSync(join(dir, name), 'utf8') !== text)
    .map(([name]) => name);
  if (clashes.length > 0 && !force) {
    throw new CliError(`${dir} already has ${clashes.join(', ')} with other contents; pass --force to replace ${clashes.length === 1 ? 'it' : 'them'}, or choose another folder with -o`);
  }
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) await atomicWrite(join(dir, name), text);
  } catch (e) {
    throw new CliError(`cannot write into ${dir}: ${(e as Error).message}`);
  }
  return Object.keys(files);
}

export function register(program: Command, io: Io): void {
  const exp = program
    .command('export')
    .description('Export a graph to another framework (torch: a PyTorch module, its parameters and a training script; onnx: an ONNX model).');
  const torch = exp
    .command('torch')
    .description('Write GRAPH as a PyTorch project: model.py (a torch.nn.Module), params.json, train.py (python or torchrun), tasks.py, README.md.')
    .argument('<graph>', 'graph file')
    .requiredOption('-o, --out <dir>', 'folder to write the project into')
    .addOption(new Option('--seed <n>', 'seed for parameters the graph does not give (default: training.seed, else 1, as cellwright train)').argParser(integer('--seed')))
    .addOption(new Option('--dtype <dtype>', 'dtype of the module\'s parameters (float64: the engine\'s numbers to 1e-9)').choices(['float32', 'float64']).default('float32'))
    .option('--force', 'replace files of an earlier export that differ')
    .action(async (graphPath: string, opts: { out: string; seed?: number; dtype: TorchDtype; force?: boolean }) => {
      const { graph } = readGraph(graphPath, { validate: true });
      let result;
      try {
        result = exportTorch(graph, { dtype: opts.dtype, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
      } catch (e) {
        if (e instanceof TorchExportError) throw new CliError(`${shown(graphPath)}: ${e.message}`);
        throw e;
      }
      const names = await writeExport(opts.out, result.files, opts.force === true);
      io.out(`wrote ${names.join(', ')} to ${opts.out}`);
      io.out(`next: cd ${opts.out} && python train.py   (or torchrun --nproc_per_node=N train.py; see README.md)`);
    });
  const onnx = registerOnnx(exp, io, integer);
  // Nested commands need the same no-exit, captured-output setup main() gives top-level ones.
  for (const c of [exp, torch, onnx]) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
}
