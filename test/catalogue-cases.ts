/**
 * Layer catalogue cases shared by catalogue-keras.test.ts (our shape and
 * parameter rules against numbers worked out by hand from Keras's formulas) and
 * catalogue-tfjs.test.ts (the same cases built as real tfjs layers).
 *
 * `bind` is a stand-in for the compiler's argument binder: positional then
 * named arguments, defaults from the entry, `ints`/`padding2d` normalised,
 * nested layers looked up by name.
 */
import { layers } from '../src/catalogue/index.js';
import type { ArgValue, Args, LayerEntry, ParamSpec, ParamType, Shape } from '../src/catalogue/types.js';

/** A nested layer written in a case: `{ layer: 'LSTM', pos: [32] }`. */
export interface RawLayer {
  readonly layer: string;
  readonly pos?: readonly RawArg[];
  readonly args?: Readonly<Record<string, RawArg>>;
}
export type RawArg = number | boolean | string | null | readonly RawArg[] | RawLayer;

export interface Call {
  /** The name as written (an entry name or alias). */
  readonly name: string;
  /** Positional arguments, in Keras's positional order. */
  readonly pos?: readonly RawArg[];
  readonly args?: Readonly<Record<string, RawArg>>;
}

export interface LayerCase extends Call {
  readonly input: Shape;
  readonly dtype?: 'int32';
  readonly output: Shape;
  readonly trainable: number;
  readonly nonTrainable?: number;
  /** The hand computation. */
  readonly why: string;
  /** The parameter `validate` rejects because tfjs cannot run it (the counts still hold). */
  readonly rejected?: string;
  /**
   * tfjs's symbolic (build-time) output shape where it is less precise than
   * Keras's; the shape it computes when run is still checked against `output`.
   */
  readonly tfjsSymbolicOutput?: Shape;
  /** Why tfjs throws when this layer runs in training mode (a tfjs bug the entry guards against). */
  readonly tfjsTrainingThrows?: string;
}

export interface ProblemCase extends Call {
  readonly input: Shape;
  readonly code?: string;
  readonly message: RegExp;
  readonly fixTitle?: RegExp | string;
  readonly insertBefore?: string;
}

export interface InvalidCase extends Call {
  readonly param: string;
  readonly message: RegExp | string;
}

export function lookup(name: string): LayerEntry {
  const entry = layers.get(name);
  if (!entry) throw new Error(`no layer ${name}`);
  return entry;
}

function isRawLayer(value: RawArg | undefined): value is RawLayer {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'layer' in value;
}

function normalise(type: ParamType, value: RawArg): ArgValue {
  if (value === null) return null;
  switch (type.kind) {
    case 'optional':
      return normalise(type.of, value);
    case 'ints':
      return Array.isArray(value) ? (value as number[]) : Array.from({ length: type.length }, () => value as number);
    case 'padding2d': {
      if (typeof value === 'number') return [[value, value], [value, value]];
      return (value as RawArg[]).map((side) => (Array.isArray(side) ? side : [side, side])) as number[][];
    }
    case 'layer': {
      if (!isRawLayer(value)) throw new Error('expected a layer');
      const entry = lookup(value.layer);
      return { kind: 'layer', entry, args: bind(entry, value) };
    }
    default:
      return value as ArgValue;
  }
}

export function bind(entry: LayerEntry, call: Pick<Call, 'pos' | 'args'>): Args {
  const args: Record<string, ArgValue> = {};
  const named = call.args ?? {};
  for (const key of Object.keys(named)) {
    if (!entry.params.some((p: ParamSpec) => p.name === key)) throw new Error(`${entry.name} has no parameter ${key}`);
  }
  if ((call.pos?.length ?? 0) > entry.params.length) throw new Error(`too many arguments for ${entry.name}`);
  entry.params.forEach((p, i) => {
    const raw = named[p.name] !== undefined ? named[p.name] : call.pos?.[i] !== undefined ? call.pos[i] : (p.default as RawArg | undefined);
    if (raw === undefined) throw new Error(`${entry.name}: missing ${p.name}`);
    args[p.name] = normalise(p.type, raw);
  });
  return args;
}

export function bindCall(call: Call): { entry: LayerEntry; args: Args } {
  const entry = lookup(call.name);
  return { entry, args: bind(entry, call) };
}

