/**
 * Merges and tensor operations: everything that takes several tensors (or
 * returns several). Element-wise shape rules follow Keras's base_merge:
 * shapes are aligned from the right and a dimension of 1 broadcasts, so a
 * per-sample scalar `[None, 1]` scales a whole feature map.
 */
import { formatShape, ints } from './shape.js';
import { noParams, type Args, type MergeEntry, type ParamSpec, type Shape, type ShapesResult } from './types.js';

const axisParam: ParamSpec = { name: 'axis', type: { kind: 'int' }, default: -1, doc: 'Axis to join along; counts the batch axis as 0 like Keras, `-1` is the last.' };

/** Normalises a Keras axis (batch = 0, negatives from the end) to an index into the non-batch shape. */
export function nonBatchAxis(axis: number, rank: number): number | undefined {
  const full = axis < 0 ? rank + 1 + axis : axis;
  return full >= 1 && full <= rank ? full - 1 : undefined;
}

function sameRankProblem(op: string, shapes: readonly Shape[], i: number, detail: string): ShapesResult {
  return {
    problem: {
      code: 'MBN301',
      message: `${op} needs ${detail}: ${formatShape(shapes[0]!)} vs ${formatShape(shapes[i]!)}`,
      input: i,
    },
  };
}

export const concat: MergeEntry = {
  kind: 'merge',
  name: 'concat',
  aliases: ['concatenate'],
  category: 'merge',
  doc: 'Joins tensors along `axis` (default the last). All other dimensions must be equal: `concat([None, 28800], [None, 32])` → `[None, 28832]`.',
  inputsDoc: 'a, b, …',
  minInputs: 2,
  maxInputs: Infinity,
  params: [axisParam],
  outputShapes(inputs, args) {
    const first = inputs[0]!;
    const axis = nonBatchAxis(args['axis'] as number, first.length);
    if (axis === undefined) {
      return { problem: { code: 'MBN301', message: `concat axis ${args['axis']} is outside the axes of ${formatShape(first)} (the batch axis 0 cannot be joined)` } };
    }
    const out = [...first];
    const axisName = args['axis'] as number;
    for (let i = 1; i < inputs.length; i++) {
      const shape = inputs[i]!;
      const detail = `equal dims except axis ${axisName}`;
      if (shape.length !== first.length) {
        const result = sameRankProblem('concat', inputs, i, detail);
        if ('problem' in result) {
          const flat = shape.length > first.length ? i + 1 : 1;
          return { problem: { ...result.problem, fix: { title: `Flatten() input ${flat} first, or Reshape one side to rank ${Math.max(shape.length, first.length) === shape.length ? first.length : shape.length}` } } };
        }
      }
      for (let d = 0; d < first.length; d++) {
        if (d === axis) continue;
        const a = first[d]!;
        const b = shape[d]!;
        if (a !== null && b !== null && a !== b) return sameRankProblem('concat', inputs, i, detail);
      }
      const a = out[axis]!;
      const b = shape[axis]!;
      out[axis] = a === null || b === null ? null : a + b;
    }
    return { shapes: [out] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'concatenate', config: { axis: args['axis'] } }),
};

/** Right-aligned broadcasting with 1s, as Keras's `_compute_elemwise_op_output_shape`. */
export function broadcastShapes(op: string, inputs: readonly Shape[]): ShapesResult {
  let out: (number | null)[] = [...inputs[0]!];
  for (let i = 1; i < inputs.length; i++) {
    const shape = inputs[i]!;
    const rank = Math.max(out.length, shape.length);
    const next: (number | null)[] = [];
    for (let k = 0; k < rank; k++) {
      const a = out[out.length - rank + k];
      const b = shape[shape.length - rank + k];
      if (a === undefined) next.push(b!);
      else if (b === undefined) next.push(a);
      else if (a === 1) next.push(b);
      else if (b === 1) next.push(a);
      else if (a === null || b === null) next.push(a ?? b);
      else if (a !== b) {
        return {
          problem: {
            code: 'MBN301',
            message: `${op} needs equal shapes (or 1s that broadcast): ${formatShape(inputs[0]!)} vs ${formatShape(shape)}`,
            notes: ['shapes are compared from the last axis; a dimension of 1 (e.g. a per-sample scalar [None, 1]) broadcasts'],
            input: i,
          },
        };
      } else next.push(a);
    }
    out = next;
  }
  return { shapes: [out] };
}

