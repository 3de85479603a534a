/**
 * TypeScript expressions as text with their precedence, so that composing
 * them adds parentheses only where they are needed; and the translation of
 * a spec's constant expressions (`lookBack`, `2 * units`, `[steps, 1]`) into
 * TypeScript over the emitted function's parameters.
 */
import type * as ast from '../syntax/ast.js';
import type { LocalDecl, ModelScope } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import { CodegenError } from './errors.js';
import { stringLiteral } from './naming.js';

export interface Code {
  readonly text: string;
  /** Binding strength: 2 conditional, 11 additive, 12 multiplicative, 14 unary, 17 member/call, 18 primary. */
  readonly precedence: number;
}

export const precedence = { conditional: 2, additive: 11, multiplicative: 12, unary: 14, member: 17, primary: 18 } as const;

export function primary(text: string): Code {
  return { text, precedence: precedence.primary };
}

/** `code` as an operand that must bind at least as tightly as `min`. */
export function operand(code: Code, min: number): string {
  return code.precedence >= min ? code.text : `(${code.text})`;
}

export function numberLiteral(value: number): Code {
  if (Object.is(value, -0)) return primary('0');
  return value < 0 ? { text: `-${String(-value)}`, precedence: precedence.unary } : primary(String(value));
}

export function literal(value: string | number | boolean | null): Code {
  if (typeof value === 'string') return primary(stringLiteral(value));
  if (typeof value === 'number') return numberLiteral(value);
  return primary(String(value));
}

export function binary(left: Code, op: '+' | '-' | '*' | '/' | '%', right: Code): Code {
  const level = op === '+' || op === '-' ? precedence.additive : precedence.multiplicative;
  // Left-associative: the right operand needs parentheses at the same level (`a - (b - c)`).
  return { text: `${operand(left, level)} ${op} ${operand(right, level + 1)}`, precedence: level };
}

export function negate(code: Code): Code {
  return { text: `-${operand(code, precedence.unary)}`, precedence: precedence.unary };
}

export function arrayLiteral(items: readonly Code[]): Code {
  return primary(`[${items.map((i) => i.text).join(', ')}]`);
}

export function call(callee: string, args: readonly Code[]): Code {
  return { text: `${callee}(${args.map((a) => a.text).join(', ')})`, precedence: precedence.member };
}

export function conditional(test: Code, whenTrue: Code, whenFalse: Code): Code {
  return { text: `${operand(test, precedence.conditional + 1)} ? ${whenTrue.text} : ${whenFalse.text}`, precedence: precedence.conditional };
}

/** `k * x + c`, written the way a person would: `1 - alpha`, `x + 2`, `2 * x`. */
export function affine(x: Code, k: number, c: number): Code {
  let scaled: Code;
  if (k === 1) scaled = x;
  else if (k === -1) scaled = negate(x);
  else scaled = binary(numberLiteral(k), '*', x);
  if (c === 0) return scaled;
  if (k === -1) return binary(numberLiteral(c), '-', x);
  return c > 0 ? binary(scaled, '+', numberLiteral(c)) : binary(scaled, '-', numberLiteral(-c));
}

/** How the translation names the spec's parameters and constants in the emitted function. */
export interface ConstantScope {
  readonly scope: ModelScope;
  readonly uri: string;
  /** The identifier of a parameter or constant binding; undefined for anything else. */
  local(decl: LocalDecl): string | undefined;
}

/**
 * A constant spec expression as TypeScript: parameters and constant bindings
 * become their identifiers, bare names (symbols such as `relu`) strings,
 * `None` null. Anything that is not a constant is a `CodegenError`.
 */
