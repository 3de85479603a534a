/**
 * `mbnc compile FILE [--model NAME] -o OUT_DIR [--emit ts|model-json …] [--weights] [--param name=value]`.
 *
 * `--emit ts` (the default) writes OUT_DIR/<Model>.ts, a readable TypeScript
 * module that builds the model with plain tfjs calls (src/codegen/).
 * `--emit model-json` writes OUT_DIR/<Model>/training/model.json and
 * OUT_DIR/<Model>/inference/model.json, tfjs's layers-model format, from the
 * models `mbnc train` builds; `--weights` adds their initial weights.
 *
 * Everything is made in memory before anything is written, and each file
 * (each model folder) is replaced atomically: a spec that does not check, a
 * model that cannot be emitted or a folder that cannot be written leaves
 * OUT_DIR as it was.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CodegenError } from '../codegen/errors.js';
import { DataError } from '../data/array.js';
import { writeFileAtomic } from '../data/io.js';
import { renderDiagnostic, styleFor, type SourceLookup, type Style } from '../diagnostics/render.js';
import { analyze, pickModel, rootModels, standaloneDiagnostics, type Analysis, type ModelAnalysis } from '../semantics/analyze.js';
import type { Value } from '../semantics/values.js';
import { analyzeFiles } from './check.js';
import { fileHost } from './host.js';
import { exitCodes, UsageError, type CliIO } from './io.js';
import { parseParams } from './params.js';

export interface CompileArgs {
  readonly file: string | undefined;
  readonly model: string | undefined;
  readonly out: string | undefined;
  /** `ts`, `model-json`, or both (repeated or comma-separated). */
  readonly emit: readonly string[];
  readonly weights: boolean;
  readonly params: readonly string[];
}

const targets = ['ts', 'model-json'] as const;
type Target = (typeof targets)[number];

/** A file or folder to write, made in memory first. */
type Output =
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  | { readonly kind: 'model'; readonly dir: string; readonly write: (dir: string) => void };

/** A problem found before anything was written: printed, exit status 1. */
class CompileFailure extends Error {}

function parseTargets(values: readonly string[]): Target[] {
  const list = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (list.length === 0) return ['ts'];
  for (const v of list) if (!(targets as readonly string[]).includes(v)) throw new UsageError(`--emit takes ts or model-json, got "${v}"`);
  return [...new Set(list as Target[])];
}

export async function compileCommand(args: CompileArgs, io: CliIO): Promise<number> {
  if (!args.file) throw new UsageError('compile needs a .mbn file');
  if (!args.out) throw new UsageError('compile needs -o OUT_DIR, the folder to write to');
  const emit = parseTargets(args.emit);
  if (args.weights && !emit.includes('model-json')) throw new UsageError('--weights goes with --emit model-json (a TypeScript module has no weights)');
  const params = parseParams(args.params);
  const style = styleFor(io.stderr, io.env);
  const outDir = path.resolve(io.cwd, args.out);
  let sources: SourceLookup = { lines: () => undefined };
  try {
    const { analysis, models } = chooseModels(args, params, io, style);
    sources = { lines: (uri) => analysis.program.units.get(uri)?.lines };
    checkWritable(outDir, args.out);
    const outputs: Output[] = [];
    if (emit.includes('ts')) outputs.push(...(await typescriptOutputs(analysis, models, params, outDir)));
    if (emit.includes('model-json')) outputs.push(...(await modelJsonOutputs(models, outDir, args.weights)));
    await write(outputs);
    for (const output of outputs) {
      const where = output.kind === 'file' ? output.path : path.join(output.dir, 'model.json');
      io.stdout.write(`wrote ${path.relative(io.cwd, where) || where}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CodegenError) {
      io.stderr.write(renderDiagnostic(error.toDiagnostic(), sources, style) + '\n\n');
      io.stderr.write(`nothing was written to ${args.out}\n`);
      return exitCodes.errors;
    }
    if (error instanceof CompileFailure || error instanceof DataError) {
      io.stderr.write(`${style.bold(style.red('error'))}: ${error.message}\n`);
      return exitCodes.errors;
    }
    throw error;
  }
}

/**
 * The models to compile (the one named, else the file's root models) in an
 * analysis made with the `--param` values; errors end the command here.
 */
function chooseModels(args: CompileArgs, params: ReadonlyMap<string, Value>, io: CliIO, style: Style): { analysis: Analysis; models: ModelAnalysis[] } {
  const first = analyzeFiles([args.file!], io).analyses[0]!;
  const chosen = args.model !== undefined ? [pickModel(first, args.model)] : rootModels(first);
  if (chosen.length === 0) throw new CompileFailure(`${args.file} declares no models`);
  for (const name of params.keys()) {
    for (const model of chosen) {
      const declared = model.template.decl.params.flatMap((p) => (p.name ? [p.name.name] : []));
      if (!declared.includes(name)) {
        throw new UsageError(`\`${model.name}\` has no parameter \`${name}\`${declared.length > 0 ? `; its parameters: ${declared.join(', ')}` : ''}`);
      }
    }
  }
  const analysis = params.size > 0 ? analyze(first.uri, fileHost, { params: new Map(chosen.map((m) => [m.name, params])) }) : first;
  const models = chosen.map((m) => analysis.models.find((x) => x.name === m.name)!);
  const sources = { lines: (uri: string) => analysis.program.units.get(uri)?.lines };
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const blocked = models.filter((m) => !m.graph);
  if (errors.length > 0 || blocked.length > 0) {
    const shown = [...errors, ...blocked.flatMap((m) => (errors.length > 0 ? [] : standaloneDiagnostics(m)))];
    for (const d of shown) io.stderr.write(renderDiagnostic(d, sources, style) + '\n\n');
    const why = blocked.map((m) => `\`${m.name}\`: ${m.unavailable.join('; ') || 'it has errors'}`);
    throw new CompileFailure(`cannot compile ${why.length > 0 ? why.join(', ') : `${args.file}: it has ${errors.length} error${errors.length === 1 ? '' : 's'}`}; nothing was written`);
  }
  return { analysis, models };
}

