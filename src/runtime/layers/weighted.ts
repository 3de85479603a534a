/**
 * WeightedSum and WeightedProduct: same-shaped inputs combined with fixed,
 * trainable (`alpha` in [0, 1], two inputs) or softmax-normalised weights.
 */
import * as tf from '@tensorflow/tfjs';
import { baseArgs, registeredTfjsClass, requireSameShapes, shapeList, tensorList, type ConfigDict, type Kwargs, type LayerArgs, type Shape } from './common.js';

type TfConstraint = ReturnType<typeof tf.constraints.nonNeg>;

/** tfjs's `Constraint` base class, which `tf.constraints` does not export (it is NonNeg's parent). */
const ConstraintBase = Object.getPrototypeOf(registeredTfjsClass('NonNeg')) as (abstract new () => TfConstraint) & Pick<typeof tf.serialization.Serializable, 'fromConfig'>;

/** Projects a weight onto [0, 1]. */
export class UnitInterval extends ConstraintBase {
  static readonly className = 'UnitInterval';

  apply(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(w, 0, 1));
  }

  override getConfig(): ConfigDict {
    return {};
  }
}

/**
 * tfjs's `fit` never applies weight constraints: the optimizers assign to the
 * underlying `tf.Variable`, and only `LayerVariable.write` (setWeights) calls
 * the constraint. This routes every assignment through the constraint, so the
 * weight stays projected after each optimizer step.
 */
function constrainAssignments(weight: tf.LayerVariable, constraint: TfConstraint): void {
  const variable = (weight as unknown as { val: tf.Variable }).val;
  const assign = variable.assign.bind(variable);
  variable.assign = (newValue: tf.Tensor) => {
    tf.tidy(() => {
      assign(constraint.apply(newValue));
    });
  };
}

export type WeightedConfig =
  | { mode: 'fixed'; weights: number[] }
  | { mode: 'trainable'; init: number }
  | { mode: 'softmax'; count: number };

export type WeightedArgs = WeightedConfig & Omit<LayerArgs, 'weights'>;

function checkConfig(layer: string, args: Record<string, unknown>): WeightedConfig {
  switch (args['mode']) {
    case 'fixed': {
      const weights = args['weights'];
      if (!Array.isArray(weights) || weights.length < 1 || !weights.every((w) => typeof w === 'number' && Number.isFinite(w))) {
        throw new Error(`${layer} mode 'fixed' needs \`weights\`, a list of numbers; got ${JSON.stringify(weights)}`);
      }
      return { mode: 'fixed', weights: [...(weights as number[])] };
    }
    case 'trainable': {
      const init = args['init'] ?? 0.5;
      if (typeof init !== 'number' || !(init >= 0 && init <= 1)) throw new Error(`${layer} mode 'trainable' needs \`init\` in [0, 1]; got ${JSON.stringify(init)}`);
      return { mode: 'trainable', init };
    }
    case 'softmax': {
      const count = args['count'];
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new Error(`${layer} mode 'softmax' needs \`count\`, a positive integer; got ${JSON.stringify(count)}`);
      return { mode: 'softmax', count };
    }
    default:
      throw new Error(`${layer} mode must be 'fixed', 'trainable' or 'softmax'; got ${JSON.stringify(args['mode'])}`);
  }
}

/** The shared weights, checks and config; subclasses only combine. */
abstract class WeightedMerge extends tf.layers.Layer {
  /** The validated config (mode and its parameter). */
  readonly mixing: WeightedConfig;
  /** `alpha` ([1]) in trainable mode, `logits` ([count]) in softmax mode. */
  protected mixWeight: tf.LayerVariable | null = null;

  constructor(args: WeightedArgs) {
    super(baseArgs(args));
    this.mixing = checkConfig(this.layerName, args as unknown as Record<string, unknown>);
  }

  protected get layerName(): string {
    return (this.constructor as unknown as { className: string }).className;
  }

  /** How many inputs the config asks for, if it fixes the number. */
  private expectedInputs(): number | undefined {
    switch (this.mixing.mode) {
      case 'fixed': return this.mixing.weights.length;
      case 'trainable': return 2;
      case 'softmax': return this.mixing.count;
    }
  }

  private checkInputs(inputShape: Shape | Shape[]): Shape[] {
    const shapes = shapeList(this.layerName, inputShape, 2);
    const expected = this.expectedInputs();
    if (expected !== undefined && shapes.length !== expected) {
      throw new Error(`${this.layerName} (${this.mixing.mode}) expects ${expected} inputs, got ${shapes.length}`);
    }
    return shapes;
  }

  override build(inputShape: Shape | Shape[]): void {
    requireSameShapes(this.layerName, this.checkInputs(inputShape));
    if (this.mixing.mode === 'trainable') {
      const constraint = new UnitInterval();
      this.mixWeight = this.addWeight('alpha', [1], 'float32', tf.initializers.constant({ value: this.mixing.init }), undefined, true, constraint);
      constrainAssignments(this.mixWeight, constraint);
    } else if (this.mixing.mode === 'softmax') {
      this.mixWeight = this.addWeight('logits', [this.mixing.count], 'float32', tf.initializers.zeros(), undefined, true);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return requireSameShapes(this.layerName, this.checkInputs(inputShape));
  }

  /** One weight per input: numbers (fixed) or `[1]` tensors; call inside a tidy. */
  protected mixingWeights(n: number): (number | tf.Tensor)[] {
    switch (this.mixing.mode) {
      case 'fixed':
        return this.mixing.weights;
      case 'trainable': {
        const alpha = this.mixWeight!.read();
        return [alpha, tf.sub(1, alpha)];
      }
      case 'softmax': {
        const w = tf.softmax(this.mixWeight!.read());
        return Array.from({ length: n }, (_, i) => tf.slice(w, [i], [1]));
      }
    }
  }

  override getConfig(): ConfigDict {
    const own: ConfigDict = this.mixing.mode === 'fixed'
      ? { mode: 'fixed', weights: [...this.mixing.weights] }
      : this.mixing.mode === 'trainable'
        ? { mode: 'trainable', init: this.mixing.init }
        : { mode: 'softmax', count: this.mixing.count };
    return { ...super.getConfig(), ...own };
  }
}

/** `sum_i w_i x_i`. */
export class WeightedSum extends WeightedMerge {
  static readonly className = 'WeightedSum';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const xs = tensorList('WeightedSum', inputs, 2);
      const w = this.mixingWeights(xs.length);
      let out = tf.mul(xs[0]!, w[0]!);
      for (let i = 1; i < xs.length; i++) out = tf.add(out, tf.mul(xs[i]!, w[i]!));
      return out;
    });
  }
}

/** Weighted geometric mean `exp(sum_i w_i log(max(x_i, 1e-7)))`. */
export class WeightedProduct extends WeightedMerge {
  static readonly className = 'WeightedProduct';
  static readonly epsilon = 1e-7;

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const xs = tensorList('WeightedProduct', inputs, 2);
      const w = this.mixingWeights(xs.length);
      const logOf = (x: tf.Tensor) => tf.log(tf.maximum(x, WeightedProduct.epsilon));
      let sum = tf.mul(logOf(xs[0]!), w[0]!);
      for (let i = 1; i < xs.length; i++) sum = tf.add(sum, tf.mul(logOf(xs[i]!), w[i]!));
      return tf.exp(sum);
    });
  }
}
