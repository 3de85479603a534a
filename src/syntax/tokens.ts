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
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { TokenTable, TokenTypeSet } from './token-table.js';

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

const continuesAfter = new TokenTypeSet([Arrow, Comma, Equals, Colon, Plus, Minus, Star, Slash, Percent, LParen, LBracket, LBrace]);
const outputClauseKeywords = new TokenTypeSet([Aux, Loss, Weight, Metrics]);
/** Keywords that can only start a statement or declaration: a missing `)` must not swallow them. */
const statementStarters = new TokenTypeSet([Model, Input, Output, Shared, Import, Train]);
const implicitStarters = new TokenTypeSet([Input, Output, Shared, Train]);
/** Names and keywords (what `tokenMatcher(token, AnyName)` accepts). */
const anyNames = new TokenTypeSet([Identifier, ...keywordTokens]);

/**
 * Applies the layout rule: keeps a `Newline` only where it ends a statement,
 * and turns `;` into a `Newline`. Runs in one pass over the token table and
 * writes a new one.
 */
export function applyLayout(tokens: TokenTable): TokenTable {
  const out = new TokenTable(tokens.text, tokens.length + 16);
  /** Open `(` and `[`, innermost last: `brackets[0]` up to `brackets[depth - 1]`. (Not `length`: setting it is slow.) */
  const brackets: TokenType[] = [];
  let depth = 0;
  // Indexes into `tokens` (-1: none): the break to emit before the next token, and the first of the current run of breaks.
  let pendingBreak = -1;
  let lastBreak = -1;
  /** The type of the last token written to `out`. */
  let previous: TokenType | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens.type(i)!;
    if (type === Newline || type === Semicolon) {
      if (lastBreak < 0) lastBreak = i;
      if ((depth === 0 || type === Semicolon) && pendingBreak < 0) pendingBreak = i;
      continue;
    }
    const statementStart = startsStatement(tokens, i);
    if (depth > 0 && statementStart) {
      // An unclosed ( or [ before something that can only start a statement:
      // forget the bracket so that the statement still parses.
      depth = 0;
      if (pendingBreak < 0) pendingBreak = lastBreak >= 0 ? lastBreak : i;
    }
    lastBreak = -1;
    if (pendingBreak < 0 && depth === 0 && startsStatementInLine(tokens, i, previous)) {
      // `input x: [4]  output y = x -> Dense(1)` on one line: what can only start a statement does.
      // A zero-width break just before the token.
      out.push((previous = Newline), tokens.start(i), tokens.start(i));
    }
    if (pendingBreak >= 0) {
      const continuesLine =
        type === Arrow ||
        (outputClauseKeywords.has(type) && tokens.type(nextSignificant(tokens, i)) !== Colon);
      // A dangling `->` or `,` before a new statement is an error in the line above, not a continuation.
      const ended = previous !== undefined && (statementStart || (!continuesAfter.has(previous) && !continuesLine));
      if (ended || (tokens.type(pendingBreak) === Semicolon && previous !== undefined)) {
        // A `;` becomes a Newline (its image stays `;`).
        out.push((previous = Newline), tokens.start(pendingBreak), tokens.end(pendingBreak));
      }
      pendingBreak = -1;
    }
    if (type === LParen || type === LBracket) brackets[depth++] = type;
    else if (type === RParen || type === RBracket) {
      // Close the innermost bracket of this kind, and any unclosed ones inside it.
      const open = type === RParen ? LParen : LBracket;
      let at = depth - 1;
      while (at >= 0 && brackets[at] !== open) at--;
      if (at >= 0) depth = at;
    } else if (type === RBrace || type === LBrace) depth = 0;
    out.push((previous = type), tokens.start(i), tokens.end(i));
  }
  return out;
}

/**
 * A statement keyword, or `name =` at the start of a line: neither can occur
 * inside brackets (arguments use `name: value`).
 */
function startsStatement(tokens: TokenTable, i: number): boolean {
  const type = tokens.type(i);
  // `Dense(input: 3)`: a keyword used as an argument name is not a statement.
  if (statementStarters.has(type)) return tokens.type(nextSignificant(tokens, i)) !== Colon;
  return type === Identifier && tokens.type(i - 1) === Newline && tokens.type(i + 1) === Equals;
}

/**
 * Whether `tokens[i]` can only be the start of a new statement although no
 * line break precedes it: a statement keyword, `name =` / `a, b =` (a binding),
 * or `key:` after a complete value (a training setting).
 */
function startsStatementInLine(tokens: TokenTable, i: number, previous: TokenType | undefined): boolean {
  if (!previous || previous === LBrace || previous === Newline || continuesAfter.has(previous)) return false;
  const type = tokens.type(i);
  if (implicitStarters.has(type)) return tokens.type(nextSignificant(tokens, i)) !== Colon;
  if (previous === Input || previous === Output || previous === Shared) return false;
  if (type === Identifier) {
    let j = i + 1;
    while (tokens.type(j) === Comma && tokens.type(j + 1) === Identifier) j += 2;
    if (tokens.type(j) === Equals) return true;
  }
  return tokens.type(i + 1) === Colon && anyNames.has(type);
}

function nextSignificant(tokens: TokenTable, i: number): number {
  let j = i + 1;
  while (j < tokens.length && tokens.type(j) === Newline) j++;
  return j;
}
