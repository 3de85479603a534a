/** `mbnc evaluate MODEL_DIR --data …`: each output's loss and metrics on labelled data, and the weighted total. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../data/array.js';
import { styleFor } from '../diagnostics/render.js';
import { loadModel, readableDir } from '../runtime/artifacts.js';
import { selectBackend, type BackendKind } from '../runtime/backend.js';
import { DataMismatch, loadDataArguments, matchData, toTensors } from '../runtime/dataset.js';
import { evaluateFigures } from '../runtime/train.js';
import type { GraphOutput, InputNode } from '../semantics/graph.js';
import { exitCodes, UsageError, type CliIO } from './io.js';

interface Metadata {
  readonly model: string;
  readonly inputs: readonly { name: string; shape: (number | null)[]; dtype: 'float32' | 'int32' }[];
  readonly outputs: readonly { name: string; shape: (number | null)[]; loss: string | null; weight: number; metrics?: string[]; aux: boolean }[];
}

export interface EvaluateArgs {
  readonly modelDir: string | undefined;
  readonly data: readonly string[];
  readonly backend: BackendKind;
  readonly batch: number;
  readonly json: boolean;
}

export async function evaluateCommand(args: EvaluateArgs, io: CliIO): Promise<number> {
  const style = styleFor(io.stderr, io.env);
  const fail = (message: string) => {
    io.stderr.write(`${style.bold(style.red('error'))}: ${message}\n`);
    return exitCodes.errors;
  };
  if (!args.modelDir) throw new UsageError('evaluate needs a saved model folder, e.g. RUN_DIR/inference');
  if (args.data.length === 0) throw new UsageError('evaluate needs --data with inputs and targets');
  const dir = path.resolve(io.cwd, args.modelDir);
  const where = readableDir(dir);
  if (!where || !existsSync(path.join(where, 'model.json'))) return fail(`${args.modelDir} holds no model.json`);
  const meta = (JSON.parse(readFileSync(path.join(where, 'model.json'), 'utf8')) as { mbn?: Metadata }).mbn;
  if (!meta) return fail(`${args.modelDir}/model.json was not saved by mbn (no input and output names in it)`);
  if (meta.outputs.some((o) => !o.loss)) return fail(`outputs of \`${meta.model}\` without a loss cannot be evaluated`);
  const placeholder = { uri: '', span: { start: 0, end: 0 } };
  const inputs: InputNode[] = meta.inputs.map((i, id) => ({ kind: 'input', id, name: i.name, shape: i.shape, dtype: i.dtype, origin: placeholder }));
  // Outputs as the data matcher and the evaluator see them: a shape, a loss, a weight, metrics.
  const outputs = meta.outputs.map((o, i) => {
    const node = { kind: 'input' as const, id: 1000 + i, name: o.name, shape: o.shape, dtype: 'float32' as const, origin: placeholder };
    return { name: o.name, tensor: { node, index: 0 }, aux: o.aux, loss: o.loss!, weight: o.weight, metrics: o.metrics ?? [], origin: placeholder } satisfies GraphOutput;
  });
  try {
    const matched = matchData(inputs, outputs, loadDataArguments(args.data, io.cwd));
    await selectBackend(args.backend);
    const data = toTensors(matched);
    const model = await loadModel(dir);
    const x = meta.inputs.map((i) => data.inputs[i.name]!);
    const y = meta.outputs.map((o) => data.targets[o.name]!);
    const figures = evaluateFigures(model, outputs, x, y, args.batch);
    tf.dispose([...x, ...y]);
    model.dispose();
    if (args.json) io.stdout.write(JSON.stringify({ model: meta.model, samples: matched.samples, ...figures }, null, 2) + '\n');
    else {
      io.stdout.write(`\`${meta.model}\` on ${matched.samples} samples: loss ${figures.loss.toFixed(4)}\n`);
      for (const [name, values] of Object.entries(figures.outputs)) {
        io.stdout.write(`  ${name}: ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}\n`);
      }
    }
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof DataMismatch) {
      for (const p of error.problems) io.stderr.write(`${style.bold(style.red('error'))}: ${p}\n`);
      return exitCodes.errors;
    }
    if (error instanceof DataError) return fail(`${error.message}${error.hint ? `\n  = help: ${error.hint}` : ''}`);
    throw error;
  }
}
