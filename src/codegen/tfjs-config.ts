/**
 * A catalogue descriptor (`{ factory, config, custom? }`) as the TypeScript
 * that constructs it: `tf.layers.dense({ units: 32, … })`, or
 * `new MixtureOfExperts({ … })` for mbn's own layers, with the config values
 * that follow the parameters written as expressions over them.
 */
import type { TfjsLayer } from '../catalogue/types.js';
import type * as ast from '../syntax/ast.js';
import { affine, arrayLiteral, conditional, literal, precedence, primary, type Code } from './expressions.js';
import { propertyKey } from './naming.js';
import type { LeafForm, ParametricConfig } from './parametric.js';

/** What the construction needs from the function it is written into. */
export interface ConfigContext {
  /** A parameter expression of the spec, in the emitted function's names. */
  atom(expr: ast.Expression): Code;
  /** A lookup table (spec name → tfjs value) shared by the module; returns the expression naming it. */
  table(key: string, table: Readonly<Record<string, unknown>>): string;
  /** The identifier of one of mbn's runtime layer classes (imported from `mbn/runtime`). */
  runtimeClass(className: string): string;
}

type Path = readonly (string | number)[];

export function isDescriptor(value: unknown): value is TfjsLayer {
  return typeof value === 'object' && value !== null && 'factory' in value && 'config' in value;
}

/** `{ className: 'L1L2', config: { l1, l2 } }`, as the catalogue writes a regularizer. */
function isSerialized(value: unknown): value is { className: string; config: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as { className?: unknown }).className === 'string' && 'config' in value && Object.keys(value).length === 2;
}

/** The parametric leaves of a config, by path. */
export function leafMap(parametric: ParametricConfig): ReadonlyMap<string, LeafForm> {
  return new Map(parametric.leaves.map((leaf) => [JSON.stringify(leaf.path), leaf.form]));
}

/** The expression that makes one tfjs layer (`name` last in its config, as a person would write it). */
export function construct(descriptor: TfjsLayer, path: Path, leaves: ReadonlyMap<string, LeafForm>, name: Code | undefined, ctx: ConfigContext): Code {
  const config = objectLiteral(descriptor.config, [...path, 'config'], leaves, ctx, name ? [['name', name]] : []);
  if (descriptor.custom) return { text: `new ${ctx.runtimeClass(descriptor.factory)}(${config.text})`, precedence: precedence.member };
  return { text: `tf.layers.${descriptor.factory}(${config.text})`, precedence: precedence.member };
}

/** One config value: a parametric expression where the probe found one, else the compiled value. */
export function configValue(value: unknown, path: Path, leaves: ReadonlyMap<string, LeafForm>, ctx: ConfigContext): Code {
  const form = leaves.get(JSON.stringify(path));
  if (form) return leafCode(form, ctx);
  if (isDescriptor(value)) return construct(value, path, leaves, undefined, ctx);
  if (Array.isArray(value)) return arrayLiteral(value.map((item, i) => configValue(item, [...path, i], leaves, ctx)));
  if (isSerialized(value)) {
    // Regularizers (and seeded initializers) through tfjs's factories, which serialise back to the same object.
    const family = value.className === 'L1L2' ? 'regularizers' : 'initializers';
    const factory = value.className === 'L1L2' ? 'l1l2' : value.className.charAt(0).toLowerCase() + value.className.slice(1);
    return { text: `tf.${family}.${factory}(${objectLiteral(value.config, [...path, 'config'], leaves, ctx).text})`, precedence: precedence.member };
  }
  if (typeof value === 'object' && value !== null) return objectLiteral(value as Record<string, unknown>, path, leaves, ctx);
  return literal(value as string | number | boolean | null);
}

function objectLiteral(object: Readonly<Record<string, unknown>>, path: Path, leaves: ReadonlyMap<string, LeafForm>, ctx: ConfigContext, extra: readonly [string, Code][] = []): Code {
  const entries: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    // tfjs reads a missing key and `undefined` alike; the catalogue leaves some undefined.
    if (value === undefined) continue;
    const code = configValue(value, [...path, key], leaves, ctx).text;
    // `{ units }` where a parameter has the option's name.
    entries.push(code === key && propertyKey(key) === key ? key : `${propertyKey(key)}: ${code}`);
  }
  for (const [key, code] of extra) entries.push(`${propertyKey(key)}: ${code.text}`);
  return primary(entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`);
}

function leafCode(form: LeafForm, ctx: ConfigContext): Code {
  if (form.kind === 'code') return form.code;
  const atom = ctx.atom(form.atom);
  switch (form.kind) {
    case 'same':
      // tfjs keeps (and may rewrite) arrays it is given: pass a copy.
      return form.copy ? primary(`[...${atom.precedence >= precedence.member ? atom.text : `(${atom.text})`}]`) : atom;
    case 'affine':
      return affine(atom, form.k, form.c);
    case 'table':
      return { text: `${ctx.table(form.key, form.table)}[${atom.text}]`, precedence: precedence.member };
    case 'flag':
      return conditional(atom, configValue(form.whenTrue, [], new Map(), ctx), configValue(form.whenFalse, [], new Map(), ctx));
  }
}

/** A plain value (no parameters in it) as TypeScript. */
export function plainValue(value: unknown): Code {
  const inert: ConfigContext = {
    atom: () => {
      throw new Error('codegen: a plain value has no parameters');
    },
    table: () => {
      throw new Error('codegen: a plain value has no tables');
    },
    runtimeClass: () => {
      throw new Error('codegen: a plain value makes no layers');
    },
  };
  return configValue(value, [], new Map(), inert);
}