export function label(call: Call & { input: Shape }): string {
  const show = (v: RawArg): string =>
    isRawLayer(v) ? `${v.layer}(${[...(v.pos ?? []).map(show), ...Object.entries(v.args ?? {}).map(([k, x]) => `${k}: ${show(x)}`)].join(', ')})` : JSON.stringify(v);
  const argText = [...(call.pos ?? []).map(show), ...Object.entries(call.args ?? {}).map(([k, v]) => `${k}: ${show(v)}`)].join(', ');
  return `${call.name}(${argText}) on ${JSON.stringify(call.input)}`;
}

export const layerCases: readonly LayerCase[] = [
  // ---- core ----
  { name: 'Dense', pos: [32], input: [28800], output: [32], trainable: 921632, why: '28800*32 + 32 = 921600 + 32' },
  { name: 'Dense', pos: [1], input: [28832], output: [1], trainable: 28833, why: '28832*1 + 1' },
  { name: 'Dense', pos: [8, 'relu'], input: [10, 16], output: [10, 8], trainable: 136, why: 'applied per step: 16*8 + 8 = 136' },
  { name: 'Dense', pos: [4], args: { use_bias: false }, input: [5], output: [4], trainable: 20, why: '5*4, no bias' },
  { name: 'Activation', pos: ['softmax'], input: [10, 3], output: [10, 3], trainable: 0, why: 'no weights' },
  { name: 'Dropout', pos: [0.5], input: [64], output: [64], trainable: 0, why: 'no weights' },
  { name: 'SpatialDropout1D', pos: [0.2], input: [20, 8], output: [20, 8], trainable: 0, why: 'no weights' },
  { name: 'SpatialDropout2D', pos: [0.2], input: [8, 8, 4], output: [8, 8, 4], trainable: 0, why: 'no weights (an mbn runtime layer in tfjs)' },
  { name: 'GaussianNoise', pos: [0.1], input: [16], output: [16], trainable: 0, why: 'no weights' },
  { name: 'Flatten', input: [30, 30, 32], output: [28800], trainable: 0, why: '30*30*32 = 28800' },
  { name: 'Reshape', pos: [[7, 7, 16]], input: [784], output: [7, 7, 16], trainable: 0, why: '7*7*16 = 784' },
  {
    name: 'Reshape', pos: [[-1, 4]], input: [6, 2], output: [3, 4], trainable: 0, why: '12 values / 4 = 3',
    // tfjs 4.22 leaves -1 unresolved at build time because the batch axis is unknown.
    tfjsSymbolicOutput: [null, 4],
  },
  { name: 'Permute', pos: [[2, 1]], input: [10, 64], output: [64, 10], trainable: 0, why: 'axes 1 and 2 swapped' },
  { name: 'RepeatVector', pos: [3], input: [5], output: [3, 5], trainable: 0, why: '3 copies of the vector' },
  { name: 'Embedding', pos: [1000, 64], input: [10], dtype: 'int32', output: [10, 64], trainable: 64000, why: '1000*64' },

  // ---- convolution ----
  { name: 'Conv2D', pos: [32, 3], args: { activation: 'relu' }, input: [32, 32, 3], output: [30, 30, 32], trainable: 896, why: '3*3*3*32 + 32 = 864 + 32; 32 - 3 + 1 = 30' },
  { name: 'Conv2D', pos: [25, 3], args: { padding: 'same' }, input: [28, 28, 1], output: [28, 28, 25], trainable: 250, why: '3*3*1*25 + 25 = 225 + 25; same keeps 28' },
  { name: 'Conv2D', pos: [16, [3, 5], 2], input: [28, 28, 3], output: [13, 12, 16], trainable: 736, why: '3*5*3*16 + 16 = 720 + 16; h ceil((28-3+1)/2) = 13, w ceil((28-5+1)/2) = 12' },
  { name: 'Conv2D', pos: [8, 3], args: { dilation_rate: 2, use_bias: false }, input: [10, 10, 4], output: [6, 6, 8], trainable: 288, why: '3*3*4*8 = 288; dilated kernel (3-1)*2+1 = 5, 10 - 5 + 1 = 6', rejected: 'dilation_rate' },
  { name: 'Conv1D', pos: [64, 5], input: [100, 16], output: [96, 64], trainable: 5184, why: '5*16*64 + 64 = 5120 + 64; 100 - 5 + 1 = 96' },
  { name: 'Conv1D', pos: [8, 3, 2, 'same'], input: [9, 4], output: [5, 8], trainable: 104, why: '3*4*8 + 8 = 96 + 8; ceil(9/2) = 5' },
  { name: 'Conv1D', pos: [4, 3], args: { padding: 'causal', dilation_rate: 2 }, input: [20, 2], output: [20, 4], trainable: 28, why: '3*2*4 + 4 = 24 + 4; causal keeps 20 steps' },
  { name: 'SeparableConv2D', pos: [32, 3], input: [32, 32, 16], output: [30, 30, 32], trainable: 688, why: 'depthwise 3*3*16*1 = 144 + pointwise 16*1*32 = 512 + bias 32' },
  { name: 'SeparableConv2D', pos: [8, 3], args: { padding: 'same', depth_multiplier: 2 }, input: [16, 16, 3], output: [16, 16, 8], trainable: 110, why: 'depthwise 3*3*3*2 = 54 + pointwise 3*2*8 = 48 + bias 8' },
  { name: 'DepthwiseConv2D', pos: [3], input: [28, 28, 8], output: [26, 26, 8], trainable: 80, why: '3*3*8*1 = 72 + bias 8' },
  { name: 'DepthwiseConv2D', pos: [3, 2, 'same', 2], input: [28, 28, 8], output: [14, 14, 16], trainable: 160, why: '3*3*8*2 = 144 + bias 8*2 = 16; ceil(28/2) = 14' },
  { name: 'Conv2DTranspose', pos: [16, 3, 2], input: [7, 7, 32], output: [15, 15, 16], trainable: 4624, why: '3*3*32*16 + 16 = 4608 + 16; 7*2 + max(3-2, 0) = 15' },
  { name: 'Conv2DTranspose', pos: [8, 4, 2, 'same'], input: [8, 8, 3], output: [16, 16, 8], trainable: 392, why: '4*4*3*8 + 8 = 384 + 8; same: 8*2 = 16' },

  // ---- pooling ----
  { name: 'MaxPool2D', input: [30, 30, 32], output: [15, 15, 32], trainable: 0, why: 'pool 2, stride 2: 30/2 = 15' },
  { name: 'MaxPool2D', pos: [3, 2], input: [7, 7, 4], output: [3, 3, 4], trainable: 0, why: 'ceil((7-3+1)/2) = 3' },
  { name: 'MaxPooling2D', pos: [[2, 2]], args: { padding: 'same' }, input: [5, 5, 3], output: [3, 3, 3], trainable: 0, why: 'same: ceil(5/2) = 3' },
  { name: 'MaxPool1D', input: [10, 4], output: [5, 4], trainable: 0, why: '10/2 = 5' },
  { name: 'MaxPooling1D', pos: [3, 1], input: [10, 4], output: [8, 4], trainable: 0, why: '10 - 3 + 1 = 8' },
  { name: 'AveragePool1D', pos: [4], input: [17, 3], output: [4, 3], trainable: 0, why: 'ceil((17-4+1)/4) = ceil(14/4) = 4' },
  { name: 'AvgPool1D', pos: [3, 2, 'same'], input: [7, 3], output: [4, 3], trainable: 0, why: 'same: ceil(7/2) = 4' },
  { name: 'AveragePool2D', input: [9, 9, 2], output: [4, 4, 2], trainable: 0, why: 'ceil((9-2+1)/2) = 4' },
  { name: 'AveragePooling2D', args: { pool_size: 3, padding: 'same' }, input: [10, 10, 1], output: [4, 4, 1], trainable: 0, why: 'same, stride = pool 3: ceil(10/3) = 4' },
  { name: 'AvgPool2D', pos: [2, [1, 2]], input: [4, 6, 5], output: [3, 3, 5], trainable: 0, why: 'h (4-2+1)/1 = 3, w ceil((6-2+1)/2) = 3' },
  { name: 'GlobalMaxPool1D', input: [20, 16], output: [16], trainable: 0, why: 'max over the 20 steps' },
  { name: 'GlobalMaxPooling1D', input: [null, 8], output: [8], trainable: 0, why: 'any number of steps' },
  { name: 'GlobalMaxPool2D', input: [7, 7, 64], output: [64], trainable: 0, why: 'max over 7x7' },
  { name: 'GlobalMaxPooling2D', input: [null, null, 3], output: [3], trainable: 0, why: 'any image size' },
  { name: 'GlobalAveragePool1D', input: [20, 16], output: [16], trainable: 0, why: 'mean over the 20 steps' },
  { name: 'GlobalAveragePooling1D', input: [5, 2], output: [2], trainable: 0, why: 'mean over the steps' },
  { name: 'GlobalAveragePool2D', input: [7, 7, 512], output: [512], trainable: 0, why: 'mean over 7x7' },
  { name: 'GlobalAveragePooling2D', input: [4, 4, 8], output: [8], trainable: 0, why: 'mean over 4x4' },

  // ---- normalization ----
  { name: 'BatchNormalization', input: [10, 10, 16], output: [10, 10, 16], trainable: 32, nonTrainable: 32, why: 'gamma, beta 2*16 = 32; moving mean, variance 2*16 = 32' },
  { name: 'BatchNormalization', input: [64], output: [64], trainable: 128, nonTrainable: 128, why: '2*64 each' },
  { name: 'BatchNormalization', pos: [1], input: [4, 5, 3], output: [4, 5, 3], trainable: 8, nonTrainable: 8, why: 'axis 1 has 4 features: 2*4 each', rejected: 'axis' },
  {
    name: 'BatchNormalization', args: { scale: false }, input: [6, 16], output: [6, 16], trainable: 16, nonTrainable: 32,
    why: 'beta only 16; moving mean, variance 2*16 = 32', rejected: 'scale',
    tfjsTrainingThrows: 'tfjs-layers 4.22 reads the missing gamma in training',
  },
  { name: 'LayerNormalization', input: [10, 64], output: [10, 64], trainable: 128, why: 'gamma, beta 2*64' },
  { name: 'LayerNormalization', pos: [1], input: [4, 3], output: [4, 3], trainable: 8, why: 'axis 1 has 4 features: 2*4' },
  { name: 'LayerNormalization', args: { scale: false }, input: [8], output: [8], trainable: 8, why: 'beta only: 8', rejected: 'scale' },

  // ---- recurrent ----
  { name: 'LSTM', pos: [32], input: [20, 30], output: [32], trainable: 8064, why: '4*(32*(30+32) + 32) = 4*(1984 + 32) = 4*2016' },
  { name: 'LSTM', pos: [16], args: { return_sequences: true }, input: [null, 8], output: [null, 16], trainable: 1600, why: '4*(16*(8+16) + 16) = 4*400' },
  { name: 'LSTM', pos: [4, 'relu', 'hard_sigmoid'], args: { dropout: 0.2, recurrent_dropout: 0.1, go_backwards: true }, input: [6, 2], output: [4], trainable: 112, why: '4*(4*(2+4) + 4) = 4*28' },
  { name: 'GRU', pos: [32], input: [20, 30], output: [32], trainable: 6048, why: 'reset_after false: 3*(32*(30+32) + 32) = 3*2016' },
  { name: 'GRU', pos: [8], args: { return_sequences: true, go_backwards: true }, input: [5, 4], output: [5, 8], trainable: 312, why: '3*(8*(4+8) + 8) = 3*104' },
  { name: 'SimpleRNN', pos: [16], input: [10, 8], output: [16], trainable: 400, why: '16*(8+16) + 16 = 384 + 16' },
  { name: 'SimpleRNN', pos: [4], args: { use_bias: false, return_sequences: true }, input: [6, 3], output: [6, 4], trainable: 28, why: '4*(3+4), no bias' },
  { name: 'Bidirectional', pos: [{ layer: 'LSTM', pos: [32] }], input: [20, 30], output: [64], trainable: 16128, why: '2*8064; concat: 2*32 = 64 features' },
  {
    name: 'Bidirectional', pos: [{ layer: 'GRU', pos: [8], args: { return_sequences: true } }, 'sum'], input: [5, 4], output: [5, 8], trainable: 624,
    why: '2*312; sum keeps 8 features and the steps',
  },
  { name: 'Bidirectional', args: { layer: { layer: 'SimpleRNN', pos: [4] }, merge_mode: 'ave' }, input: [6, 3], output: [4], trainable: 64, why: '2*(4*(3+4) + 4) = 2*32' },
  { name: 'Bidirectional', pos: [{ layer: 'LSTM', pos: [2] }, 'mul'], input: [null, 3], output: [2], trainable: 96, why: '2*4*(2*(3+2) + 2) = 2*48' },
  { name: 'TimeDistributed', pos: [{ layer: 'Dense', pos: [8] }], input: [10, 16], output: [10, 8], trainable: 136, why: 'Dense(8) on [16]: 16*8 + 8' },
  { name: 'TimeDistributed', pos: [{ layer: 'Conv2D', pos: [4, 3] }], input: [5, 8, 8, 3], output: [5, 6, 6, 4], trainable: 112, why: 'Conv2D(4, 3) on [8, 8, 3]: 3*3*3*4 + 4 = 112' },
  { name: 'TimeDistributed', pos: [{ layer: 'BatchNormalization' }], input: [5, 4, 4, 3], output: [5, 4, 4, 3], trainable: 6, nonTrainable: 6, why: 'BatchNormalization on [4, 4, 3]: 2*3 each' },

  // ---- reshaping ----
  { name: 'ZeroPadding2D', input: [28, 28, 3], output: [30, 30, 3], trainable: 0, why: 'default 1 on every side: 28 + 2' },
  { name: 'ZeroPadding2D', pos: [[[1, 2], [3, 4]]], input: [10, 10, 1], output: [13, 17, 1], trainable: 0, why: '10 + 1 + 2, 10 + 3 + 4' },
  { name: 'ZeroPadding2D', pos: [[2, 1]], input: [5, 5, 2], output: [9, 7, 2], trainable: 0, why: '5 + 2*2, 5 + 2*1' },
  { name: 'UpSampling2D', input: [7, 7, 16], output: [14, 14, 16], trainable: 0, why: 'default 2x2' },
  { name: 'UpSampling2D', pos: [[2, 3]], args: { interpolation: 'bilinear' }, input: [4, 5, 1], output: [8, 15, 1], trainable: 0, why: '4*2, 5*3' },
  { name: 'Cropping2D', pos: [[[2, 2], [4, 4]]], input: [28, 28, 3], output: [24, 20, 3], trainable: 0, why: '28 - 4, 28 - 8' },
  { name: 'Cropping2D', input: [5, 5, 1], output: [5, 5, 1], trainable: 0, why: 'default crops nothing' },
  { name: 'Cropping2D', pos: [[1, 2]], input: [6, 8, 2], output: [4, 4, 2], trainable: 0, why: '6 - 2*1, 8 - 2*2' },
];

