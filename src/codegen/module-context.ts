/**
 * What every function of one emitted module shares: the module-level names
 * (so that no local shadows one), the helpers and runtime classes it ends up
 * using, the lookup tables of tfjs spellings, and how each model's parameters
 * are keyed in its `params` object.
 */
import type { ModelTemplate } from '../semantics/program.js';
import { isInheritedKey, NameScope, propertyAccess } from './naming.js';
import type { SeedNames } from './seeds.js';

/** What every function of one module shares: its names, helpers, imports and lookup tables. */
export class ModuleContext {
  readonly helpers = new Set<'apply' | 'applyAll' | 'madeOnFirstUse' | 'axisSize'>();
  readonly runtimeClasses = new Set<string>();
  private readonly tableEntries = new Map<string, { key: string; table: Readonly<Record<string, unknown>> }>();

  constructor(
    readonly names: NameScope,
    /** Block function names. */
    readonly functions: ReadonlyMap<ModelTemplate, string>,
    /** tfjs's rule for layer names (`_x` is not a valid one). */
    readonly tfjsName: (name: string) => string,
    /** The identifier `tfjsNames`, reserved up front so no spec name shadows it. */
    readonly tablesName: string,
    /** Imported runtime classes, by class name, with the identifiers reserved for them. */
    readonly runtimeNames: ReadonlyMap<string, string>,
    /** The train block's seed and the helpers that derive layer seeds from it; undefined without a seed. */
    readonly seeds: { readonly seed: number; readonly names: SeedNames } | undefined,
  ) {}

  /** A lookup table in `tfjsNames`; equal tables share an entry. */
  table(key: string, table: Readonly<Record<string, unknown>>): string {
    const json = JSON.stringify(table);
    const existing = this.tableEntries.get(json);
    if (existing) return propertyAccess(this.tablesName, existing.key);
    let name = key;
    for (let n = 2; [...this.tableEntries.values()].some((e) => e.key === name); n++) name = `${key}${n}`;
    this.tableEntries.set(json, { key: name, table });
    return propertyAccess(this.tablesName, name);
  }

  get tables(): readonly { key: string; table: Readonly<Record<string, unknown>> }[] {
    return [...this.tableEntries.values()];
  }

  private readonly paramKeyMaps = new Map<ModelTemplate, ReadonlyMap<string, string>>();

  /**
   * A template's parameters as keys of its `params` object: the spec's names,
   * but a name every object inherits (`constructor`, `toString`) gets a `_`,
   * since `params.constructor` would read Object's when it is not given.
   */
  paramKey(template: ModelTemplate, name: string): string {
    let keys = this.paramKeyMaps.get(template);
    if (!keys) {
      const names = template.decl.params.flatMap((p) => (p.name ? [p.name.name] : []));
      const taken = new Set(names.filter((n) => !isInheritedKey(n)));
      const map = new Map<string, string>();
      for (const n of names) {
        let key = n;
        while (isInheritedKey(key) || (key !== n && taken.has(key))) key = `${key}_`;
        taken.add(key);
        map.set(n, key);
      }
      keys = map;
      this.paramKeyMaps.set(template, keys);
    }
    return keys.get(name) ?? name;
  }

  runtimeClass(className: string): string {
    this.runtimeClasses.add(className);
    const name = this.runtimeNames.get(className);
    if (!name) throw new Error(`codegen: no runtime class ${className}`);
    return name;
  }
}
