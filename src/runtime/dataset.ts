/**
 * Training and prediction data: arrays read from files (`.npy`, `.npz`,
 * `.csv`), a bundled data set (MNIST) or generated at random, matched to the
 * model's inputs and outputs by name and checked against their shapes
 * before anything runs, the way the checker reports shapes.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../catalogue/shape.js';
import type { Shape } from '../catalogue/types.js';
import { DataError, type NdArray } from '../data/array.js';
import { readArrayFile } from '../data/io.js';
import { loadMnist } from '../data/mnist.js';
import type { DType, Graph, GraphOutput, InputNode } from '../semantics/graph.js';
import type { TrainingData } from './train.js';
import { seededRandom } from '../util/random.js';

/** Where an array came from, for messages. */
export interface NamedArray {
  readonly array: NdArray;
  readonly from: string;
}

/** `--data` arguments: `file.npz`, `name=file.npy`, `dir/`, `mnist`, `mnist:test:1000`. */
export function loadDataArguments(args: readonly string[], cwd: string): Map<string, NamedArray> {
  const arrays = new Map<string, NamedArray>();
  const add = (name: string, array: NdArray, from: string) => {
    const previous = arrays.get(name);
    if (previous) throw new DataError(from, `\`${name}\` is also given by ${previous.from}`, 'give each array once');
    arrays.set(name, { array, from });
  };
  for (const arg of args) {
    const mnist = /^mnist(?::(train|test))?(?::(\d+))?$/.exec(arg);
    if (mnist) {
      const split = (mnist[1] as 'train' | 'test' | undefined) ?? 'train';
      const limit = mnist[2] ? Number(mnist[2]) : undefined;
      const set = loadMnist({ split, ...(limit !== undefined ? { limit } : {}) });
      add('image', set.images, `mnist:${split}`);
      add('label', set.labels, `mnist:${split}`);
      continue;
    }
    const eq = arg.indexOf('=');
    const named = eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.slice(0, eq));
    const file = path.resolve(cwd, named ? arg.slice(eq + 1) : arg);
    let isDir = false;
    try {
      isDir = statSync(file).isDirectory();
    } catch {
      // readArrayFile reports the missing file
    }
    const files = isDir
      ? readdirSync(file).filter((f) => /\.(npy|npz|csv)$/.test(f)).sort().map((f) => path.join(file, f))
      : [file];
    if (isDir && files.length === 0) throw new DataError(arg, 'this folder holds no .npy, .npz or .csv files');
    for (const f of files) {
      const read = readArrayFile(f);
      if (named) {
        if (read.size !== 1) throw new DataError(arg, `\`${arg.slice(0, eq)}=\` needs a file holding one array, this one holds ${read.size}`);
        add(arg.slice(0, eq), [...read.values()][0]!, path.relative(cwd, f) || f);
      } else {
        for (const [name, array] of read) add(name, array, path.relative(cwd, f) || f);
      }
    }
  }
  return arrays;
}

/** All the problems with the data, reported together; thrown by `matchData`. */
export class DataMismatch extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

function shapeFits(expected: Shape, actual: readonly number[]): boolean {
  return expected.length === actual.length - 1 && expected.every((d, i) => d === null || d === actual[i + 1]);
}

function toTensor(array: NdArray, dtype: DType): tf.Tensor {
  const shape = [...array.shape];
  const data = array.data;
  let values: Float32Array | Int32Array;
  if (dtype === 'int32') {
    if (data instanceof Int32Array) values = data;
    else values = Int32Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
  } else if (data instanceof Float32Array) values = data;
  else values = Float32Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
  return tf.tensor(values, shape, dtype);
}

function isIntegral(array: NdArray): boolean {
  if (array.dtype !== 'float32' && array.dtype !== 'float64') return true;
  for (const v of array.data as Float32Array) if (!Number.isInteger(v)) return false;
  return true;
}

