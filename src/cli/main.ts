/**
 * mbnc: the command-line front door. Every command is a thin client of the
 * front end; bad input ends in a diagnostic and an exit status, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { check } from './check.js';
import { exitCodes, UsageError, type CliIO } from './io.js';
import { summary } from './summary.js';

export const usage = `usage: mbnc <command> [options]

commands:
  check FILE...                  check .mbn files and print diagnostics
        --format text|json       output for people (default) or tools
  summary FILE [--model NAME]    Keras-like tables of the training and inference models
        --json                   print the summary as JSON

  mbnc --help | --version
exit status: 0 no errors, 1 errors in the input, 2 wrong usage`;

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(usage + '\n');
      return command ? exitCodes.ok : exitCodes.usage;
    }
    if (command === '--version') {
      io.stdout.write('mbnc 0.1.0\n');
      return exitCodes.ok;
    }
    switch (command) {
      case 'check': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { format: { type: 'string', default: 'text' } } });
        return check(positionals, values.format!, io);
      }
      case 'summary': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { model: { type: 'string' }, json: { type: 'boolean', default: false } } });
        return summary(positionals, values.model, values.json!, io);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mbnc: ${(error as Error).message}\n${usage.split('\n')[0]}\nrun \`mbnc --help\` for the commands\n`);
      return exitCodes.usage;
    }
    io.stderr.write(`mbnc: internal error: ${(error as Error).message}\nthis is a bug in mbn; please report it with the input that caused it${io.env['MBN_DEBUG'] ? `\n${(error as Error).stack}` : ' (set MBN_DEBUG=1 for details)'}\n`);
    return exitCodes.internal;
  }
}

export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, env: process.env });
}
