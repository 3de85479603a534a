/**
 * Per-sample losses and metrics with Keras's definitions, keyed by the names
 * the catalogue uses (`mse`, `categorical_crossentropy`, `accuracy`, …).
 *
 * mbn supplies its own functions rather than tfjs's names because tfjs's
 * `compile()` has no `lossWeights`: each output's loss is scaled by its
 * weight here, so tfjs's total is `sum_i w_i * L_i`. Each function returns
 * one value per sample; tfjs averages over the batch.
 */
import * as tf from '@tensorflow/tfjs';

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

const epsilon = 1e-7;

const clip = (x: tf.Tensor, lo = epsilon, hi = 1 - epsilon) => tf.clipByValue(x, lo, hi);
const meanLast = (x: tf.Tensor) => tf.mean(x, -1);

/** Sparse targets are class ids, `[batch]` or `[batch, 1]`, of any numeric dtype. */
function oneHotTargets(yTrue: tf.Tensor, classes: number): tf.Tensor {
  const ids = tf.cast(tf.reshape(yTrue, [-1]), 'int32');
  const hot = tf.oneHot(ids, classes);
  return tf.cast(hot, 'float32');
}

export const lossFunctions: Readonly<Record<string, LossFn>> = {
  mse: (y, p) => meanLast(tf.squaredDifference(p, y)),
  mae: (y, p) => meanLast(tf.abs(tf.sub(p, y))),
  mape: (y, p) => tf.mul(100, meanLast(tf.abs(tf.div(tf.sub(y, p), tf.maximum(tf.abs(y), epsilon))))),
  msle: (y, p) => meanLast(tf.squaredDifference(tf.log1p(tf.maximum(p, epsilon)), tf.log1p(tf.maximum(y, epsilon)))),
  binary_crossentropy: (y, p) => {
    const q = clip(p);
    return meanLast(tf.neg(tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))))));
  },
  categorical_crossentropy: (y, p) => {
    const q = clip(tf.div(p, tf.sum(p, -1, true)));
    return tf.neg(tf.sum(tf.mul(y, tf.log(q)), -1));
  },
  sparse_categorical_crossentropy: (y, p) => {
    const classes = p.shape[p.shape.length - 1]!;
    const q = clip(tf.div(p, tf.sum(p, -1, true)));
    return tf.neg(tf.sum(tf.mul(oneHotTargets(y, classes), tf.log(tf.reshape(q, [-1, classes]))), -1));
  },
  hinge: (y, p) => meanLast(tf.relu(tf.sub(1, tf.mul(y, p)))),
  squared_hinge: (y, p) => meanLast(tf.square(tf.relu(tf.sub(1, tf.mul(y, p))))),
  categorical_hinge: (y, p) => {
    const positive = tf.sum(tf.mul(y, p), -1);
    const negative = tf.max(tf.mul(tf.sub(1, y), p), -1);
    return tf.relu(tf.add(tf.sub(negative, positive), 1));
  },
  log_cosh: (y, p) => {
    const x = tf.sub(p, y);
    return meanLast(tf.sub(tf.add(x, tf.softplus(tf.mul(-2, x))), Math.log(2)));
  },
  kld: (y, p) => {
    const a = clip(y, epsilon, 1);
    const b = clip(p, epsilon, 1);
    return tf.sum(tf.mul(a, tf.log(tf.div(a, b))), -1);
  },
  poisson: (y, p) => meanLast(tf.sub(p, tf.mul(y, tf.log(tf.add(p, epsilon))))),
  cosine_similarity: (y, p) => tf.neg(tf.sum(tf.mul(tf.div(y, tf.maximum(tf.norm(y, 'euclidean', -1, true), epsilon)), tf.div(p, tf.maximum(tf.norm(p, 'euclidean', -1, true), epsilon))), -1)),
};

/**
 * `mean(loss) * weight`. Reduced to a scalar here: tfjs adds the outputs'
 * losses as they come, so per-sample losses of outputs with different ranks
 * ([B] and [B, 5]) would not add up.
 */
export function weightedLoss(name: string, weight: number): LossFn {
  const base = lossFunctions[name];
  if (!base) throw new Error(`no loss function ${name}`);
  const fn: LossFn = (y, p) => tf.tidy(() => (weight === 1 ? tf.mean(base(y, p)) : tf.mul(tf.mean(base(y, p)), weight)));
  return named(fn, `${name}_weighted`);
}

function named<T extends object>(fn: T, name: string): T {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

const accuracyFor = (loss: string | undefined): string =>
  loss === 'binary_crossentropy' || loss === 'hinge' || loss === 'squared_hinge' ? 'binary_accuracy' : loss === 'sparse_categorical_crossentropy' ? 'sparse_categorical_accuracy' : 'categorical_accuracy';

const metricFunctions: Readonly<Record<string, LossFn>> = {
  binary_accuracy: (y, p) => meanLast(tf.cast(tf.equal(y, tf.cast(tf.greater(p, 0.5), y.dtype)), 'float32')),
  categorical_accuracy: (y, p) => tf.cast(tf.equal(tf.argMax(y, -1), tf.argMax(p, -1)), 'float32'),
  sparse_categorical_accuracy: (y, p) => tf.cast(tf.equal(tf.cast(tf.reshape(y, [-1]), 'int32'), tf.argMax(p, -1)), 'float32'),
  top_k_categorical_accuracy: (y, p) => tf.cast(topK(y, p, 5), 'float32'),
  precision: (y, p) => tf.metrics.precision(y, tf.cast(tf.greater(p, 0.5), 'float32')),
  recall: (y, p) => tf.metrics.recall(y, tf.cast(tf.greater(p, 0.5), 'float32')),
  mse: lossFunctions['mse']!,
  mae: lossFunctions['mae']!,
  mape: lossFunctions['mape']!,
  cosine_similarity: (y, p) => tf.neg(lossFunctions['cosine_similarity']!(y, p)),
};

/** Whether the target class is among the k highest predictions. */
function topK(y: tf.Tensor, p: tf.Tensor, k: number): tf.Tensor {
  const target = tf.argMax(y, -1);
  const { indices } = tf.topk(p, Math.min(k, p.shape[p.shape.length - 1]!));
  return tf.any(tf.equal(indices, tf.expandDims(target, -1)), -1);
}

/** The metric function for a catalogue metric name, named as it will appear in logs (`accuracy`, `mae`). */
export function metricFunction(name: string, loss: string | undefined): LossFn {
  const key = name === 'accuracy' ? accuracyFor(loss) : name;
  const base = metricFunctions[key];
  if (!base) throw new Error(`no metric function ${name}`);
  return named((y: tf.Tensor, p: tf.Tensor) => tf.tidy(() => base(y, p)), name);
}
