/** `mbnc predict RUN_DIR/inference --data … [--out FILE]`: predictions as .npy, .npz, .csv or JSON. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError, type NdArray } from '../data/array.js';
import { writeCsv } from '../data/csv.js';
import { writeNpy } from '../data/npy.js';
import { writeNpz } from '../data/npz.js';
import { styleFor } from '../diagnostics/render.js';
import { loadModel, readableDir, writeFileAtomic } from '../runtime/artifacts.js';
import { selectBackend, type BackendKind } from '../runtime/backend.js';
import { DataMismatch, loadDataArguments, matchData, toTensors } from '../runtime/dataset.js';
import type { InputNode } from '../semantics/graph.js';
import { exitCodes, UsageError, type CliIO } from './io.js';

interface ModelMetadata {
  readonly model: string;
  readonly inputs: readonly { name: string; shape: (number | null)[]; dtype: 'float32' | 'int32' }[];
  readonly outputs: readonly { name: string; shape: (number | null)[] }[];
}

export interface PredictArgs {
  readonly modelDir: string | undefined;
  readonly data: readonly string[];
  readonly out: string | undefined;
  readonly backend: BackendKind;
  readonly batch: number;
}

export async function predictCommand(args: PredictArgs, io: CliIO): Promise<number> {
  const style = styleFor(io.stderr, io.env);
  if (!args.modelDir) throw new UsageError('predict needs a saved model folder, e.g. RUN_DIR/inference');
  if (args.data.length === 0) throw new UsageError('predict needs --data with the inputs');
  const dir = path.resolve(io.cwd, args.modelDir);
  const where = readableDir(dir);
  if (!where || !existsSync(path.join(where, 'model.json'))) {
    const hint = existsSync(path.join(dir, 'inference', 'model.json')) ? `; did you mean ${path.join(args.modelDir, 'inference')}?` : '';
    io.stderr.write(`${style.bold(style.red('error'))}: ${args.modelDir} holds no model.json${hint}\n`);
    return exitCodes.errors;
  }
  const format = args.out ? path.extname(args.out).toLowerCase() : '.json';
  if (!['.npy', '.npz', '.csv', '.json'].includes(format)) throw new UsageError(`--out must end in .npy, .npz, .csv or .json, got "${args.out}"`);
  const json = JSON.parse(readFileSync(path.join(where, 'model.json'), 'utf8')) as { mbn?: ModelMetadata };
  const meta = json.mbn;
  if (!meta) {
    io.stderr.write(`${style.bold(style.red('error'))}: ${args.modelDir}/model.json was not saved by mbn (no input and output names in it)\n`);
    return exitCodes.errors;
  }
  try {
    const arrays = loadDataArguments(args.data, io.cwd);
    const inputs: InputNode[] = meta.inputs.map((i, id) => ({ kind: 'input', id, name: i.name, shape: i.shape, dtype: i.dtype, origin: { uri: '', span: { start: 0, end: 0 } } }));
    const matched = matchData(inputs, undefined, arrays);
    const samples = matched.samples;
    await selectBackend(args.backend);
    const data = toTensors(matched);
    const model = await loadModel(dir);
    const x = meta.inputs.map((i) => data.inputs[i.name]!);
    // Pass the batch size: tfjs's predict splits into batches of 32 otherwise, 1-3x slower.
    const result = model.predict(x.length === 1 ? x[0]! : x, { batchSize: args.batch });
    const tensors = Array.isArray(result) ? result : [result];
    const outputs = new Map<string, NdArray>();
    tensors.forEach((t, i) => outputs.set(meta.outputs[i]!.name, { dtype: 'float32', shape: t.shape, data: t.dataSync() as Float32Array }));
    tf.dispose([...tensors, ...x]);
    model.dispose();
    const written = writePredictions(outputs, format, args.out ? path.resolve(io.cwd, args.out) : undefined, io);
    io.stderr.write(`predicted ${samples} sample${samples === 1 ? '' : 's'} with \`${meta.model}\`${written ? `; wrote ${args.out}` : ''}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof DataMismatch) {
      for (const p of error.problems) io.stderr.write(`${style.bold(style.red('error'))}: ${p}\n`);
      return exitCodes.errors;
    }
    if (error instanceof DataError) {
      io.stderr.write(`${style.bold(style.red('error'))}: ${error.message}${error.hint ? `\n  = help: ${error.hint}` : ''}\n`);
      return exitCodes.errors;
    }
    throw error;
  }
}

function writePredictions(outputs: Map<string, NdArray>, format: string, file: string | undefined, io: CliIO): boolean {
  const single = outputs.size === 1 ? [...outputs.values()][0]! : undefined;
  if (!file) {
    io.stdout.write(JSON.stringify(toJson(outputs)) + '\n');
    return false;
  }
  switch (format) {
    case '.npy':
      if (!single) throw new UsageError(`the model has ${outputs.size} outputs (${[...outputs.keys()].join(', ')}); write them to a .npz or .json file`);
      writeFileAtomic(file, writeNpy(single));
      break;
    case '.npz':
      writeFileAtomic(file, writeNpz(outputs));
      break;
    case '.csv': {
      // One row per sample; several outputs side by side, columns named output[i].
      const n = [...outputs.values()][0]!.shape[0]!;
      const columns: string[] = [];
      const parts: { array: NdArray; width: number }[] = [];
      for (const [name, array] of outputs) {
        const width = array.shape.slice(1).reduce((a, b) => a * b, 1);
        for (let i = 0; i < width; i++) columns.push(width === 1 ? name : `${name}[${i}]`);
        parts.push({ array, width });
      }
      const total = columns.length;
      const data = new Float32Array(n * total);
      let offset = 0;
      for (const { array, width } of parts) {
        for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) data[r * total + offset + c] = array.data[r * width + c] as number;
        offset += width;
      }
      writeFileAtomic(file, writeCsv({ dtype: 'float32', shape: [n, total], data }, columns));
      break;
    }
    default:
      writeFileAtomic(file, JSON.stringify(toJson(outputs)) + '\n');
  }
  return true;
}

function nest(data: ArrayLike<number>, shape: readonly number[], offset = 0): unknown {
  if (shape.length === 0) return data[offset];
  const [n, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n! }, (_, i) => nest(data, rest, offset + i * stride));
}

function toJson(outputs: Map<string, NdArray>): Record<string, unknown> {
  return Object.fromEntries([...outputs].map(([name, array]) => [name, nest(array.data as Float32Array, array.shape)]));
}
