/**
 * The kernels mbn adds to the wasm backend compute what tfjs's cpu backend
 * computes: convolution filter gradients, max-pool gradients (including
 * windows of negative values, which stock wasm gets wrong) and one-hot
 * encodings of every dtype; and the generic fallback covers the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/runtime/backend.js';
import { fallbackDataCount, installWasmFallbacks } from '../src/runtime/wasm-fallback.js';
import { buildModels, disposeModels } from '../src/runtime/build.js';
import { compileForTraining, train } from '../src/runtime/train.js';
import { syntheticData } from '../src/runtime/dataset.js';
import { analyzeText, model } from './helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Runs `f` on wasm and on cpu with the same input values; returns both results' values. */
async function onBoth(inputs: { values: number[]; shape: number[] }[], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<{ wasm: Float32Array; cpu: Float32Array }> {
  const run = async () => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const out = f(...xs);
    const values = (await out.data()) as Float32Array;
    tf.dispose([...xs, out]);
    return values;
  };
  await tf.setBackend('wasm');
  const wasm = await run();
  await selectBackend('cpu');
  const cpu = await run();
  await tf.setBackend('wasm');
  return { wasm, cpu };
}

const random = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 43758.5453 % 1);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function expectSame(a: Float32Array, b: Float32Array, tolerance: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('wasm kernels agree with the cpu backend', () => {
  const convCases: [number[], number[], number | [number, number], 'valid' | 'same'][] = [
    [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'valid'],
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
    [[1, 8, 7, 2], [5, 3, 2, 3], [2, 1], 'same'],
    [[2, 10, 10, 1], [4, 4, 1, 2], 3, 'valid'],
    [[3, 28, 28, 1], [3, 3, 1, 25], 1, 'same'],
  ];
  for (const [xShape, fShape, strides, pad] of convCases) {
    it(`Conv2DBackpropFilter for x ${xShape} filter ${fShape} strides ${strides} ${pad}`, async () => {
      const { wasm, cpu } = await onBoth(
        [{ values: random(size(xShape), 1), shape: xShape }, { values: random(size(fShape), 2), shape: fShape }],
        (x, f) => tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad))))(f!),
      );
      expectSame(wasm, cpu, 1e-5);
    });
  }

  const poolCases: [number[], number, number, 'valid' | 'same'][] = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 9, 7, 3], 2, 2, 'valid'],
    [[2, 9, 9, 2], 3, 3, 'valid'],
    [[2, 8, 8, 3], 3, 2, 'valid'],
    [[2, 7, 7, 3], 2, 2, 'same'],
  ];
  for (const [shape, pool, strides, pad] of poolCases) {
    it(`MaxPoolGrad for ${shape} pool ${pool} strides ${strides} ${pad}, with ties and negative windows`, async () => {
      // Every value <= 0 and many ties: stock wasm gives such windows no gradient and picks the last tie.
      const values = Array.from({ length: size(shape) }, (_, i) => -Math.round(Math.abs(Math.sin(i * 1.7)) * 3));
      const { wasm, cpu } = await onBoth([{ values, shape }], (x) =>
        tf.grad((v: tf.Tensor) => {
          const pooled = tf.maxPool(v as tf.Tensor4D, pool, strides, pad);
          return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, pooled.size + 1), pooled.shape)));
        })(x!),
      );
      expect(Array.from(wasm)).toEqual(Array.from(cpu));
      expect(Array.from(cpu).some((g) => g !== 0)).toBe(true);
    });
  }

  const sliceCases: [number[], number[], number[]][] = [
    [[7, 12], [2, 3], [4, 5]],
    [[5, 6, 70], [1, 2, 3], [3, 3, 66]], // long runs (copied with set)
    [[3, 4, 5, 6], [1, 0, 2, 1], [2, 4, 2, 4]],
    [[4, 5, 6, 3, 2], [1, 1, 1, 1, 0], [2, 3, 4, 2, 1]],
    [[6, 4, 5], [2, 0, 0], [3, 4, 5]], // contiguous: one copy
    [[6, 4, 5], [3, 1, 0], [1, 2, 5]], // contiguous inside one outer index
    [[9], [2], [5]],
  ];
  for (const [shape, begin, sliceSize] of sliceCases) {
    it(`Slice of ${shape} from ${begin} size ${sliceSize}`, async () => {
      const { wasm, cpu } = await onBoth([{ values: random(size(shape), 7), shape }], (x) => tf.slice(x, begin, sliceSize));
      expectSame(wasm, cpu, 0);
    });
  }

  it('SplitV and Unpack (the LSTM gates and time steps)', async () => {
    const shape = [6, 5, 16];
    const pieces = (x: tf.Tensor) => tf.concat([...tf.split(x, [4, 8, 4], 2), ...tf.unstack(x, 1), ...tf.split(x, 5, 1)].map((t) => t.reshape([-1])));
    const { wasm, cpu } = await onBoth([{ values: random(size(shape), 3), shape }], pieces);
    expectSame(wasm, cpu, 0);
  });

  it('Slice reads its input correctly when making its output grows the wasm memory', async () => {
    // Views of the heap taken before an allocation that grows it are detached; the slice must not read through one.
    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    for (const contiguous of [true, false]) {
      const x = tf.range(0, 2 ** 25, 1, 'int32').reshape([2 ** 12, 2 ** 13]); // 128 MiB; int32, so every index is exact
      const before = heapBytes();
      const piece = contiguous ? tf.slice(x, [1, 0], [2 ** 12 - 1, 2 ** 13]) : tf.slice(x, [0, 1], [2 ** 12, 2 ** 13 - 1]);
      expect(heapBytes(), 'the output needed more memory').toBeGreaterThan(before);
      const values = piece.dataSync();
      expect([values[0], values[1], values[values.length - 1]]).toEqual(contiguous ? [8192, 8193, 2 ** 25 - 1] : [1, 2, 2 ** 25 - 1]);
      tf.dispose([x, piece]);
    }
  });

  it('OneHot honours its dtype', async () => {
    const { wasm, cpu } = await onBoth([{ values: [0, 2, 1, 4], shape: [4] }], (i) => tf.oneHot(tf.cast(i, 'int32'), 5, 3, -1, 'float32'));
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });

  it('runs kernels wasm lacks through the cpu backend (UnsortedSegmentSum for Embedding gradients)', async () => {
    expect(installWasmFallbacks()).toContain('UnsortedSegmentSum');
    const { wasm, cpu } = await onBoth([{ values: random(6 * 4, 3), shape: [6, 4] }], (x) => tf.unsortedSegmentSum(x, tf.tensor1d([0, 2, 0, 1, 2, 2], 'int32'), 3));
    expectSame(wasm, cpu, 1e-6);
  });

  it('frees every intermediate', async () => {
    const x = tf.randomNormal([2, 9, 9, 3]);
    const f = tf.randomNormal([3, 3, 3, 4]);
    const grads = () => tf.tidy(() => [tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same")))(f), tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, "valid")))(x)]);
    tf.dispose(grads());
    const before = tf.memory().numTensors;
    const bytes = (tf.memory() as { numBytes: number }).numBytes;
    for (let i = 0; i < 3; i++) tf.dispose(grads());
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.memory() as { numBytes: number }).numBytes).toBe(bytes);
    tf.dispose([x, f]);
  });
});

