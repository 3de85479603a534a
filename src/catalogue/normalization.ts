/**
 * Normalization layers: BatchNormalization, LayerNormalization.
 *
 * tfjs 4.22 limits both to inputs of at most 3 axes besides the batch axis
 * (its batchNorm kernels stop at rank 4) — the shape rule reports larger ones —
 * and its BatchNormalization crashes in training when `center` or `scale` is
 * false, which `validate` rejects.
 */
import { builtin, initializer, regularizer } from './common.js';
import { formatShape, rankProblem } from './shape.js';
import type { Args, LayerEntry, ParamCount, ParamSpec, Shape, ShapeProblem } from './types.js';

const axisParam = (doc: string): ParamSpec => ({ name: 'axis', type: { kind: 'int' }, default: -1, doc });
const epsilon: ParamSpec = { name: 'epsilon', type: { kind: 'float', min: 0 }, default: 0.001, doc: 'Small value added to the variance to avoid dividing by zero.' };
const center: ParamSpec = { name: 'center', type: { kind: 'bool' }, default: true, doc: 'Whether to learn an offset `beta` added after normalising.' };
const scale: ParamSpec = { name: 'scale', type: { kind: 'bool' }, default: true, doc: 'Whether to learn a factor `gamma` multiplied after normalising.' };

/** The size of the normalised axis, or what is wrong with it. Keras counts the batch axis as 0. */
function featureAxis(layer: string, input: Shape, args: Args): { size: number } | { problem: ShapeProblem } {
  if (input.length === 0 || input.length > 3) {
    return rankProblem(layer, 'between 1 and 3 axes besides the batch axis (a tfjs limit)', input,
      input.length > 3 ? { title: `wrap it so each step is normalised on its own: TimeDistributed(${layer}())` } : undefined);
  }
  const axis = args['axis'] as number;
  const index = axis < 0 ? input.length + axis : axis - 1;
  if (axis === 0 || index < 0 || index >= input.length) {
    return {
      problem: {
        code: 'MBN305',
        message: `${layer} axis ${axis} is outside the axes of ${formatShape(input)}${axis === 0 ? ' (axis 0 is the batch axis)' : ''}`,
        fix: { title: 'use axis: -1 (the channels/features axis)' },
      },
    };
  }
  const size = input[index];
  if (size === null || size === undefined) {
    return { problem: { message: `${layer} needs a known size on axis ${axis} of ${formatShape(input)}`, notes: ['its weights are sized by that axis'] } };
  }
  return { size };
}

/** `gamma` and `beta`, one of each per feature, unless switched off. */
function affine(args: Args, size: number): number {
  return ((args['center'] ? 1 : 0) + (args['scale'] ? 1 : 0)) * size;
}

const batchParams: ParamSpec[] = [
  axisParam('The features axis to normalise per feature (batch axis = 0, `-1` is the last, i.e. the channels).'),
  { name: 'momentum', type: { kind: 'float', min: 0, max: 1 }, default: 0.99, doc: 'Momentum of the moving mean and variance used at inference.' },
  epsilon,
  center,
  scale,
  initializer('beta_initializer', 'zeros'),
  initializer('gamma_initializer', 'ones'),
  initializer('moving_mean_initializer', 'zeros'),
  initializer('moving_variance_initializer', 'ones'),
  regularizer('beta_regularizer'),
  regularizer('gamma_regularizer'),
];

/** tfjs-layers 4.22 crashes computing gradients of a normalisation layer without gamma or beta. */
function trainableAffine(layer: string, args: Args): { param: string; message: string } | undefined {
  for (const name of ['center', 'scale']) {
    if (args[name] === false) return { param: name, message: `tfjs's ${layer} cannot train with ${name}: false (tfjs-layers 4.22 bug); remove ${name}` };
  }
  return undefined;
}

export const BatchNormalization: LayerEntry = {
  kind: 'layer',
  name: 'BatchNormalization',
  category: 'normalization',
  doc: 'Normalises each feature (channel) with the batch mean and variance while training and with moving averages at inference, then scales by `gamma` and shifts by `beta`. The shape is unchanged.\n\nWeights: 2 trainable (`gamma`, `beta`) and 2 non-trainable (moving mean and variance) per feature.',
  params: batchParams,
  validate(args) {
    const affineProblem = trainableAffine('BatchNormalization', args);
    if (affineProblem) return affineProblem;
    if (args['axis'] !== -1) {
      return { param: 'axis', message: "tfjs 4.22 cannot train BatchNormalization over any axis but the last (its gradient fails); keep axis: -1, and Permute the features last if they are elsewhere" };
    }
    return undefined;
  },
  outputShape(input, args) {
    const axis = featureAxis('BatchNormalization', input, args);
    return 'problem' in axis ? axis : { shape: input };
  },
  paramCount(input, args): ParamCount {
    const axis = featureAxis('BatchNormalization', input, args);
    const size = 'size' in axis ? axis.size : 0;
    return { trainable: affine(args, size), nonTrainable: 2 * size };
  },
  tfjs: (args) => builtin('batchNormalization', batchParams, args),
};

const layerParams: ParamSpec[] = [
  axisParam('The axis normalised over, for each sample and position (batch axis = 0, `-1` is the last).'),
  epsilon,
  center,
  scale,
  initializer('beta_initializer', 'zeros'),
  initializer('gamma_initializer', 'ones'),
  regularizer('beta_regularizer'),
  regularizer('gamma_regularizer'),
];

export const LayerNormalization: LayerEntry = {
  kind: 'layer',
  name: 'LayerNormalization',
  category: 'normalization',
  doc: 'Normalises each sample over `axis` (by default its features at each position), independent of the batch, then scales by `gamma` and shifts by `beta`. The shape is unchanged.\n\nWeights: 2 trainable per feature.',
  params: layerParams,
  validate: (args) => trainableAffine('LayerNormalization', args),
  outputShape(input, args) {
    const axis = featureAxis('LayerNormalization', input, args);
    return 'problem' in axis ? axis : { shape: input };
  },
  paramCount(input, args): ParamCount {
    const axis = featureAxis('LayerNormalization', input, args);
    return { trainable: affine(args, 'size' in axis ? axis.size : 0), nonTrainable: 0 };
  },
  tfjs: (args) => builtin('layerNormalization', layerParams, args),
};

export const normalizationLayers: LayerEntry[] = [BatchNormalization, LayerNormalization];
