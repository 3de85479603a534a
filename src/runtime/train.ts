/**
 * Training: compiles the training model with each output's weighted loss
 * and metrics, runs `fit`, and reports every epoch under the spec's output
 * names (tfjs logs under layer names, and per-output losses already scaled).
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, GraphOutput, TrainingConfig } from '../semantics/graph.js';
import type { BuiltModels } from './build.js';
import { lossFunctions, metricFunction, weightedLoss } from './losses.js';
import { makeOptimizer } from './optimizers.js';

/** One output's figures for an epoch: its (unweighted) loss and its metrics. */
export type OutputFigures = Record<string, number>;

export interface EpochFigures {
  /** Total loss: sum_i weight_i * loss_i (plus any regularization penalties). */
  readonly loss: number;
  readonly outputs: Readonly<Record<string, OutputFigures>>;
}

export interface EpochReport extends EpochFigures {
  /** 1-based. */
  readonly epoch: number;
  readonly validation?: EpochFigures;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface TrainingData {
  /** By spec input name. */
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  /** By spec output name (training outputs only). */
  readonly targets: Readonly<Record<string, tf.Tensor>>;
}

export interface TrainOptions {
  readonly config: TrainingConfig;
  /** Epochs already done (when resuming): training continues at the next one. */
  readonly initialEpoch?: number;
  readonly onEpochEnd?: (report: EpochReport) => void | Promise<void>;
  readonly onBatchEnd?: (epoch: number, batch: number, batches: number, logs: tf.Logs) => void;
  /** Checked after every batch; true stops training at the end of that batch (the epoch is dropped). */
  readonly shouldStop?: () => boolean;
}

export interface CompiledTraining {
  readonly optimizer: tf.Optimizer;
  /** The tfjs output name (layer name) for each spec output. */
  readonly tfjsOutputNames: ReadonlyMap<string, string>;
}

/** Outputs whose weight is 0 get their loss as a metric too, since their scaled loss says nothing. */
const unweightedLossMetric = '__unweighted_loss';

export function compileForTraining(built: BuiltModels, graph: Graph, optimizer?: tf.Optimizer): CompiledTraining {
  const model = built.training;
  const outputs = graph.outputs;
  for (const o of outputs) {
    if (!o.loss) throw new Error(`output \`${o.name}\` has no loss; add \`loss …\` to it or \`loss:\` to the train block`);
  }
  const metrics: Record<string, Array<(y: tf.Tensor, p: tf.Tensor) => tf.Tensor>> = {};
  outputs.forEach((o, i) => {
    const fns = o.metrics.map((m) => metricFunction(m, o.loss));
    if (o.weight === 0) {
      const base = lossFunctions[o.loss!]!;
      const fn = (y: tf.Tensor, p: tf.Tensor) => base(y, p);
      Object.defineProperty(fn, 'name', { value: unweightedLossMetric });
      fns.push(fn);
    }
    metrics[model.outputNames[i]!] = fns;
  });
  const opt = optimizer ?? makeOptimizer(graph.training.optimizer);
  // tfjs accepts a list of metrics per output name, though its typings say one.
  model.compile({ optimizer: opt, loss: outputs.map((o) => weightedLoss(o.loss!, o.weight)), metrics: metrics as unknown as Record<string, string> });
  return { optimizer: opt, tfjsOutputNames: new Map(outputs.map((o, i) => [o.name, model.outputNames[i]!])) };
}

/** Turns tfjs's log keys (`main_loss`, `val_cnn_aux_mae`) into figures per spec output. */
export function figuresFromLogs(logs: tf.Logs, outputs: readonly GraphOutput[], tfjsNames: ReadonlyMap<string, string>, prefix = ''): EpochFigures | undefined {
  const total = logs[`${prefix}loss`];
  if (total === undefined) return undefined;
  const single = outputs.length === 1;
  const result: Record<string, OutputFigures> = {};
  for (const o of outputs) {
    const key = (name: string) => (single ? `${prefix}${name}` : `${prefix}${tfjsNames.get(o.name)}_${name}`);
    const figures: OutputFigures = {};
    const scaled = single ? undefined : logs[key('loss')];
    if (o.weight === 0) figures['loss'] = logs[key(unweightedLossMetric)]!;
    else if (scaled !== undefined) figures['loss'] = scaled / o.weight;
    else figures['loss'] = total / o.weight;
    for (const m of o.metrics) {
      const value = logs[key(m)];
      if (value !== undefined) figures[m] = value;
    }
    result[o.name] = figures;
  }
  return { loss: total, outputs: result };
}

function tensorsInOrder(names: readonly string[], byName: Readonly<Record<string, tf.Tensor>>, what: string): tf.Tensor[] {
  return names.map((name) => {
    const t = byName[name];
    if (!t) throw new Error(`no ${what} data for \`${name}\``);
    return t;
  });
}

/**
 * Each output's loss and metrics, and the weighted total, on held-out data.
 * mbn evaluates itself: tfjs 4.22's test function (used by `evaluate` and by
 * `fit`'s validation) accumulates the outputs' losses, so its per-output
 * validation figures are running sums under shifted names.
 */
export function evaluateFigures(model: tf.LayersModel, outputs: readonly GraphOutput[], x: tf.Tensor[], y: tf.Tensor[], batchSize: number): EpochFigures {
  return tf.tidy(() => {
    const predicted = model.predict(x.length === 1 ? x[0]! : x, { batchSize });
    const preds = Array.isArray(predicted) ? predicted : [predicted];
    let total = 0;
    const result: Record<string, OutputFigures> = {};
    outputs.forEach((o, i) => {
      const figures: OutputFigures = {};
      const loss = tf.mean(lossFunctions[o.loss!]!(y[i]!, preds[i]!)).dataSync()[0]!;
      figures['loss'] = loss;
      total += o.weight * loss;
      for (const m of o.metrics) figures[m] = tf.mean(metricFunction(m, o.loss)(y[i]!, preds[i]!)).dataSync()[0]!;
      result[o.name] = figures;
    });
    return { loss: total, outputs: result };
  });
}

/** The first `n - held` samples for training and the last `held` for validation, as Keras's validation_split does. */
function split(tensors: tf.Tensor[], held: number): { train: tf.Tensor[]; validation: tf.Tensor[] } {
  if (held === 0) return { train: tensors, validation: [] };
  const n = tensors[0]!.shape[0]!;
  return {
    train: tensors.map((t) => tf.slice(t, 0, n - held)),
    validation: tensors.map((t) => tf.slice(t, n - held, held)),
  };
}

export async function train(built: BuiltModels, graph: Graph, compiled: CompiledTraining, data: TrainingData, options: TrainOptions): Promise<EpochReport[]> {
  const model = built.training;
  const config = options.config;
  const x = tensorsInOrder(built.trainingInputs, data.inputs, 'input');
  const y = tensorsInOrder(built.trainingOutputs, data.targets, 'target');
  const samples = x[0]!.shape[0]!;
  const held = Math.floor(samples * config.validationSplit);
  const xs = split(x, held);
  const ys = split(y, held);
  const trainSamples = samples - held;
  const batches = Math.ceil(trainSamples / config.batchSize);
  const reports: EpochReport[] = [];
  let started = 0;
  const initialEpoch = options.initialEpoch ?? 0;
  try {
    await model.fit(xs.train.length === 1 ? xs.train[0]! : xs.train, ys.train.length === 1 ? ys.train[0]! : ys.train, {
      epochs: config.epochs,
      initialEpoch,
      batchSize: config.batchSize,
      shuffle: config.shuffle,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => {
          started = performance.now();
        },
        // Only when someone listens: with a batch callback, tfjs reads every batch's loss back (a sync per batch).
        ...(options.onBatchEnd || options.shouldStop
          ? {
              onBatchEnd: async (batch: number, logs?: tf.Logs) => {
                options.onBatchEnd?.(reports.length + initialEpoch + 1, batch + 1, batches, logs ?? {});
                if (options.shouldStop?.()) model.stopTraining = true;
              },
            }
          : {}),
        onEpochEnd: async (epoch, logs) => {
          if (options.shouldStop?.() || !logs) return;
          const seconds = (performance.now() - started) / 1000;
          const figures = figuresFromLogs(logs, graph.outputs, compiled.tfjsOutputNames)!;
          const validation = held > 0 ? evaluateFigures(model, graph.outputs, xs.validation, ys.validation, config.batchSize) : undefined;
          const report: EpochReport = {
            epoch: epoch + 1,
            ...figures,
            ...(validation ? { validation } : {}),
            seconds,
            samplesPerSecond: trainSamples / seconds,
          };
          reports.push(report);
          await options.onEpochEnd?.(report);
        },
      },
    });
  } finally {
    if (held > 0) tf.dispose([...xs.train, ...xs.validation, ...ys.train, ...ys.validation]);
  }
  return reports;
}
