/**
 * The syntax tree of a .mbn file. Built from the parser's CST by `build-ast.ts`.
 *
 * The parser recovers from errors, so any child may be missing: every later
 * stage treats `undefined` children as holes and stays quiet about them (the
 * parse error was already reported).
 */
import type { Span } from './source.js';

interface NodeBase {
  readonly span: Span;
}

export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

export interface SourceFile extends NodeBase {
  readonly kind: 'SourceFile';
  readonly imports: readonly ImportDecl[];
  readonly models: readonly ModelDecl[];
  /** Comments, kept for the formatter and hovers. */
  readonly comments: readonly Comment[];
}

export interface Comment extends NodeBase {
  readonly kind: 'Comment';
  readonly text: string;
}

/** `import "path.mbn"` (every model) or `import { A, B } from "path.mbn"`. */
export interface ImportDecl extends NodeBase {
  readonly kind: 'ImportDecl';
  readonly path: StringLiteral | undefined;
  readonly names: readonly Identifier[] | undefined;
}

export interface ModelDecl extends NodeBase {
  readonly kind: 'ModelDecl';
  readonly name: Identifier | undefined;
  readonly params: readonly ParamDecl[];
  readonly body: readonly Statement[];
  /** Span of `{ … }`, or undefined when the body is missing. */
  readonly bodySpan: Span | undefined;
}

/** `lookBack: int = 30` */
export interface ParamDecl extends NodeBase {
  readonly kind: 'ParamDecl';
  readonly name: Identifier | undefined;
  readonly type: Identifier | undefined;
  readonly default: Expression | undefined;
}

export type Statement = InputDecl | OutputDecl | SharedDecl | Binding | TrainBlock;

/** `input img: [32, 32, 3]` with an optional dtype: `input ids: [20] int32`. */
export interface InputDecl extends NodeBase {
  readonly kind: 'InputDecl';
  readonly name: Identifier | undefined;
  readonly shape: Expression | undefined;
  readonly dtype: Identifier | undefined;
}

export interface OutputDecl extends NodeBase {
  readonly kind: 'OutputDecl';
  readonly name: Identifier | undefined;
  readonly value: Expression | undefined;
  readonly clauses: readonly OutputClause[];
}

export interface OutputClause extends NodeBase {
  readonly kind: 'OutputClause';
  readonly clause: 'aux' | 'loss' | 'weight' | 'metrics';
  readonly keyword: Span;
  readonly value: Expression | undefined;
}

/** `shared encoder = SmallCNN()`: one layer instance, one set of weights, applied wherever it is used. */
export interface SharedDecl extends NodeBase {
  readonly kind: 'SharedDecl';
  readonly name: Identifier | undefined;
  readonly value: Expression | undefined;
}

/** `h = x -> Dense(32)` or, for several results, `cat, dog = switch(p, a, b)`. */
export interface Binding extends NodeBase {
  readonly kind: 'Binding';
  readonly names: readonly Identifier[];
  readonly value: Expression | undefined;
}

export interface TrainBlock extends NodeBase {
  readonly kind: 'TrainBlock';
  readonly settings: readonly Setting[];
}

export interface Setting extends NodeBase {
  readonly kind: 'Setting';
  readonly key: Identifier | undefined;
  readonly value: Expression | undefined;
}

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NoneLiteral
  | NameRef
  | Call
  | ListLiteral
  | TupleLiteral
  | Unary
  | Binary
  | Index
  | Member
  | Pipeline;

export interface NumberLiteral extends NodeBase {
  readonly kind: 'NumberLiteral';
  readonly value: number;
  readonly isInteger: boolean;
  readonly text: string;
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'StringLiteral';
  readonly value: string;
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
}

/** `None`: an unknown (dynamic) dimension, or "no value" for an argument. */
export interface NoneLiteral extends NodeBase {
  readonly kind: 'NoneLiteral';
}

export interface NameRef extends NodeBase {
  readonly kind: 'NameRef';
  readonly name: Identifier;
}

/** `Dense(32, activation: relu)`, `concat(a, b)`, `SmallCNN(classes: 10)`. */
export interface Call extends NodeBase {
  readonly kind: 'Call';
  readonly callee: Identifier;
  readonly args: readonly Argument[];
  /** Span of `( … )`. */
  readonly argsSpan: Span;
}

export interface Argument extends NodeBase {
  readonly kind: 'Argument';
  readonly name: Identifier | undefined;
  readonly value: Expression | undefined;
}

export interface ListLiteral extends NodeBase {
  readonly kind: 'ListLiteral';
  readonly items: readonly Expression[];
}

/** `(a, b)`; a single parenthesised expression is just that expression. */
export interface TupleLiteral extends NodeBase {
  readonly kind: 'TupleLiteral';
  readonly items: readonly Expression[];
  /** The closing `)` is missing: the parser recovered, so what the tuple holds is uncertain. */
  readonly recovered?: boolean;
}

export interface Unary extends NodeBase {
  readonly kind: 'Unary';
  readonly operator: '-';
  readonly operand: Expression | undefined;
}

export interface Binary extends NodeBase {
  readonly kind: 'Binary';
  readonly operator: '+' | '-' | '*' | '/' | '%';
  readonly left: Expression;
  readonly right: Expression | undefined;
}

/** `p[0]`, `p[:, 0:1]`: indexes and slices over the non-batch axes. */
export interface Index extends NodeBase {
  readonly kind: 'Index';
  readonly target: Expression;
  readonly items: readonly SliceItem[];
}

export type SliceItem =
  | { readonly kind: 'Position'; readonly span: Span; readonly value: Expression | undefined }
  | {
      readonly kind: 'Range';
      readonly span: Span;
      readonly start: Expression | undefined;
      readonly stop: Expression | undefined;
      readonly step: Expression | undefined;
    };

/** `encoder.features`: one output of a sub-model with several outputs. */
export interface Member extends NodeBase {
  readonly kind: 'Member';
  readonly target: Expression;
  readonly name: Identifier | undefined;
}

/** `x -> Conv2D(32, 3) -> Flatten()`: each stage is applied to the value before it. */
export interface Pipeline extends NodeBase {
  readonly kind: 'Pipeline';
  readonly source: Expression;
  readonly stages: readonly Stage[];
}

/** A stage is a layer call, a sub-model call, a shared instance's name, or an operation `flatten()`. */
export type Stage = Call | NameRef;
