/**
 * The seed examples written by hand in plain tfjs, as a user would without
 * mbn: the benchmark's baseline (mbn must add no overhead). Where tfjs has no
 * layer for a merge, the code uses the custom layer a user would have to
 * write; mbn's own classes stand in for it. tfjs's compile() has no loss
 * weights, so where the spec weights an output's loss other than 1, the
 * code scales that loss itself, as a user must for the same model.
 */
import * as tf from '@tensorflow/tfjs';
import { MixtureOfExperts, SoftSwitch } from '../src/runtime/layers/index.js';

type S = tf.SymbolicTensor;
const L = tf.layers;
const apply = (layer: tf.layers.Layer, x: S | S[]) => layer.apply(x) as S;
const adam = () => tf.train.adam(0.001);
/** A tfjs loss scaled by `weight` (tfjs's stand-in for Keras's loss_weights). */
const weighted = (loss: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor, weight: number) => (y: tf.Tensor, p: tf.Tensor) => tf.mul(loss(y, p), weight);
const mse = (y: tf.Tensor, p: tf.Tensor) => tf.losses.meanSquaredError(y, p);
const crossentropy = (y: tf.Tensor, p: tf.Tensor) => tf.metrics.categoricalCrossentropy(y, p);

export function auxBranches(): tf.LayersModel {
  const img = tf.input({ shape: [32, 32, 3] });
  const seq = tf.input({ shape: [20, 30] });
  const cnn = apply(L.flatten(), apply(L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }), img));
  const lstm = apply(L.lstm({ units: 32, activation: 'relu', recurrentActivation: 'sigmoid' }), seq);
  const main = apply(L.dense({ units: 1 }), apply(L.concatenate(), [cnn, lstm]));
  const head = (x: S) => apply(L.dense({ units: 1 }), apply(L.dropout({ rate: 0.5 }), apply(L.dense({ units: 32, activation: 'relu' }), x)));
  const model = tf.model({ inputs: [img, seq], outputs: [main, head(cnn), head(lstm)] });
  model.compile({ optimizer: adam(), loss: [mse, weighted(mse, 0.3), weighted(mse, 0.3)] });
  return model;
}

export function lstmCnnPaper(): tf.LayersModel {
  const a = tf.input({ shape: [30, 2] });
  const b = tf.input({ shape: [30, 2] });
  let cnn = apply(L.conv1d({ filters: 64, kernelSize: 3, activation: 'relu' }), a);
  cnn = apply(L.maxPooling1d({ poolSize: 2 }), cnn);
  cnn = apply(L.flatten(), apply(L.conv1d({ filters: 64, kernelSize: 3, activation: 'relu' }), cnn));
  let lstm = apply(L.lstm({ units: 64, returnSequences: true, recurrentActivation: 'sigmoid' }), b);
  lstm = apply(L.lstm({ units: 64, recurrentActivation: 'sigmoid' }), lstm);
  const head = (x: S) => {
    let h = x;
    for (const units of [500, 100, 25]) h = apply(L.dropout({ rate: 0.5 }), apply(L.dense({ units, activation: 'relu' }), h));
    return apply(L.dense({ units: 1 }), h);
  };
  const model = tf.model({ inputs: [a, b], outputs: [head(apply(L.concatenate(), [cnn, lstm])), head(cnn), head(lstm)] });
  model.compile({ optimizer: adam(), loss: [mse, weighted(mse, 0.5), weighted(mse, 0.5)] });
  return model;
}

export function softSwitch(size: number): tf.LayersModel {
  const image = tf.input({ shape: [size, size, 3] });
  const block = (x: S, filters: number) => apply(L.maxPooling2d({ poolSize: 3 }), apply(L.conv2d({ filters, kernelSize: 3 }), x));
  const x = block(image, 6);
  const c2 = block(x, 9);
  const c3 = block(c2, 12);
  const first = apply(L.dense({ units: 2, activation: 'softmax' }), apply(L.flatten(), block(c3, 15)));
  const [cat, dog] = new SoftSwitch({}).apply([first, c3, c2]) as S[];
  const catFeatures = apply(L.flatten(), block(cat!, 15));
  const dogFeatures = apply(L.flatten(), block(block(dog!, 12), 15));
  const second = apply(L.dense({ units: 2, activation: 'softmax' }), apply(L.dense({ units: 32 }), apply(L.concatenate(), [catFeatures, dogFeatures])));
  const model = tf.model({ inputs: image, outputs: [first, second] });
  model.compile({ optimizer: adam(), loss: [weighted(crossentropy, 0.5), weighted(crossentropy, 0.5)] });
  return model;
}

export function weightedMerge(): tf.LayersModel {
  const inp1 = tf.input({ shape: [5] });
  const inp2 = tf.input({ shape: [7] });
  const o1 = apply(L.dense({ units: 10 }), apply(L.dense({ units: 100 }), inp1));
  const o2 = apply(L.dense({ units: 10 }), apply(L.dense({ units: 70 }), inp2));
  const out = apply(L.add(), [apply(L.rescaling({ scale: 0.1, offset: 0 }), o1), apply(L.rescaling({ scale: 0.9, offset: 0 }), o2)]);
  const model = tf.model({ inputs: [inp1, inp2], outputs: out });
  model.compile({ optimizer: adam(), loss: 'meanSquaredError' });
  return model;
}

export function ensemble(): tf.LayersModel {
  const image = tf.input({ shape: [28, 28, 1] });
  const cnn = () => {
    let h = apply(L.conv2d({ filters: 25, kernelSize: 3, padding: 'same', activation: 'relu' }), image);
    h = apply(L.dropout({ rate: 0.3 }), apply(L.maxPooling2d({ poolSize: 2 }), h));
    h = apply(L.dense({ units: 32, activation: 'relu' }), apply(L.flatten(), h));
    return apply(L.dense({ units: 10, activation: 'softmax' }), h);
  };
  const model = tf.model({ inputs: image, outputs: apply(L.average(), [cnn(), cnn(), cnn()]) });
  model.compile({ optimizer: adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export function mixtureOfExperts(): tf.LayersModel {
  const x = tf.input({ shape: [20] });
  const expert = () => apply(L.dense({ units: 10, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 0.001 }), kernelInitializer: 'randomNormal' }), apply(L.dense({ units: 64, activation: 'relu' }), x));
  const gate = apply(L.dense({ units: 3, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 0.001 }) }), x);
  const model = tf.model({ inputs: x, outputs: new MixtureOfExperts({}).apply([gate, expert(), expert(), expert()]) as S });
  model.compile({ optimizer: adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
