/**
 * The training half of an emitted module: each output's loss, weight and
 * metrics, the `train` block's settings, and `compileForTraining`, which
 * compiles the training model the way `mbnc train` does. tfjs's `compile()`
 * has no `lossWeights`, so the helper scales each output's loss by its
 * weight itself and the total tfjs minimises is `sum_i weight_i * loss_i`.
 */
import { functionEntries, lossByName, metricByName } from '../catalogue/training.js';
import type { GraphOutput, OptimizerConfig, TrainingConfig } from '../semantics/graph.js';
import { literal } from './expressions.js';
import { commentText, NameScope, propertyAccess, propertyKey, stringLiteral } from './naming.js';

/** `accuracy` means the accuracy that fits the loss, as mbn's trainer picks it (src/runtime/losses.ts). */
function accuracyFor(loss: string | undefined): string {
  if (loss === 'binary_crossentropy' || loss === 'hinge' || loss === 'squared_hinge') return 'binary_accuracy';
  return loss === 'sparse_categorical_crossentropy' ? 'sparse_categorical_accuracy' : 'categorical_accuracy';
}

/** tfjs's metric functions, by the catalogue's metric name; `topKCategoricalAccuracy` is emitted (tfjs has none). */
const metricFunctions: Readonly<Record<string, string>> = {
  binary_accuracy: 'tf.metrics.binaryAccuracy',
  categorical_accuracy: 'tf.metrics.categoricalAccuracy',
  sparse_categorical_accuracy: 'tf.metrics.sparseCategoricalAccuracy',
  precision: 'tf.metrics.precision',
  recall: 'tf.metrics.recall',
  mse: 'tf.metrics.meanSquaredError',
  mae: 'tf.metrics.meanAbsoluteError',
  mape: 'tf.metrics.meanAbsolutePercentageError',
  cosine_similarity: 'tf.metrics.cosineProximity',
};

export const topKName = 'topKCategoricalAccuracy';

/** Each output's metrics: its own and the `train` block's, as tfjs functions. */
export function outputMetrics(output: GraphOutput, training: TrainingConfig): string[] {
  const names = [...new Set([...output.metrics, ...training.metrics])].map((m) => metricByName.get(m)?.name ?? m);
  return names.map((m) => {
    const name = m === 'accuracy' ? accuracyFor(output.loss) : m;
    return name === 'top_k_categorical_accuracy' ? topKName : metricFunctions[name] ?? 'tf.metrics.categoricalAccuracy';
  });
}

/** `tf.train.adam(0.001, 0.9, 0.999, 1e-7)`: the `train` block's optimizer, made as mbn's trainer makes it. */
export function optimizerCode(optimizer: OptimizerConfig): string {
  const entry = functionEntries.get(optimizer.name);
  if (!entry) throw new Error(`codegen: unknown optimizer ${optimizer.name}`);
  const args = entry.params.map((p) => optimizer.args[p.name] ?? p.default);
  // Plain SGD without momentum is tfjs's `sgd`; with momentum, `momentum(lr, momentum, nesterov)`.
  if (optimizer.name === 'sgd' && !((optimizer.args['momentum'] as number) > 0)) return `tf.train.sgd(${literal(args[0] as number).text})`;
  return `tf.train.${entry.tfjs}(${args.map((a) => literal(a as number | boolean).text).join(', ')})`;
}

export interface TrainingNames {
  readonly losses: string;
  readonly fitSettings: string;
  readonly outputName: string;
  readonly compileOptions: string;
}

/** The entries of `export const xLosses = { main: { loss: 'mse', tfjsLoss: 'meanSquaredError', weight: 1, … }, … } as const`. */
export function lossesEntries(outputs: readonly GraphOutput[], training: TrainingConfig): string[] {
  return outputs.map((o) => {
    const tfjsLoss = o.loss ? lossByName.get(o.loss)?.tfjs ?? null : null;
    const metrics = [...new Set([...o.metrics, ...training.metrics])].map((m) => stringLiteral(m));
    return `${propertyKey(o.name)}: { loss: ${o.loss ? stringLiteral(o.loss) : 'null'}, tfjsLoss: ${tfjsLoss ? stringLiteral(tfjsLoss) : 'null'}, weight: ${literal(o.weight).text}, aux: ${o.aux}, metrics: [${metrics.join(', ')}] },`;
  });
}

