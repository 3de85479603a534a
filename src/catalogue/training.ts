/**
 * Losses, metrics, optimizers, regularizers and the settings of a `train { … }`
 * block: the other half of the catalogue, read by the checker, the trainer,
 * completion and the docs. Names are Keras's; `tfjs` is what tfjs calls them.
 */
import type { ParamSpec } from './types.js';

export interface NamedEntry {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly tfjs: string;
  readonly doc: string;
}

export const losses: readonly NamedEntry[] = [
  { name: 'mse', aliases: ['mean_squared_error'], tfjs: 'meanSquaredError', doc: 'Mean squared error (regression).' },
  { name: 'mae', aliases: ['mean_absolute_error'], tfjs: 'meanAbsoluteError', doc: 'Mean absolute error (regression).' },
  { name: 'mape', aliases: ['mean_absolute_percentage_error'], tfjs: 'meanAbsolutePercentageError', doc: 'Mean absolute percentage error.' },
  { name: 'msle', aliases: ['mean_squared_logarithmic_error'], tfjs: 'meanSquaredLogarithmicError', doc: 'Mean squared logarithmic error.' },
  { name: 'binary_crossentropy', tfjs: 'binaryCrossentropy', doc: 'Binary cross-entropy; the output should end in a sigmoid.' },
  { name: 'categorical_crossentropy', tfjs: 'categoricalCrossentropy', doc: 'Cross-entropy against one-hot targets; the output should end in a softmax.' },
  { name: 'sparse_categorical_crossentropy', tfjs: 'sparseCategoricalCrossentropy', doc: 'Cross-entropy against integer class ids; the output should end in a softmax.' },
  { name: 'hinge', tfjs: 'hinge', doc: 'Hinge loss (targets -1/1).' },
  { name: 'squared_hinge', tfjs: 'squaredHinge', doc: 'Squared hinge loss (targets -1/1).' },
  { name: 'categorical_hinge', tfjs: 'categoricalHinge', doc: 'Categorical hinge loss.' },
  { name: 'log_cosh', aliases: ['logcosh'], tfjs: 'logcosh', doc: 'log(cosh(error)): like MSE for small errors, MAE for large ones.' },
  { name: 'kld', aliases: ['kl_divergence', 'kullback_leibler_divergence'], tfjs: 'kullbackLeiblerDivergence', doc: 'Kullback–Leibler divergence between target and predicted distributions.' },
  { name: 'poisson', tfjs: 'poisson', doc: 'Poisson loss (count data).' },
  { name: 'cosine_similarity', aliases: ['cosine_proximity'], tfjs: 'cosineProximity', doc: 'Negative cosine similarity.' },
];

export const metrics: readonly NamedEntry[] = [
  { name: 'accuracy', aliases: ['acc'], tfjs: 'accuracy', doc: 'Fraction of correct predictions (picks binary or categorical from the loss).' },
  { name: 'binary_accuracy', tfjs: 'binaryAccuracy', doc: 'Accuracy with a 0.5 threshold.' },
  { name: 'categorical_accuracy', tfjs: 'categoricalAccuracy', doc: 'Accuracy against one-hot targets.' },
  { name: 'sparse_categorical_accuracy', tfjs: 'sparseCategoricalAccuracy', doc: 'Accuracy against integer class ids.' },
  { name: 'top_k_categorical_accuracy', tfjs: 'topKCategoricalAccuracy', doc: 'Whether the target is among the 5 highest predictions.' },
  { name: 'precision', tfjs: 'precision', doc: 'Precision of binary predictions.' },
  { name: 'recall', tfjs: 'recall', doc: 'Recall of binary predictions.' },
  { name: 'mse', aliases: ['mean_squared_error'], tfjs: 'MSE', doc: 'Mean squared error.' },
  { name: 'mae', aliases: ['mean_absolute_error'], tfjs: 'MAE', doc: 'Mean absolute error.' },
  { name: 'mape', aliases: ['mean_absolute_percentage_error'], tfjs: 'MAPE', doc: 'Mean absolute percentage error.' },
  { name: 'cosine_similarity', aliases: ['cosine_proximity'], tfjs: 'cosineProximity', doc: 'Cosine similarity.' },
];

export interface FunctionEntry {
  readonly name: string;
  readonly kind: 'optimizer' | 'regularizer';
  readonly doc: string;
  readonly params: readonly ParamSpec[];
  readonly tfjs: string;
}

const lr = (value: number): ParamSpec => ({ name: 'learning_rate', aliases: ['lr'], type: { kind: 'float', min: 0 }, default: value, doc: 'Step size.' });
const epsilon: ParamSpec = { name: 'epsilon', type: { kind: 'float', min: 0 }, default: 1e-7, doc: 'Small constant for numerical stability.' };
const beta1: ParamSpec = { name: 'beta_1', type: { kind: 'float', min: 0, max: 1, maxExclusive: true }, default: 0.9, doc: 'Decay of the first-moment estimates.' };
const beta2: ParamSpec = { name: 'beta_2', type: { kind: 'float', min: 0, max: 1, maxExclusive: true }, default: 0.999, doc: 'Decay of the second-moment estimates.' };

