/**
 * Training and inference throughput of every seed example, in one run:
 *   (a) the mbn-compiled model on wasm (with mbn's kernels),
 *   (b) the same model on tfjs's pure-JS cpu backend,
 *   (c) a hand-written tfjs equivalent on wasm (mbn must add no overhead),
 *   (d) the pruned inference model against the full training model's predict,
 * plus parse+check and compile (graph → tfjs models) times.
 * mbn and hand-written runs alternate, so each ratio compares runs taken
 * side by side; every figure is a median.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { inferenceGraph } from '../src/passes/prune.js';
import { selectBackend } from '../src/runtime/backend.js';
import { buildModels, disposeModels } from '../src/runtime/build.js';
import { syntheticData } from '../src/runtime/dataset.js';
import { compileForTraining, train, type TrainingData } from '../src/runtime/train.js';
import { analyze, pickModel } from '../src/semantics/analyze.js';
import type { Graph } from '../src/semantics/graph.js';
import type { Value } from '../src/semantics/values.js';
import { graphFlops } from '../src/summary/flops.js';
import * as hand from './handwritten.js';
import { median, quartiles, type BenchResult } from './stats.js';

interface Seed {
  readonly file: string;
  readonly model: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly handWritten: () => tf.LayersModel;
  /**
   * Training samples per timed run on wasm and on cpu (cpu is 5-200x slower),
   * and samples per timed predict (by default twice the wasm training samples,
   * at least 1,024): each timed run should take a good fraction of a second,
   * since this shared machine's noise is tens of milliseconds.
   */
  readonly samples: { readonly wasm: number; readonly cpu: number; readonly predict?: number };
  readonly convolutional: boolean;
}

// soft_switch runs at 161x161 (its default, 500x500, makes one cpu step take minutes).
const seeds: readonly Seed[] = [
  { file: 'aux_branches.mbn', model: 'AuxBranches', handWritten: hand.auxBranches, samples: { wasm: 512, cpu: 32 }, convolutional: true },
  { file: 'lstm_cnn_paper.mbn', model: 'LstmCnn', handWritten: hand.lstmCnnPaper, samples: { wasm: 512, cpu: 64 }, convolutional: false },
  { file: 'soft_switch.mbn', model: 'ConditionalCatDog', params: { size: 161 }, handWritten: () => hand.softSwitch(161), samples: { wasm: 128, cpu: 32 }, convolutional: true },
  { file: 'weighted_merge.mbn', model: 'WeightedSum', handWritten: hand.weightedMerge, samples: { wasm: 32768, cpu: 1024, predict: 262144 }, convolutional: false },
  { file: 'ensemble.mbn', model: 'Ensemble', handWritten: hand.ensemble, samples: { wasm: 1024, cpu: 64 }, convolutional: true },
  { file: 'mixture_of_experts.mbn', model: 'MixtureOfExperts', handWritten: hand.mixtureOfExperts, samples: { wasm: 16384, cpu: 1024, predict: 262144 }, convolutional: false },
];

const examplesDir = path.join(path.dirname(path.dirname(new URL(import.meta.url).pathname)), 'examples');
const examples = examplesDir.includes(`${path.sep}dist${path.sep}`) ? examplesDir.replace(`${path.sep}dist${path.sep}`, path.sep) : examplesDir;

function checkSeed(seed: Seed): { graph: Graph; checkMs: number[] } {
  const uri = path.join(examples, seed.file);
  const text = readFileSync(uri, 'utf8');
  const host = { readFile: (u: string) => (u === uri ? text : undefined) };
  const params = seed.params
    ? new Map([[seed.model, new Map<string, Value>(Object.entries(seed.params).map(([k, v]) => [k, { kind: 'number', value: v, isInt: true }]))]])
    : undefined;
  const checkMs: number[] = [];
  let graph: Graph | undefined;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const analysis = analyze(uri, host, params ? { params } : {});
    graph = pickModel(analysis, seed.model).graph;
    checkMs.push(performance.now() - t0);
  }
  if (!graph) throw new Error(`${seed.file}: ${seed.model} does not check`);
  return { graph, checkMs };
}

/** The first `n` samples of every tensor, in the given order of names. */
function take(data: Readonly<Record<string, tf.Tensor>>, names: readonly string[], n: number): tf.Tensor[] {
  return names.map((name) => data[name]!.slice(0, n));
}

