/**
 * Tokens of the .mbn language and the layout rule that decides which line
 * breaks end a statement.
 *
 * Statements end at a line break, as in Python or Kotlin, so that a spec reads
 * like a list of layers. A line break does *not* end a statement when it is
 * inside ( ) or [ ], when the line ends with an operator, `->`, `,`, `=` or
 * `:`, or when the next line starts with `->` or an output clause keyword
 * (`loss`, `weight`, `metrics`, `aux`). That keeps long pipelines readable:
 *
 *     features = img -> Conv2D(32, 3)
 *                    -> Flatten()
 */
import { createToken, Lexer, tokenMatcher, type IToken, type TokenType } from 'chevrotain';

/** Every keyword is also an `AnyName`, so argument and setting names may be keywords (`weight: 0.3`). */
export const AnyName = createToken({ name: 'AnyName', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [AnyName], label: 'a name' });

function keyword(word: string, name: string): TokenType {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [AnyName], label: `\`${word}\`` });
}

export const Model = keyword('model', 'Model');
export const Input = keyword('input', 'Input');
export const Output = keyword('output', 'Output');
export const Shared = keyword('shared', 'Shared');
export const Import = keyword('import', 'Import');
export const From = keyword('from', 'From');
export const Train = keyword('train', 'Train');
export const Aux = keyword('aux', 'Aux');
export const Loss = keyword('loss', 'Loss');
export const Weight = keyword('weight', 'Weight');
export const Metrics = keyword('metrics', 'Metrics');
export const True = createToken({ name: 'True', pattern: /true|True/, longer_alt: Identifier, categories: [AnyName], label: '`true`' });
export const False = createToken({ name: 'False', pattern: /false|False/, longer_alt: Identifier, categories: [AnyName], label: '`false`' });
export const None = keyword('None', 'None');

export const keywordTokens = [Model, Input, Output, Shared, Import, From, Train, Aux, Loss, Weight, Metrics, True, False, None];
export const keywords = new Set(['model', 'input', 'output', 'shared', 'import', 'from', 'train', 'aux', 'loss', 'weight', 'metrics', 'true', 'false', 'True', 'False', 'None']);

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/,
  label: 'a string',
});
/** An opening quote with no closing one on its line: reported, then treated as a string. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n]|\\.)*|'(?:[^'\\\n]|\\.)*/,
  label: 'a string',
});

export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: '`->`' });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: '`=`' });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: '`:`' });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: '`,`' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: '`;`' });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: '`.`' });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: '`(`' });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: '`)`' });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: '`[`' });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: '`]`' });
export const LBrace = createToken({ name: 'LBrace', pattern: /{/, label: '`{`' });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: '`}`' });
/** `+ - * / %`; precedence is applied by the parser's action, not by the grammar. */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'an operator' });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: '`+`', categories: [BinaryOperator] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: '`-`', categories: [BinaryOperator] });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: '`*`', categories: [BinaryOperator] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: '`/`', categories: [BinaryOperator] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: '`%`', categories: [BinaryOperator] });

/** Statement separator after the layout rule; the lexer emits one per line break. */
export const Newline = createToken({ name: 'Newline', pattern: /\n/, line_breaks: true, label: 'end of line' });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /(?:\/\/|#)[^\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, line_breaks: true, group: 'comments' });
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, line_breaks: true, group: 'comments' });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Newline,
  BlockComment,
  UnterminatedComment,
  LineComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  Arrow,
  ...keywordTokens,
  Identifier,
  AnyName,
  Equals,
  Colon,
  Comma,
  Semicolon,
  Dot,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  BinaryOperator,
];

export const lexer = new Lexer(allTokens, { ensureOptimizations: true, positionTracking: 'onlyOffset' });

const continuesAfter = new Set<TokenType>([Arrow, Comma, Equals, Colon, Plus, Minus, Star, Slash, Percent, LParen, LBracket, LBrace]);
const outputClauseKeywords = new Set<TokenType>([Aux, Loss, Weight, Metrics]);
/** Keywords that can only start a statement or declaration: a missing `)` must not swallow them. */
const statementStarters = new Set<TokenType>([Model, Input, Output, Shared, Import, Train]);
const implicitStarters = new Set<TokenType>([Input, Output, Shared, Train]);

/**
 * Applies the layout rule: keeps a `Newline` only where it ends a statement,
 * and turns `;` into a `Newline`. Runs in one pass over the token vector.
 */