export const optimizers: readonly FunctionEntry[] = [
  { name: 'adam', kind: 'optimizer', tfjs: 'adam', doc: 'Adam (Kingma & Ba): the usual default.', params: [lr(0.001), beta1, beta2, epsilon] },
  {
    name: 'sgd', kind: 'optimizer', tfjs: 'momentum', doc: 'Stochastic gradient descent, with optional momentum.',
    params: [lr(0.01), { name: 'momentum', type: { kind: 'float', min: 0 }, default: 0, doc: 'Momentum factor.' }, { name: 'nesterov', type: { kind: 'bool' }, default: false, doc: 'Nesterov momentum.' }],
  },
  {
    name: 'rmsprop', kind: 'optimizer', tfjs: 'rmsprop', doc: 'RMSprop.',
    params: [lr(0.001), { name: 'rho', type: { kind: 'float', min: 0, max: 1 }, default: 0.9, doc: 'Discounting factor.' }, { name: 'momentum', type: { kind: 'float', min: 0 }, default: 0, doc: 'Momentum.' }, epsilon],
  },
  {
    name: 'adagrad', kind: 'optimizer', tfjs: 'adagrad', doc: 'Adagrad.',
    params: [lr(0.001), { name: 'initial_accumulator_value', type: { kind: 'float', min: 0 }, default: 0.1, doc: 'Starting accumulator value.' }],
  },
  {
    name: 'adadelta', kind: 'optimizer', tfjs: 'adadelta', doc: 'Adadelta.',
    params: [lr(0.001), { name: 'rho', type: { kind: 'float', min: 0, max: 1 }, default: 0.95, doc: 'Decay rate.' }, epsilon],
  },
  { name: 'adamax', kind: 'optimizer', tfjs: 'adamax', doc: 'Adamax (Adam with the infinity norm).', params: [lr(0.001), beta1, beta2, epsilon] },
];

const penalty = (name: string): ParamSpec => ({ name, type: { kind: 'float', min: 0 }, default: 0, doc: `${name.toUpperCase()} penalty factor.` });

export const regularizers: readonly FunctionEntry[] = [
  { name: 'l1', kind: 'regularizer', tfjs: 'l1', doc: '`l1(0.01)`: adds 0.01 × sum(|w|) to the loss.', params: [{ ...penalty('l1'), default: 0.01 }] },
  { name: 'l2', kind: 'regularizer', tfjs: 'l2', doc: '`l2(0.001)`: adds 0.001 × sum(w²) to the loss.', params: [{ ...penalty('l2'), default: 0.01 }] },
  { name: 'l1_l2', kind: 'regularizer', tfjs: 'l1l2', doc: '`l1_l2(l1: 0.01, l2: 0.01)`: both penalties.', params: [penalty('l1'), penalty('l2')] },
];

export const functionEntries: ReadonlyMap<string, FunctionEntry> = new Map([...optimizers, ...regularizers].map((f) => [f.name, f]));

/** The settings a `train { … }` block accepts. */
export const trainingSettings: readonly ParamSpec[] = [
  { name: 'optimizer', type: { kind: 'string' }, default: 'adam', doc: 'The optimizer: a name (`adam`) or a call with settings (`sgd(learning_rate: 0.01, momentum: 0.9)`).' },
  { name: 'learning_rate', aliases: ['lr'], type: { kind: 'optional', of: { kind: 'float', min: 0 } }, default: null, doc: "Overrides the optimizer's learning rate." },
  { name: 'epochs', type: { kind: 'int', min: 1 }, default: 10, doc: 'Passes over the training data.' },
  { name: 'batch_size', aliases: ['batch'], type: { kind: 'int', min: 1 }, default: 32, doc: 'Samples per gradient step.' },
  { name: 'validation_split', type: { kind: 'float', min: 0, max: 1, maxExclusive: true }, default: 0, doc: 'Fraction of the training data held out for validation (taken from the end, as Keras does).' },
  { name: 'metrics', type: { kind: 'string' }, default: [], doc: 'Metrics reported for every output, e.g. `[accuracy]`.' },
  { name: 'loss', type: { kind: 'optional', of: { kind: 'string' } }, default: null, doc: 'Loss for outputs that do not name one.' },
  { name: 'shuffle', type: { kind: 'bool' }, default: true, doc: 'Shuffle the training data before each epoch.' },
  { name: 'seed', type: { kind: 'optional', of: { kind: 'int', min: 0 } }, default: null, doc: 'Random seed for weight initialisation, shuffling and dropout.' },
];

function indexNamed(entries: readonly NamedEntry[]): ReadonlyMap<string, NamedEntry> {
  const map = new Map<string, NamedEntry>();
  for (const e of entries) for (const n of [e.name, ...(e.aliases ?? [])]) map.set(n, e);
  return map;
}

export const lossByName = indexNamed(losses);
export const metricByName = indexNamed(metrics);
