/**
 * Convolution layers: Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D, Conv2DTranspose.
 * Channels last, as in Keras's default `data_format`.
 *
 * Where tfjs 4.22 differs from Keras the entry follows Keras and says so:
 * - tfjs's Conv1D accepts `padding: causal` when building but throws when it runs,
 *   so a causal Conv1D becomes mbn's own `CausalConv1D` runtime layer (`custom`).
 * - tfjs's DepthwiseConv2D and Conv2DTranspose silently ignore `dilation_rate`,
 *   and Conv2DTranspose has no `output_padding`: those are declared (so a Keras
 *   spelling gets a clear message) but only their defaults are accepted.
 */
import { activation, builtin, initializer, intTuple, kernelAndBias, padding, regularizer, useBias } from './common.js';
import { deconvOutputLength, expectImage, expectSequence, int, knownLast, slidingWindow, str, trainable, tuple } from './shape.js';
import type { Args, LayerEntry, ParamSpec, Shape, ShapeResult } from './types.js';

const filters: ParamSpec = { name: 'filters', type: { kind: 'int', min: 1 }, doc: 'Number of output channels (filters).' };

function kernelSize(rank: number): ParamSpec {
  return intTuple('kernel_size', rank, undefined, rank === 1 ? 'Length of the convolution window.' : 'Height and width of the convolution window; one int for both.');
}

function strides(rank: number): ParamSpec {
  return intTuple('strides', rank, rank === 1 ? 1 : [1, 1], rank === 1 ? 'Step between windows.' : 'Step between windows along height and width; one int for both.');
}

function dilation(rank: number, doc?: string): ParamSpec {
  return intTuple('dilation_rate', rank, rank === 1 ? 1 : [1, 1],
    doc ?? 'Spacing between kernel taps: a kernel of size k covers (k - 1) · d + 1 positions. Cannot be combined with strides > 1.');
}

const depthMultiplier: ParamSpec = {
  name: 'depth_multiplier',
  type: { kind: 'int', min: 1 },
  default: 1,
  doc: 'Depthwise output channels per input channel.',
};

/** Keras (and tfjs) reject a stride and a dilation both above 1. */
function checkStridesAndDilation(args: Args, rank: number): { param: string; message: string } | undefined {
  const s = tuple(args['strides'], rank);
  const d = tuple(args['dilation_rate'], rank);
  if (s.some((v) => v > 1) && d.some((v) => v > 1)) {
    return { param: 'dilation_rate', message: 'strides > 1 cannot be combined with dilation_rate > 1; use one or the other' };
  }
  // mbn's CausalConv1D trains dilated kernels; tfjs's own convolutions have no gradient for them.
  if (d.some((v) => v > 1) && args['padding'] !== 'causal') {
    return { param: 'dilation_rate', message: 'tfjs 4.22 has no gradient for dilated convolutions, so this layer could not be trained; use dilation_rate: 1 (stacking convolutions widens the view too), or padding: causal for a Conv1D' };
  }
  return undefined;
}

/** For layers whose tfjs version ignores `dilation_rate`. */
function onlyUnitDilation(layer: string, args: Args): { param: string; message: string } | undefined {
  if (tuple(args['dilation_rate'], 2).some((v) => v !== 1)) {
    return { param: 'dilation_rate', message: `tfjs's ${layer} ignores dilation_rate (the output would be wrong); remove it` };
  }
  return undefined;
}

/** Rank, known channels, then the sliding window; `channels(inC)` gives the output channels. */
function convShape(layer: string, rank: number, input: Shape, args: Args, channels: (inC: number) => number): ShapeResult {
  const rankIssue = rank === 1 ? expectSequence(layer, input) : expectImage(layer, input);
  if (rankIssue) return rankIssue;
  const unknown = knownLast(layer, input);
  if (unknown) return unknown;
  const window = slidingWindow(layer, input, rank, tuple(args['kernel_size'], rank), tuple(args['strides'], rank), str(args, 'padding'), tuple(args['dilation_rate'], rank));
  if ('problem' in window) return window;
  return { shape: [...window.shape, channels(input[rank] as number)] };
}

