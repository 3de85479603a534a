/**
 * One-line docs for what the catalogue names but does not describe one by
 * one: activation functions, initializers, parameter types, dtypes and
 * keywords. (Layers, merges, losses, metrics, optimizers and settings carry
 * their own docs in src/catalogue.)
 */
import { activations, initializers } from '../catalogue/common.js';

export const activationDocs: Readonly<Record<(typeof activations)[number], string>> = {
  linear: 'The identity: `x` (no activation).',
  relu: 'Rectified linear unit: `max(x, 0)`.',
  relu6: 'ReLU capped at 6: `min(max(x, 0), 6)`.',
  elu: 'Exponential linear unit: `x` for `x > 0`, `exp(x) - 1` otherwise.',
  selu: 'Scaled ELU, self-normalising (pair it with `lecun_normal`).',
  sigmoid: 'Logistic sigmoid `1 / (1 + exp(-x))`, in (0, 1): one probability per unit.',
  hard_sigmoid: 'A piecewise-linear approximation of the sigmoid, cheaper to compute.',
  tanh: 'Hyperbolic tangent, in (-1, 1).',
  softmax: 'Normalises the last axis into probabilities that sum to 1 (for categorical outputs).',
  softplus: 'Smooth ReLU: `log(1 + exp(x))`.',
  softsign: '`x / (1 + |x|)`, in (-1, 1).',
  swish: '`x * sigmoid(x)` (also called SiLU).',
  mish: '`x * tanh(softplus(x))`.',
  gelu: 'Gaussian error linear unit: `x * Φ(x)`.',
};

export const initializerDocs: Readonly<Record<(typeof initializers)[number], string>> = {
  glorot_uniform: 'Glorot (Xavier) uniform: scaled by fan-in and fan-out; the Keras default for kernels.',
  glorot_normal: 'Glorot (Xavier) normal: scaled by fan-in and fan-out.',
  he_uniform: 'He uniform: scaled by fan-in; suits ReLU layers.',
  he_normal: 'He normal: scaled by fan-in; suits ReLU layers.',
  lecun_uniform: 'LeCun uniform: scaled by fan-in; suits SELU.',
  lecun_normal: 'LeCun normal: scaled by fan-in; suits SELU.',
  zeros: 'All zeros; the Keras default for biases.',
  ones: 'All ones.',
  random_normal: 'Normal with mean 0 and standard deviation 0.05.',
  random_uniform: 'Uniform in [-0.05, 0.05].',
  truncated_normal: 'Normal with mean 0 and standard deviation 0.05, redrawn beyond two deviations.',
  orthogonal: 'A random orthogonal matrix (recurrent kernels).',
  identity: 'The identity matrix (square kernels only).',
};

export const paramTypeDocs: Readonly<Record<string, string>> = {
  int: 'A whole number: `32`.',
  float: 'A number: `0.5`.',
  bool: '`true` or `false`.',
  string: 'A string: `"text"`.',
  shape: 'A list of ints: `[28, 28, 1]`.',
  symbol: 'A name such as `relu` or `same`.',
};

export const dtypeDocs: Readonly<Record<string, string>> = {
  float32: 'Floating-point values (the default).',
  int32: 'Integer ids, e.g. for `Embedding`.',
};

export const keywordDocs: Readonly<Record<string, string>> = {
  model: 'Declares a model: `model Name(param: int = 1) { … }`.',
  import: 'Imports models from another file: `import "blocks.mbn"` or `import { A, B } from "blocks"`.',
  input: 'Declares an input; the batch axis is implicit: `input img: [32, 32, 3]`.',
  output: 'Declares an output with its loss, weight and metrics: `output y = h -> Dense(1) loss mse`.',
  shared: 'One layer instance, one set of weights, applied wherever its name follows `->`: `shared enc = Encoder()`.',
  train: 'Training settings: `train { optimizer: adam, epochs: 10 }`.',
  aux: 'Marks a training-only output: the inference model leaves it out, with everything that only feeds it.',
  loss: "The output's loss, e.g. `loss mse` or `loss categorical_crossentropy`.",
  weight: "The output's loss weight (default 1): the total loss is `sum_i weight_i * loss_i`.",
  metrics: 'Metrics reported for this output: `metrics [accuracy]`.',
};