describe('training on wasm', () => {
  it('leaks nothing across epochs: engine tensors, backend data, wasm heap', async () => {
    // Convolution, pooling, an embedding and an LSTM: every rewritten kernel and the cpu fallback run.
    const graph = model(analyzeText(`model Leaky {
      input img: [12, 12, 2]
      input ids: [6] int32
      a = img -> Conv2D(4, 3, activation: relu) -> MaxPool2D() -> Conv2D(4, 3, padding: same) -> Flatten()
      b = ids -> Embedding(50, 4) -> LSTM(3)
      output y = concat(a, b) -> Dense(2, activation: softmax) loss categorical_crossentropy
      train { epochs: 1  batch_size: 8 }
    }`)).graph!;
    const built = buildModels(graph);
    const compiled = compileForTraining(built, graph);
    const data = syntheticData(graph, 32, 4);
    const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const snapshot = () => ({ tensors: tf.memory().numTensors, data: backend.numDataIds(), fallback: fallbackDataCount(), heap: backend.wasm.HEAPU8.byteLength });
    const epoch = () => train(built, graph, compiled, data, { config: { ...graph.training, epochs: 1, validationSplit: 0 } });
    await epoch();
    await epoch();
    const before = snapshot();
    for (let i = 0; i < 4; i++) await epoch();
    expect(snapshot()).toEqual(before);
    expect(before.fallback).toBe(0);
    tf.dispose([...Object.values(data.inputs), ...Object.values(data.targets)]);
    disposeModels(built);
    compiled.optimizer.dispose();
  });
});