/**
 * OUT_DIR exists (or can be made) and can be written to; checked before
 * anything is generated. Missing folders are made one level at a time:
 * a recursive mkdir spins forever where the parent refuses new entries (/proc).
 */
function checkWritable(dir: string, shown: string): void {
  try {
    const missing: string[] = [];
    let existing = dir;
    while (!existsSync(existing)) {
      missing.unshift(existing);
      existing = path.dirname(existing);
    }
    if (!statSync(existing).isDirectory()) throw new CompileFailure(`cannot write to ${shown}: ${existing} is a file`);
    for (const folder of missing) mkdirSync(folder);
    if (!statSync(dir).isDirectory()) throw new CompileFailure(`${shown} is not a folder`);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof CompileFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is a file' : code === 'ENOENT' ? 'the folder cannot be made there' : (error as Error).message;
    throw new CompileFailure(`cannot write to ${shown}: ${why}`);
  }
}

async function typescriptOutputs(analysis: Analysis, models: readonly ModelAnalysis[], params: ReadonlyMap<string, Value>, outDir: string): Promise<Output[]> {
  // Loaded on demand: the emitter brings ts-morph and tfjs, which `check` never needs.
  const { emitTypeScript } = await import('../codegen/index.js');
  return models.map((model) => {
    const { fileName, text } = emitTypeScript(analysis, model, { params });
    return { kind: 'file', path: path.join(outDir, fileName), text };
  });
}

/** The models `mbnc train` would build, serialised: topology only, or with the initial weights. */
async function modelJsonOutputs(models: readonly ModelAnalysis[], outDir: string, weights: boolean): Promise<Output[]> {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../runtime/backend.js');
  const { buildModels, disposeModels } = await import('../runtime/build.js');
  const { modelArtifacts, writeArtifacts } = await import('../runtime/artifacts.js');
  const { modelMetadata } = await import('./train.js');
  // Weights are made (and, with --weights, saved) on whichever backend is fastest here.
  await selectBackend('auto');
  const outputs: Output[] = [];
  for (const model of models) {
    const graph = model.graph!;
    const built = buildModels(graph);
    try {
      const metadata = modelMetadata(graph, built);
      for (const [which, tfModel] of [['training', built.training], ['inference', built.inference]] as const) {
        const mbn = metadata[which];
        const dir = path.join(outDir, model.name, which);
        if (weights) {
          const artifacts = await modelArtifacts(tfModel);
          outputs.push({ kind: 'model', dir, write: (tmp) => writeArtifacts(tmp, artifacts, { mbn }) });
        } else {
          // Topology only: no weightsManifest, so tfjs loaders make fresh weights (see docs/compile.md).
          const json = { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs} (mbn)`, convertedBy: null, modelTopology: tfModel.toJSON(null, false), mbn };
          outputs.push({ kind: 'model', dir, write: (tmp) => writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(json)) });
        }
      }
    } finally {
      disposeModels(built);
    }
  }
  return outputs;
}

async function write(outputs: readonly Output[]): Promise<void> {
  const { replaceDirectory } = await import('../runtime/artifacts.js');
  for (const output of outputs) {
    if (output.kind === 'file') {
      writeFileAtomic(output.path, output.text);
      continue;
    }
    try {
      replaceDirectory(output.dir, output.write);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CompileFailure(`cannot write ${output.dir}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message}`);
    }
  }
}