export function applyLayout(tokens: readonly IToken[]): IToken[] {
  // Sized up front (a file has 100k+ tokens; growing the array by pushes copied it again and again).
  const out: IToken[] = new Array<IToken>(tokens.length);
  let n = 0;
  const brackets: TokenType[] = [];
  let pendingBreak: IToken | undefined;
  let lastBreak: IToken | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const type = token.tokenType;
    if (type === Newline || type === Semicolon) {
      lastBreak ??= token;
      if (brackets.length === 0 || type === Semicolon) pendingBreak ??= token;
      continue;
    }
    const statementStart = startsStatement(tokens, i);
    if (brackets.length > 0 && statementStart) {
      // An unclosed ( or [ before something that can only start a statement:
      // forget the bracket so that the statement still parses.
      brackets.length = 0;
      pendingBreak ??= lastBreak ?? token;
    }
    lastBreak = undefined;
    if (!pendingBreak && brackets.length === 0 && startsStatementInLine(tokens, i, (n > 0 ? out[n - 1] : undefined))) {
      // `input x: [4]  output y = x -> Dense(1)` on one line: what can only start a statement does.
      out[n++] = implicitBreak(token);
    }
    if (pendingBreak) {
      const previous = (n > 0 ? out[n - 1] : undefined);
      const continuesLine =
        type === Arrow ||
        (outputClauseKeywords.has(type) && tokens[nextSignificant(tokens, i)]?.tokenType !== Colon);
      // A dangling `->` or `,` before a new statement is an error in the line above, not a continuation.
      const ended = previous !== undefined && (statementStart || (!continuesAfter.has(previous.tokenType) && !continuesLine));
      if (ended || (pendingBreak.tokenType === Semicolon && previous !== undefined)) {
        out[n++] = asNewline(pendingBreak);
      }
      pendingBreak = undefined;
    }
    if (type === LParen || type === LBracket) brackets.push(type);
    else if (type === RParen || type === RBracket) {
      const open = type === RParen ? LParen : LBracket;
      const at = brackets.lastIndexOf(open);
      if (at >= 0) brackets.length = at;
    } else if (type === RBrace || type === LBrace) brackets.length = 0;
    out[n++] = token;
  }
  out.length = n;
  return out;
}

/**
 * A statement keyword, or `name =` at the start of a line: neither can occur
 * inside brackets (arguments use `name: value`).
 */
function startsStatement(tokens: readonly IToken[], i: number): boolean {
  const type = tokens[i]!.tokenType;
  // `Dense(input: 3)`: a keyword used as an argument name is not a statement.
  if (statementStarters.has(type)) return tokens[nextSignificant(tokens, i)]?.tokenType !== Colon;
  return type === Identifier && tokens[i - 1]?.tokenType === Newline && tokens[i + 1]?.tokenType === Equals;
}

/**
 * Whether `tokens[i]` can only be the start of a new statement although no
 * line break precedes it: a statement keyword, `name =` / `a, b =` (a binding),
 * or `key:` after a complete value (a training setting).
 */
function startsStatementInLine(tokens: readonly IToken[], i: number, previous: IToken | undefined): boolean {
  if (!previous || previous.tokenType === LBrace || previous.tokenType === Newline || continuesAfter.has(previous.tokenType)) return false;
  const type = tokens[i]!.tokenType;
  if (implicitStarters.has(type)) return tokens[nextSignificant(tokens, i)]?.tokenType !== Colon;
  if (previous.tokenType === Input || previous.tokenType === Output || previous.tokenType === Shared) return false;
  if (type === Identifier) {
    let j = i + 1;
    while (tokens[j]?.tokenType === Comma && tokens[j + 1]?.tokenType === Identifier) j += 2;
    if (tokens[j]?.tokenType === Equals) return true;
  }
  return tokens[i + 1]?.tokenType === Colon && tokenMatcher(tokens[i]!, AnyName);
}

/** A zero-width statement separator just before `token`. */
function implicitBreak(token: IToken): IToken {
  return { ...token, image: '', endOffset: token.startOffset - 1, tokenType: Newline, tokenTypeIdx: Newline.tokenTypeIdx! };
}

function nextSignificant(tokens: readonly IToken[], i: number): number {
  let j = i + 1;
  while (j < tokens.length && tokens[j]!.tokenType === Newline) j++;
  return j;
}

function asNewline(token: IToken): IToken {
  return token.tokenType === Newline ? token : { ...token, tokenType: Newline, tokenTypeIdx: Newline.tokenTypeIdx! };
}
