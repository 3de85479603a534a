/**
 * `mbnc train FILE --data … --out RUN_DIR` and `mbnc train --resume RUN_DIR`.
 *
 * RUN_DIR holds: run.json (what was trained, from which sources, on what
 * data), sources.json (the spec files as they were), checkpoint/ (weights,
 * optimizer state, history; replaced atomically every epoch), history.json,
 * and at the end training/ and inference/ (tfjs model.json + weights.bin).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { renderDiagnostic, styleFor } from '../diagnostics/render.js';
import { analyze, pickModel, standaloneDiagnostics, type Analysis } from '../semantics/analyze.js';
import type { Graph } from '../semantics/graph.js';
import { saveModel, writeFileAtomic } from '../runtime/artifacts.js';
import { selectBackend, type BackendKind } from '../runtime/backend.js';
import { buildModels, disposeModels, type BuiltModels } from '../runtime/build.js';
import { hasCheckpoint, restoreCheckpoint, writeCheckpoint } from '../runtime/checkpoint.js';
import { DataMismatch, loadDataArguments, matchData, syntheticData, toTensors } from '../runtime/dataset.js';
import { compileForTraining, train, type EpochReport } from '../runtime/train.js';
import { DataError } from '../data/array.js';
import { analyzeFiles } from './check.js';
import { fileHost } from './host.js';
import { exitCodes, UsageError, type CliIO } from './io.js';
import { parseParams } from './params.js';
import { epochLine, ProgressBar } from './progress.js';

export interface TrainArgs {
  readonly file: string | undefined;
  readonly model: string | undefined;
  readonly data: readonly string[];
  readonly synthetic: number | undefined;
  readonly epochs: number | undefined;
  readonly batch: number | undefined;
  readonly backend: BackendKind;
  readonly params: readonly string[];
  readonly out: string | undefined;
  readonly resume: string | undefined;
  readonly seed: number;
  /** Replace an existing run in --out (only a folder holding an mbn run). */
  readonly overwrite: boolean;
}

/** What a run directory records about how it was started (run.json). */
export interface RunRecord {
  readonly version: 1;
  readonly model: string;
  readonly entry: string;
  readonly params: readonly string[];
  readonly data: readonly string[];
  readonly synthetic: number | null;
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly createdAt: string;
}

interface Sources {
  readonly entry: string;
  readonly files: Record<string, string>;
}

/** Signals that end the run with a message and a status (no stack trace). */
class RunError extends Error {
  constructor(message: string, readonly status: number = exitCodes.errors) {
    super(message);
  }
}

function positiveInt(value: number | undefined, flag: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new UsageError(`${flag} takes a whole number >= 1`);
}

export function modelMetadata(graph: Graph, built: BuiltModels) {
  const inputs = (names: readonly string[]) => names.map((name) => {
    const input = graph.inputs.find((i) => i.name === name)!;
    return { name, shape: input.shape, dtype: input.dtype };
  });
  const outputs = (names: readonly string[]) => names.map((name) => {
    const o = graph.outputs.find((x) => x.name === name)!;
    const node = o.tensor.node;
    return { name, shape: node.kind === 'input' ? node.shape : node.outputShapes[o.tensor.index]!, loss: o.loss ?? null, weight: o.weight, metrics: o.metrics, aux: o.aux };
  });
  return {
    training: { model: graph.name, inputs: inputs(built.trainingInputs), outputs: outputs(built.trainingOutputs) },
    inference: { model: graph.name, inputs: inputs(built.inferenceInputs), outputs: outputs(built.inferenceOutputs) },
  };
}