async function seconds(run: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / 1000;
}

interface Models {
  fitEpoch(): Promise<void>;
  predict(x: tf.Tensor[]): void;
  dispose(): void;
}

function mbnModels(graph: Graph, data: TrainingData, samples: number): Models & { inferencePredict(x: tf.Tensor[]): void; inputs: readonly string[]; inferenceInputs: readonly string[] } {
  const built = buildModels(graph);
  const compiled = compileForTraining(built, graph);
  const inputs: Record<string, tf.Tensor> = {};
  const targets: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(data.inputs)) inputs[k] = v.slice(0, samples);
  for (const [k, v] of Object.entries(data.targets)) targets[k] = v.slice(0, samples);
  const config = { ...graph.training, epochs: 1, validationSplit: 0 };
  return {
    inputs: built.trainingInputs,
    inferenceInputs: built.inferenceInputs,
    // mbn's own training entry point (what `mbnc train` runs, less checkpoint files).
    fitEpoch: async () => void (await train(built, graph, compiled, { inputs, targets }, { config })),
    predict: (x) => tf.dispose(built.training.predict(x, { batchSize: 256 })),
    inferencePredict: (x) => tf.dispose(built.inference.predict(x, { batchSize: 256 })),
    dispose: () => {
      tf.dispose([...Object.values(inputs), ...Object.values(targets)]);
      compiled.optimizer.dispose();
      disposeModels(built);
    },
  };
}

function handModels(seed: Seed, graph: Graph, data: TrainingData, samples: number): Models {
  const model = seed.handWritten();
  // The hand-written models list inputs and outputs in the spec's order.
  const x = take(data.inputs, graph.inputs.map((i) => i.name), samples);
  const y = take(data.targets, graph.outputs.map((o) => o.name), samples);
  return {
    fitEpoch: async () => void (await model.fit(x.length === 1 ? x[0]! : x, y.length === 1 ? y[0]! : y, { epochs: 1, batchSize: graph.training.batchSize, shuffle: true, verbose: 0 })),
    predict: (inputs) => tf.dispose(model.predict(inputs, { batchSize: 256 })),
    dispose: () => {
      tf.dispose([...x, ...y]);
      model.optimizer.dispose();
      model.dispose();
    },
  };
}

/** The interquartile range of per-pair ratios: on this noisy machine a median of 0.97 may be a spread of 0.93-1.02. */
const spread = (ratios: readonly number[]) => quartiles(ratios).map((r) => r.toFixed(2)).join('-');
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

