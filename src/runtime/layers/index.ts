/**
 * mbn's own tfjs layers: the merges and layers tfjs 4.22 lacks. Each is
 * registered with `tf.serialization.registerClass` under its class name, so
 * a saved model.json loads back with `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs';
import { CausalConv1D } from './conv.js';
import { SpatialDropout2D } from './dropout.js';
import { MixtureOfExperts, SoftSwitch } from './gating.js';
import { Slice, Subtract } from './tensor.js';
import { UnitInterval, WeightedProduct, WeightedSum } from './weighted.js';

export { CausalConv1D, type CausalConv1DArgs } from './conv.js';
export { SpatialDropout2D, type SpatialDropout2DConfig } from './dropout.js';
export { MixtureOfExperts, SoftSwitch } from './gating.js';
export { Slice, Subtract, broadcastShape, type SliceConfig } from './tensor.js';
export { UnitInterval, WeightedProduct, WeightedSum, type WeightedArgs, type WeightedConfig } from './weighted.js';

/** Every layer class, by the name it is saved under. */
export const mbnLayerClasses = {
  WeightedSum,
  WeightedProduct,
  MixtureOfExperts,
  SoftSwitch,
  Slice,
  Subtract,
  SpatialDropout2D,
  CausalConv1D,
} as const;

let registered = false;

/** Registers every mbn layer class and the `UnitInterval` constraint for (de)serialisation; safe to call again. */
export function registerMbnLayers(): void {
  if (registered) return;
  for (const cls of Object.values(mbnLayerClasses)) tf.serialization.registerClass(cls);
  tf.serialization.registerClass(UnitInterval);
  registered = true;
}
