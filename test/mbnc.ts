/** Runs the mbnc CLI in process, capturing what it writes: `const { code, stdout, stderr } = await mbnc(['check', file])`. */
import { run } from '../src/cli/main.js';
import { repoRoot } from './helpers.js';

export interface MbncResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function mbnc(args: readonly string[], options: { cwd?: string; tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<MbncResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    cwd: options.cwd ?? repoRoot,
    stdout: { write: (t: string) => void (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: options.tty ?? false },
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}
