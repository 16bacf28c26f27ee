/** For tests: runs the `cellwright` command in-process and collects its exit code, stdout and stderr. */
import { main } from './main.ts';

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}