/** Class ids `[n]` or `[n, 1]` for an output of width k with a categorical loss become one-hot `[n, k]`. */
function adaptTarget(array: NdArray, output: GraphOutput, shape: Shape): NdArray | undefined {
  const k = shape[shape.length - 1];
  const ids = array.shape.length === 1 || (array.shape.length === 2 && array.shape[1] === 1);
  if (!ids || shape.length !== 1 || k === null || k === undefined || k < 2 || !isIntegral(array)) return undefined;
  if (output.loss !== 'categorical_crossentropy' && output.loss !== 'categorical_hinge' && output.loss !== 'kld') return undefined;
  const n = array.shape[0]!;
  const hot = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = Number(array.data[i]);
    if (c < 0 || c >= k) return undefined;
    hot[i * k + c] = 1;
  }
  return { dtype: 'float32', shape: [n, k], data: hot };
}

function outputShape(output: GraphOutput): Shape {
  const node = output.tensor.node;
  return node.kind === 'input' ? node.shape : node.outputShapes[output.tensor.index]!;
}

/**
 * Matches arrays to the model's inputs (and, when `outputs` is given, its
 * targets) by name, checks shapes, dtypes and sample counts, and returns tensors.
 * A single-input model takes an array named `image` (a data set's) if no array has the input's name;
 * outputs likewise take `label`.
 */
/** Arrays matched to a model's inputs and targets, checked, not yet tensors (no backend needed). */
export interface MatchedData {
  readonly inputs: Readonly<Record<string, { array: NdArray; dtype: DType }>>;
  readonly targets: Readonly<Record<string, { array: NdArray; dtype: DType }>>;
  readonly samples: number;
}

/** The matched arrays as tensors, once a backend is running. */
export function toTensors(matched: MatchedData): TrainingData {
  const convert = (entries: MatchedData['inputs']) => Object.fromEntries(Object.entries(entries).map(([name, { array, dtype }]) => [name, toTensor(array, dtype)]));
  return { inputs: convert(matched.inputs), targets: convert(matched.targets) };
}

export function matchData(
  inputs: readonly InputNode[],
  outputs: readonly GraphOutput[] | undefined,
  arrays: ReadonlyMap<string, NamedArray>,
): MatchedData {
  const problems: string[] = [];
  const counts: { name: string; n: number; from: string }[] = [];
  const tensors: Record<string, { array: NdArray; dtype: DType }> = {};
  const targets: Record<string, { array: NdArray; dtype: DType }> = {};
  const available = () => [...arrays.keys()].join(', ') || 'none';
  for (const input of inputs) {
    const found = arrays.get(input.name) ?? arrays.get('image');
    if (!found) {
      problems.push(`input \`${input.name}\` ${formatShape(input.shape)}: no array named \`${input.name}\` in the data (it has: ${available()})`);
      continue;
    }
    const { array, from } = found;
    if (!shapeFits(input.shape, array.shape)) {
      problems.push(`input \`${input.name}\` expects ${formatShape(input.shape)}, but ${from} holds [${array.shape.join(', ')}]` + hintFor(input.shape, array.shape));
      continue;
    }
    if (input.dtype === 'int32' && !isIntegral(array)) {
      problems.push(`input \`${input.name}\` is int32 (ids), but ${from} holds non-integer values`);
      continue;
    }
    counts.push({ name: input.name, n: array.shape[0]!, from });
    tensors[input.name] = { array, dtype: input.dtype };
  }
  for (const output of outputs ?? []) {
    const found = arrays.get(output.name) ?? arrays.get('label');
    const shape = outputShape(output);
    if (!found) {
      problems.push(`output \`${output.name}\` ${formatShape(shape)}: no target array named \`${output.name}\` in the data (it has: ${available()})`);
      continue;
    }
    const { from } = found;
    let array = found.array;
    const sparse = output.loss === 'sparse_categorical_crossentropy';
    const fits = shapeFits(shape, array.shape) || (sparse && (array.shape.length === 1 || (array.shape.length === 2 && array.shape[1] === 1)));
    if (!fits) {
      const adapted = adaptTarget(array, output, shape);
      if (!adapted) {
        problems.push(`output \`${output.name}\` produces ${formatShape(shape)}, but its target ${from} holds [${array.shape.join(', ')}]` + hintFor(shape, array.shape));
        continue;
      }
      array = adapted;
    }
    counts.push({ name: output.name, n: array.shape[0]!, from });
    targets[output.name] = { array, dtype: sparse ? 'int32' : 'float32' };
  }
  const first = counts[0];
  for (const c of counts) {
    if (first && c.n !== first.n) problems.push(`\`${c.name}\` has ${c.n} samples (${c.from}) but \`${first.name}\` has ${first.n} (${first.from}); every array needs one row per sample`);
  }
  if (problems.length > 0) throw new DataMismatch(problems);
  return { inputs: tensors, targets, samples: first?.n ?? 0 };
}

