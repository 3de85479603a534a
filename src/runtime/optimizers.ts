/** The `train { optimizer: … }` setting as a tfjs optimizer. */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../semantics/graph.js';

export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  const a = config.args as Record<string, number | boolean>;
  const lr = a['learning_rate'] as number;
  switch (config.name) {
    case 'adam':
      return tf.train.adam(lr, a['beta_1'] as number, a['beta_2'] as number, a['epsilon'] as number);
    case 'adamax':
      return tf.train.adamax(lr, a['beta_1'] as number, a['beta_2'] as number, a['epsilon'] as number);
    case 'sgd':
      return (a['momentum'] as number) > 0 ? tf.train.momentum(lr, a['momentum'] as number, a['nesterov'] as boolean) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, a['rho'] as number, a['momentum'] as number, a['epsilon'] as number);
    case 'adagrad':
      return tf.train.adagrad(lr, a['initial_accumulator_value'] as number);
    case 'adadelta':
      return tf.train.adadelta(lr, a['rho'] as number, a['epsilon'] as number);
    default:
      throw new Error(`no tfjs optimizer for ${config.name}`);
  }
}
