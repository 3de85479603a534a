/**
 * The tfjs models mbn builds: shapes and parameter counts equal the
 * checker's for every example, layer by layer; the numbers the seed
 * questions ask for come out; weights are shared, losses weighted, and no
 * tensor leaks.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferenceGraph } from '../src/passes/prune.js';
import { selectBackend } from '../src/runtime/backend.js';
import { buildModels, disposeModels, tfjsName, type BuiltModels } from '../src/runtime/build.js';
import { syntheticData } from '../src/runtime/dataset.js';
import { compileForTraining, evaluateFigures, train } from '../src/runtime/train.js';
import { loadModel, saveModel } from '../src/runtime/artifacts.js';
import { analyze } from '../src/semantics/analyze.js';
import { totalParams, type Graph } from '../src/semantics/graph.js';
import { analyzeText, examplesDir, fileHost, model } from './helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

beforeAll(async () => {
  // wasm, with mbn's kernels: several times faster than cpu here (orthogonal initialisation alone).
  await selectBackend('wasm');
});

function graphOf(file: string, name: string, params?: Record<string, number>): Graph {
  const uri = path.join(examplesDir, file);
  const p = params ? new Map([[name, new Map(Object.entries(params).map(([k, v]) => [k, { kind: 'number' as const, value: v, isInt: true }]))]]) : undefined;
  const analysis = analyze(uri, fileHost, p ? { params: p } : {});
  const graph = model(analysis, name).graph;
  if (!graph) throw new Error(`${name}: ${model(analysis, name).unavailable.join('; ')}`);
  return graph;
}

function graphOfText(text: string, name?: string): Graph {
  const analysis = analyzeText(text);
  expect(analysis.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return model(analysis, name).graph!;
}

/**
 * A model from the training model's inputs to the outputs of the named layers
 * (node 0 is the training graph's; node 1, if any, the inference graph's).
 */
function probe(built: BuiltModels, layerNames: string[]): tf.LayersModel {
  const outputs = layerNames.flatMap((n) => {
    const out = built.training.getLayer(tfjsName(n)).getOutputAt(0) as tf.SymbolicTensor | tf.SymbolicTensor[];
    return Array.isArray(out) ? out : [out];
  });
  return tf.model({ inputs: built.training.inputs, outputs });
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

function expectClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!) / Math.max(1, Math.abs(expected[i]!))));
  expect(worst).toBeLessThan(tolerance);
}

describe('every example builds in tfjs with the checker\'s shapes and parameter counts', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.mbn'));
  for (const file of files) {
    const analysis = analyze(path.join(examplesDir, file), fileHost);
    for (const m of analysis.models.filter((x) => x.graph)) {
      it(`${file} ${m.name}`, () => {
        // soft_switch at its default 500x500 input is costly to build weights for; shapes do not depend on size here.
        const graph = m.name.startsWith('ConditionalCatDog') ? graphOf(file, m.name, { size: 161 }) : m.graph!;
        const built = buildModels(graph);
        for (const layer of graph.layers) {
          const made = built.layers.get(layer.id)!;
          expect(made, layer.name).toBeDefined();
          const params = made.reduce((n, l) => n + l.countParams(), 0);
          expect(params, `${layer.name} parameters`).toBe(layer.params.trainable + layer.params.nonTrainable);
          const last = made[made.length - 1]!;
          layer.nodes.forEach((node, i) => {
            const out = last.getOutputAt(i) as tf.SymbolicTensor | tf.SymbolicTensor[];
            const shapes = (Array.isArray(out) ? out : [out]).map((t) => t.shape);
            expect(shapes, `${layer.name} node ${i}`).toEqual(node.outputShapes.map((s) => [null, ...s]));
          });
        }
        expect(built.training.countParams()).toBe(totalParams(graph.layers).total);
        expect(built.inference.countParams()).toBe(totalParams(inferenceGraph(graph).layers).total);
        disposeModels(built);
      });
    }
  }
});

