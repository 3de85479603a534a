/**
 * Every catalogue case built as a real tfjs layer from `entry.tfjs(args)`:
 * tfjs's output shape and weight counts must equal the catalogue's to the
 * unit, and the layer must run (inference and training) on a concrete batch.
 * This is the proof that the formulas checked against Keras in
 * catalogue-keras.test.ts are also what the generated tfjs model will have.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Shape, TfjsLayer } from '../src/catalogue/types.js';
import { constructLayer } from '../src/runtime/build.js';
import { bind, bindCall, label, layerCases, lookup } from './catalogue-cases.js';

type Factory = (config: Record<string, unknown>) => tf.layers.Layer;

function isDescriptor(value: unknown): value is TfjsLayer {
  return typeof value === 'object' && value !== null && 'factory' in value && 'config' in value;
}

/**
 * `tf.layers[factory](config)`, constructing a nested `layer` descriptor first
 * (Bidirectional, TimeDistributed). mbn's own layers (SpatialDropout2D, causal
 * Conv1D: tfjs 4.22 lacks them) come from the runtime, as mbn builds them.
 */
function construct(desc: TfjsLayer): tf.layers.Layer {
  if (desc.custom) return constructLayer(desc);
  const factory = (tf.layers as unknown as Record<string, Factory | undefined>)[desc.factory];
  if (!factory) throw new Error(`tf.layers has no ${desc.factory}`);
  const config: Record<string, unknown> = { ...desc.config };
  if (isDescriptor(config['layer'])) config['layer'] = construct(config['layer']);
  return factory(config);
}

function weightCount(weights: readonly tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/** A concrete batch of 2 for a shape, unknown dimensions set to 6. */
function concrete(shape: Shape): number[] {
  return shape.map((d) => d ?? 6);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('catalogue cases as tfjs layers', () => {
  for (const c of layerCases) {
    const { entry, args } = bindCall(c);
    const desc = entry.tfjs(args);
    it(`${label(c)}: ${desc.custom ? 'mbn runtime' : 'tfjs'} ${desc.factory} agrees`, () => {
      const layer = construct(desc);
      const input = tf.input({ shape: [...c.input], dtype: c.dtype ?? 'float32' });
      const output = layer.apply(input) as tf.SymbolicTensor;
      expect(output.shape.slice(1)).toEqual(c.tfjsSymbolicOutput ?? c.output);
      expect(layer.countParams()).toBe(c.trainable + (c.nonTrainable ?? 0));
      expect(weightCount(layer.trainableWeights)).toBe(c.trainable);
      expect(weightCount(layer.nonTrainableWeights)).toBe(c.nonTrainable ?? 0);

      // Run it: some tfjs options build fine and only fail when computed.
      const dims = concrete(c.input);
      const expected = entry.outputShape(dims, args);
      if ('problem' in expected) throw new Error(expected.problem.message);
      tf.tidy(() => {
        const x = c.dtype === 'int32' ? tf.zeros([2, ...dims], 'int32') : tf.randomNormal([2, ...dims]);
        const y = layer.apply(x) as tf.Tensor;
        expect(y.shape).toEqual([2, ...expected.shape]);
        if (c.tfjsTrainingThrows) {
          // The tfjs bug that `validate` guards against; when this starts passing, lift the restriction.
          expect(() => layer.apply(x, { training: true })).toThrow();
        } else {
          expect((layer.apply(x, { training: true }) as tf.Tensor).shape).toEqual([2, ...expected.shape]);
        }
      });
      layer.dispose();
    });
  }
});

describe('tfjs gaps the catalogue works around', () => {
  it("tfjs's conv1d gets causal padding wrong: valid-sized at build time, and it cannot run (hence CausalConv1D)", () => {
    const conv = lookup('Conv1D');
    const args = bind(conv, { pos: [4, 3], args: { padding: 'causal', dilation_rate: 2 } });
    const desc = conv.tfjs(args);
    expect(desc).toMatchObject({ factory: 'CausalConv1D', custom: true });
    // The runtime layer's config is a valid tfjs conv1d config with the same weights...
    const layer = tf.layers.conv1d(desc.config as never);
    const out = layer.apply(tf.input({ shape: [20, 2] })) as tf.SymbolicTensor;
    expect(layer.countParams()).toBe(28);
    // ...but tfjs sizes the output as valid padding would (Keras: 20 steps; 20 - 5 + 1 = 16)...
    expect(out.shape).toEqual([null, 16, 4]);
    expect(conv.outputShape([20, 2], args)).toEqual({ shape: [20, 4] });
    // ...and throws when it runs.
    expect(() => tf.tidy(() => layer.apply(tf.zeros([1, 20, 2])) as tf.Tensor)).toThrow(/CAUSAL/);
  });

  it("tfjs's GRU rejects reset_after: true", () => {
    expect(() => tf.layers.gru({ units: 4, resetAfter: true } as never).apply(tf.zeros([1, 3, 2]))).toThrow(/reset_after/);
  });

  it("tfjs's DepthwiseConv2D and Conv2DTranspose ignore dilation_rate", () => {
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2 });
    // Keras: dilated kernel 5, 10 - 5 + 1 = 6; tfjs computes as if undilated.
    expect((dw.apply(tf.input({ shape: [10, 10, 3] })) as tf.SymbolicTensor).shape).toEqual([null, 8, 8, 3]);
    const tr = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 });
    expect(tf.tidy(() => (tr.apply(tf.zeros([1, 10, 10, 1])) as tf.Tensor).shape)).toEqual([1, 12, 12, 2]);
  });

  it("tfjs's batchNormalization supports at most 3 non-batch axes", () => {
    const bn = tf.layers.batchNormalization({});
    expect(() => tf.tidy(() => bn.apply(tf.zeros([1, 2, 4, 4, 3])) as tf.Tensor)).toThrow(/rank 5/);
  });

  it("tfjs's cropping2D turns an unknown height into a negative one (the catalogue keeps None, as Keras)", () => {
    const crop = tf.layers.cropping2D({ cropping: [[1, 1], [1, 1]] });
    expect((crop.apply(tf.input({ shape: [null, 10, 3] })) as tf.SymbolicTensor).shape).toEqual([null, -2, 8, 3]);
  });
});