export const problemCases: readonly ProblemCase[] = [
  { name: 'Conv2D', pos: [32, 3], input: [784], message: /Conv2D expects an image \[None, height, width, channels\], got \[None, 784\]/, insertBefore: 'Reshape([28, 28, 1])' },
  { name: 'Conv2D', pos: [8, 3], input: [28, 28], message: /expects an image/, insertBefore: 'Reshape([28, 28, 1])' },
  { name: 'Conv2D', pos: [8, 3], input: [500], message: /expects an image/, fixTitle: /Reshape\(\[h, w, c\]\).*500/ },
  { name: 'Conv2D', pos: [8, 3], input: [32, 32, null], message: /needs a known last dimension/ },
  { name: 'Conv2D', pos: [8, 5], input: [3, 3, 1], code: 'MBN303', message: /window 5 on axis 1 of \[None, 3, 3, 1\] leaves -1 positions/ },
  { name: 'Conv1D', pos: [8, 3], input: [28, 28, 1], message: /Conv1D expects a sequence \[None, steps, features\]/, insertBefore: 'Reshape([28, 28])' },
  { name: 'Conv1D', pos: [8, 3], input: [100], message: /expects a sequence/, insertBefore: 'Reshape([100, 1])' },
  { name: 'Conv1D', pos: [8, 11], input: [10, 1], code: 'MBN303', message: /window 11 on axis 1/ },
  { name: 'Conv2DTranspose', pos: [8, 3], input: [64], message: /Conv2DTranspose expects an image/, insertBefore: 'Reshape([8, 8, 1])' },
  { name: 'SeparableConv2D', pos: [8, 3], input: [5, 32, 32, 3], message: /expects an image/, fixTitle: /TimeDistributed/ },
  { name: 'LSTM', pos: [32], input: [64], message: /LSTM expects a sequence \[None, steps, features\], got \[None, 64\]/, fixTitle: 'insert RepeatVector(n) or Reshape([steps, features]) before it' },
  { name: 'GRU', pos: [8], input: [10, 4, 4], message: /expects a sequence/, insertBefore: 'Reshape([10, 16])' },
  { name: 'SimpleRNN', pos: [8], input: [10, null], message: /known last dimension/ },
  { name: 'Bidirectional', pos: [{ layer: 'LSTM', pos: [8] }], input: [64], message: /LSTM expects a sequence/ },
  { name: 'TimeDistributed', pos: [{ layer: 'Dense', pos: [8] }], input: [16], message: /TimeDistributed expects a sequence/ },
  { name: 'TimeDistributed', pos: [{ layer: 'Conv2D', pos: [4, 3] }], input: [5, 64], message: /^in TimeDistributed \(each step is \[None, 64\]\): Conv2D expects an image/ },
  { name: 'MaxPool2D', input: [1, 1, 8], code: 'MBN303', message: /MaxPool2D with window 2 on axis 1 of \[None, 1, 1, 8\] leaves 0 positions/ },
  { name: 'MaxPool1D', input: [16], message: /MaxPool1D expects a sequence/, insertBefore: 'Reshape([16, 1])' },
  { name: 'GlobalAveragePool2D', input: [10, 16], message: /expects an image/, insertBefore: 'Reshape([10, 16, 1])' },
  { name: 'GlobalMaxPool1D', input: [8, 8, 3], message: /expects a sequence/ },
  { name: 'Cropping2D', pos: [15], input: [28, 28, 3], code: 'MBN303', message: /Cropping2D removes 30 of the 28 rows of \[None, 28, 28, 3\], leaving -2/ },
  { name: 'Cropping2D', pos: [[[0, 0], [3, 3]]], input: [10, 6, 1], code: 'MBN303', message: /removes 6 of the 6 columns/ },
  { name: 'ZeroPadding2D', input: [10, 3], message: /ZeroPadding2D expects an image/, insertBefore: 'Reshape([10, 3, 1])' },
  { name: 'UpSampling2D', input: [12], message: /expects an image/ },
  { name: 'BatchNormalization', input: [2, 4, 4, 3], message: /between 1 and 3 axes besides the batch axis/, fixTitle: /TimeDistributed\(BatchNormalization\(\)\)/ },
  { name: 'LayerNormalization', pos: [5], input: [4, 3], code: 'MBN305', message: /axis 5 is outside the axes of \[None, 4, 3\]/ },
  { name: 'LayerNormalization', pos: [0], input: [4, 3], code: 'MBN305', message: /batch axis/ },
  { name: 'LayerNormalization', input: [10, null], message: /needs a known size on axis -1/ },
  { name: 'Dense', pos: [10], input: [30, 30, 32], message: /Dense expects/, insertBefore: 'Flatten()' },
];

