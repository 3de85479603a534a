/**
 * Binds evaluated call arguments to a catalogue entry's (or model's)
 * parameters, Python-style: positional first, then by name. Checks types
 * and ranges, fills defaults and normalises values (`3` → `[3, 3]`).
 */
import type { Args, ArgValue, NestedLayer, ParamSpec, ParamType } from '../catalogue/types.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { DiagnosticOptions } from '../diagnostics/diagnostic.js';
import type { Span } from '../syntax/source.js';
import { closest } from '../util/suggest.js';
import { describeValue, type EvaluatedArgument, type Value } from './values.js';

/** What binding needs from its caller; one per frame, reused for every call in it. */
export interface BindContext {
  readonly uri: string;
  readonly report: (code: DiagnosticCode, at: Span, message: string, options?: DiagnosticOptions) => void;
  /** Names in scope, for "did you mean" on undefined names. */
  readonly scopeNames: () => Iterable<string>;
  /** Binds a nested layer's own arguments (for `Bidirectional(LSTM(32))`). */
  readonly bindNested: (value: Value, span: Span) => NestedLayer | undefined;
}

export type ConvertContext = Pick<BindContext, 'report' | 'scopeNames' | 'bindNested'>;

/** A description of the value being checked, built only when a message needs it. */
export type What = string | (() => string);

const describeWhat = (what: What): string => (typeof what === 'string' ? what : what());

export interface BoundArgs {
  readonly args: Args;
  /** False when some argument was invalid or unknown: shape rules must not run on it. */
  readonly complete: boolean;
  /** The parameters and, in the same order, the argument given for each (for later diagnostics). */
  readonly params: readonly ParamSpec[];
  readonly given: readonly (EvaluatedArgument | undefined)[];
}

const invalid = Symbol('invalid');
const unknown = Symbol('unknown');
type Converted = ArgValue | typeof invalid | typeof unknown;

/** What binding needs to know about a parameter list, worked out once per list (lists are the catalogue's). */
interface ParamListInfo {
  /**
   * Every parameter's default, as one object: copying it makes the bound
   * arguments in one allocation of the right shape. Required parameters are
   * absent from it.
   */
  readonly defaults: Readonly<Record<string, ArgValue>>;
  /** By callee name, how messages name each parameter (`` `units` of Dense ``): made once, not per call. */
  readonly descriptions: Map<string, What[]>;
}

const paramListInfo = new WeakMap<readonly ParamSpec[], ParamListInfo>();

function infoOf(params: readonly ParamSpec[]): ParamListInfo {
  let info = paramListInfo.get(params);
  if (!info) {
    info = {
      defaults: Object.fromEntries(params.filter((p) => p.default !== undefined).map((p) => [p.name, p.default!])),
      descriptions: new Map(),
    };
    paramListInfo.set(params, info);
  }
  return info;
}

function descriptionsOf(info: ParamListInfo, params: readonly ParamSpec[], callee: string): What[] {
  let list = info.descriptions.get(callee);
  if (!list) {
    list = params.map((param) => () => `\`${param.name}\` of ${callee}`);
    info.descriptions.set(callee, list);
  }
  return list;
}

/**
 * @param callee the name shown in messages: `Dense`, `concat`
 * @param at where a missing argument is reported (the callee's name)
 */
