/**
 * The `cellwright` command line: check, run, grad, train, export, bench, import, sweep, reproduce, dynamics.
 * Exit codes: 0 success, 1 a problem with the files or the graph, 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import * as bench from './commands/bench.ts';
import * as check from './commands/check.ts';
import * as dynamics from './commands/dynamics.ts';
import * as exportCmd from './commands/export.ts';
import * as grad from './commands/grad.ts';
import * as importCmd from './commands/import.ts';
import * as reproduce from './commands/reproduce.ts';
import * as run from './commands/run.ts';
import * as sweep from './commands/sweep.ts';
import * as train from './commands/train.ts';
import { CliError, resetStdin } from './io.ts';

/**
 * Each command lives in cli/commands/NAME.ts and exports register(program).
 * Imported statically so the bundle (dist-cli/) holds exactly these.
 */
const COMMANDS: { register: (p: Command, io: Io, setExit: (c: number) => void) => void }[] = [check, run, grad, train, exportCmd, bench, importCmd, sweep, reproduce, dynamics];

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const program = new Command('cellwright')
    .description('Design, check, run and train recurrent cells from the command line.\nA graph or data file argument of - reads standard input; train --out - writes to standard output.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError('(run `cellwright --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  let exitCode = 0;
  const setExit = (c: number): void => { exitCode = c; };
  resetStdin();
  for (const mod of COMMANDS) mod.register(program, io, setExit);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      io.err(`cellwright: ${e.message}`);
      for (const l of e.lines) io.err(l);
      return e.exitCode;
    }
    if (e instanceof Error && e.name === 'GraphError') {
      io.err(`cellwright: ${e.message}`);
      return 1;
    }
    io.err(`cellwright: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
