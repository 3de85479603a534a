/**
 * The spaces between two neighbouring items of a line, before any
 * alignment: `, ` in lists, one space around `=`, `->` and binary
 * operators, `key: value`, no spaces inside brackets, `Dense(…)` and `p[0]`
 * glued to their name, `-x`, slices `a:b` tight, two spaces before a
 * trailing comment.
 *
 * No rule ever glues two tokens that would then read as one (`2 .x` keeps
 * its space: `2.x` is the number `2.` then `x`).
 */
import type { TokenType } from 'chevrotain';
import * as t from '../syntax/tokens.js';
import type { Document, Item } from './document.js';

/** Tokens after which a `-` is binary and a `[` is an index: the end of an operand. */
const operandEnds: ReadonlySet<TokenType> = new Set([
  t.Identifier, t.NumberLiteral, t.StringLiteral, t.UnterminatedString, t.RParen, t.RBracket, t.True, t.False, t.None,
]);

type Bracket = 'paren' | 'index' | 'list' | 'import';

/** What the rules need to know about a token beyond its type. */
interface Role {
  readonly unaryMinus: boolean;
  readonly sliceColon: boolean;
  readonly inlineStart: boolean;
}

const plainRole: Role = { unaryMinus: false, sliceColon: false, inlineStart: false };

/** Fills every line's `sep` with the canonical spacing. */
export function applyBaseSpacing(doc: Document): void {
  const roles = tokenRoles(doc);
  for (const line of doc.lines) {
    for (let k = 1; k < line.items.length; k++) {
      const a = line.items[k - 1]!;
      const b = line.items[k]!;
      line.sep[k] = spaces(a, roles.get(a.start) ?? plainRole, b, roles.get(b.start) ?? plainRole);
    }
  }
}

/**
 * Unary minus, slice colons and statements that start mid-line depend on
 * the tokens before them, possibly on earlier lines: one pass over all
 * tokens, keeping the open brackets.
 */
function tokenRoles(doc: Document): Map<number, Role> {
  const roles = new Map<number, Role>();
  const brackets: Bracket[] = [];
  let previous: TokenType | undefined;
  for (const token of doc.tokens) {
    const type = token.type;
    const afterOperand = previous !== undefined && operandEnds.has(previous);
    const role: Role = {
      unaryMinus: type === t.Minus && !afterOperand,
      sliceColon: type === t.Colon && brackets[brackets.length - 1] === 'index',
      inlineStart: doc.inlineStarts.has(token.start),
    };
    if (role.unaryMinus || role.sliceColon || role.inlineStart) roles.set(token.start, role);
    if (type === t.LParen) brackets.push('paren');
    else if (type === t.LBracket) brackets.push(afterOperand ? 'index' : 'list');
    else if (type === t.LBrace && previous === t.Import) brackets.push('import');
    else if (type === t.RParen || type === t.RBracket || (type === t.RBrace && brackets[brackets.length - 1] === 'import')) brackets.pop();
    else if (type === t.LBrace || type === t.RBrace) brackets.length = 0;
    previous = type;
  }
  return roles;
}

const opens = (type: TokenType | undefined) => type === t.LParen || type === t.LBracket;
const closes = (type: TokenType | undefined) => type === t.RParen || type === t.RBracket;
const separates = (type: TokenType | undefined) => type === t.Comma || type === t.Semicolon;

function spaces(a: Item, aRole: Role, b: Item, bRole: Role): number {
  if (b.comment === 'line') return 2;
  // A statement that starts in the middle of a line stands apart from what comes before it.
  if (bRole.inlineStart && a.type !== t.LBrace && a.type !== t.Semicolon) return 2;
  if (a.comment !== undefined) return closes(b.type) || separates(b.type) ? 0 : 1;
  if (b.comment !== undefined) return opens(a.type) ? 0 : 1;
  if (separates(b.type)) return 0;
  if (separates(a.type)) return closes(b.type) ? 0 : 1;
  if (opens(a.type) || closes(b.type)) return 0;
  if (b.type === t.LParen) return a.type === t.Identifier || aRole.unaryMinus ? 0 : 1;
  if (b.type === t.LBracket) return operandEnds.has(a.type!) || aRole.unaryMinus ? 0 : 1;
  if (a.type === t.Dot) return 0;
  if (b.type === t.Dot) return a.type === t.NumberLiteral ? 1 : 0;
  if (aRole.sliceColon || bRole.sliceColon) return 0;
  if (b.type === t.Colon) return 0;
  if (aRole.unaryMinus) return 0;
  if (a.type === t.LBrace && b.type === t.RBrace) return 0;
  return 1;
}