function elementwise(name: string, doc: string, factory: string, options: { exact?: number; custom?: boolean; aliases?: string[] } = {}): MergeEntry {
  return {
    kind: 'merge',
    name,
    ...(options.aliases ? { aliases: options.aliases } : {}),
    category: 'merge',
    doc,
    inputsDoc: options.exact === 2 ? 'a, b' : 'a, b, …',
    minInputs: 2,
    maxInputs: options.exact ?? Infinity,
    params: [],
    outputShapes: (inputs) => broadcastShapes(name, inputs),
    paramCount: () => noParams,
    tfjs: () => ({ factory, config: {}, ...(options.custom ? { custom: true } : {}) }),
  };
}

export const add = elementwise('add', 'Element-wise sum of two or more tensors of the same shape (1s broadcast).', 'add');
/** tfjs has no Subtract layer; mbn's runtime provides one. */
export const subtract = elementwise('subtract', 'Element-wise `a - b` of two tensors of the same shape (1s broadcast).', 'Subtract', { exact: 2, custom: true });
export const average = elementwise('average', 'Element-wise mean of two or more tensors of the same shape — e.g. averaging the predictions of several models.', 'average');
export const multiply = elementwise('multiply', 'Element-wise product. A per-sample scalar `[None, 1]` broadcasts over a whole feature map.', 'multiply');
export const maximum = elementwise('maximum', 'Element-wise maximum of two or more tensors.', 'maximum');
export const minimum = elementwise('minimum', 'Element-wise minimum of two or more tensors.', 'minimum');

function requireEqualShapes(op: string, inputs: readonly Shape[]): ShapesResult {
  const first = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) {
    const shape = inputs[i]!;
    const same = shape.length === first.length && shape.every((d, k) => d === null || first[k] === null || d === first[k]);
    if (!same) {
      return { problem: { code: 'MBN301', message: `${op} needs inputs of the same shape: ${formatShape(first)} vs ${formatShape(shape)}`, input: i } };
    }
  }
  return { shapes: [first] };
}

const alphaParam: ParamSpec = {
  name: 'alpha',
  type: { kind: 'optional', of: { kind: 'weight' } },
  default: null,
  doc: 'Two inputs: the weight of the first, a number in [0, 1] (`alpha: 0.1` gives `0.1*a + 0.9*b`), or `trainable` for a weight learned in [0, 1].',
};
const weightsParam: ParamSpec = {
  name: 'weights',
  type: { kind: 'optional', of: { kind: 'weight' } },
  default: null,
  doc: 'N inputs: a list of fixed weights `[0.2, 0.3, 0.5]`, or `softmax` for N trainable weights normalised by a softmax.',
};
const initParam: ParamSpec = {
  name: 'init',
  type: { kind: 'float', min: 0, max: 1 },
  default: 0.5,
  doc: 'Initial value of a trainable `alpha`.',
};

/** Checks the weight options shared by weighted_sum and weighted_product. */
function validateWeights(args: Args): { param: string; message: string } | undefined {
  const alpha = args['alpha'];
  const weights = args['weights'];
  if (alpha !== null && weights !== null) return { param: 'weights', message: 'give either `alpha` (two inputs) or `weights` (N inputs), not both' };
  if (alpha === null && weights === null) return { param: 'alpha', message: 'give the weight: `alpha: 0.1`, `alpha: trainable`, or `weights: softmax`' };
  if (alpha !== null && typeof alpha === 'number' && (alpha < 0 || alpha > 1)) return { param: 'alpha', message: `alpha must be in [0, 1], got ${alpha}` };
  if (alpha !== null && typeof alpha === 'string' && alpha !== 'trainable') return { param: 'alpha', message: `alpha must be a number in [0, 1] or \`trainable\`, got \`${alpha}\`` };
  if (alpha !== null && Array.isArray(alpha)) return { param: 'alpha', message: 'alpha is one number; for one weight per input use `weights: [...]`' };
  if (weights !== null && typeof weights === 'string' && weights !== 'softmax') return { param: 'weights', message: `weights must be a list of numbers or \`softmax\`, got \`${weights}\`` };
  if (weights !== null && typeof weights === 'number') return { param: 'weights', message: 'weights is a list with one number per input (or `softmax`); for two inputs `alpha: 0.1` also works' };
  return undefined;
}

function weightedShapes(op: string, inputs: readonly Shape[], args: Args): ShapesResult {
  const alpha = args['alpha'];
  const weights = args['weights'];
  if (alpha !== null && inputs.length !== 2) {
    return { problem: { code: 'MBN301', message: `${op} with \`alpha\` takes exactly 2 inputs, got ${inputs.length}`, fix: { title: 'use `weights: softmax` or `weights: [...]` for more than two inputs' } } };
  }
  if (Array.isArray(weights) && weights.length !== inputs.length) {
    return { problem: { code: 'MBN302', message: `${op} has ${weights.length} weights but ${inputs.length} inputs`, param: 'weights' } };
  }
  return requireEqualShapes(op, inputs);
}

