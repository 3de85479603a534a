/**
 * Gated merges: MixtureOfExperts (`sum_i gate[:, i] * e_i`) and SoftSwitch
 * (one gated output per branch). No weights: the gate is an input.
 */
import * as tf from '@tensorflow/tfjs';
import { baseArgs, column, columnFor, formatShape, requireSameShapes, shapeList, tensorList, type ConfigDict, type Kwargs, type LayerArgs, type Shape } from './common.js';

/** The gate must be `[B, n]` with `n` the number of gated tensors (when known). */
function checkGate(layer: string, gate: Shape, n: number, what: string): void {
  if (gate.length !== 2) throw new Error(`${layer} gate must be [None, ${n}], got ${formatShape(gate)}`);
  if (gate[1] !== null && gate[1] !== n) throw new Error(`${layer} gate has width ${gate[1]} but there are ${n} ${what}`);
}

/** Inputs `[gate [B, L], e_1 … e_L]`, experts of one shape; output `sum_i gate[:, i] * e_i`. */
export class MixtureOfExperts extends tf.layers.Layer {
  static readonly className = 'MixtureOfExperts';

  constructor(args: LayerArgs = {}) {
    super(baseArgs(args));
  }

  private outputFor(inputShape: Shape | Shape[]): Shape {
    const [gate, ...experts] = shapeList('MixtureOfExperts', inputShape, 2);
    checkGate('MixtureOfExperts', gate!, experts.length, 'experts');
    return requireSameShapes('MixtureOfExperts', experts, 'experts');
  }

  override build(inputShape: Shape | Shape[]): void {
    this.outputFor(inputShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.outputFor(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [gate, ...experts] = tensorList('MixtureOfExperts', inputs, 2);
      let out: tf.Tensor | undefined;
      experts.forEach((expert, i) => {
        const term = tf.mul(expert, columnFor(column(gate!, i), expert.rank));
        out = out === undefined ? term : tf.add(out, term);
      });
      return out!;
    });
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig() };
  }
}

/**
 * Inputs `[p [B, N], b_1 … b_N]` (branches of any shapes); N outputs
 * `b_i * p[:, i]`, each gated per sample.
 */
export class SoftSwitch extends tf.layers.Layer {
  static readonly className = 'SoftSwitch';

  constructor(args: LayerArgs = {}) {
    super(baseArgs(args));
  }

  private outputsFor(inputShape: Shape | Shape[]): Shape[] {
    const [gate, ...branches] = shapeList('SoftSwitch', inputShape, 2);
    checkGate('SoftSwitch', gate!, branches.length, 'branches');
    return branches.map((b) => [...b]);
  }

  override build(inputShape: Shape | Shape[]): void {
    this.outputsFor(inputShape);
    this.built = true;
  }

  /** A list of shapes (even for one branch), so tfjs makes one symbolic output per branch. */
  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    return this.outputsFor(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const [gate, ...branches] = tensorList('SoftSwitch', inputs, 2);
      return branches.map((branch, i) => tf.mul(branch, columnFor(column(gate!, i), branch.rank)));
    });
  }

  /** One (absent) mask per output, as tfjs's own multi-output layers (RNN with returnState) do. */
  override computeMask(inputs: tf.Tensor | tf.Tensor[], _mask?: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const n = Array.isArray(inputs) ? inputs.length - 1 : 1;
    return Array.from({ length: n }, () => null) as unknown as tf.Tensor[];
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig() };
  }
}