function inChannels(input: Shape): number {
  return input[input.length - 1] as number;
}

function conv(name: 'Conv1D' | 'Conv2D', rank: 1 | 2): LayerEntry {
  const paddingModes = rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
  const params: ParamSpec[] = [
    filters,
    kernelSize(rank),
    strides(rank),
    rank === 1
      ? { ...padding(paddingModes), doc: '`valid` (no padding), `same` (output length = input length / stride) or `causal` (left padding only, so step t never sees later steps; for temporal models).' }
      : padding(paddingModes),
    dilation(rank),
    activation(),
    ...kernelAndBias(),
  ];
  const factory = rank === 1 ? 'conv1d' : 'conv2d';
  const doc = rank === 1
    ? 'Temporal convolution: `filters` kernels of length `kernel_size` slide along the steps.\n\nInput `[None, steps, features]`, output `[None, new_steps, filters]`.'
    : 'Spatial convolution: `filters` kernels of `kernel_size` slide over height and width.\n\nInput `[None, height, width, channels]`, output `[None, new_height, new_width, filters]`.';
  return {
    kind: 'layer',
    name,
    category: 'convolution',
    doc,
    params,
    validate: (args) => checkStridesAndDilation(args, rank),
    outputShape: (input, args) => convShape(name, rank, input, args, () => int(args, 'filters')),
    paramCount(input, args) {
      const f = int(args, 'filters');
      const window = tuple(args['kernel_size'], rank).reduce((a, b) => a * b, 1);
      return trainable(window * inChannels(input) * f + (args['use_bias'] ? f : 0));
    },
    tfjs(args) {
      const layer = builtin(factory, params, args);
      // tfjs 4.22 builds a causal Conv1D but throws "CAUSAL padding mode ... not
      // implemented" when it runs; mbn's runtime registers `CausalConv1D` (same
      // config: left-pads (k - 1) · d zeros, then a valid conv1d).
      if (rank === 1 && args['padding'] === 'causal') return { ...layer, factory: 'CausalConv1D', custom: true };
      return layer;
    },
  };
}

export const Conv1D = conv('Conv1D', 1);
export const Conv2D = conv('Conv2D', 2);

const separableParams: ParamSpec[] = [
  filters,
  kernelSize(2),
  strides(2),
  padding(),
  dilation(2),
  depthMultiplier,
  activation(),
  useBias,
  initializer('depthwise_initializer', 'glorot_uniform'),
  initializer('pointwise_initializer', 'glorot_uniform'),
  initializer('bias_initializer', 'zeros'),
  regularizer('depthwise_regularizer'),
  regularizer('pointwise_regularizer'),
  regularizer('bias_regularizer'),
];

export const SeparableConv2D: LayerEntry = {
  kind: 'layer',
  name: 'SeparableConv2D',
  category: 'convolution',
  doc: 'Depthwise separable convolution: a per-channel spatial convolution (`depth_multiplier` maps per channel) followed by a 1×1 convolution mixing channels into `filters`. Far fewer weights than Conv2D.\n\nInput `[None, height, width, channels]`, output `[None, new_height, new_width, filters]`.',
  params: separableParams,
  validate: (args) => checkStridesAndDilation(args, 2),
  outputShape: (input, args) => convShape('SeparableConv2D', 2, input, args, () => int(args, 'filters')),
  paramCount(input, args) {
    const [kh, kw] = tuple(args['kernel_size'], 2) as [number, number];
    const c = inChannels(input);
    const dm = int(args, 'depth_multiplier');
    const f = int(args, 'filters');
    return trainable(kh * kw * c * dm + c * dm * f + (args['use_bias'] ? f : 0));
  },
  tfjs: (args) => builtin('separableConv2d', separableParams, args),
};

