/**
 * Leaves out of an emitted layer config the options that only restate
 * tfjs's own defaults, so that `tf.layers.dense({ units: 32, activation:
 * 'relu', name })` says what the spec says and no more.
 *
 * Nothing is assumed about tfjs: an option is left out only when tfjs,
 * asked to make the layer with and without it, writes the same config both
 * times and writes the option into it. The layer's config is what a saved
 * model.json holds, so the model is the same either way. Options where
 * Keras's default differs from tfjs's (a recurrent activation, a kernel
 * initializer) stay, because there the configs differ.
 */
import type { TfjsLayer } from '../catalogue/types.js';
import { constructLayer } from '../runtime/build.js';
import { isDescriptor } from './tfjs-config.js';

type Path = readonly (string | number)[];

const cache = new Map<string, TfjsLayer>();

/** A layer's config as tfjs writes it, without names (nested layers get fresh ones each time). */
function configOf(descriptor: TfjsLayer): string | undefined {
  try {
    // A copy: tfjs writes into the initializer and regularizer objects it is given.
    const layer = constructLayer(structuredClone(descriptor), 'probe');
    return JSON.stringify(layer.getConfig(), (key, value: unknown) => (key === 'name' ? undefined : value));
  } catch {
    return undefined;
  }
}

/**
 * The descriptor without the options tfjs fills in the same by itself, at
 * every level (a wrapped layer's too). `keep` holds the JSON of the config
 * paths the emitted code computes (parameters, seeds): those stay.
 */
export function withoutDefaults(descriptor: TfjsLayer, keep: ReadonlySet<string>, path: Path = []): TfjsLayer {
  if (descriptor.custom || descriptor.composite) return descriptor;
  const kept = [...keep].filter((k) => k.startsWith(JSON.stringify([...path, 'config']).slice(0, -1)));
  const id = JSON.stringify([descriptor, path, kept.sort()]);
  const cached = cache.get(id);
  if (cached) return cached;
  const isKept = (key: string) => kept.some((k) => k.startsWith(JSON.stringify([...path, 'config', key]).slice(0, -1)));
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(descriptor.config)) {
    config[key] = isDescriptor(value) ? withoutDefaults(value, keep, [...path, 'config', key]) : value;
  }
  const full = configOf({ ...descriptor, config });
  if (full !== undefined) {
    const written = JSON.parse(full) as Record<string, unknown>;
    for (const key of Object.keys(config)) {
      if (isKept(key) || !(key in written)) continue;
      const { [key]: _dropped, ...rest } = config;
      if (configOf({ ...descriptor, config: rest }) === full) delete config[key];
    }
  }
  const result = { ...descriptor, config };
  cache.set(id, result);
  return result;
}