export function bindArguments(params: readonly ParamSpec[], given: readonly EvaluatedArgument[], ctx: BindContext, callee: string, at: Span): BoundArgs {
  // One slot per parameter, in declaration order (arrays, not maps: this runs for every layer call).
  const slots: (EvaluatedArgument | undefined)[] = new Array(params.length);
  let complete = true;
  let positional = 0;
  let sawNamed = false;

  for (let g = 0; g < given.length; g++) {
    const arg = given[g]!;
    if (!arg.name) {
      if (sawNamed) {
        ctx.report('MBN214', arg.span, `positional argument after a named one in ${callee}(…)`, {
          notes: ['give this argument by name too, or move it before the named ones'],
        });
        complete = false;
        continue;
      }
      if (positional >= params.length) {
        positional++;
        const names = params.map((p) => p.name);
        ctx.report('MBN214', arg.span,
          `${callee} takes ${params.length === 0 ? 'no arguments' : `at most ${params.length} positional argument${params.length === 1 ? '' : 's'} (${names.join(', ')})`}, got ${positional}`);
        complete = false;
        continue;
      }
      slots[positional++] = arg;
      continue;
    }
    sawNamed = true;
    const name = arg.name.name;
    const index = paramIndex(params, name);
    if (index < 0) {
      const suggestion = closest(name, params.flatMap((p) => [p.name, ...(p.aliases ?? [])]));
      ctx.report('MBN210', arg.name.span, `${callee} has no parameter \`${name}\``, {
        notes: params.length > 0 ? [`its parameters: ${params.map((p) => p.name).join(', ')}`] : [`${callee} takes no parameters`],
        ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: arg.name.span, newText: suggestion }] } } : {}),
      });
      complete = false;
      continue;
    }
    const previous = slots[index];
    if (previous) {
      ctx.report('MBN215', arg.span, `\`${params[index]!.name}\` is given twice in ${callee}(…)`, {
        related: [{ uri: ctx.uri, span: previous.span, message: 'first given here' }],
      });
      complete = false;
      continue;
    }
    slots[index] = arg;
  }

  const info = infoOf(params);
  const args: Record<string, ArgValue> = { ...info.defaults };
  const descriptions = descriptionsOf(info, params, callee);
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    const arg = slots[i];
    if (!arg) {
      if (param.default === undefined) {
        ctx.report('MBN211', at, `${callee} needs \`${param.name}\`: ${param.doc}`, {
          notes: [`${callee}(${params.filter((p) => p.default === undefined).map((p) => p.name).join(', ')}) are required`],
        });
        complete = false;
      }
      continue;
    }
    const converted = convert(param.type, arg.value, arg.valueSpan ?? arg.span, descriptions[i]!, ctx);
    if (converted === invalid || converted === unknown) complete = false;
    else args[param.name] = converted;
  }
  return { args, complete, params, given: slots };
}

/** The parameter called `name` (or one of its aliases); -1 when there is none. */
function paramIndex(params: readonly ParamSpec[], name: string): number {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    if (param.name === name || param.aliases?.includes(name)) return i;
  }
  return -1;
}

/** Where the value of parameter `name` was given, if it was. */
export function argumentSpan(bound: BoundArgs, name: string): Span | undefined {
  const i = bound.params.findIndex((p) => p.name === name);
  return i < 0 ? undefined : bound.given[i]?.span;
}

function typeName(type: ParamType): string {
  switch (type.kind) {
    case 'int':
      return 'an int';
    case 'float':
      return 'a number';
    case 'bool':
      return '`true` or `false`';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${type.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'ints':
      return type.length === 1 ? 'an int' : `an int or a list of ${type.length} ints`;
    case 'intList':
      return 'a list of ints';
    case 'padding2d':
      return 'an int, [rows, cols] or [[top, bottom], [left, right]]';
    case 'layer':
      return 'a layer such as `LSTM(32)`';
    case 'regularizer':
      return '`l1(…)`, `l2(…)` or `l1_l2(…)`';
    case 'weight':
      return 'a number, a list of numbers, `trainable` or `softmax`';
    case 'floatList':
      return 'a list of numbers';
    case 'optional':
      return `${typeName(type.of)} or \`None\``;
  }
}

/** Reports a value that does not fit its parameter's type. */
function reportWrong(type: ParamType, value: Value, span: Span, what: What, ctx: ConvertContext, extra?: string): typeof invalid {
  if (value.kind === 'symbol' && type.kind !== 'enum' && !(type.kind === 'optional' && type.of.kind === 'enum')) {
    const suggestion = closest(value.name, ctx.scopeNames());
    ctx.report('MBN200', span, `undefined name \`${value.name}\``, {
      notes: [`${describeWhat(what)} expects ${typeName(type)}`],
      ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: value.ident.span, newText: suggestion }] } } : {}),
    });
    return invalid;
  }
  ctx.report('MBN212', span, `${describeWhat(what)} expects ${typeName(type)}, got ${describeValue(value)}${extra ?? ''}`);
  return invalid;
}

