/** Values the elaborator computes for expressions. */
import type { Args, LayerEntry, RegularizerValue, Shape } from '../catalogue/types.js';
import type { FunctionEntry } from '../catalogue/training.js';
import type * as ast from '../syntax/ast.js';
import type { DType, TensorRef } from './graph.js';
import type { ModelTemplate } from './program.js';

export type Value =
  | { readonly kind: 'number'; readonly value: number; readonly isInt: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  /** A bare name that is not declared anywhere: an enum symbol such as `relu`, checked where it is used. */
  | { readonly kind: 'symbol'; readonly name: string; readonly ident: ast.Identifier }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly items: readonly Value[] }
  | TensorValue
  | { readonly kind: 'tuple'; readonly items: readonly Value[] }
  /** A sub-model instance with several outputs: `enc.features`. */
  | { readonly kind: 'record'; readonly model: string; readonly fields: ReadonlyMap<string, Value> }
  /** A layer or sub-model call not yet applied to a tensor: `LSTM(32)` inside `Bidirectional(…)`. */
  | LayerValue
  | { readonly kind: 'shared'; readonly instance: SharedInstance }
  | { readonly kind: 'regularizer'; readonly value: RegularizerValue }
  | { readonly kind: 'optimizer'; readonly entry: FunctionEntry; readonly args: Args }
  /** Unknown: an error was already reported, or the value depends on an unknown parameter. */
  | { readonly kind: 'unknown' };

export interface TensorValue {
  readonly kind: 'tensor';
  /** Undefined when the shape is not known statically (a block checked on its own). */
  readonly shape: Shape | undefined;
  readonly dtype: DType;
  readonly ref: TensorRef | undefined;
}

export interface LayerValue {
  readonly kind: 'layer';
  readonly callee: { readonly kind: 'entry'; readonly entry: LayerEntry } | { readonly kind: 'model'; readonly template: ModelTemplate };
  /** The call (or bare name) it came from. */
  readonly site: ast.Call | ast.NameRef;
  /** Evaluated arguments, bound when the layer is applied. */
  readonly args: readonly EvaluatedArgument[];
}

export interface EvaluatedArgument {
  readonly name: ast.Identifier | undefined;
  readonly value: Value;
  /** The whole argument, `name: value`. */
  readonly span: ast.Argument['span'];
  /** Just the value; type errors point here. */
  readonly valueSpan?: ast.Argument['span'];
}

/** One `shared name = …` declaration: the layer instances are created on first use and reused after. */
export interface SharedInstance {
  readonly name: string;
  readonly layer: LayerValue;
  readonly decl: ast.SharedDecl;
  /** Layer instances created so far, keyed by the creating call site inside the instance. */
  readonly cache: Map<unknown, unknown>;
  uses: number;
}

export const unknownValue: Value = Object.freeze({ kind: 'unknown' });

export function describeValue(value: Value): string {
  switch (value.kind) {
    case 'number':
      return value.isInt ? 'an int' : 'a float';
    case 'bool':
      return 'a bool';
    case 'string':
      return 'a string';
    case 'symbol':
      return `the name \`${value.name}\``;
    case 'none':
      return '`None`';
    case 'list':
      return 'a list';
    case 'tensor':
      return 'a tensor';
    case 'tuple':
      return `a tuple of ${value.items.length} values`;
    case 'record':
      return `the outputs of \`${value.model}\``;
    case 'layer':
      return 'a layer';
    case 'shared':
      return 'a shared layer';
    case 'regularizer':
      return 'a regularizer';
    case 'optimizer':
      return 'an optimizer';
    case 'unknown':
      return 'an unknown value';
  }
}
