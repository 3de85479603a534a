/**
 * Recurrent layers (SimpleRNN, LSTM, GRU) and the wrappers Bidirectional and
 * TimeDistributed.
 *
 * Defaults are Keras's, not tfjs's: tfjs defaults `recurrent_activation` to
 * hard_sigmoid, the kernel initializer to glorot_normal and `unit_forget_bias`
 * to false, so every bound value is passed explicitly. tfjs's GRU implements
 * only `reset_after: false` (Keras's default is true).
 *
 * The wrappers' tfjs configs carry the wrapped layer as its own descriptor,
 * `layer: { factory, config }` (a `TfjsLayer`), because the catalogue does not
 * import tfjs: whoever builds the tfjs model constructs that inner layer first
 * (`tf.layers[factory](config)`) and passes the instance as `layer`.
 */
import { activation, builtin, initializer, regularizer, useBias } from './common.js';
import { expectSequence, formatShape, int, knownLast, rankProblem, trainable } from './shape.js';
import type { Args, LayerEntry, NestedLayer, ParamCount, ParamSpec, Shape, ShapeResult } from './types.js';

const units: ParamSpec = { name: 'units', type: { kind: 'int', min: 1 }, doc: 'Size of the state and of the output at each step.' };

const rate = (name: string, what: string): ParamSpec => ({
  name,
  type: { kind: 'float', min: 0, max: 1, maxExclusive: true },
  default: 0,
  doc: `Fraction of the ${what} dropped during training, in [0, 1).`,
});

const sequenceFlags: ParamSpec[] = [
  rate('dropout', 'inputs'),
  rate('recurrent_dropout', 'recurrent state'),
  { name: 'return_sequences', type: { kind: 'bool' }, default: false, doc: 'Return the output of every step `[None, steps, units]` instead of only the last `[None, units]`. Needed to stack recurrent layers.' },
  { name: 'go_backwards', type: { kind: 'bool' }, default: false, doc: 'Process the sequence from the last step to the first.' },
];

function weights(unitForgetBias: boolean): ParamSpec[] {
  return [
    useBias,
    initializer('kernel_initializer', 'glorot_uniform'),
    initializer('recurrent_initializer', 'orthogonal'),
    initializer('bias_initializer', 'zeros'),
    ...(unitForgetBias
      ? [{ name: 'unit_forget_bias', type: { kind: 'bool' }, default: true, doc: 'Start the forget-gate bias at 1 (helps learn long dependencies).' } satisfies ParamSpec]
      : []),
    regularizer('kernel_regularizer'),
    regularizer('recurrent_regularizer'),
    regularizer('bias_regularizer'),
  ];
}

const recurrentActivation = activation('sigmoid', 'recurrent_activation', 'Activation of the gates (Keras\'s default `sigmoid`; tfjs\'s own default would be hard_sigmoid).');

function rnnShape(layer: string, input: Shape, args: Args): ShapeResult {
  const issue = expectSequence(layer, input, true) ?? knownLast(layer, input);
  if (issue) return issue;
  const u = int(args, 'units');
  return { shape: args['return_sequences'] ? [input[0]!, u] : [u] };
}

/** `gates` blocks of (input kernel + recurrent kernel + bias). */
/** Every step multiplies the input and the state by all the weights: 2 FLOPs per weight per step. */
const recurrentFlops = (inputs: readonly Shape[], _outputs: readonly Shape[], _args: Args, params: ParamCount) =>
  2 * (params.trainable + params.nonTrainable) * (inputs[0]![0] ?? 1);

function gated(gates: number, input: Shape, args: Args) {
  const u = int(args, 'units');
  const features = input[input.length - 1] as number;
  return trainable(gates * (u * (features + u) + (args['use_bias'] ? u : 0)));
}

const simpleParams: ParamSpec[] = [units, activation('tanh'), ...weights(false), ...sequenceFlags];

export const SimpleRNN: LayerEntry = {
  kind: 'layer',
  name: 'SimpleRNN',
  category: 'recurrent',
  doc: 'Fully connected recurrent layer: `h_t = activation(x_t · W + h_{t-1} · U + b)`.\n\nInput `[None, steps, features]`, output `[None, units]` (or `[None, steps, units]` with `return_sequences`).',
  params: simpleParams,
  outputShape: (input, args) => rnnShape('SimpleRNN', input, args),
  paramCount: (input, args) => gated(1, input, args),
  flops: recurrentFlops,
  tfjs: (args) => builtin('simpleRNN', simpleParams, args),
};

const lstmParams: ParamSpec[] = [units, activation('tanh'), recurrentActivation, ...weights(true), ...sequenceFlags];

export const LSTM: LayerEntry = {
  kind: 'layer',
  name: 'LSTM',
  category: 'recurrent',
  doc: 'Long short-term memory: a recurrent layer with input, forget and output gates and a cell state (4 weight blocks).\n\nInput `[None, steps, features]`, output `[None, units]` (or `[None, steps, units]` with `return_sequences`).',
  params: lstmParams,
  outputShape: (input, args) => rnnShape('LSTM', input, args),
  paramCount: (input, args) => gated(4, input, args),
  flops: recurrentFlops,
  tfjs: (args) => builtin('lstm', lstmParams, args),
};