export const invalidCases: readonly InvalidCase[] = [
  { name: 'GRU', pos: [8], args: { reset_after: true }, param: 'reset_after', message: "tfjs implements only reset_after: false (Keras's default is true); remove reset_after or set it to false" },
  { name: 'Bidirectional', pos: [{ layer: 'Dense', pos: [4] }], param: 'layer', message: /recurrent layer \(SimpleRNN, LSTM or GRU\), not Dense/ },
  { name: 'Conv2D', pos: [8, 3, 2], args: { dilation_rate: 2 }, param: 'dilation_rate', message: /strides > 1 cannot be combined with dilation_rate > 1/ },
  { name: 'Conv2D', pos: [8, 3], args: { dilation_rate: 2 }, param: 'dilation_rate', message: /no gradient for dilated convolutions/ },
  { name: 'BatchNormalization', pos: [1], param: 'axis', message: /cannot train BatchNormalization over any axis but the last/ },
  { name: 'LayerNormalization', args: { center: false }, param: 'center', message: /cannot train with center: false/ },
  { name: 'Conv1D', pos: [8, 3, 2], args: { dilation_rate: 2 }, param: 'dilation_rate', message: /strides > 1/ },
  { name: 'SeparableConv2D', pos: [8, 3, [1, 2]], args: { dilation_rate: [2, 1] }, param: 'dilation_rate', message: /strides > 1/ },
  { name: 'DepthwiseConv2D', pos: [3], args: { dilation_rate: 2 }, param: 'dilation_rate', message: /tfjs's DepthwiseConv2D ignores dilation_rate/ },
  { name: 'Conv2DTranspose', pos: [8, 3], args: { dilation_rate: 2 }, param: 'dilation_rate', message: /tfjs's Conv2DTranspose ignores dilation_rate/ },
  { name: 'Conv2DTranspose', pos: [8, 3], args: { output_padding: 1 }, param: 'output_padding', message: /no output_padding/ },
  { name: 'BatchNormalization', args: { center: false }, param: 'center', message: /cannot train with center: false/ },
  { name: 'ZeroPadding2D', pos: [-1], param: 'padding', message: />= 0/ },
  { name: 'Cropping2D', pos: [[1, -2]], param: 'cropping', message: />= 0/ },
];