/** `{ epochs: 3, batchSize: 32, validationSplit: 0.1, shuffle: true }`: ready for `model.fit`. */
export function fitSettingsInitializer(training: TrainingConfig): string {
  return `{ epochs: ${training.epochs}, batchSize: ${training.batchSize}, validationSplit: ${literal(training.validationSplit).text}, shuffle: ${training.shuffle} } as const`;
}

/** The body of `compileForTraining(model, options)`. */
export function compileBody(outputs: readonly GraphOutput[], training: TrainingConfig, names: TrainingNames, module: NameScope): string {
  const missing = outputs.filter((o) => !o.loss);
  if (missing.length > 0) {
    const list = missing.map((o) => `\`${o.name}\``).join(', ');
    return `void model;\nvoid options;\nthrow new Error(${stringLiteral(`output ${list} has no loss: give ${missing.length > 1 ? 'them' : 'it'} one in the spec (\`loss mse\`) and compile again`)});`;
  }
  const local = new NameScope(module);
  const v = {
    names: local.take('names'),
    weights: local.take('weights'),
    lossFunctions: local.take('lossFunctions'),
    metrics: local.take('metrics'),
    lossFunction: local.take('lossFunction'),
    weight: local.take('weight'),
    outputName: local.take('outputName'),
  };
  const outputNames = outputs.map((o) => stringLiteral(o.name));
  const metricLists = outputs.map((o) => `[${outputMetrics(o, training).join(', ')}]`);
  const anyMetrics = outputs.some((o) => outputMetrics(o, training).length > 0);
  const defaults = outputs.map((o) => `${propertyKey(o.name)}: ${propertyAccess(propertyAccess(names.losses, o.name), 'weight')}`);
  return [
    `const ${v.names}: ${names.outputName}[] = [${outputNames.join(', ')}];`,
    `const ${v.weights}: Record<${names.outputName}, number> = { ${defaults.join(', ')}, ...options.lossWeights };`,
    `// tfjs exports only some of its loss functions, but compile() finds any of them by name: let it, then wrap them.`,
    `model.compile({ optimizer: 'sgd', loss: ${v.names}.map((name) => ${names.losses}[name].tfjsLoss) });`,
    `const ${v.lossFunctions} = model.lossFunctions;`,
    ...(anyMetrics ? [`const ${v.metrics} = [${metricLists.join(', ')}];`] : []),
    `model.compile({`,
    `  optimizer: options.optimizer ?? ${optimizerCode(training.optimizer)},`,
    `  // compile() has no lossWeights: each output's loss is scaled by its weight. Reduced to a scalar first,`,
    `  // because tfjs adds the outputs' losses before reducing them, which fails for outputs of different ranks.`,
    `  loss: ${v.lossFunctions}.map((${v.lossFunction}, i) => {`,
    `    const ${v.weight} = ${v.weights}[${v.names}[i]!];`,
    `    return (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(tf.mean(${v.lossFunction}(yTrue, yPred)), ${v.weight});`,
    `  }),`,
    ...(anyMetrics
      ? [
          `  // A list of metrics per output, by tfjs's output name (its typings allow one metric, its code a list).`,
          `  metrics: Object.fromEntries(model.outputNames.flatMap((${v.outputName}, i) => (${v.metrics}[i]!.length > 0 ? [[${v.outputName}, ${v.metrics}[i]]] : []))) as unknown as Record<string, string>,`,
        ]
      : []),
    `});`,
  ].join('\n');
}

export const topKBody = [
  `const k = Math.min(5, yPred.shape[yPred.shape.length - 1] ?? 5);`,
  `return tf.tidy(() => tf.cast(tf.any(tf.equal(tf.topk(yPred, k).indices, tf.expandDims(tf.argMax(yTrue, -1), -1)), -1), 'float32'));`,
].join('\n');

/** A short description of the `train` block, for the doc comment of the fit settings. */
export function trainingDoc(training: TrainingConfig, where: string | undefined): string {
  const optimizer = `${training.optimizer.name}(${Object.entries(training.optimizer.args).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
  return commentText(`${where ? `The train block (${where})` : 'mbn\'s default training settings'}: ${optimizer}${training.seed !== null ? `, seed ${training.seed}` : ''}. Pass to model.fit.`);
}
