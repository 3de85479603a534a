/**
 * The catalogue: every layer and merge mbn knows, looked up by name or alias.
 * Adding a layer means adding one entry to one of the family files and its tests.
 */
import { convolutionLayers } from './convolution.js';
import { coreLayers } from './core.js';
import { mergeEntries } from './merges.js';
import { normalizationLayers } from './normalization.js';
import { poolingLayers } from './pooling.js';
import { recurrentLayers } from './recurrent.js';
import { reshapingLayers } from './reshaping.js';
import type { CatalogueEntry, LayerEntry, MergeEntry } from './types.js';

export const layerEntries: readonly LayerEntry[] = [
  ...coreLayers,
  ...convolutionLayers,
  ...poolingLayers,
  ...normalizationLayers,
  ...recurrentLayers,
  ...reshapingLayers,
];

export { mergeEntries };

function index<T extends CatalogueEntry>(entries: readonly T[]): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) {
    for (const name of [entry.name, ...(entry.aliases ?? [])]) {
      if (map.has(name)) throw new Error(`catalogue: duplicate name ${name}`);
      map.set(name, entry);
    }
  }
  return map;
}

export const layers: ReadonlyMap<string, LayerEntry> = index(layerEntries);
export const merges: ReadonlyMap<string, MergeEntry> = index(mergeEntries);

export function lookupEntry(name: string): CatalogueEntry | undefined {
  return layers.get(name) ?? merges.get(name);
}

/** Every name a user can call, for "did you mean" and completion. */
export function allEntryNames(): string[] {
  return [...layers.keys(), ...merges.keys()];
}

export type { CatalogueEntry, LayerEntry, MergeEntry } from './types.js';
