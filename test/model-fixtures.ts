/**
 * Shared by the tests that save models and load them back (in Node and in a
 * browser): fixed inputs, weights moved off their initial values, and
 * predictions as plain numbers to compare.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor as plain JSON, the form that also crosses into a browser page. */
export interface TensorData {
  shape: number[];
  values: number[];
}

/** Fixed, varied values in [-0.9, 0.9] for an input of `shape` (batch axis first, unknown sizes 1). */
export function fixedInput(shape: readonly (number | null)[], salt: number, batch = 2): TensorData {
  const full = [batch, ...shape.slice(1).map((d) => d ?? 1)];
  const size = full.reduce((a, b) => a * b, 1);
  return { shape: full, values: Array.from({ length: size }, (_, i) => 0.9 * Math.sin(0.37 * i + 1.7 * salt + 0.1)) };
}

/** One fixed input per model input, in the model's input order. */
export function fixedInputs(model: tf.LayersModel): TensorData[] {
  return model.inputs.map((input, k) => fixedInput(input.shape, k));
}

/**
 * Moves every weight off its initial value (zero biases, alpha 0.5, zero
 * softmax logits) by a different small amount, so a weight lost or loaded
 * into the wrong place changes the predictions.
 */
export function perturbWeights(model: tf.LayersModel): void {
  const moved = model.getWeights().map((w, k) => {
    const values = w.dataSync();
    return tf.tensor(Array.from(values, (v, i) => v + 0.05 * Math.sin(1 + 0.61 * i + 2.3 * k)), w.shape, w.dtype);
  });
  model.setWeights(moved);
  tf.dispose(moved);
}

export function predictData(model: tf.LayersModel, inputs: readonly TensorData[]): TensorData[] {
  return tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(x.values, x.shape));
    const ys = [model.predict(xs)].flat() as tf.Tensor[];
    return ys.map((y) => ({ shape: y.shape, values: Array.from(y.dataSync()) }));
  });
}

/** Largest |actual - expected| / |expected| over the elements (|expected| floored at 1e-6 so zeros do not divide). */
export function maxRelativeDifference(actual: TensorData, expected: TensorData): number {
  if (actual.values.length !== expected.values.length) return Infinity;
  let worst = 0;
  expected.values.forEach((v, i) => { worst = Math.max(worst, Math.abs(actual.values[i]! - v) / Math.max(Math.abs(v), 1e-6)); });
  return worst;
}

/** Each layer's name and class, to compare a loaded model's structure with the original's. */
export function layerClasses(model: tf.LayersModel): { name: string; className: string }[] {
  return model.layers.map((layer) => ({ name: layer.name, className: layer.getClassName() }));
}
