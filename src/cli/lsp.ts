/**
 * `mbnc lsp --stdio`: the language server, speaking LSP over stdin and
 * stdout. It runs until the editor sends `exit` or closes the stream (the
 * server library ends the process then), so the promise never resolves.
 */
import { parseArgs } from 'node:util';
import { UsageError, type CliIO } from './io.js';

export async function lspCommand(args: readonly string[], io: CliIO): Promise<number> {
  // stdio is the only transport, so `--stdio` (what editors pass) is accepted and may be left out.
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { stdio: { type: 'boolean' } } });
  if (positionals.length > 0) throw new UsageError(`lsp takes no files (got ${positionals.join(' ')}); the editor opens them`);
  // Loaded on demand: the server and its protocol library are only needed here.
  const { startStdioServer } = await import('../../lsp/server/main.js');
  startStdioServer();
  io.stderr.write('mbn language server: listening on stdin/stdout\n');
  return new Promise<number>(() => {});
}
