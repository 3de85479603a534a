/**
 * Tensor operations: Slice (`x[...]` over the non-batch axes) and Subtract
 * (Keras's `Subtract` merge, which tfjs lacks).
 */
import * as tf from '@tensorflow/tfjs';
import { baseArgs, formatShape, shapeList, singleShape, singleTensor, tensorList, type ConfigDict, type Kwargs, type LayerArgs, type Shape } from './common.js';

export interface SliceConfig {
  /** Start per non-batch axis (axis 0 here is the first axis after the batch). */
  begin: number[];
  /** End (exclusive) per non-batch axis; as long as `begin`. */
  end: number[];
  /** Non-batch axes (0-based) to drop after slicing; each must have size 1. */
  squeeze?: number[];
}

function intList(layer: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) throw new Error(`${layer} \`${name}\` must be a list of integers, got ${JSON.stringify(value)}`);
  return [...(value as number[])];
}

/** Resolves a possibly negative index against a dimension (Python style); `null` when it cannot be known. */
function resolve(index: number, dim: number | null): number | null {
  if (index >= 0) return dim === null ? index : Math.min(index, dim);
  return dim === null ? null : Math.max(dim + index, 0);
}

/** `x[b0:e0, b1:e1, …]` over the non-batch axes, then the `squeeze` axes dropped. */
export class Slice extends tf.layers.Layer {
  static readonly className = 'Slice';
  readonly begin: number[];
  readonly end: number[];
  readonly squeeze: number[];

  constructor(args: SliceConfig & LayerArgs) {
    super(baseArgs(args));
    this.begin = intList('Slice', 'begin', args.begin);
    this.end = intList('Slice', 'end', args.end);
    this.squeeze = intList('Slice', 'squeeze', args.squeeze ?? []);
    if (this.begin.length !== this.end.length) throw new Error(`Slice \`begin\` and \`end\` must have the same length, got ${this.begin.length} and ${this.end.length}`);
  }

  /** Size of each non-batch axis after slicing (before squeezing). */
  private sizes(dims: Shape): (number | null)[] {
    if (this.begin.length > dims.length) throw new Error(`Slice has ${this.begin.length} bounds but the input ${formatShape([null, ...dims])} has ${dims.length} non-batch axes`);
    for (const axis of this.squeeze) {
      if (axis < 0 || axis >= dims.length) throw new Error(`Slice squeeze axis ${axis} is outside the ${dims.length} non-batch axes`);
    }
    return dims.map((dim, i) => {
      if (i >= this.begin.length) return dim;
      const b = resolve(this.begin[i]!, dim);
      const e = resolve(this.end[i]!, dim);
      if (b === null || e === null) return null;
      if (e <= b) throw new Error(`Slice axis ${i}: [${this.begin[i]}:${this.end[i]}] is empty for size ${dim ?? 'None'}`);
      return e - b;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape('Slice', inputShape);
    const sizes = this.sizes(shape.slice(1));
    for (const axis of this.squeeze) {
      if (sizes[axis] !== null && sizes[axis] !== 1) throw new Error(`Slice can only squeeze an axis of size 1; axis ${axis} has size ${sizes[axis]}`);
    }
    return [shape[0]!, ...sizes.filter((_, i) => !this.squeeze.includes(i))];
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('Slice', inputs);
      const dims = x.shape.slice(1);
      const sizes = this.sizes(dims) as number[];
      const begin = [0, ...dims.map((dim, i) => (i < this.begin.length ? resolve(this.begin[i]!, dim)! : 0))];
      const sliced = tf.slice(x, begin, [-1, ...sizes]);
      return this.squeeze.length > 0 ? tf.squeeze(sliced, this.squeeze.map((a) => a + 1)) : sliced;
    });
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), begin: [...this.begin], end: [...this.end], squeeze: [...this.squeeze] };
  }
}

/** Keras's element-wise shape rule: aligned from the right, a dimension of 1 broadcasts. */
export function broadcastShape(layer: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let k = 0; k < rank; k++) {
    const x = a[a.length - rank + k];
    const y = b[b.length - rank + k];
    if (x === undefined) out.push(y!);
    else if (y === undefined) out.push(x);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === null || y === null) out.push(x ?? y);
    else if (x !== y) throw new Error(`${layer}: operands could not be broadcast together with shapes ${formatShape(a)} and ${formatShape(b)}`);
    else out.push(x);
  }
  return out;
}

/**
 * `x0 - x1`, named `Subtract` like Keras's merge so converted models load in
 * Keras without custom objects. Shapes broadcast as in Keras's merges: the
 * non-batch shapes align from the right, 1s broadcast, and a lower-rank input
 * is expanded at axis 1.
 */
export class Subtract extends tf.layers.Layer {
  static readonly className = 'Subtract';

  constructor(args: LayerArgs = {}) {
    super(baseArgs(args));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [a, b] = shapeList('Subtract', inputShape, 2, 2) as [Shape, Shape];
    const batch = a[0] ?? b[0] ?? null;
    if (a[0] != null && b[0] != null && a[0] !== b[0]) throw new Error(`Subtract: inputs have different batch sizes ${a[0]} and ${b[0]}`);
    return [batch, ...broadcastShape('Subtract', a.slice(1), b.slice(1))];
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let [a, b] = tensorList('Subtract', inputs, 2, 2) as [tf.Tensor, tf.Tensor];
      while (a.rank < b.rank) a = tf.expandDims(a, 1);
      while (b.rank < a.rank) b = tf.expandDims(b, 1);
      return tf.sub(a, b);
    });
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig() };
  }
}