function weightedParams(inputs: readonly Shape[], args: Args) {
  if (args['alpha'] === 'trainable') return { trainable: 1, nonTrainable: 0 };
  if (args['weights'] === 'softmax') return { trainable: inputs.length, nonTrainable: 0 };
  return noParams;
}

function weightedTfjs(className: string) {
  return (args: Args, inputs: readonly Shape[]) => {
    const alpha = args['alpha'];
    const weights = args['weights'];
    let config: Record<string, unknown>;
    if (alpha === 'trainable') config = { mode: 'trainable', init: args['init'] };
    else if (typeof alpha === 'number') config = { mode: 'fixed', weights: [alpha, 1 - alpha] };
    else if (weights === 'softmax') config = { mode: 'softmax', count: inputs.length };
    else config = { mode: 'fixed', weights: weights as number[] };
    // A fixed weighted *sum* needs no custom layer: scale each input (Rescaling) and add them.
    if (config['mode'] === 'fixed' && className === 'WeightedSum') return { factory: 'ScaledSum', config, composite: true };
    return { factory: className, config, custom: true };
  };
}

/** weighted_sum and weighted_product share their weights, checks and counts; only the combination differs. */
function weightedMerge(name: string, doc: string, className: string): MergeEntry {
  return {
    kind: 'merge',
    name,
    category: 'weighted merge',
    doc,
    inputsDoc: 'a, b, …',
    minInputs: 2,
    maxInputs: Infinity,
    params: [alphaParam, weightsParam, initParam],
    validate: validateWeights,
    outputShapes: (inputs, args) => weightedShapes(name, inputs, args),
    paramCount: weightedParams,
    tfjs: weightedTfjs(className),
  };
}

export const weightedSum = weightedMerge(
  'weighted_sum',
  [
    'Weighted sum of same-shaped tensors.',
    '- `weighted_sum(a, b, alpha: 0.1)` → `0.1*a + 0.9*b` (fixed);',
    '- `weighted_sum(a, b, alpha: trainable)` → a learned `alpha` kept in [0, 1] (1 parameter);',
    '- `weighted_sum(a, b, c, weights: softmax)` → N learned weights normalised by a softmax (N parameters);',
    '- `weighted_sum(a, b, c, weights: [0.2, 0.3, 0.5])` → fixed weights.',
  ].join('\n'),
  'WeightedSum',
);

export const weightedProduct = weightedMerge(
  'weighted_product',
  [
    'Weighted product (weighted geometric mean) of same-shaped positive tensors, e.g. two softmax outputs:',
    '`weighted_product(a, b, alpha: 0.3)` → `a^0.3 * b^0.7`. `alpha: trainable` learns the weight in [0, 1];',
    '`weights: softmax` learns N weights. Inputs should be positive (probabilities); they are clipped at 1e-7.',
  ].join('\n'),
  'WeightedProduct',
);

export const mixture: MergeEntry = {
  kind: 'merge',
  name: 'mixture',
  aliases: ['moe'],
  category: 'weighted merge',
  doc: 'Mixture of experts: `mixture(gate, e1, …, eL)` = `sum_i gate[:, i] * e_i`. The gate is `[None, L]` (typically a softmax) and the L experts share one shape, which is the output shape.',
  inputsDoc: 'gate, expert1, …, expertL',
  minInputs: 3,
  maxInputs: Infinity,
  params: [],
  outputShapes(inputs) {
    const [gate, ...experts] = inputs;
    if (gate!.length !== 1) {
      return { problem: { code: 'MBN302', message: `the mixture gate must be a vector [None, L], got ${formatShape(gate!)}`, input: 0, fix: { title: 'end the gating branch with Dense(L, activation: softmax)' } } };
    }
    if (gate![0] !== null && gate![0] !== experts.length) {
      return {
        problem: {
          code: 'MBN302',
          message: `gate has width ${gate![0]} but there are ${experts.length} experts`,
          input: 0,
          fix: { title: `make the gate Dense(${experts.length}, activation: softmax), or pass ${gate![0]} experts` },
        },
      };
    }
    const result = requireEqualShapes('mixture', experts);
    if ('problem' in result) return { problem: { ...result.problem, message: result.problem.message.replace('inputs', 'experts'), input: (result.problem.input ?? 0) + 1 } };
    return result;
  },
  paramCount: () => noParams,
  tfjs: () => ({ factory: 'MixtureOfExperts', config: {}, custom: true }),
};