export async function benchTraining(runs = 9): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const seed of seeds) {
    const { graph, checkMs } = checkSeed(seed);
    const predictSamples = seed.samples.predict ?? Math.max(1024, 2 * seed.samples.wasm);
    const label = `${seed.file.replace('.mbn', '')} (${seed.model}${seed.params ? ` ${Object.entries(seed.params).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''})`;

    // (b) cpu first, on a few samples.
    // Data is made on each backend (tensors made on one backend and used on another get copied).
    await selectBackend('cpu');
    const cpuData = syntheticData(graph, seed.samples.cpu);
    const onCpu = mbnModels(graph, cpuData, seed.samples.cpu);
    // The cpu backend compiles nothing, so a slow first run is timed rather
    // than thrown away; runs repeat only while they are quick (a convolutional
    // step takes up to a minute on cpu).
    const cpuTrain: number[] = [];
    let spent = 0;
    while (cpuTrain.length < runs && spent < 20) {
      const s = await seconds(onCpu.fitEpoch);
      spent += s;
      cpuTrain.push(seed.samples.cpu / s);
    }
    onCpu.dispose();
    tf.dispose([...Object.values(cpuData.inputs), ...Object.values(cpuData.targets)]);

    // (a), (c), (d) on wasm.
    await selectBackend('wasm');
    const data = syntheticData(graph, Math.max(seed.samples.wasm, predictSamples));
    const buildMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const built = buildModels(graph);
      buildMs.push(performance.now() - t0);
      disposeModels(built);
    }
    const mbn = mbnModels(graph, data, seed.samples.wasm);
    const byHand = handModels(seed, graph, data, seed.samples.wasm);
    const x = take(data.inputs, mbn.inputs, predictSamples);
    const xInference = take(data.inputs, mbn.inferenceInputs, predictSamples);
    // Two epochs each before timing: the first runs of a process pay for compiling JavaScript.
    for (let warm = 0; warm < 2; warm++) {
      await mbn.fitEpoch();
      await byHand.fitEpoch();
    }
    mbn.predict(x);
    mbn.inferencePredict(xInference);
    byHand.predict(x);
    const mbnTrain: number[] = [];
    const handTrain: number[] = [];
    const trainRatio: number[] = [];
    const mbnPredict: number[] = [];
    const handPredict: number[] = [];
    const predictRatio: number[] = [];
    const prunedPredict: number[] = [];
    const prunedRatio: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first so neither always runs on a warmer cache.
      let m: number;
      let h: number;
      if (i % 2 === 0) {
        m = await seconds(mbn.fitEpoch);
        h = await seconds(byHand.fitEpoch);
      } else {
        h = await seconds(byHand.fitEpoch);
        m = await seconds(mbn.fitEpoch);
      }
      mbnTrain.push(seed.samples.wasm / m);
      handTrain.push(seed.samples.wasm / h);
      trainRatio.push(h / m);
      // The three predicts in a rotating order too: the first one after training pays for its garbage.
      const predicts = [() => mbn.predict(x), () => mbn.inferencePredict(xInference), () => byHand.predict(x)];
      const took: number[] = [];
      for (let k = 0; k < 3; k++) {
        const which = (k + i) % 3;
        took[which] = await seconds(predicts[which]!);
      }
      const [full, pruned, handP] = took as [number, number, number];
      mbnPredict.push(predictSamples / full);
      prunedPredict.push(predictSamples / pruned);
      handPredict.push(predictSamples / handP);
      predictRatio.push(handP / full);
      prunedRatio.push(full / pruned);
    }
    tf.dispose([...x, ...xInference, ...Object.values(data.inputs), ...Object.values(data.targets)]);
    mbn.dispose();
    byHand.dispose();

    const wasmTrain = median(mbnTrain);
    const speedup = wasmTrain / median(cpuTrain);
    const flopsRatio = graphFlops(graph) / graphFlops(inferenceGraph(graph));
    const speedupTarget = seed.convolutional ? 30 : seed.file.startsWith('lstm') ? 5 : undefined;
    results.push(
      { name: `${label}: parse + check`, value: median(checkMs), unit: 'ms', detail: `compile to tfjs models ${fmt(median(buildMs))} ms` },
      {
        name: `${label}: training, wasm / cpu`,
        value: speedup,
        unit: 'x',
        detail: `wasm ${fmt(wasmTrain)}, cpu ${fmt(median(cpuTrain))} samples/s${speedupTarget ? `; target >= ${speedupTarget}x` : ''}`,
        ...(speedupTarget ? { target: { min: speedupTarget } } : {}),
      },
      {
        name: `${label}: mbn / hand-written tfjs, training`,
        value: median(trainRatio),
        unit: 'x',
        detail: `hand-written ${fmt(median(handTrain))} samples/s; pairs' middle half ${spread(trainRatio)}; target >= 0.98`,
        target: { min: 0.98 },
      },
      {
        name: `${label}: mbn / hand-written tfjs, predict`,
        value: median(predictRatio),
        unit: 'x',
        detail: `mbn ${fmt(median(mbnPredict))}, hand-written ${fmt(median(handPredict))} samples/s (batch 256); pairs' middle half ${spread(predictRatio)}; target >= 0.98`,
        target: { min: 0.98 },
      },
      {
        name: `${label}: pruned inference / full predict`,
        value: median(prunedRatio),
        unit: 'x',
        detail: `inference model ${fmt(median(prunedPredict))} samples/s; pairs' middle half ${spread(prunedRatio)}; FLOPs ratio ${flopsRatio.toFixed(2)}${seed.file === 'aux_branches.mbn' ? `; target >= ${(0.9 * flopsRatio).toFixed(2)}` : ''}`,
        ...(seed.file === 'aux_branches.mbn' ? { target: { min: 0.9 * flopsRatio } } : {}),
      },
    );
  }
  return results;
}
