/** The CLI's view of the outside world, so commands can run in-process in tests. */
export interface CliIO {
  readonly cwd: string;
  readonly stdout: { write(text: string): void; isTTY?: boolean };
  readonly stderr: { write(text: string): void; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** Exit statuses: 0 success, 1 the input has errors, 2 the command line is wrong. */
export const exitCodes = { ok: 0, errors: 1, usage: 2, internal: 70 } as const;

/** A command-line mistake: printed as one line with the usage hint, exit 2. */
export class UsageError extends Error {}

/** Why a command refuses a model that has a graph: `the spec has 2 errors`. */
export function errorCount(n: number): string {
  return `the spec has ${n} error${n === 1 ? '' : 's'}`;
}