/** The number itself when within bounds; otherwise reported and `invalid`. */
function checkRange(n: number, span: Span, what: What, ctx: ConvertContext, min?: number, max?: number, maxExclusive?: boolean): Converted {
  const tooLow = min !== undefined && n < min;
  const tooHigh = max !== undefined && (maxExclusive ? n >= max : n > max);
  if (tooLow || tooHigh) {
    const bounds = min !== undefined && max !== undefined ? `in [${min}, ${max}${maxExclusive ? ')' : ']'}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    ctx.report('MBN213', span, `${describeWhat(what)} must be ${bounds}, got ${n}`);
    return invalid;
  }
  return n;
}

/** Checks one value against a parameter type; reports and returns `invalid` when it does not fit. */
export function convert(type: ParamType, value: Value, span: Span, what: What, ctx: ConvertContext): Converted {
  if (value.kind === 'unknown') return unknown;
  switch (type.kind) {
    case 'int':
      if (value.kind !== 'number') return reportWrong(type, value, span, what, ctx);
      if (!value.isInt && !Number.isInteger(value.value)) return reportWrong(type, value, span, what, ctx, ` (${value.value})`);
      return checkRange(value.value, span, what, ctx, type.min, type.max);
    case 'float':
      if (value.kind !== 'number') return reportWrong(type, value, span, what, ctx);
      return checkRange(value.value, span, what, ctx, type.min, type.max, type.maxExclusive);
    case 'bool':
      return value.kind === 'bool' ? value.value : reportWrong(type, value, span, what, ctx);
    case 'string':
      if (value.kind === 'string') return value.value;
      if (value.kind === 'symbol') return value.name;
      return reportWrong(type, value, span, what, ctx);
    case 'enum': {
      const name = value.kind === 'symbol' ? value.name : value.kind === 'string' ? value.value : undefined;
      if (name === undefined) return reportWrong(type, value, span, what, ctx);
      if (type.values.includes(name)) return name;
      const suggestion = closest(name, type.values);
      ctx.report('MBN212', span, `${describeWhat(what)} expects ${typeName(type)}, got \`${name}\``, {
        ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span, newText: suggestion }] } } : {}),
      });
      return invalid;
    }
    case 'ints': {
      if (value.kind === 'number') {
        const one = convert({ kind: 'int', ...(type.min !== undefined ? { min: type.min } : {}) }, value, span, what, ctx);
        return typeof one === 'number' ? Array.from({ length: type.length }, () => one) : one;
      }
      if (value.kind !== 'list' && value.kind !== 'tuple') return reportWrong(type, value, span, what, ctx);
      if (value.items.length !== type.length) return reportWrong(type, value, span, what, ctx, ` of ${value.items.length}`);
      return convertItems({ kind: 'int', ...(type.min !== undefined ? { min: type.min } : {}) }, value.items, span, what, ctx);
    }
    case 'intList': {
      if (value.kind === 'number') return convertItems({ kind: 'int' }, [value], span, what, ctx);
      if (value.kind !== 'list' && value.kind !== 'tuple') return reportWrong(type, value, span, what, ctx);
      const items = convertItems({ kind: 'int' }, value.items, span, what, ctx);
      if (!Array.isArray(items)) return items;
      for (const n of items as number[]) {
        if (type.allowMinusOne && n === -1) continue;
        if (type.min !== undefined && n < type.min) return checkRange(n, span, what, ctx, type.min);
      }
      return items;
    }
    case 'floatList':
      if (value.kind !== 'list' && value.kind !== 'tuple') return reportWrong(type, value, span, what, ctx);
      return convertItems({ kind: 'float' }, value.items, span, what, ctx);
    case 'padding2d': {
      // [[top, bottom], [left, right]]
      if ((value.kind === 'list' || value.kind === 'tuple') && value.items.some((i) => i.kind === 'list' || i.kind === 'tuple')) {
        if (value.items.length !== 2) return reportWrong(type, value, span, what, ctx);
        return convertItems({ kind: 'ints', length: 2, min: 0 }, value.items, span, what, ctx);
      }
      const n = convert({ kind: 'ints', length: 2, min: 0 }, value, span, what, ctx);
      return Array.isArray(n) ? ([[n[0], n[0]], [n[1], n[1]]] as ArgValue) : n;
    }
    case 'layer': {
      if (value.kind !== 'layer') return reportWrong(type, value, span, what, ctx);
      return ctx.bindNested(value, span) ?? invalid;
    }
    case 'regularizer':
      return value.kind === 'regularizer' ? value.value : reportWrong(type, value, span, what, ctx);
    case 'weight': {
      if (value.kind === 'number') return checkRange(value.value, span, what, ctx, 0);
      if (value.kind === 'symbol') return value.name;
      if (value.kind === 'string') return value.value;
      if (value.kind === 'list' || value.kind === 'tuple') return convertItems({ kind: 'float', min: 0 }, value.items, span, what, ctx);
      return reportWrong(type, value, span, what, ctx);
    }
    case 'optional':
      return value.kind === 'none' ? null : convert(type.of, value, span, what, ctx);
  }
}

function convertItems(type: ParamType, items: readonly Value[], span: Span, what: What, ctx: ConvertContext): Converted {
  const out: ArgValue[] = [];
  for (const item of items) {
    const c = convert(type, item, span, what, ctx);
    if (c === invalid || c === unknown) return c;
    out.push(c);
  }
  return out;
}

export function isConverted(c: Converted): c is ArgValue {
  return c !== invalid && c !== unknown;
}