const depthwiseParams: ParamSpec[] = [
  kernelSize(2),
  strides(2),
  padding(),
  depthMultiplier,
  { ...dilation(2, 'Must stay 1: tfjs\'s DepthwiseConv2D ignores dilation.'), tfjsKey: false },
  activation(),
  useBias,
  initializer('depthwise_initializer', 'glorot_uniform'),
  initializer('bias_initializer', 'zeros'),
  regularizer('depthwise_regularizer'),
  regularizer('bias_regularizer'),
];

export const DepthwiseConv2D: LayerEntry = {
  kind: 'layer',
  name: 'DepthwiseConv2D',
  category: 'convolution',
  doc: 'Convolves each input channel separately with `depth_multiplier` kernels; channels are not mixed.\n\nInput `[None, height, width, channels]`, output `[None, new_height, new_width, channels · depth_multiplier]`.',
  params: depthwiseParams,
  validate: (args) => onlyUnitDilation('DepthwiseConv2D', args),
  outputShape: (input, args) => convShape('DepthwiseConv2D', 2, input, args, (c) => c * int(args, 'depth_multiplier')),
  paramCount(input, args) {
    const [kh, kw] = tuple(args['kernel_size'], 2) as [number, number];
    const out = inChannels(input) * int(args, 'depth_multiplier');
    return trainable(kh * kw * out + (args['use_bias'] ? out : 0));
  },
  tfjs: (args) => builtin('depthwiseConv2d', depthwiseParams, args),
};

const transposeParams: ParamSpec[] = [
  filters,
  kernelSize(2),
  strides(2),
  padding(),
  {
    name: 'output_padding',
    type: { kind: 'optional', of: { kind: 'ints', length: 2, min: 0 } },
    default: null,
    doc: 'Must stay `None`: tfjs\'s Conv2DTranspose has no output padding (pad or crop the result with ZeroPadding2D/Cropping2D).',
    tfjsKey: false,
  },
  { ...dilation(2, 'Must stay 1: tfjs\'s Conv2DTranspose ignores dilation.'), tfjsKey: false },
  activation(),
  ...kernelAndBias(),
];

export const Conv2DTranspose: LayerEntry = {
  kind: 'layer',
  name: 'Conv2DTranspose',
  category: 'convolution',
  doc: 'Transposed ("de-") convolution: upsamples by `strides` with learned kernels, the usual decoder step.\n\nInput `[None, height, width, channels]`, output `[None, height · s + max(k - s, 0), …, filters]` with `padding: valid`, `[None, height · s, width · s, filters]` with `same`.',
  params: transposeParams,
  validate(args) {
    if (args['output_padding'] !== null && args['output_padding'] !== undefined) {
      return { param: 'output_padding', message: 'tfjs\'s Conv2DTranspose has no output_padding; remove it and adjust the size with ZeroPadding2D or Cropping2D' };
    }
    return onlyUnitDilation('Conv2DTranspose', args);
  },
  outputShape(input, args) {
    const issue = expectImage('Conv2DTranspose', input) ?? knownLast('Conv2DTranspose', input);
    if (issue) return issue;
    const k = tuple(args['kernel_size'], 2);
    const s = tuple(args['strides'], 2);
    const p = str(args, 'padding');
    return {
      shape: [deconvOutputLength(input[0]!, k[0]!, p, s[0]!), deconvOutputLength(input[1]!, k[1]!, p, s[1]!), int(args, 'filters')],
    };
  },
  paramCount(input, args) {
    const [kh, kw] = tuple(args['kernel_size'], 2) as [number, number];
    const f = int(args, 'filters');
    return trainable(kh * kw * f * inChannels(input) + (args['use_bias'] ? f : 0));
  },
  // Each input pixel scatters through the whole kernel (the output is larger than the input).
  flops: (inputs, _outputs, _args, params) => 2 * params.trainable * (inputs[0]![0] ?? 1) * (inputs[0]![1] ?? 1),
  tfjs: (args) => builtin('conv2dTranspose', transposeParams, args),
};

export const convolutionLayers: LayerEntry[] = [Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D, Conv2DTranspose];