export const softSwitch: MergeEntry = {
  kind: 'merge',
  name: 'switch',
  aliases: ['soft_switch'],
  category: 'weighted merge',
  doc: 'Gated soft switch: `cat, dog = switch(p, a, b)` multiplies branch i by the per-sample probability `p[:, i]` (broadcast over the branch) and returns one gated tensor per branch; the branches may have different shapes.',
  inputsDoc: 'probabilities, branch1, …, branchN',
  minInputs: 2,
  maxInputs: Infinity,
  params: [],
  outputShapes(inputs) {
    const [gate, ...branches] = inputs;
    if (gate!.length !== 1) {
      return { problem: { code: 'MBN302', message: `the switch probabilities must be a vector [None, N], got ${formatShape(gate!)}`, input: 0 } };
    }
    if (gate![0] !== null && gate![0] !== branches.length) {
      return { problem: { code: 'MBN302', message: `switch probabilities have width ${gate![0]} but there are ${branches.length} branches`, input: 0 } };
    }
    return { shapes: branches };
  },
  paramCount: () => noParams,
  tfjs: () => ({ factory: 'SoftSwitch', config: {}, custom: true }),
};

const dotParams: ParamSpec[] = [
  { name: 'axes', type: { kind: 'ints', length: 2 }, doc: 'The axis of each input to contract (batch axis = 0); one int for both.' },
  { name: 'normalize', type: { kind: 'bool' }, default: false, doc: 'L2-normalise along the axes first (cosine similarity).' },
];

export const dot: MergeEntry = {
  kind: 'merge',
  name: 'dot',
  category: 'merge',
  doc: 'Dot product of two tensors along `axes` (Keras `Dot`): `dot(a, b, axes: 1)` on two `[None, k]` vectors gives `[None, 1]`.',
  inputsDoc: 'a, b',
  minInputs: 2,
  maxInputs: 2,
  params: dotParams,
  outputShapes(inputs, args) {
    const [a, b] = inputs as [Shape, Shape];
    const [axA, axB] = ints(args['axes']);
    const ia = nonBatchAxis(axA!, a.length);
    const ib = nonBatchAxis(axB!, b.length);
    if (ia === undefined || ib === undefined) {
      return { problem: { code: 'MBN301', message: `dot axes [${axA}, ${axB}] are outside ${formatShape(a)} and ${formatShape(b)}` } };
    }
    if (a.length > 2 || b.length > 2) {
      return { problem: { code: 'MBN301', message: `dot supports tensors up to [None, d1, d2] (tfjs Dot rejects rank 4+), got ${formatShape(a)} and ${formatShape(b)}`, fix: { title: 'Flatten() or Reshape the inputs first' } } };
    }
    const da = a[ia]!;
    const db = b[ib]!;
    if (da !== null && db !== null && da !== db) {
      return { problem: { code: 'MBN301', message: `dot contracts axis ${axA} of ${formatShape(a)} (size ${da}) with axis ${axB} of ${formatShape(b)} (size ${db}); the sizes must match` } };
    }
    const out = [...a.filter((_, i) => i !== ia), ...b.filter((_, i) => i !== ib)];
    return { shapes: [out.length === 0 ? [1] : out] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'dot', config: { axes: ints(args['axes']), normalize: args['normalize'] } }),
};

const sliceParams: ParamSpec[] = [
  { name: 'begin', type: { kind: 'intList' }, doc: 'Start index per non-batch axis.' },
  { name: 'end', type: { kind: 'intList' }, doc: 'End index (exclusive) per non-batch axis.' },
  { name: 'squeeze', type: { kind: 'intList', min: 0 }, default: [], doc: 'Non-batch axes (0-based) to drop after slicing (written as a plain index `p[0]`).' },
];

/** `x[...]` is checked by the elaborator, which turns it into this op with resolved bounds. */
export const slice: MergeEntry = {
  kind: 'merge',
  name: 'slice',
  category: 'tensor',
  doc: 'Takes part of a tensor, written `p[0:1]` (keeps the axis) or `p[0]` (drops it), over the non-batch axes: `p[0:1]` on `[None, 2]` is `[None, 1]`.',
  inputsDoc: 'x',
  minInputs: 1,
  maxInputs: 1,
  params: sliceParams,
  outputShapes(inputs, args) {
    const shape = inputs[0]!;
    const begin = ints(args['begin']);
    const end = ints(args['end']);
    const squeeze = new Set(ints(args['squeeze'] ?? []));
    const out: (number | null)[] = [];
    for (let i = 0; i < shape.length; i++) {
      if (squeeze.has(i)) continue;
      if (i >= begin.length) out.push(shape[i]!);
      else out.push(end[i]! - begin[i]!);
    }
    return { shapes: [out] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'Slice', config: { begin: args['begin'], end: args['end'], squeeze: args['squeeze'] }, custom: true }),
};

export const mergeEntries: MergeEntry[] = [concat, add, subtract, average, multiply, maximum, minimum, dot, weightedSum, weightedProduct, mixture, softSwitch, slice];
