/**
 * `cellwright import FILE -o GRAPH [--json] [--arch A]`: an ONNX model or a
 * PyTorch state_dict (.pt/.pth zip, .safetensors) as a graph file, and the
 * mapping from the source's tensor names to graph nodes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import { formatProblem } from '../../engine/format/data.ts';
import { validateDataAny as validateData } from '../../engine/layers/index.ts';
import type { TensorJSON } from '../../engine/format/types.ts';
import { hasErrors } from '../../engine/format/validate.ts';
import { dataFromSource } from '../../engine/import/tensors.ts';
import { serializeGraph } from '../../engine/format/parse.ts';
import { importModelBytes } from '../../engine/import/index.ts';
import type { Arch } from '../../engine/import/torch.ts';
import { ARCHS } from '../../engine/import/torch.ts';
import type { ImportResult, MappingEntry } from '../../engine/import/types.ts';
import { ImportError } from '../../engine/import/types.ts';
import type { Io } from '../main.ts';
import { CliError, readJson } from '../io.ts';

const MAX_FILE = 1 << 30;

/** Imports the bytes of FILE by its kind (ONNX, torch.save zip, safetensors). */
export function importModel(bytes: Uint8Array, file: string, opts: { arch?: Arch } = {}): ImportResult {
  return importModelBytes(bytes, basename(file), opts);
}

function describe(e: MappingEntry): string {
  const what = e.as === 'initialState' ? 'initial state of' : e.as === 'input' ? 'data stream of input' : e.as === 'lengths' ? '0/1 mask stream of input' : e.step === 'final' ? 'final value of' : 'every step of';
  return `${what} ${e.node}${e.axes ? ` (axes ${e.axes})` : ''}`;
}

/** The source's input tensors (by source name) → the graph's data file, checked like any data file. */
async function writeData(r: ImportResult, tensorsFile: string, dataFile: string, force: boolean): Promise<void> {
  const raw = readJson(tensorsFile, 'tensors file');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`${tensorsFile}: expected {"<input name>": {"shape": [..], "data": [..]}}`);
  const feeds: Record<string, TensorJSON> = Object.create(null) as Record<string, TensorJSON>;
  for (const [name, t] of Object.entries(raw as Record<string, unknown>)) {
    const v = t as Partial<TensorJSON>;
    const count = Array.isArray(v?.shape) && v.shape.every((d) => Number.isInteger(d) && d >= 0) ? v.shape.reduce((a, b) => a * b, 1) : -1;
    if (count < 0 || !Array.isArray(v.data) || v.data.length !== count || !v.data.every((x) => typeof x === 'number')) {
      throw new CliError(`${tensorsFile}: "${name}" must be {"shape": [..], "data": [..]} with as many numbers as the shape holds`);
    }
    if (!(name in r.inputs)) throw new CliError(`${tensorsFile}: the model has no input "${name}" (its inputs: ${Object.keys(r.inputs).join(', ')})`);
    feeds[name] = v as TensorJSON;
  }
  const data = dataFromSource(r, feeds);
  const problems = validateData(r.graph, data);
  if (hasErrors(problems)) throw new CliError(`${tensorsFile}: the tensors do not fit the model`, 1, problems.map(formatProblem));
  if (existsSync(dataFile) && !force) throw new CliError(`${dataFile} already exists; pass --force to replace it, or choose another file with --data-out`);
  await atomicWrite(dataFile, `${JSON.stringify(data)}\n`);
}

export function register(program: Command, io: Io): void {
  program
    .command('import')
    .description('Import an ONNX model (LSTM/GRU/RNN) or a PyTorch state_dict (.pt, .pth, .safetensors) as a graph file.')
    .argument('<file>', 'model file: .onnx, .pt/.pth (torch.save) or .safetensors')
    .requiredOption('-o, --out <graph>', 'graph file to write')
    .option('--json', 'print the mapping from the model\'s tensor names to graph nodes as JSON')
    .addOption(new Option('--arch <arch>', 'what the state_dict\'s recurrent module is, when its keys do not say (nn.RNN: tanh or relu)').choices([...ARCHS]))
    .option('--tensors <file>', 'the model\'s input tensors as JSON {"<name>": {"shape": [..], "data": [..]}}: also write them as a data file for the graph')
    .option('--data-out <file>', 'where --tensors writes the data file (default: the graph file\'s name with .data.json)')
    .option('--force', 'replace existing files')
    .action(async (file: string, opts: { out: string; json?: boolean; arch?: Arch; force?: boolean; tensors?: string; dataOut?: string }) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliError(`cannot read model file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
      }
      if (bytes.length > MAX_FILE) throw new CliError(`${file} is larger than 1 GiB, too large to import`);
      let r: ImportResult;
      try {
        r = importModel(bytes, file, opts.arch ? { arch: opts.arch } : {});
      } catch (e) {
        if (e instanceof ImportError) throw new CliError(formatProblem(e.problem));
        throw e;
      }
      if (existsSync(opts.out) && !opts.force) throw new CliError(`${opts.out} already exists; pass --force to replace it, or choose another file with -o`);
      try {
        await atomicWrite(opts.out, serializeGraph(r.graph));
      } catch (e) {
        throw new CliError(`cannot write ${opts.out}: ${(e as Error).message}`);
      }
      let dataFile: string | undefined;
      if (opts.tensors) {
        dataFile = opts.dataOut ?? opts.out.replace(/(\.json)?$/i, '.data.json');
        await writeData(r, opts.tensors, dataFile, opts.force === true);
      }
      if (opts.json) {
        io.out(JSON.stringify({ graph: opts.out, ...(dataFile ? { data: dataFile } : {}), inputs: r.inputs, outputs: r.outputs }));
        return;
      }
      if (dataFile) io.out(`wrote ${dataFile}: the model's input tensors as the graph's data`);
      io.out(`wrote ${opts.out}: ${r.graph.name} — ${r.graph.nodes.length} nodes, ${r.graph.edges.length} edges`);
      for (const [kind, table] of [['input', r.inputs], ['output', r.outputs]] as const) {
        for (const [name, entries] of Object.entries(table)) io.out(`  ${kind} ${name} → ${entries.map(describe).join('; ')}`);
      }
    });
}
