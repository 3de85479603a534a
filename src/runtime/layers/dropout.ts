/** SpatialDropout2D (tfjs 4.22 only has SpatialDropout1D). */
import * as tf from '@tensorflow/tfjs';
import { baseArgs, singleShape, singleTensor, type ConfigDict, type Kwargs, type LayerArgs, type Shape } from './common.js';

export interface SpatialDropout2DConfig {
  /** Fraction of channels to drop, in [0, 1). */
  rate: number;
  seed?: number | null;
}

/**
 * Input `[B, H, W, C]`. In training drops whole channels (noise shape
 * `[B, 1, 1, C]`) and scales the rest by `1 / (1 - rate)`; identity at inference.
 */
export class SpatialDropout2D extends tf.layers.Layer {
  static readonly className = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed: number | undefined;

  constructor(args: SpatialDropout2DConfig & LayerArgs) {
    super(baseArgs(args));
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) throw new Error(`SpatialDropout2D rate must be in [0, 1), got ${JSON.stringify(args.rate)}`);
    this.rate = args.rate;
    this.seed = args.seed ?? undefined;
    this.inputSpec = [{ ndim: 4 }];
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape('SpatialDropout2D', inputShape);
  }

  /** `kwargs.training` is what tfjs's own Dropout reads: `fit` executes the model with `{training: true}`. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('SpatialDropout2D', inputs);
      if (kwargs['training'] !== true || this.rate === 0) return tf.clone(x);
      if (x.rank !== 4) throw new Error(`SpatialDropout2D expects [batch, height, width, channels], got rank ${x.rank}`);
      return tf.dropout(x, this.rate, [x.shape[0]!, 1, 1, x.shape[3]!], this.seed);
    });
  }

  override getConfig(): ConfigDict {
    const config: ConfigDict = { ...super.getConfig(), rate: this.rate };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}