describe('numbers the seed questions ask for', () => {
  it('seeds/002: the weighted merge predicts 0.1*o1 + 0.9*o2 of its two sub-models', () => {
    const built = buildModels(graphOf('weighted_merge.mbn', 'WeightedSum'));
    const x = [tf.randomNormal([32, 5]), tf.randomNormal([32, 7])];
    const [o1, o2, out] = probe(built, ['o1/out1', 'o2/out2', 'out']).predict(x) as tf.Tensor[];
    const expected = values(o1!).map((a, i) => 0.1 * a + 0.9 * values(o2!)[i]!);
    expectClose(values(out!), expected);
    expectClose(values(built.inference.predict(x) as tf.Tensor), expected);
    // Built from Rescaling and Add only: loadable by Keras without custom objects.
    expect(built.training.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'InputLayer', 'Dense', 'Dense', 'Dense', 'Dense', 'Rescaling', 'Rescaling', 'Add']);
    disposeModels(built);
  });

  it('seeds/004: the mixture of experts is sum_i gate_i * expert_i', () => {
    const built = buildModels(graphOf('mixture_of_experts.mbn', 'MixtureOfExperts'));
    const x = tf.randomNormal([8, 20]);
    const [gate, c1, c2, c3, out] = probe(built, ['gate', 'c1/probs', 'c2/probs', 'c3/probs', 'out']).predict(x) as tf.Tensor[];
    const g = gate!.arraySync() as number[][];
    const experts = [c1!, c2!, c3!].map((t) => t.arraySync() as number[][]);
    const expected = g.flatMap((row, b) => experts[0]![b]!.map((_, k) => row.reduce((sum, gi, i) => sum + gi * experts[i]![b]![k]!, 0)));
    expectClose(values(out!), expected);
    // A mixture of softmaxes is a distribution.
    (out!.arraySync() as number[][]).forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    disposeModels(built);
  });

  it('seeds/001: the soft switch scales each branch by its per-sample probability', () => {
    const built = buildModels(graphOf('soft_switch.mbn', 'ConditionalCatDog', { size: 161 }));
    const x = tf.randomNormal([3, 161, 161, 3]);
    // cat_dog is the switch: one layer, two outputs.
    const [first, c3, c2, cat, dog] = probe(built, ['first', 'c3', 'c2', 'cat_dog']).predict(x) as tf.Tensor[];
    const p = first!.arraySync() as number[][];
    const perSample = (t: tf.Tensor, column: number) => tf.mul(t, tf.reshape(tf.tensor1d(p.map((r) => r[column]!)), [-1, 1, 1, 1]));
    expect(cat!.shape).toEqual([3, 5, 5, 12]);
    expect(dog!.shape).toEqual([3, 17, 17, 9]);
    expectClose(values(cat!), values(perSample(c3!, 0)));
    expectClose(values(dog!), values(perSample(c2!, 1)));
    disposeModels(built);
  });

  it('seeds/000: the pruned inference model predicts what the training model\'s main output does', () => {
    const built = buildModels(graphOf('aux_branches.mbn', 'AuxBranches'));
    const x = [tf.randomNormal([4, 32, 32, 3]), tf.randomNormal([4, 20, 30])];
    const all = built.training.predict(x) as tf.Tensor[];
    const main = built.inference.predict(x) as tf.Tensor;
    expect(built.trainingOutputs).toEqual(['main', 'cnn_aux', 'lstm_aux']);
    expect(built.inferenceOutputs).toEqual(['main']);
    expectClose(values(main), values(all[0]!), 1e-6);
    // Shared, not copied: the inference model's Dense is the training model's object.
    expect(built.inference.getLayer('main')).toBe(built.training.getLayer('main'));
    expect(built.inference.layers.some((l) => l.getClassName() === 'Dropout')).toBe(false);
    disposeModels(built);
  });

  it('a trainable merge weight moves during fit and stays inside [0, 1]', async () => {
    const graph = graphOf('weighted_merge.mbn', 'TrainableWeightedSum');
    const built = buildModels(graph);
    const compiled = compileForTraining(built, { ...graph, training: { ...graph.training, optimizer: { name: 'adam', args: { learning_rate: 0.05, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } } } });
    const alpha = () => built.training.getLayer('out').getWeights()[0]!.dataSync()[0]!;
    const start = alpha();
    expect(start).toBeCloseTo(0.5, 6);
    const data = syntheticData(graph, 64, 3);
    const seen: number[] = [];
    await train(built, graph, compiled, data, {
      config: { ...graph.training, epochs: 12, batchSize: 16, validationSplit: 0 },
      onEpochEnd: () => void seen.push(alpha()),
    });
    expect(Math.abs(seen[seen.length - 1]! - start)).toBeGreaterThan(0.01);
    for (const a of seen) expect(a >= 0 && a <= 1, `alpha ${a}`).toBe(true);
    disposeModels(built);
  });
});