export function translateConstant(expr: ast.Expression, names: ConstantScope): Code {
  const recurse = (e: ast.Expression | undefined): Code => {
    if (!e) throw new CodegenError(names.uri, expr.span, 'this expression is incomplete');
    return translateConstant(e, names);
  };
  switch (expr.kind) {
    case 'NumberLiteral':
      // The spec's own spelling (`1.0`, `1e-3`) where TypeScript reads it as the same number.
      return /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(expr.text) && Number(expr.text) === expr.value ? primary(expr.text) : numberLiteral(expr.value);
    case 'StringLiteral':
      return primary(stringLiteral(expr.value));
    case 'BooleanLiteral':
      return primary(String(expr.value));
    case 'NoneLiteral':
      return primary('null');
    case 'NameRef': {
      const target = names.scope.refs.get(expr.name);
      if (!target) return primary(stringLiteral(expr.name.name));
      const local = target.kind === 'local' ? names.local(target.decl) : undefined;
      if (local === undefined) throw new CodegenError(names.uri, expr.span, `\`${expr.name.name}\` is not a constant here`);
      return primary(local);
    }
    case 'ListLiteral':
    case 'TupleLiteral':
      return arrayLiteral(expr.items.map(recurse));
    case 'Unary':
      return negate(recurse(expr.operand));
    case 'Binary':
      return binary(recurse(expr.left), expr.operator, recurse(expr.right));
    case 'Index': {
      // Indexing a list constant (a `shape` parameter): `dims[0]`, `dims[-1]`.
      const item = expr.items[0];
      if (expr.items.length !== 1 || item?.kind !== 'Position' || !item.value) throw new CodegenError(names.uri, expr.span, 'only a single index of a list is a constant');
      const list = recurse(expr.target);
      const index = recurse(item.value);
      const listText = operand(list, precedence.member);
      // `!`: the front end checked the index is in range (and projects may check indexing).
      if (item.value.kind === 'Unary' && item.value.operand?.kind === 'NumberLiteral') {
        return { text: `${listText}[${listText}.length - ${item.value.operand.text}]!`, precedence: precedence.member };
      }
      if (item.value.kind === 'NumberLiteral') return { text: `${listText}[${index.text}]!`, precedence: precedence.member };
      return { text: `${listText}[${operand(index, precedence.conditional + 1)} < 0 ? ${listText}.length + ${operand(index, precedence.additive + 1)} : ${index.text}]!`, precedence: precedence.member };
    }
    default:
      throw new CodegenError(names.uri, expr.span, 'the emitted code can only compute numbers, strings, flags and lists from the parameters here');
  }
}

/** Every parameter or constant binding an expression refers to, as written. */
export function referencedLocals(expr: ast.Expression | undefined, scope: ModelScope, out: Set<LocalDecl> = new Set()): Set<LocalDecl> {
  if (!expr) return out;
  const visitName = (ident: ast.Identifier) => {
    const target = scope.refs.get(ident);
    if (target?.kind === 'local') out.add(target.decl);
  };
  switch (expr.kind) {
    case 'NameRef':
      visitName(expr.name);
      break;
    case 'Call':
      for (const arg of expr.args) referencedLocals(arg.value, scope, out);
      break;
    case 'Pipeline':
      referencedLocals(expr.source, scope, out);
      for (const stage of expr.stages) {
        if (stage.kind === 'NameRef') visitName(stage.name);
        else for (const arg of stage.args) referencedLocals(arg.value, scope, out);
      }
      break;
    case 'ListLiteral':
    case 'TupleLiteral':
      for (const item of expr.items) referencedLocals(item, scope, out);
      break;
    case 'Unary':
      referencedLocals(expr.operand, scope, out);
      break;
    case 'Binary':
      referencedLocals(expr.left, scope, out);
      referencedLocals(expr.right, scope, out);
      break;
    case 'Index':
      referencedLocals(expr.target, scope, out);
      for (const item of expr.items) {
        if (item.kind === 'Position') referencedLocals(item.value, scope, out);
        else for (const part of [item.start, item.stop, item.step]) referencedLocals(part, scope, out);
      }
      break;
    case 'Member':
      referencedLocals(expr.target, scope, out);
      break;
    default:
      break;
  }
  return out;
}

/** A constant value (an overriding `--param`) as TypeScript. */
export function valueCode(value: Value): Code {
  switch (value.kind) {
    case 'number':
    case 'bool':
      return literal(value.value);
    case 'string':
      return literal(value.value);
    case 'symbol':
      return literal(value.name);
    case 'none':
      return primary('null');
    case 'list':
    case 'tuple':
      return arrayLiteral(value.items.map(valueCode));
    default:
      throw new Error(`codegen: no literal for ${value.kind}`);
  }
}
