/** Core layers: Dense, Activation, Dropout and noise, Flatten, Reshape, Permute, RepeatVector, Embedding. */
import { activation, builtin, kernelAndBias, initializer, regularizer } from './common.js';
import { formatShape, int, ints, knownLast, product, rankProblem, trainable } from './shape.js';
import { noParams, type LayerEntry, type ParamSpec, type Shape } from './types.js';

const denseParams: ParamSpec[] = [
  { name: 'units', type: { kind: 'int', min: 1 }, doc: 'Number of output features.' },
  activation(),
  ...kernelAndBias(),
];

export const Dense: LayerEntry = {
  kind: 'layer',
  name: 'Dense',
  category: 'core',
  doc: 'Fully connected layer: `activation(x · kernel + bias)` over the last axis.\n\nInput `[None, features]` (or a sequence `[None, steps, features]`), output `[None, units]`.',
  params: denseParams,
  outputShape(input, args) {
    if (input.length === 0 || input.length > 2) {
      return rankProblem('Dense', 'a vector [None, features] or a sequence [None, steps, features]', input, input.length > 2
        ? { title: 'insert Flatten() before Dense (or GlobalAveragePooling2D() to keep fewer weights)', insertBefore: 'Flatten()' }
        : undefined);
    }
    return knownLast('Dense', input) ?? { shape: [...input.slice(0, -1), int(args, 'units')] };
  },
  paramCount(input, args) {
    const units = int(args, 'units');
    return trainable(input[input.length - 1]! * units + (args['use_bias'] ? units : 0));
  },
  tfjs: (args) => builtin('dense', denseParams, args),
};

const activationParams: ParamSpec[] = [
  { ...activation(), default: undefined, doc: 'The activation function, e.g. `relu` or `softmax`.' },
];

export const Activation: LayerEntry = {
  kind: 'layer',
  name: 'Activation',
  category: 'core',
  doc: 'Applies an activation function element-wise. The shape is unchanged.',
  params: activationParams,
  outputShape: (input) => ({ shape: input }),
  paramCount: () => noParams,
  tfjs: (args) => builtin('activation', activationParams, args),
};

const dropoutParams: ParamSpec[] = [
  { name: 'rate', type: { kind: 'float', min: 0, max: 1, maxExclusive: true }, doc: 'Fraction of the inputs to drop, in [0, 1).' },
  { name: 'seed', type: { kind: 'optional', of: { kind: 'int', min: 0 } }, default: null, doc: 'Random seed.' },
];

export const Dropout: LayerEntry = {
  kind: 'layer',
  name: 'Dropout',
  category: 'regularization',
  doc: 'Sets a random fraction `rate` of its inputs to 0 during training (scaling the rest by 1/(1-rate)). Identity at inference: the inference model leaves it out.',
  params: dropoutParams,
  trainingOnly: true,
  outputShape: (input) => ({ shape: input }),
  paramCount: () => noParams,
  tfjs: (args) => builtin('dropout', dropoutParams, args),
};

function spatialDropout(name: string, rank: number, factory: string): LayerEntry {
  const params = dropoutParams;
  const expected = rank === 2 ? 'a sequence [None, steps, channels]' : 'an image [None, height, width, channels]';
  return {
    kind: 'layer',
    name,
    category: 'regularization',
    doc: `Drops whole feature maps (channels) instead of single elements during training. Input ${expected}. Identity at inference.`,
    params,
    trainingOnly: true,
    outputShape: (input) => (input.length === rank ? { shape: input } : rankProblem(name, expected, input)),
    paramCount: () => noParams,
    tfjs: (args) => builtin(factory, params, args),
  };
}

export const SpatialDropout1D = spatialDropout('SpatialDropout1D', 2, 'spatialDropout1d');
/** tfjs 4.22 has no SpatialDropout2D; mbn provides it as a registered runtime layer. */
export const SpatialDropout2D: LayerEntry = {
  ...spatialDropout('SpatialDropout2D', 3, 'SpatialDropout2D'),
  tfjs: (args) => ({ factory: 'SpatialDropout2D', config: { rate: args['rate'], seed: args['seed'] ?? undefined }, custom: true }),
};

const noiseParams: ParamSpec[] = [{ name: 'stddev', type: { kind: 'float', min: 0 }, doc: 'Standard deviation of the added noise.' }];

export const GaussianNoise: LayerEntry = {
  kind: 'layer',
  name: 'GaussianNoise',
  category: 'regularization',
  doc: 'Adds zero-centred Gaussian noise during training (a regulariser). Identity at inference.',
  params: noiseParams,
  trainingOnly: true,
  outputShape: (input) => ({ shape: input }),
  paramCount: () => noParams,
  tfjs: (args) => builtin('gaussianNoise', noiseParams, args),
};

export const Flatten: LayerEntry = {
  kind: 'layer',
  name: 'Flatten',
  category: 'reshaping',
  doc: 'Flattens everything but the batch axis: `[None, 30, 30, 32]` → `[None, 28800]`.',
  params: [],
  outputShape(input) {
    if (input.some((d) => d === null)) {
      return rankProblem('Flatten', 'fully known dimensions', input, { title: 'use GlobalAveragePooling1D()/GlobalMaxPooling1D() over a variable-length axis' });
    }
    return { shape: [product(input as number[])] };
  },
  paramCount: () => noParams,
  tfjs: () => ({ factory: 'flatten', config: {} }),
};

