/**
 * Every layer of the catalogue trains on wasm with the gradients the cpu
 * backend computes: same weights, same data, gradients of the weights and
 * of the input within 1e-5 (relative to the largest gradient).
 *
 * Initial weights are seeded: with fresh random ones each run, a long dot
 * product (Dense(1) on 28,832 features, batch 2) whose two outputs happened
 * to nearly cancel once differed by 1.4e-5 of the larger: summation order,
 * XNNPACK's against the cpu backend's. Seeded, the worst case is 4.6e-6.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/runtime/backend.js';
import { constructLayer } from '../src/runtime/build.js';
import { seededRandom } from '../src/util/random.js';
import { bindCall, label, layerCases } from './catalogue-cases.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

interface Gradients {
  readonly output: Float32Array;
  readonly grads: Float32Array[];
}

/** Builds the case's layer on the current backend with the given weights and returns the gradients of a fixed scalar. */
function gradients(caseIndex: number, weights: Float32Array[] | undefined): { result: Gradients; weights: Float32Array[] } {
  const c = layerCases[caseIndex]!;
  const { entry, args } = bindCall(c);
  const shape = c.input.map((d) => d ?? 5);
  const batch = 2;
  const next = seededRandom(caseIndex + 1);
  const size = batch * shape.reduce((a, b) => a * b, 1);
  const inputValues = c.dtype === 'int32' ? Array.from({ length: size }, () => Math.floor(next() * 10)) : Array.from({ length: size }, () => next() * 2 - 1);
  return tf.tidy(() => {
    const layer = constructLayer(entry.tfjs(args));
    const x = tf.tensor(inputValues, [batch, ...shape], c.dtype ?? 'float32');
    // Random layers (Dropout, noise, recurrent dropout) are compared at inference; everything else in training mode.
    const random = (v: unknown) => typeof v === 'number' && v > 0;
    const nested = args['layer'] as { args?: Record<string, unknown> } | undefined;
    const training = !entry.trainingOnly && ![args, nested?.args ?? {}].some((a) => random(a['dropout']) || random(a['recurrent_dropout']));
    // Builds the weights; tfjs seeds its initializers from Math.random, so a seeded one makes every run's weights (and figures) the same.
    withSeededRandom(1000 + caseIndex, () => layer.apply(x, { training }));
    if (weights) layer.setWeights(weights.map((w, i) => tf.tensor(w, layer.getWeights()[i]!.shape)));
    const own = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    const variables = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const out0 = layer.apply(x, { training }) as tf.Tensor;
    const coefficients = tf.tensor(Array.from({ length: out0.size }, () => next() * 2 - 1), out0.shape);
    const objective = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training }) as tf.Tensor, coefficients)) as tf.Scalar;
    const all: Float32Array[] = [];
    if (variables.length > 0) {
      const { grads } = tf.variableGrads(() => objective(x), variables);
      all.push(...variables.map((v) => grads[v.name]!.dataSync() as Float32Array));
    }
    if (c.dtype !== 'int32') all.push(tf.grad(objective)(x).dataSync() as Float32Array);
    const result = { output: out0.dataSync() as Float32Array, grads: all };
    layer.dispose();
    return { result, weights: own };
  });
}

function withSeededRandom<T>(seed: number, f: () => T): T {
  const original = Math.random;
  Math.random = seededRandom(seed);
  try {
    return f();
  } finally {
    Math.random = original;
  }
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * tfjs's cpu kernel ResizeBilinearGrad returns a gradient of the wrong shape
 * for non-square inputs, so there the reference is finite differences.
 */
const cpuReferenceBroken = (c: (typeof layerCases)[number]) => c.name === 'UpSampling2D' && c.args?.['interpolation'] === 'bilinear';

/** The input gradient by central differences, on the current backend, for a weightless layer. */
function finiteDifferences(caseIndex: number): { numeric: Float32Array; analytic: Float32Array } {
  const c = layerCases[caseIndex]!;
  const { entry, args } = bindCall(c);
  const shape = c.input.map((d) => d ?? 5);
  const next = seededRandom(caseIndex + 1);
  const size = 2 * shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () => next() * 2 - 1);
  return tf.tidy(() => {
    const layer = constructLayer(entry.tfjs(args));
    const x = tf.tensor(values, [2, ...shape]);
    const probe = layer.apply(x) as tf.Tensor;
    const coefficients = tf.tensor(Array.from({ length: probe.size }, () => next() * 2 - 1), probe.shape);
    const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, coefficients)) as tf.Scalar;
    const analytic = tf.grad(f)(x).dataSync() as Float32Array;
    const numeric = new Float32Array(size);
    const eps = 1e-2;
    for (let i = 0; i < size; i++) {
      const plus = [...values];
      const minus = [...values];
      plus[i]! += eps;
      minus[i]! -= eps;
      numeric[i] = (f(tf.tensor(plus, [2, ...shape])).dataSync()[0]! - f(tf.tensor(minus, [2, ...shape])).dataSync()[0]!) / (2 * eps);
    }
    return { numeric, analytic };
  });
}

describe('gradients on wasm equal the cpu backend\'s, for every layer in the catalogue', () => {
  layerCases.forEach((c, i) => {
    if (c.rejected || c.tfjsTrainingThrows) return;
    if (cpuReferenceBroken(c)) {
      it(`${label(c)} (against finite differences: tfjs's cpu gradient is wrong here)`, async () => {
        await tf.setBackend('wasm');
        const { numeric, analytic } = finiteDifferences(i);
        expect(relativeError(analytic, numeric)).toBeLessThanOrEqual(1e-3);
      });
      return;
    }
    it(label(c), async () => {
      await tf.setBackend('wasm');
      const onWasm = gradients(i, undefined);
      await selectBackend('cpu');
      const onCpu = gradients(i, onWasm.weights);
      await tf.setBackend('wasm');
      expect(relativeError(onWasm.result.output, onCpu.result.output), 'output').toBeLessThanOrEqual(1e-5);
      expect(onWasm.result.grads.length).toBe(onCpu.result.grads.length);
      onCpu.result.grads.forEach((g, k) => {
        expect(relativeError(onWasm.result.grads[k]!, g), `gradient ${k}`).toBeLessThanOrEqual(1e-5);
      });
    });
  });
});