const gruParams: ParamSpec[] = [
  units,
  activation('tanh'),
  recurrentActivation,
  ...weights(false),
  ...sequenceFlags,
  {
    name: 'reset_after',
    type: { kind: 'bool' },
    default: false,
    doc: 'Apply the reset gate after the recurrent matrix multiplication. Must stay false: tfjs implements only `reset_after: false` (Keras\'s default is true, with 3 · units more biases).',
    // tfjs's GRU layer has no such option (only its GRUCell, which rejects true).
    tfjsKey: false,
  },
];

export const GRU: LayerEntry = {
  kind: 'layer',
  name: 'GRU',
  category: 'recurrent',
  doc: 'Gated recurrent unit: a recurrent layer with update and reset gates (3 weight blocks), lighter than LSTM.\n\nInput `[None, steps, features]`, output `[None, units]` (or `[None, steps, units]` with `return_sequences`).',
  params: gruParams,
  validate(args) {
    if (args['reset_after'] === true) {
      return { param: 'reset_after', message: 'tfjs implements only reset_after: false (Keras\'s default is true); remove reset_after or set it to false' };
    }
    return undefined;
  },
  outputShape: (input, args) => rnnShape('GRU', input, args),
  paramCount: (input, args) => gated(3, input, args),
  flops: recurrentFlops,
  tfjs: (args) => builtin('gru', gruParams, args),
};

function nested(args: Args): NestedLayer {
  return args['layer'] as NestedLayer;
}

const recurrentNames = new Set(['SimpleRNN', 'LSTM', 'GRU']);

const bidirectionalParams: ParamSpec[] = [
  { name: 'layer', type: { kind: 'layer' }, doc: 'The recurrent layer to run in both directions: `SimpleRNN`, `LSTM` or `GRU`.' },
  {
    name: 'merge_mode',
    type: { kind: 'enum', values: ['concat', 'sum', 'mul', 'ave'] },
    default: 'concat',
    doc: 'How the forward and backward outputs are combined: `concat` (2 · units features), `sum`, `mul` or `ave`.',
  },
];

export const Bidirectional: LayerEntry = {
  kind: 'layer',
  name: 'Bidirectional',
  category: 'recurrent',
  doc: 'Runs a copy of a recurrent layer forwards and another backwards over the sequence and merges their outputs; twice the weights.\n\n`Bidirectional(LSTM(32))`: `[None, steps, features]` → `[None, 64]`.',
  params: bidirectionalParams,
  validate(args) {
    const inner = nested(args);
    if (!recurrentNames.has(inner.entry.name)) {
      return { param: 'layer', message: `Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU), not ${inner.entry.name}` };
    }
    return undefined;
  },
  outputShape(input, args) {
    const inner = nested(args);
    const result = inner.entry.outputShape(input, inner.args);
    if ('problem' in result) return result;
    const shape = [...result.shape];
    const last = shape[shape.length - 1]!;
    if (args['merge_mode'] === 'concat') shape[shape.length - 1] = last === null ? null : 2 * last;
    return { shape };
  },
  paramCount(input, args) {
    const inner = nested(args);
    const one = inner.entry.paramCount(input, inner.args);
    return { trainable: 2 * one.trainable, nonTrainable: 2 * one.nonTrainable };
  },
  flops: recurrentFlops,
  // `layer` is the inner layer's descriptor; the runtime constructs it (see the header).
  tfjs(args) {
    const inner = nested(args);
    return { factory: 'bidirectional', config: { layer: inner.entry.tfjs(inner.args), mergeMode: args['merge_mode'] } };
  },
};

const timeDistributedParams: ParamSpec[] = [
  { name: 'layer', type: { kind: 'layer' }, doc: 'The layer applied to every step, e.g. `Dense(8)` or `Conv2D(16, 3)`.' },
];

export const TimeDistributed: LayerEntry = {
  kind: 'layer',
  name: 'TimeDistributed',
  category: 'recurrent',
  doc: 'Applies the same layer (shared weights) to every step of a sequence: `TimeDistributed(Dense(8))` turns `[None, steps, features]` into `[None, steps, 8]`; `TimeDistributed(Conv2D(…))` runs over each frame of `[None, frames, height, width, channels]`.',
  params: timeDistributedParams,
  outputShape(input, args) {
    if (input.length < 2) {
      return rankProblem('TimeDistributed', 'a sequence [None, steps, …] (at least 2 axes besides the batch axis)', input, input.length === 1
        ? { title: 'apply the layer directly, without TimeDistributed' }
        : undefined);
    }
    const inner = nested(args);
    const result = inner.entry.outputShape(input.slice(1), inner.args);
    if ('problem' in result) {
      // The inner layer sees one step; an insertion before TimeDistributed would not fix it.
      const { fix, ...problem } = result.problem;
      return {
        problem: {
          ...problem,
          message: `in TimeDistributed (each step is ${formatShape(input.slice(1))}): ${problem.message}`,
          ...(fix ? { fix: { title: fix.title } } : {}),
        },
      };
    }
    return { shape: [input[0]!, ...result.shape] };
  },
  paramCount(input, args) {
    const inner = nested(args);
    return inner.entry.paramCount(input.slice(1), inner.args);
  },
  // `layer` is the inner layer's descriptor; the runtime constructs it (see the header).
  tfjs(args) {
    const inner = nested(args);
    return { factory: 'timeDistributed', config: { layer: inner.entry.tfjs(inner.args) } };
  },
};

export const recurrentLayers: LayerEntry[] = [SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed];
