/**
 * Shared pieces of mbn's runtime layers: the tfjs types they need (tfjs does
 * not export all of them under one name) and small shape helpers.
 */
import * as tf from '@tensorflow/tfjs';

/** A shape with the batch axis first; `null` is unknown (Keras's `None`). */
export type Shape = (number | null)[];

/** tfjs's `LayerArgs` (name, inputShape, trainable, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/**
 * `LayerArgs` without `weights`: tfjs reads `weights` as the layer's initial
 * weight tensors, while WeightedSum/WeightedProduct use the key for their mixing
 * coefficients, so the runtime layers never pass it on to `Layer`.
 */
export type BaseArgs = Omit<LayerArgs, 'weights'>;

/** The keyword arguments tfjs passes to `call` (`training`, `mask`). */
export type Kwargs = Record<string, unknown>;

export type ConfigDict = tf.serialization.ConfigDict;

/** The `LayerArgs` part of a config, for `super(...)`. */
export function baseArgs(args: object): BaseArgs {
  const { weights: _weights, ...rest } = args as LayerArgs & Record<string, unknown>;
  return rest as BaseArgs;
}

/** A class tfjs registered for (de)serialisation, e.g. `Conv1D`. */
export function registeredTfjsClass(className: string): unknown {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`tfjs has no registered class ${className}`);
  return entry[0];
}

export function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return Array.isArray(shape[0]);
}

/** The list of input shapes of a multi-input layer, checking how many there are. */
export function shapeList(layer: string, shape: Shape | Shape[], min: number, max = Infinity): Shape[] {
  if (!isShapeList(shape)) throw new Error(`${layer} expects a list of ${min === max ? min : `at least ${min}`} inputs, got one tensor`);
  if (shape.length < min || shape.length > max) {
    const expected = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`${layer} expects ${expected} inputs, got ${shape.length}`);
  }
  return shape;
}

/** The shape of a single-input layer. */
export function singleShape(layer: string, shape: Shape | Shape[]): Shape {
  if (isShapeList(shape)) {
    if (shape.length !== 1) throw new Error(`${layer} expects one input, got ${shape.length}`);
    return shape[0]!;
  }
  return shape;
}

export function tensorList(layer: string, inputs: tf.Tensor | tf.Tensor[], min: number, max = Infinity): tf.Tensor[] {
  if (!Array.isArray(inputs)) throw new Error(`${layer} expects a list of inputs, got one tensor`);
  if (inputs.length < min || inputs.length > max) throw new Error(`${layer} got ${inputs.length} inputs`);
  return inputs;
}

export function singleTensor(layer: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`${layer} expects one input, got ${inputs.length}`);
    return inputs[0]!;
  }
  return inputs;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}]`;
}

/** Two shapes agree where both are known. */
export function compatible(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** Throws unless every shape equals the first (where known); returns the first with unknowns filled in from the others. */
export function requireSameShapes(layer: string, shapes: readonly Shape[], what = 'inputs'): Shape {
  const out = [...shapes[0]!];
  for (let i = 1; i < shapes.length; i++) {
    const shape = shapes[i]!;
    if (!compatible(out, shape)) {
      throw new Error(`${layer} needs ${what} of the same shape: ${formatShape(shapes[0]!)} vs ${formatShape(shape)} (${what.replace(/s$/, '')} ${i})`);
    }
    shape.forEach((d, k) => { if (out[k] === null) out[k] = d; });
  }
  return out;
}

/** Reshapes a `[B, 1]` column so it broadcasts against a tensor of rank `rank` ([B, 1, …, 1]). */
export function columnFor(column: tf.Tensor, rank: number): tf.Tensor {
  if (rank === 2) return column;
  if (rank <= 1) return tf.reshape(column, [-1]);
  return tf.reshape(column, [-1, ...Array.from({ length: rank - 1 }, () => 1)]);
}

/** Column `i` of a `[B, N]` tensor, as `[B, 1]`. */
export function column(matrix: tf.Tensor, i: number): tf.Tensor {
  return tf.slice(matrix, [0, i], [-1, 1]);
}