export async function trainCommand(args: TrainArgs, io: CliIO): Promise<number> {
  const style = styleFor(io.stdout, io.env);
  const errStyle = styleFor(io.stderr, io.env);
  positiveInt(args.epochs, '--epochs');
  positiveInt(args.batch, '--batch');
  if (args.synthetic !== undefined) positiveInt(args.synthetic, '--synthetic');
  try {
    const setup = args.resume ? resumeSetup(args, io) : freshSetup(args, io);
    const { analysis, record, runDir } = setup;
    const modelAnalysis = pickModel(analysis, record.model);
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    const sources = { lines: (uri: string) => analysis.program.units.get(uri)?.lines };
    if (errors.length > 0 || !modelAnalysis.graph) {
      for (const d of [...errors, ...(modelAnalysis.graph ? [] : standaloneDiagnostics(modelAnalysis))]) io.stderr.write(renderDiagnostic(d, sources, errStyle) + '\n\n');
      throw new RunError(`cannot train \`${modelAnalysis.name}\`: ${modelAnalysis.unavailable.join('; ') || 'it has errors'}`);
    }
    const graph = modelAnalysis.graph;
    const missingLoss = graph.outputs.filter((o) => !o.loss);
    if (missingLoss.length > 0) {
      throw new RunError(`output${missingLoss.length > 1 ? 's' : ''} ${missingLoss.map((o) => `\`${o.name}\``).join(', ')} of \`${graph.name}\` ${missingLoss.length > 1 ? 'have' : 'has'} no loss; add \`loss mse\` (or another) to ${missingLoss.length > 1 ? 'them' : 'it'}, or \`loss:\` to a train block`);
    }

    // Data before the backend and before anything is written: a wrong file must leave the run directory as it was.
    const matched = record.synthetic === null ? matchData(graph.inputs, graph.outputs, loadDataArguments(record.data, io.cwd)) : undefined;
    const backend = await selectBackend(args.backend);
    const data = matched ? { data: toTensors(matched), samples: matched.samples } : { data: syntheticData(graph, record.synthetic!, record.seed), samples: record.synthetic! };
    io.stderr.write(`backend: ${backend.kind}${backend.notes.length && args.backend === 'auto' ? ` (${backend.notes.join(', ')})` : ''}\n`);

    const built = buildModels(graph);
    const compiled = compileForTraining(built, graph);
    let history: EpochReport[] = [];
    let initialEpoch = 0;
    if (args.resume) {
      const state = await restoreCheckpoint(runDir, built.training, compiled.optimizer);
      history = [...state.history];
      initialEpoch = state.epoch;
      io.stderr.write(`resuming \`${graph.name}\` after epoch ${initialEpoch} from ${path.relative(io.cwd, runDir) || runDir}\n`);
    } else {
      // An overwritten run goes only now, after the spec, the data and the backend all proved fine.
      if (args.overwrite) rmSync(runDir, { recursive: true, force: true });
      writeFileAtomic(path.join(runDir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
      writeFileAtomic(path.join(runDir, 'sources.json'), JSON.stringify(snapshot(analysis), null, 2) + '\n');
    }
    const config = { ...graph.training, epochs: record.epochs, batchSize: record.batchSize };
    if (initialEpoch >= config.epochs) {
      io.stderr.write(`\`${graph.name}\` already has ${initialEpoch} epochs; ask for more with --epochs\n`);
    }

    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(130);
      stop = true;
      io.stderr.write(`\nstopping after this batch; the checkpoint of the last complete epoch stays in ${runDir} (press Ctrl-C again to quit at once)\n`);
    };
    process.on('SIGINT', onSigint);
    const bar = new ProgressBar(io.stderr, config.epochs);
    const samples = data.samples;
    io.stderr.write(`training \`${graph.name}\` on ${samples} samples${config.validationSplit > 0 ? ` (${Math.floor(samples * config.validationSplit)} held out for validation)` : ''}, epochs ${initialEpoch + 1}..${config.epochs}, batch ${config.batchSize}\n`);
    const metadata = modelMetadata(graph, built);
    try {
      await train(built, graph, compiled, data.data, {
        config,
        initialEpoch,
        shouldStop: () => stop,
        onBatchEnd: (epoch, batch, batches, logs) => bar.update(epoch, batch, batches, logs['loss']),
        onEpochEnd: async (report) => {
          bar.clear();
          history.push(report);
          io.stdout.write(epochLine(report, config.epochs, style) + '\n');
          await writeCheckpoint(runDir, built.training, compiled.optimizer, { epoch: report.epoch, history });
          writeFileAtomic(path.join(runDir, 'history.json'), JSON.stringify(historyJson(graph.name, backend.kind, history), null, 2) + '\n');
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
      bar.clear();
      tf.dispose([...Object.values(data.data.inputs), ...Object.values(data.data.targets)]);
    }
    if (stop) {
      io.stderr.write(`stopped; resume with: mbnc train --resume ${path.relative(io.cwd, runDir) || runDir}\n`);
      disposeAll(built, compiled.optimizer);
      return 130;
    }
    await saveModel(built.training, path.join(runDir, 'training'), { mbn: metadata.training });
    await saveModel(built.inference, path.join(runDir, 'inference'), { mbn: metadata.inference });
    writeFileAtomic(path.join(runDir, 'history.json'), JSON.stringify(historyJson(graph.name, backend.kind, history), null, 2) + '\n');
    const rel = path.relative(io.cwd, runDir) || runDir;
    io.stderr.write(`saved ${rel}/training (${built.training.countParams().toLocaleString('en-US')} params) and ${rel}/inference (${built.inference.countParams().toLocaleString('en-US')} params), history in ${rel}/history.json\n`);
    disposeAll(built, compiled.optimizer);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof DataMismatch) {
      for (const p of error.problems) io.stderr.write(`${errStyle.bold(errStyle.red('error'))}: ${p}\n`);
      io.stderr.write('the data does not fit the model; nothing was trained\n');
      return exitCodes.errors;
    }
    if (error instanceof DataError) {
      io.stderr.write(`${errStyle.bold(errStyle.red('error'))}: ${error.message}${error.hint ? `\n  = help: ${error.hint}` : ''}\n`);
      return exitCodes.errors;
    }
    if (error instanceof RunError) {
      io.stderr.write(`${errStyle.bold(errStyle.red('error'))}: ${error.message}\n`);
      return error.status;
    }
    throw error;
  }
}

function disposeAll(built: BuiltModels, optimizer: tf.Optimizer): void {
  disposeModels(built);
  optimizer.dispose();
}

export function historyJson(model: string, backend: string, history: readonly EpochReport[]) {
  return { model, backend, epochs: history };
}

function snapshot(analysis: Analysis): Sources {
  return { entry: analysis.uri, files: Object.fromEntries([...analysis.program.units.values()].map((u) => [u.uri, u.text])) };
}

function freshSetup(args: TrainArgs, io: CliIO): { analysis: Analysis; record: RunRecord; runDir: string } {
  if (!args.file) throw new UsageError('train needs a .mbn file (or --resume RUN_DIR)');
  if (!args.out) throw new UsageError('train needs --out RUN_DIR, the folder for checkpoints and the trained models');
  if (args.data.length === 0 && args.synthetic === undefined) throw new UsageError('train needs --data (files or mnist) or --synthetic N');
  if (args.data.length > 0 && args.synthetic !== undefined) throw new UsageError('give either --data or --synthetic, not both');
  const runDir = path.resolve(io.cwd, args.out);
  if (existsSync(runDir) && readdirSync(runDir).length > 0) {
    if (!args.overwrite) {
      throw new RunError(`${args.out} already holds files; resume that run with \`mbnc train --resume ${args.out}\`, choose another --out, or replace it with --overwrite`);
    }
    if (!existsSync(path.join(runDir, 'run.json'))) {
      throw new RunError(`${args.out} is not an mbn run directory (no run.json); --overwrite only replaces runs, never other folders`);
    }
  }
  const first = analyzeFiles([args.file], io).analyses[0]!;
  const chosen = pickModel(first, args.model);
  const params = parseParams(args.params);
  const analysis = params.size > 0 ? analyze(first.uri, fileHost, { params: new Map([[chosen.name, params]]) }) : first;
  const graph = analysis.models.find((m) => m.name === chosen.name)?.graph;
  const record: RunRecord = {
    version: 1,
    model: chosen.name,
    entry: first.uri,
    params: args.params,
    data: args.data.map((d) => (/^mnist/.test(d) ? d : d.includes('=') ? `${d.split('=')[0]}=${path.resolve(io.cwd, d.slice(d.indexOf('=') + 1))}` : path.resolve(io.cwd, d))),
    synthetic: args.synthetic ?? null,
    seed: args.seed,
    epochs: args.epochs ?? graph?.training.epochs ?? 10,
    batchSize: args.batch ?? graph?.training.batchSize ?? 32,
    createdAt: new Date().toISOString(),
  };
  return { analysis, record, runDir };
}

function resumeSetup(args: TrainArgs, io: CliIO): { analysis: Analysis; record: RunRecord; runDir: string } {
  const runDir = path.resolve(io.cwd, args.resume!);
  const runFile = path.join(runDir, 'run.json');
  if (!existsSync(runFile)) throw new RunError(`${args.resume} is not an mbn run directory (no run.json)`);
  if (!hasCheckpoint(runDir)) throw new RunError(`${args.resume} has no checkpoint yet: no epoch finished; start it again with --out`);
  const saved = JSON.parse(readFileSync(runFile, 'utf8')) as RunRecord;
  const sources = JSON.parse(readFileSync(path.join(runDir, 'sources.json'), 'utf8')) as Sources;
  if (args.data.length > 0 || args.synthetic !== undefined) throw new UsageError('--resume trains on the data the run started with; --data and --synthetic cannot change it');
  const record: RunRecord = { ...saved, epochs: args.epochs ?? saved.epochs, batchSize: args.batch ?? saved.batchSize };
  const params = parseParams(saved.params);
  // The spec as it was when the run started, so that edits since cannot break the weights.
  const host = { readFile: (uri: string) => sources.files[uri] };
  const analysis = analyze(sources.entry, host, params.size > 0 ? { params: new Map([[saved.model, params]]) } : {});
  if (record.epochs !== saved.epochs || record.batchSize !== saved.batchSize) {
    writeFileAtomic(runFile, JSON.stringify(record, null, 2) + '\n');
  }
  return { analysis, record, runDir };
}