const reshapeParams: ParamSpec[] = [
  { name: 'target_shape', type: { kind: 'intList', min: 1, allowMinusOne: true }, doc: 'The new shape without the batch axis; one entry may be -1 (inferred).' },
];

export const Reshape: LayerEntry = {
  kind: 'layer',
  name: 'Reshape',
  category: 'reshaping',
  doc: 'Reshapes to `target_shape` (batch axis excluded). One dimension may be `-1` and is inferred. The element count must not change.',
  params: reshapeParams,
  validate(args) {
    const target = ints(args['target_shape']);
    if (target.filter((d) => d === -1).length > 1) return { param: 'target_shape', message: 'only one dimension of target_shape may be -1' };
    return undefined;
  },
  outputShape(input, args) {
    const target = ints(args['target_shape']);
    if (input.some((d) => d === null)) return { shape: target.map((d) => (d === -1 ? null : d)) };
    const total = product(input as number[]);
    const known = product(target.filter((d) => d !== -1));
    const wildcard = target.indexOf(-1);
    if (wildcard >= 0) {
      if (total % known !== 0) {
        return { problem: { code: 'MBN304', message: `cannot reshape ${formatShape(input)} (${total} values) to ${formatShape(target)}: ${total} is not a multiple of ${known}` } };
      }
      return { shape: target.map((d) => (d === -1 ? total / known : d)) };
    }
    if (known !== total) {
      return {
        problem: {
          code: 'MBN304',
          message: `cannot reshape ${formatShape(input)} (${total} values) to ${formatShape(target)} (${known} values)`,
          fix: { title: 'use -1 for the dimension to infer, e.g. Reshape([-1, ' + target[target.length - 1] + '])' },
        },
      };
    }
    return { shape: target };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'reshape', config: { targetShape: ints(args['target_shape']) } }),
};

const permuteParams: ParamSpec[] = [
  { name: 'dims', type: { kind: 'intList', min: 1 }, doc: 'A permutation of the non-batch axes, counted from 1 as in Keras: `[2, 1]` swaps two axes.' },
];

export const Permute: LayerEntry = {
  kind: 'layer',
  name: 'Permute',
  category: 'reshaping',
  doc: 'Permutes the non-batch axes; `dims` counts from 1 (Keras convention). `Permute([2, 1])` turns `[None, 10, 64]` into `[None, 64, 10]`.',
  params: permuteParams,
  outputShape(input, args) {
    const dims = ints(args['dims']);
    const sorted = [...dims].sort((a, b) => a - b);
    if (dims.length !== input.length || sorted.some((d, i) => d !== i + 1)) {
      return {
        problem: {
          message: `Permute dims ${formatShape(dims, false)} must be a permutation of 1..${input.length} for input ${formatShape(input)}`,
        },
      };
    }
    return { shape: dims.map((d) => input[d - 1]!) };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'permute', config: { dims: ints(args['dims']) } }),
};

const repeatParams: ParamSpec[] = [{ name: 'n', type: { kind: 'int', min: 1 }, doc: 'How many times to repeat the vector.' }];

export const RepeatVector: LayerEntry = {
  kind: 'layer',
  name: 'RepeatVector',
  category: 'reshaping',
  doc: 'Repeats a vector `n` times: `[None, features]` → `[None, n, features]`.',
  params: repeatParams,
  outputShape: (input, args) =>
    input.length === 1 ? { shape: [int(args, 'n'), input[0]!] } : rankProblem('RepeatVector', 'a vector [None, features]', input),
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'repeatVector', config: { n: int(args, 'n') } }),
};

const embeddingParams: ParamSpec[] = [
  { name: 'input_dim', type: { kind: 'int', min: 1 }, doc: 'Vocabulary size: ids go from 0 to input_dim - 1.' },
  { name: 'output_dim', type: { kind: 'int', min: 1 }, doc: 'Size of each embedding vector.' },
  initializer('embeddings_initializer', 'random_uniform'),
  regularizer('embeddings_regularizer'),
  { name: 'mask_zero', type: { kind: 'bool' }, default: false, doc: 'Treat id 0 as padding to be masked.' },
];

export const Embedding: LayerEntry = {
  kind: 'layer',
  name: 'Embedding',
  category: 'core',
  doc: 'Turns integer ids into dense vectors: `[None, steps]` → `[None, steps, output_dim]`. Its input should be declared `int32`.',
  params: embeddingParams,
  inputDtype: 'int32',
  outputShape: (input, args) =>
    input.length >= 1 ? { shape: [...input, int(args, 'output_dim')] } : rankProblem('Embedding', 'a sequence of ids [None, steps]', input),
  paramCount: (_input: Shape, args) => trainable(int(args, 'input_dim') * int(args, 'output_dim')),
  // A table lookup: it copies one row per id and multiplies nothing.
  flops: () => 0,
  tfjs: (args) => builtin('embedding', embeddingParams, args),
};

export const coreLayers: LayerEntry[] = [
  Dense, Activation, Dropout, SpatialDropout1D, SpatialDropout2D, GaussianNoise, Flatten, Reshape, Permute, RepeatVector, Embedding,
];
