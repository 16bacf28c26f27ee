/**
 * Export to PyTorch: a graph → the files of a folder that trains it at scale
 * (issue 8). Pure: it returns file names and contents; the CLI and the editor
 * write them.
 *
 *   model.py     torch.nn.Module: one nn.Parameter per learned edge, bias and
 *                initial state; step(x_t, state) and forward(x)
 *   params.json  the engine's parameters, which model.py loads
 *   graph.json   the graph as exported (task and training blocks for train.py)
 *   train.py     trains it (python or torchrun/DDP), writes a graph file back
 *   tasks.py     Python ports of the parity, adding and sine generators
 *   README.md    how to use the folder
 */
import { compile, GraphError } from '../compile.ts';
import { compileLayered } from '../layers/compile.ts';
import { hasLayers } from '../layers/types.ts';
import { layeredModelPy } from './torch-layers.ts';
import { flatForCompile } from '../blocks/any.ts';
import type { Graph } from '../format/types.ts';
import { createParams, exportParams } from '../params.ts';
import { TASKS_PY } from './torch-tasks-py.ts';
import { modelPy, TorchExportError, type TorchDtype } from './torch-model.ts';
import { TRAIN_PY } from './torch-train-py.ts';

export { TorchExportError, type TorchDtype } from './torch-model.ts';

export interface TorchExportOptions {
  /**
   * Seed for parameters the graph does not give (drawn from their initializers
   * exactly as the engine draws them). Default: the graph's training.seed, else 1,
   * the seed `cellwright train` starts from (engine/train/config.ts).
   */
  seed?: number;
  /**
   * dtype of model.py's parameters: float32 (default, PyTorch's own) or float64
   * (the engine's numbers to 1e-9). params.json always holds the float64 values.
   */
  dtype?: TorchDtype;
}

export interface TorchExport {
  /** File name → contents, for a folder of its own. */
  files: Record<string, string>;
  /** Cellwright parameter key → attribute of the module in model.py. */
  parameterNames: Record<string, string>;
  /** Node id → its variable in Model.step. */
  nodeNames: Record<string, string>;
}

function seedOf(graph: Graph, opts: TorchExportOptions): number {
  if (opts.seed !== undefined) return opts.seed;
  const s = graph.training?.seed;
  return typeof s === 'number' && Number.isInteger(s) ? s : 1;
}

/**
 * Writes a graph as a PyTorch project. Throws TorchExportError, with every
 * problem listed, when the graph is invalid.
 *
 * @example
 * const { files } = exportTorch(graph);
 * for (const [name, text] of Object.entries(files)) host.writeFile(`${dir}/${name}`, text);
 */
export function exportTorch(graph: Graph, opts: TorchExportOptions = {}): TorchExport {
  // Layers are written by torch-layers.ts; blocks (engine/blocks) are written out expanded: inner nodes under their ids (`f/g`), tied parameters once.
  const flat = hasLayers(graph) ? null : flatForCompile(graph);
  let program;
  try {
    program = flat ? compile(flat.graph, { nodeTies: flat.nodeTies }) : compileLayered(graph);
  } catch (e) {
    if (e instanceof GraphError) {
      const errors = e.problems.filter((p) => p.severity === 'error').map((p) => `  ${p.path}: ${p.message}`);
      throw new TorchExportError(`cannot export to PyTorch: the graph has ${errors.length} problem${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} first:\n${errors.join('\n')}`);
    }
    throw e;
  }
  const theta = createParams(program.layout, graph.parameters, { seed: seedOf(graph, opts), dtype: 'float64' });
  const { text, names } = flat ? modelPy(flat.graph, program, opts.dtype ?? 'float32', theta) : layeredModelPy(graph, program, opts.dtype ?? 'float32', theta);
  const params = exportParams(program.layout, theta);
  const files: Record<string, string> = {
    'model.py': text,
    'params.json': `${JSON.stringify(params, null, 1)}\n`,
    'graph.json': `${JSON.stringify(graph, null, 2)}\n`,
    'train.py': TRAIN_PY,
    'tasks.py': TASKS_PY,
    'README.md': readme(graph),
  };
  return { files, parameterNames: Object.fromEntries(names.params), nodeNames: Object.fromEntries(names.nodes) };
}

