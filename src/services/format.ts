/** How services write values, types, shapes and signatures: in .mbn syntax, for markdown. */
import { activations, initializers } from '../catalogue/common.js';
import { formatShape } from '../catalogue/shape.js';
import type { ArgValue, ParamSpec, ParamType, Shape } from '../catalogue/types.js';
import { functionalLayers } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { Callee } from './locate.js';

export { formatShape };

export function formatShapeOrUnknown(shape: Shape | undefined): string {
  return shape ? formatShape(shape) : 'unknown shape';
}

/** `1,234,567`. */
export function formatCount(n: number): string {
  // Not toLocaleString: Intl is slow, and hovers format hundreds of counts.
  const sign = n < 0 ? '-' : '';
  const [whole, fraction] = String(Math.abs(n)).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (fraction ? `.${fraction}` : '');
}

export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) || Math.abs(n) >= 1e-4 ? String(n) : n.toExponential();
}

/** A bound argument in .mbn syntax: `[3, 3]`, `relu`, `None`, `l2(0.001)`, `LSTM(32)`. */
export function formatArg(value: ArgValue | undefined): string {
  if (value === undefined) return '?';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly ArgValue[]).map(formatArg).join(', ')}]`;
  const object = value as Exclude<ArgValue, null | boolean | number | string | readonly ArgValue[]>;
  if (object.kind === 'regularizer') {
    if (object.l1 === 0) return `l2(${formatNumber(object.l2)})`;
    if (object.l2 === 0) return `l1(${formatNumber(object.l1)})`;
    return `l1_l2(l1: ${formatNumber(object.l1)}, l2: ${formatNumber(object.l2)})`;
  }
  // A nested layer: the arguments that differ from the defaults.
  const given = object.entry.params
    .filter((p) => p.default === undefined || formatArg(p.default) !== formatArg(object.args[p.name]))
    .map((p) => (p.default === undefined ? formatArg(object.args[p.name]) : `${p.name}: ${formatArg(object.args[p.name])}`));
  return `${object.entry.name}(${given.join(', ')})`;
}

/** A traced value, briefly: `32`, `relu`, `[None, 30, 30, 32]`. */
export function formatValue(value: Value): string {
  switch (value.kind) {
    case 'number':
      return formatNumber(value.value);
    case 'bool':
      return String(value.value);
    case 'string':
      return JSON.stringify(value.value);
    case 'symbol':
      return value.name;
    case 'none':
      return 'None';
    case 'list':
      return `[${value.items.map(formatValue).join(', ')}]`;
    case 'tuple':
      return `(${value.items.map(formatValue).join(', ')})`;
    case 'tensor':
      return formatShapeOrUnknown(value.shape);
    case 'record':
      return `outputs of ${value.model}`;
    case 'layer':
      return `${value.callee.kind === 'entry' ? value.callee.entry.name : value.callee.template.name}(…)`;
    case 'shared':
      return `shared ${value.instance.name}`;
    case 'regularizer':
      return formatArg(value.value);
    case 'optimizer':
      return `${value.entry.name}(${value.entry.params.map((p) => `${p.name}: ${formatArg(value.args[p.name])}`).join(', ')})`;
    case 'unknown':
      return '?';
  }
}

/** A short type for signatures: `int`, `int | [int, int]`, `activation | None`. */
export function typeLabel(type: ParamType): string {
  switch (type.kind) {
    case 'int':
    case 'float':
    case 'bool':
    case 'string':
    case 'layer':
    case 'regularizer':
      return type.kind;
    case 'enum':
      if (type.values === activations || type.values.join() === activations.join()) return 'activation';
      if (type.values === initializers || type.values.join() === initializers.join()) return 'initializer';
      return type.values.join(' | ');
    case 'ints':
      return type.length === 1 ? 'int' : `int | [${Array.from({ length: type.length }, () => 'int').join(', ')}]`;
    case 'intList':
      return '[int, …]';
    case 'padding2d':
      return 'int | [int, int] | [[int, int], [int, int]]';
    case 'weight':
      return 'float | [float, …] | trainable | softmax';
    case 'floatList':
      return '[float, …]';
    case 'optional':
      return `${typeLabel(type.of)} | None`;
  }
}

/** The symbols a parameter accepts, for completion: enum values, `None`, `true`/`false`, `trainable`. */
export function symbolsOf(type: ParamType): string[] {
  switch (type.kind) {
    case 'enum':
      return [...type.values];
    case 'bool':
      return ['true', 'false'];
    case 'weight':
      return ['trainable', 'softmax'];
    case 'optional':
      return [...symbolsOf(type.of), 'None'];
    default:
      return [];
  }
}

/** One parameter of a signature: `filters: int` when required, `strides = 1` otherwise. */
export function paramLabel(param: ParamSpec): string {
  return param.default === undefined ? `${param.name}: ${typeLabel(param.type)}` : `${param.name} = ${formatArg(param.default)}`;
}

/** A model parameter as declared: `classes: int = 10`. */
export function modelParamLabel(param: ast.ParamDecl, text: string): string {
  const name = param.name?.name ?? '?';
  const type = param.type ? `: ${param.type.name}` : '';
  const value = param.default ? ` = ${text.slice(param.default.span.start, param.default.span.end)}` : '';
  return `${name}${type}${value}`;
}

export interface SignatureLabel {
  readonly label: string;
  /** Each parameter's `[start, end)` in the label, with its documentation. */
  readonly parameters: readonly { readonly label: string; readonly range: readonly [number, number]; readonly documentation: string }[];
}

/**
 * `Conv2D(filters: int, kernel_size: int | [int, int], strides = 1, …)`: the
 * parameters in positional order; a merge's tensors (`a, b, …`) and the
 * tensor of a functional form (`x`) come first.
 */
export function signatureOf(callee: Callee, writtenName: string): SignatureLabel {
  const parts: { label: string; documentation: string }[] = [];
  if (callee.kind === 'entry' && callee.entry.kind === 'merge') parts.push({ label: callee.entry.inputsDoc, documentation: 'The tensors to merge.' });
  else if (callee.kind === 'entry' && functionalLayers.has(writtenName)) parts.push({ label: 'x', documentation: 'The tensor to apply it to.' });
  if (callee.kind === 'model') {
    const text = callee.template.unit.text;
    for (const p of callee.template.decl.params) parts.push({ label: modelParamLabel(p, text), documentation: `Parameter of \`${callee.template.name}\`.` });
  } else {
    for (const p of callee.entry.params) parts.push({ label: paramLabel(p), documentation: p.doc });
  }
  const name = callee.kind === 'model' ? callee.template.name : writtenName;
  let label = `${name}(`;
  const parameters: { label: string; range: [number, number]; documentation: string }[] = [];
  parts.forEach((part, i) => {
    if (i > 0) label += ', ';
    parameters.push({ label: part.label, range: [label.length, label.length + part.label.length], documentation: part.documentation });
    label += part.label;
  });
  label += ')';
  return { label, parameters };
}
