/**
 * Seeded initial weights. With `seed: s` in the train block, `mbnc train`
 * seeds a layer's n-th random initializer with `s * 1000 + id * 16 + n` and
 * its Dropout with `s * 1000 + id`, where `id` is the layer's number in the
 * graph (`seeded` in src/runtime/build.ts; a wrapped layer uses `id * 31 + 7`).
 * The emitted code computes the same seeds, so its models start from the same
 * weights. The layers of a block are numbered from its first layer's number,
 * which the caller passes in.
 */
import type { TfjsLayer } from '../catalogue/types.js';
import { randomInitializers } from '../runtime/build.js';
import { binary, call, numberLiteral, type Code } from './expressions.js';
import { isDescriptor } from './tfjs-config.js';

export interface SeedNames {
  /** `initializerSeed(layerId, n)`. */
  readonly initializer: string;
  /** `dropoutSeed(layerId)`. */
  readonly dropout: string;
}

/**
 * The descriptor with its random initializers seeded, and where the seeds go
 * (as config paths with the expression that computes each).
 */
export function seedConfig(descriptor: TfjsLayer, layerId: Code, names: SeedNames, path: readonly (string | number)[] = []): { descriptor: TfjsLayer; seeds: { path: (string | number)[]; code: Code }[] } {
  const config: Record<string, unknown> = {};
  const seeds: { path: (string | number)[]; code: Code }[] = [];
  let n = 0;
  for (const [key, value] of Object.entries(descriptor.config)) {
    const className = typeof value === 'string' && key.endsWith('Initializer') ? randomInitializers[value] : undefined;
    if (className) {
      config[key] = { className, config: { seed: 0 } };
      seeds.push({ path: [...path, 'config', key, 'config', 'seed'], code: call(names.initializer, [layerId, numberLiteral(n++)]) });
    } else if (isDescriptor(value)) {
      const inner = seedConfig(value, binary(binary(layerId, '*', numberLiteral(31)), '+', numberLiteral(7)), names, [...path, 'config', key]);
      config[key] = inner.descriptor;
      seeds.push(...inner.seeds);
    } else config[key] = value;
  }
  if ('rate' in config && !('seed' in config) && descriptor.factory === 'dropout') {
    config['seed'] = 0;
    seeds.push({ path: [...path, 'config', 'seed'], code: call(names.dropout, [layerId]) });
  }
  return { descriptor: { ...descriptor, config }, seeds };
}

export const seedHelpers = (seed: number, names: SeedNames): { name: string; doc: string; parameters: { name: string; type: string }[]; body: string }[] => [
  {
    name: names.initializer,
    doc: `The seed \`mbnc train\` gives a layer's n-th random initializer, from the train block's \`seed: ${seed}\` and the layer's number in the model, so that the weights start the same.`,
    parameters: [{ name: 'layerId', type: 'number' }, { name: 'n', type: 'number' }],
    body: `return ${seed} * 1000 + layerId * 16 + n;`,
  },
  {
    name: names.dropout,
    doc: `The seed \`mbnc train\` gives a Dropout layer, from the train block's \`seed: ${seed}\`.`,
    parameters: [{ name: 'layerId', type: 'number' }],
    body: `return ${seed} * 1000 + layerId;`,
  },
];
