/**
 * CausalConv1D: Keras's `Conv1D(padding='causal')`. tfjs 4.22 accepts
 * `padding: 'causal'` when building a Conv1D but throws when it runs.
 *
 * The class extends tfjs's own Conv1D, so its weights (`kernel` [k, in,
 * filters], `bias` [filters]), initializers, regularizers and activation are
 * tfjs's; only the padding differs: the input is left-padded with
 * `(k - 1) * d` zeros and convolved `valid`, so step t sees steps <= t.
 *
 * Dilation: tfjs has no gradient for a dilated conv2d ("dilation rates greater
 * than 1 are not yet supported in gradients"), so a dilated layer could not be
 * trained. Instead the padded sequence is split into its d phases (steps
 * r, r + d, r + 2d, … for r < d), each phase goes through an undilated
 * convolution as its own batch entry, and the results are interleaved back:
 * the same numbers, with gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { registeredTfjsClass, singleShape, singleTensor, type ConfigDict, type Kwargs, type Shape } from './common.js';

/** tfjs's conv1d layer arguments (filters, kernelSize, strides, dilationRate, activation, …). */
export type CausalConv1DArgs = Parameters<typeof tf.layers.conv1d>[0];

/** tfjs's Conv1D class; `tf.layers` only exports the factory. */
const Conv1DBase = registeredTfjsClass('Conv1D') as (new (args: CausalConv1DArgs) => tf.layers.Layer) & Pick<typeof tf.layers.Layer, 'fromConfig'>;

function single(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1 || !Number.isInteger(list[0]) || (list[0] as number) < 1) {
    throw new Error(`CausalConv1D \`${name}\` must be one positive integer, got ${JSON.stringify(value)}`);
  }
  return list[0] as number;
}

export class CausalConv1D extends Conv1DBase {
  static readonly className = 'CausalConv1D';
  /** Kernel length, stride, dilation and filters (named apart from Conv1D's own fields). */
  readonly causalKernel: number;
  readonly causalStride: number;
  readonly causalDilation: number;
  readonly causalFilters: number;

  constructor(args: CausalConv1DArgs) {
    if (args.padding !== undefined && args.padding !== null && args.padding !== 'causal') {
      throw new Error(`CausalConv1D padding must be 'causal', got ${JSON.stringify(args.padding)}`);
    }
    const stride = single('strides', args.strides, 1);
    const dilation = single('dilationRate', args.dilationRate, 1);
    if (stride > 1 && dilation > 1) throw new Error('CausalConv1D: strides > 1 cannot be combined with dilationRate > 1');
    // Conv1D itself runs an undilated valid convolution on the rearranged input.
    super({ ...args, padding: 'valid', dilationRate: 1 });
    this.causalKernel = single('kernelSize', args.kernelSize, 1);
    this.causalStride = stride;
    this.causalDilation = dilation;
    this.causalFilters = args.filters;
  }

  /** Keras's causal rule: `ceil(T / stride)` steps. */
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape('CausalConv1D', inputShape);
    const steps = shape[1] ?? null;
    return [shape[0] ?? null, steps === null ? null : Math.ceil(steps / this.causalStride), this.causalFilters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor('CausalConv1D', inputs);
      const k = this.causalKernel;
      const d = this.causalDilation;
      const conv = (t: tf.Tensor) => super.call(t, kwargs) as tf.Tensor;
      if (d === 1) {
        const pad = k - 1;
        return conv(pad > 0 ? tf.pad(x, [[0, 0], [pad, 0], [0, 0]]) : x);
      }
      const [batch, steps, channels] = x.shape as [number, number, number];
      const padded = (k - 1) * d + steps;
      const extra = (d - (padded % d)) % d; // right padding to a multiple of d; its outputs are cut off
      const perPhase = (padded + extra) / d;
      // [B, L, C] → [B, L/d, d, C] → [B, d, L/d, C] → [B*d, L/d, C]: one batch entry per phase
      const phases = tf.reshape(
        tf.transpose(tf.reshape(tf.pad(x, [[0, 0], [(k - 1) * d, extra], [0, 0]]), [batch, perPhase, d, channels]), [0, 2, 1, 3]),
        [batch * d, perPhase, channels],
      );
      const y = conv(phases); // [B*d, L/d - k + 1, F]
      const outPerPhase = perPhase - k + 1;
      const filters = this.causalFilters;
      // back: [B, d, Q, F] → [B, Q, d, F] → [B, Q*d, F], step t = q*d + r; keep the first T
      const merged = tf.reshape(tf.transpose(tf.reshape(y, [batch, d, outPerPhase, filters]), [0, 2, 1, 3]), [batch, outPerPhase * d, filters]);
      return tf.slice(merged, [0, 0, 0], [-1, steps, -1]);
    });
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), padding: 'causal', dilationRate: [this.causalDilation] };
  }
}