function hintFor(expected: Shape, actual: readonly number[]): string {
  const want = expected.filter((d): d is number => d !== null).reduce((a, b) => a * b, 1);
  const got = actual.slice(1).reduce((a, b) => a * b, 1);
  if (expected.length === actual.length && expected.every((d) => d !== null)) return `; arrays need a first axis for the samples: [n, ${expected.join(', ')}]`;
  if (want === got && !expected.includes(null)) return `; the values per sample match, so reshape it to [n, ${expected.join(', ')}] (numpy: x.reshape(-1, ${expected.join(', ')}))`;
  return '';
}


/** The vocabulary size of the Embedding layers an int32 input feeds (ids must stay below it). */
function vocabularyOf(graph: Graph, input: InputNode): number {
  let size = Infinity;
  for (const node of graph.nodes) {
    if (node.kind !== 'layer' || node.layer.entry.name !== 'Embedding') continue;
    if (node.inputs.some((i) => i.node === input)) size = Math.min(size, node.layer.args['input_dim'] as number);
  }
  return Number.isFinite(size) ? size : 10;
}

/** Random inputs and targets of the right shapes: for smoke runs (`--synthetic N`). */
export function syntheticData(graph: Graph, samples: number, seed = 1): TrainingData {
  const next = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  const fill = (shape: readonly number[], f: () => number, dtype: DType) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = f();
    return tf.tensor(values, [...shape], dtype);
  };
  const concrete = (shape: Shape) => [samples, ...shape.map((d) => d ?? 8)];
  const inputs: Record<string, tf.Tensor> = {};
  for (const input of graph.inputs) {
    if (input.dtype === 'int32') {
      const vocabulary = vocabularyOf(graph, input);
      inputs[input.name] = fill(concrete(input.shape), () => Math.floor(next() * vocabulary), 'int32');
    } else inputs[input.name] = fill(concrete(input.shape), normal, 'float32');
  }
  const targets: Record<string, tf.Tensor> = {};
  for (const output of graph.outputs) {
    const shape = concrete(outputShape(output));
    const k = shape[shape.length - 1]!;
    switch (output.loss) {
      case 'categorical_crossentropy':
      case 'categorical_hinge':
      case 'kld': {
        const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        const hot = new Float32Array(rows * k);
        for (let r = 0; r < rows; r++) hot[r * k + Math.floor(next() * k)] = 1;
        targets[output.name] = tf.tensor(hot, shape);
        break;
      }
      case 'sparse_categorical_crossentropy':
        targets[output.name] = fill(shape.slice(0, -1), () => Math.floor(next() * k), 'int32');
        break;
      case 'binary_crossentropy':
        targets[output.name] = fill(shape, () => (next() < 0.5 ? 0 : 1), 'float32');
        break;
      case 'hinge':
      case 'squared_hinge':
        targets[output.name] = fill(shape, () => (next() < 0.5 ? -1 : 1), 'float32');
        break;
      case 'poisson':
      case 'msle':
        targets[output.name] = fill(shape, () => next() * 3, 'float32');
        break;
      default:
        targets[output.name] = fill(shape, normal, 'float32');
    }
  }
  return { inputs, targets };
}