function readme(graph: Graph): string {
  // One line of plain text: the name is the README's title, whatever it holds.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const name = (graph.name ?? 'Cellwright graph').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const task = graph.task && typeof graph.task.name === 'string' ? `the \`${graph.task.name}\` task` : 'a data file (`--data`)';
  return `# ${name} — PyTorch export

Exported from Cellwright. Needs Python 3 and PyTorch (1.13 or later), nothing else.

| file | what it is |
| --- | --- |
| \`model.py\` | the cell as a \`torch.nn.Module\`: \`Model.step(x_t, state)\` is one time step of the graph, line by line, with comments naming the graph's nodes and edges; \`Model.forward(x, y)\` unrolls it over T and computes the graph's losses |
| \`params.json\` | the parameters the app had, keyed as in a graph file (\`edge:<id>\`, \`bias:<id>\`, \`init:<id>\`); \`Model.from_json("params.json")\` loads them |
| \`graph.json\` | the graph as exported: its \`task\` and \`training\` blocks configure \`train.py\` |
| \`train.py\` | training on one process or many, checkpoints, and a graph file with the trained parameters |
| \`tasks.py\` | Python ports of the parity, adding and sine task generators |

## Use the model

\`\`\`python
import torch
from model import Model
model = Model.from_json("params.json")          # the app's parameters, in model.DTYPE
x = {"<input id>": torch.zeros(T, B, size)}     # any T
out = model(x, y)                                # y: {"<target id>": [T, B, size]}
out.loss.backward()                              # the same loss and gradients as the app
\`\`\`

\`out.values\` holds what every node computed at every step, \`out.losses\`
each loss node's share per step (\`out\` is a NamedTuple, \`model.Output\`).
\`torch.jit.script(Model.from_json("params.json"))\` compiles the module with
TorchScript; it runs the same numbers. \`model(x, y, keep_values=False)\` skips
the per-step values (what \`train.py\` does); a graph equal to a standard LSTM
or GRU then runs its recurrence in \`nn.LSTM\`'s or \`nn.GRU\`'s kernel. The parameters are float32 unless the folder
was exported with \`cellwright export torch --dtype float64\` (or pass
\`dtype=torch.float64\` to \`from_json\`); the numbers equal Cellwright's engine
(checked to 1e-9 in float64, about 1e-5 in float32).

## Train

\`\`\`sh
python train.py                                   # ${task}, with the graph's training block
python train.py --data DATA.json --steps 500      # a Cellwright data file, all its sequences one batch
torchrun --nproc_per_node=4 train.py              # DistributedDataParallel (gloo on CPU, nccl on GPU)
python train.py --resume checkpoints/latest.pt    # continue from a checkpoint
\`\`\`

With torch 1.13 on Python 3.11 or later (Debian 12's \`python3-torch\`), torchrun
fails before it starts the workers (\`'NoneType' object has no attribute 'get'\`,
fixed in torch 2.0); add \`--redirects 1 --tee 1\` to its options.

Every process draws the same global batch (\`training.batch\`) and trains on its
share of the sequences, with the loss normalized over the whole batch, so N
processes compute the same gradient as one. Options (\`python train.py --help\`)
override the training block: \`--optimizer\`, \`--lr\`, \`--steps\`, \`--batch\`,
\`--seed\`, \`--clip-norm\`, \`--clip-value\`, \`--dtype\`.

At the end \`train.py\` writes \`trained.json\` (\`--out\`): the graph with its
\`parameters\` replaced by the trained ones. Open it in Cellwright, or check it:

\`\`\`sh
cellwright check trained.json
cellwright grad trained.json trained.val.data.json   # the "final loss" train.py printed
\`\`\`

The final loss is the float64 loss of the trained parameters on the evaluation
data: \`--eval-data\`, else \`--data\`, else the task's validation set, which
\`train.py\` writes next to the output as \`<out>.val.data.json\`.
`;
}
