/**
 * mbnc: the command-line front door. Every command is a thin client of the
 * front end; bad input ends in a diagnostic and an exit status, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { check } from './check.js';
import { exitCodes, UsageError, type CliIO } from './io.js';
import { ModelChoiceError } from '../semantics/analyze.js';
import { summary } from './summary.js';
import { BackendError, backendKinds, type BackendKind } from '../runtime/backend-kinds.js';

export const usage = `usage: mbnc <command> [options]

commands:
  check FILE...                  check .mbn files and print diagnostics
        --format text|json       output for people (default) or tools
  summary FILE [--model NAME]    Keras-like tables of the training and inference models
        --json                   print the summary as JSON
  graph FILE [--model NAME]      draw the model: SVG, DOT or Mermaid by -o's extension
        -o model.svg|.dot|.mmd   (DOT on stdout without -o, or --format svg|dot|mermaid)
        --inference              draw only the pruned inference model
        --branches               box every branch, not only aux ones; --param name=value
  train FILE --out RUN_DIR       train a model; checkpoints every epoch, saves the
        --data SPEC...           training and the pruned inference model (tfjs format)
        --synthetic N            ...or N random samples of the right shapes
        --model NAME --epochs N --batch N --param name=value --seed N
        --overwrite              replace the run already in RUN_DIR
        --backend auto|gpu|node|wasm|cpu
  train --resume RUN_DIR         continue a run from its last checkpoint (--epochs N to extend)
  predict MODEL_DIR --data SPEC... [--out FILE.npy|.npz|.csv|.json] [--backend …] [--batch N]
  evaluate MODEL_DIR --data SPEC... [--json]   each output's loss and metrics on labelled data
  compile FILE -o OUT_DIR        a TypeScript module per model (OUT_DIR/<Model>.ts) that builds it
        --emit ts|model-json     ...and/or OUT_DIR/<Model>/{training,inference}/model.json
        --weights                with model-json: save the initial weights too
        --model NAME --param name=value   (default: every model no other model uses)
  lsp --stdio                    the language server (LSP over stdin/stdout) for editors
  fmt FILE...                    format .mbn files (docs/formatting.md): print one formatted file, or
        --write                  rewrite the files that change, and list them
        --check                  list the files that would change; exit 1 if any

data SPEC: file.npz (arrays by name), name=file.npy, name=file.csv, a folder of such
files (named by file), or mnist[:train|test][:N] (arrays image and label)

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
      case 'graph': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            model: { type: 'string' },
            param: { type: 'string', multiple: true },
            inference: { type: 'boolean', default: false },
            branches: { type: 'boolean', default: false },
            out: { type: 'string', short: 'o' },
            format: { type: 'string' },
          },
        });
        const { graphCommand } = await import('./graph.js');
        return await graphCommand(
          { files: positionals, model: values.model, params: values.param ?? [], inference: values.inference!, branches: values.branches!, out: values.out, format: values.format },
          io,
        );
      }
      case 'train': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            model: { type: 'string' },
            data: { type: 'string', multiple: true },
            synthetic: { type: 'string' },
            epochs: { type: 'string' },
            batch: { type: 'string' },
            backend: { type: 'string', default: 'auto' },
            param: { type: 'string', multiple: true },
            out: { type: 'string', short: 'o' },
            resume: { type: 'string' },
            seed: { type: 'string', default: '1' },
            overwrite: { type: 'boolean', default: false },
          },
        });
        if (positionals.length > 1) throw new UsageError('train takes one .mbn file');
        // Loaded on demand: tfjs takes a while to load and check/summary never need it.
        const { trainCommand } = await import('./train.js');
        return await trainCommand(
          {
            file: positionals[0],
            model: values.model,
            data: values.data ?? [],
            synthetic: optionalNumber(values.synthetic, '--synthetic'),
            epochs: optionalNumber(values.epochs, '--epochs'),
            batch: optionalNumber(values.batch, '--batch'),
            backend: backendKind(values.backend!),
            params: values.param ?? [],
            out: values.out,
            resume: values.resume,
            seed: optionalNumber(values.seed, '--seed') ?? 1,
            overwrite: values.overwrite!,
          },
          io,
        );
      }
      case 'predict': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            data: { type: 'string', multiple: true },
            out: { type: 'string', short: 'o' },
            backend: { type: 'string', default: 'auto' },
            batch: { type: 'string', default: '256' },
          },
        });
        if (positionals.length > 1) throw new UsageError('predict takes one model folder');
        const { predictCommand } = await import('./predict.js');
        return await predictCommand(
          { modelDir: positionals[0], data: values.data ?? [], out: values.out, backend: backendKind(values.backend!), batch: optionalNumber(values.batch, '--batch') ?? 256 },
          io,
        );
      }
      case 'evaluate': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            data: { type: 'string', multiple: true },
            backend: { type: 'string', default: 'auto' },
            batch: { type: 'string', default: '256' },
            json: { type: 'boolean', default: false },
          },
        });
        if (positionals.length > 1) throw new UsageError('evaluate takes one model folder');
        const { evaluateCommand } = await import('./evaluate.js');
        return await evaluateCommand(
          { modelDir: positionals[0], data: values.data ?? [], backend: backendKind(values.backend!), batch: optionalNumber(values.batch, '--batch') ?? 256, json: values.json! },
          io,
        );
      }
      case 'compile': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            model: { type: 'string' },
            out: { type: 'string', short: 'o' },
            emit: { type: 'string', multiple: true },
            weights: { type: 'boolean', default: false },
            param: { type: 'string', multiple: true },
          },
        });
        if (positionals.length > 1) throw new UsageError('compile takes one .mbn file');
        const { compileCommand } = await import('./compile.js');
        return await compileCommand({ file: positionals[0], model: values.model, out: values.out, emit: values.emit ?? [], weights: values.weights!, params: values.param ?? [] }, io);
      }
      case 'fmt': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { check: { type: 'boolean', default: false }, write: { type: 'boolean', default: false } } });
        const { fmt } = await import('./fmt.js');
        return fmt(positionals, { check: values.check!, write: values.write! }, io);
      }
      case 'lsp': {
        const { lspCommand } = await import('./lsp.js');
        return await lspCommand(rest, io);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof BackendError) {
      io.stderr.write(`mbnc: ${error.message}\n`);
      return exitCodes.errors;
    }
    if (error instanceof UsageError || error instanceof ModelChoiceError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mbnc: ${(error as Error).message}\n${usage.split('\n')[0]}\nrun \`mbnc --help\` for the commands\n`);
      return exitCodes.usage;
    }
    io.stderr.write(`mbnc: internal error: ${(error as Error).message}\nthis is a bug in mbn; please report it with the input that caused it${io.env['MBN_DEBUG'] ? `\n${(error as Error).stack}` : ' (set MBN_DEBUG=1 for details)'}\n`);
    return exitCodes.internal;
  }
}

function optionalNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number, got "${text}"`);
  return n;
}

function backendKind(text: string): BackendKind {
  if (!backendKinds.includes(text as BackendKind)) throw new UsageError(`--backend takes ${backendKinds.join(', ')}; got "${text}"`);
  return text as BackendKind;
}

export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, env: process.env });
}
