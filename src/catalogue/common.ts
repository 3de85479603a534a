/** Parameters shared by many entries, and the generic Keras → tfjs config mapping. */
import type { Args, ArgValue, ParamSpec, RegularizerValue, TfjsLayer } from './types.js';

export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export const activations = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh',
  'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu',
] as const;

export const initializers = [
  'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal',
  'zeros', 'ones', 'random_normal', 'random_uniform', 'truncated_normal', 'orthogonal', 'identity',
] as const;

export function activation(defaultValue: string | null = null, name = 'activation', doc = 'Activation applied to the output; `None` is linear.'): ParamSpec {
  return {
    name,
    type: { kind: 'optional', of: { kind: 'enum', values: activations } },
    default: defaultValue,
    doc,
    toTfjs: (v) => (v === null ? 'linear' : camelCase(v as string)),
  };
}

export function initializer(name: string, defaultValue: string): ParamSpec {
  return {
    name,
    type: { kind: 'enum', values: initializers },
    default: defaultValue,
    doc: `Initializer for the ${name.replace(/_initializer$/, '').replace('_', ' ')} weights.`,
    toTfjs: (v) => initializerName(v as string),
  };
}

/** tfjs spells LeCun with a capital C: `lecun_normal` is `leCunNormal`. */
export function initializerName(name: string): string {
  return camelCase(name).replace(/^lecun/, 'leCun');
}

export function regularizer(name: string): ParamSpec {
  return {
    name,
    type: { kind: 'optional', of: { kind: 'regularizer' } },
    default: null,
    doc: `Penalty on the ${name.replace(/_regularizer$/, '').replace('_', ' ')} weights added to the loss: \`l1(0.01)\`, \`l2(0.001)\` or \`l1_l2(l1: …, l2: …)\`.`,
    toTfjs: (v) => (v === null ? undefined : { className: 'L1L2', config: { l1: (v as RegularizerValue).l1, l2: (v as RegularizerValue).l2 } }),
  };
}

export const useBias: ParamSpec = { name: 'use_bias', type: { kind: 'bool' }, default: true, doc: 'Whether the layer adds a learned bias.' };

/** The weight options every Dense/Conv-like layer has. */
export function kernelAndBias(kernelName = 'kernel'): ParamSpec[] {
  return [
    useBias,
    initializer(`${kernelName}_initializer`, 'glorot_uniform'),
    initializer('bias_initializer', 'zeros'),
    regularizer(`${kernelName}_regularizer`),
    regularizer('bias_regularizer'),
  ];
}

export function padding(values: readonly string[] = ['valid', 'same']): ParamSpec {
  return { name: 'padding', type: { kind: 'enum', values }, default: 'valid', doc: '`valid` (no padding) or `same` (output length = input length / stride).' };
}

function copyArrays(value: ArgValue): ArgValue {
  return Array.isArray(value) ? (value as readonly ArgValue[]).map(copyArrays) : value;
}

/** Maps every bound argument to tfjs's config (camelCase keys), dropping `None`s. */
export function tfjsConfig(params: readonly ParamSpec[], args: Args, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const p of params) {
    if (p.tfjsKey === false) continue;
    const value: ArgValue | undefined = args[p.name];
    if (value === undefined) continue;
    // Arrays are copied: tfjs keeps and may rewrite the arrays in a config.
    const converted = p.toTfjs ? p.toTfjs(value) : copyArrays(value);
    if (converted === null || converted === undefined) continue;
    config[p.tfjsKey ?? camelCase(p.name)] = converted;
  }
  return { ...config, ...extra };
}

export function builtin(factory: string, params: readonly ParamSpec[], args: Args, extra: Record<string, unknown> = {}): TfjsLayer {
  return { factory, config: tfjsConfig(params, args, extra) };
}

/**
 * An `ints` parameter (kernel size, strides, pool size, dilation, …): one int or
 * `length` ints. Its tfjs form is always the full list.
 */
export function intTuple(name: string, length: number, defaultValue: ArgValue | undefined, doc: string, min = 1): ParamSpec {
  return {
    name,
    type: { kind: 'ints', length, min },
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    doc,
    toTfjs: (v) => {
      const list = Array.isArray(v) ? (v as number[]) : [v as number];
      return list.length === length ? [...list] : Array.from({ length }, () => list[0]!);
    },
  };
}