describe('losses and their weights', () => {
  const spec = `model TwoHeads {
    input x: [6]
    h = x -> Dense(8, activation: tanh)
    output a = h -> Dense(2)   loss mse weight 1.0
    output b = h -> Dense(3)   loss mae weight 0.3
  }`;

  it('the total loss tfjs minimises is sum_i w_i * L_i, computed here by hand', async () => {
    const graph = graphOfText(spec);
    const built = buildModels(graph);
    compileForTraining(built, graph);
    const x = tf.randomNormal([10, 6]);
    const ya = tf.randomNormal([10, 2]);
    const yb = tf.randomNormal([10, 3]);
    const [pa, pb] = (built.training.predict(x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
    const mse = (ya.arraySync() as number[][]).map((row, i) => row.reduce((s, v, j) => s + (v - pa![i]![j]!) ** 2, 0) / row.length);
    const mae = (yb.arraySync() as number[][]).map((row, i) => row.reduce((s, v, j) => s + Math.abs(v - pb![i]![j]!), 0) / row.length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const byHand = 1.0 * mean(mse) + 0.3 * mean(mae);
    const figures = evaluateFigures(built.training, graph.outputs, [x], [ya, yb], 32);
    expect(figures.outputs['a']!['loss']).toBeCloseTo(mean(mse), 5);
    expect(figures.outputs['b']!['loss']).toBeCloseTo(mean(mae), 5);
    expect(figures.loss).toBeCloseTo(byHand, 5);
    // trainOnBatch returns the loss of the batch before its update: tfjs's own total, with mbn's weights.
    const trained = (await built.training.trainOnBatch(x, [ya, yb])) as number[];
    expect(trained[0]).toBeCloseTo(byHand, 5);
    expect(trained[1]).toBeCloseTo(mean(mse), 5);
    expect(trained[2]).toBeCloseTo(0.3 * mean(mae), 5);
    disposeModels(built);
  });

  it('reports each output\'s unweighted loss under its spec name', async () => {
    const graph = graphOfText(spec);
    const built = buildModels(graph);
    const compiled = compileForTraining(built, graph);
    const data = syntheticData(graph, 20, 5);
    const reports = await train(built, graph, compiled, data, { config: { ...graph.training, epochs: 1, batchSize: 20, validationSplit: 0, shuffle: false } });
    const r = reports[0]!;
    expect(Object.keys(r.outputs)).toEqual(['a', 'b']);
    expect(r.loss).toBeCloseTo(r.outputs['a']!['loss']! + 0.3 * r.outputs['b']!['loss']!, 4);
    disposeModels(built);
  });
});

describe('saving and loading', () => {
  it('round-trips the training and inference models, custom layers included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-save-'));
    for (const [file, name] of [['weighted_merge.mbn', 'WeightedProduct'], ['mixture_of_experts.mbn', 'MixtureOfExperts'], ['soft_switch.mbn', 'ConditionalCatDogSliced']] as const) {
      const graph = name.startsWith('Conditional') ? graphOf(file, name, { size: 161 }) : graphOf(file, name);
      const built = buildModels(graph);
      const x = graph.inputs.map((i) => tf.randomUniform([2, ...i.shape.map((d) => d ?? 4)]));
      await saveModel(built.inference, path.join(dir, name));
      const loaded = await loadModel(path.join(dir, name));
      const a = [built.inference.predict(x)].flat() as tf.Tensor[];
      const b = [loaded.predict(x)].flat() as tf.Tensor[];
      expect(b.length).toBe(a.length);
      a.forEach((t, i) => expectClose(values(b[i]!), values(t), 1e-6));
      loaded.dispose();
      disposeModels(built);
    }
  });
});

describe('memory', () => {
  it('leaks no tensors across repeated build, fit, predict and dispose', async () => {
    const graph = graphOf('aux_branches.mbn', 'AuxBranches');
    const round = async () => {
      const built = buildModels(graph);
      const compiled = compileForTraining(built, graph);
      const data = syntheticData(graph, 8, 2);
      await train(built, graph, compiled, data, { config: { ...graph.training, epochs: 1, batchSize: 4, validationSplit: 0.25 } });
      tf.dispose(built.inference.predict(graph.inputs.map((i) => data.inputs[i.name]!)) as tf.Tensor);
      tf.dispose([...Object.values(data.inputs), ...Object.values(data.targets)]);
      disposeModels(built);
      compiled.optimizer.dispose();
    };
    await round();
    const before = tf.memory().numTensors;
    await round();
    await round();
    expect(tf.memory().numTensors).toBe(before);
  });
});
