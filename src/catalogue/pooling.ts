/** Pooling layers: max and average pooling over windows (1D/2D) and over whole axes (global). */
import { builtin, intTuple, padding } from './common.js';
import { expectImage, expectSequence, slidingWindow, str, tuple } from './shape.js';
import { noParams, type Args, type LayerEntry, type ParamSpec, type Shape } from './types.js';

type Mode = 'max' | 'average';

function poolParams(rank: 1 | 2): ParamSpec[] {
  return [
    intTuple('pool_size', rank, rank === 1 ? 2 : [2, 2], rank === 1 ? 'Window length.' : 'Window height and width; one int for both.'),
    {
      name: 'strides',
      type: { kind: 'optional', of: { kind: 'ints', length: rank, min: 1 } },
      default: null,
      doc: 'Step between windows; `None` means `pool_size` (non-overlapping windows).',
      toTfjs: (v) => (v === null ? undefined : tuple(v, rank)),
    },
    padding(),
  ];
}

function pool(mode: Mode, rank: 1 | 2, aliases: string[]): LayerEntry {
  const name = `${mode === 'max' ? 'MaxPool' : 'AveragePool'}${rank}D`;
  const params = poolParams(rank);
  const factory = `${mode === 'max' ? 'maxPooling' : 'averagePooling'}${rank}d`;
  const what = mode === 'max' ? 'maximum' : 'average';
  const doc = rank === 1
    ? `Takes the ${what} of each window of \`pool_size\` steps, moving by \`strides\`.\n\nInput \`[None, steps, features]\`, output \`[None, new_steps, features]\` (steps / pool_size with the defaults).`
    : `Takes the ${what} of each \`pool_size\` window, moving by \`strides\`.\n\nInput \`[None, height, width, channels]\`, output \`[None, new_height, new_width, channels]\` (halved with the defaults).`;
  const window = (args: Args) => tuple(args['pool_size'], rank);
  return {
    kind: 'layer',
    name,
    aliases,
    category: 'pooling',
    doc,
    params,
    outputShape(input, args) {
      const issue = rank === 1 ? expectSequence(name, input) : expectImage(name, input);
      if (issue) return issue;
      const strides = args['strides'] === null || args['strides'] === undefined ? window(args) : tuple(args['strides'], rank);
      const out = slidingWindow(name, input, rank, window(args), strides, str(args, 'padding'));
      if ('problem' in out) return out;
      return { shape: [...out.shape, input[rank]!] };
    },
    paramCount: () => noParams,
    tfjs: (args) => builtin(factory, params, args),
  };
}

function globalPool(mode: Mode, rank: 1 | 2, aliases: string[]): LayerEntry {
  const name = `${mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool'}${rank}D`;
  const factory = `${mode === 'max' ? 'globalMaxPooling' : 'globalAveragePooling'}${rank}d`;
  const what = mode === 'max' ? 'maximum' : 'average';
  const doc = rank === 1
    ? `The ${what} over all steps of each feature: \`[None, steps, features]\` → \`[None, features]\`. Works for a variable number of steps.`
    : `The ${what} over the whole height and width of each channel: \`[None, height, width, channels]\` → \`[None, channels]\`. A light alternative to Flatten before Dense.`;
  return {
    kind: 'layer',
    name,
    aliases,
    category: 'pooling',
    doc,
    params: [],
    outputShape(input: Shape) {
      const issue = rank === 1 ? expectSequence(name, input) : expectImage(name, input);
      return issue ?? { shape: [input[rank]!] };
    },
    paramCount: () => noParams,
    tfjs: () => ({ factory, config: {} }),
  };
}

export const MaxPool1D = pool('max', 1, ['MaxPooling1D']);
export const MaxPool2D = pool('max', 2, ['MaxPooling2D']);
export const AveragePool1D = pool('average', 1, ['AveragePooling1D', 'AvgPool1D']);
export const AveragePool2D = pool('average', 2, ['AveragePooling2D', 'AvgPool2D']);
export const GlobalMaxPool1D = globalPool('max', 1, ['GlobalMaxPooling1D']);
export const GlobalMaxPool2D = globalPool('max', 2, ['GlobalMaxPooling2D']);
export const GlobalAveragePool1D = globalPool('average', 1, ['GlobalAveragePooling1D']);
export const GlobalAveragePool2D = globalPool('average', 2, ['GlobalAveragePooling2D']);

export const poolingLayers: LayerEntry[] = [
  MaxPool1D, MaxPool2D, AveragePool1D, AveragePool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalAveragePool1D, GlobalAveragePool2D,
];
