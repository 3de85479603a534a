/**
 * A hand-written scanner producing exactly the tokens of the Chevrotain lexer
 * defined in tokens.ts (which stays the specification: test/scanner.test.ts
 * compares the two on every example and on random text). It exists for
 * speed: it is several times faster than the regex-driven lexer on large
 * files, and lexing is on the path of every keystroke in an editor.
 *
 * `scanTable` writes the tokens into a `TokenTable` (no object per token);
 * `scan` gives them as Chevrotain tokens.
 */
import type { IToken, TokenType } from 'chevrotain';
import { TokenTable } from './token-table.js';
import * as t from './tokens.js';

export interface ScanError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

export interface ScanResult {
  readonly tokens: IToken[];
  readonly groups: { readonly comments: IToken[] };
  readonly errors: ScanError[];
}

export interface ScanTableResult {
  readonly tokens: TokenTable;
  readonly comments: IToken[];
  readonly errors: ScanError[];
}

const keywordTypes = new Map<string, TokenType>([
  ['model', t.Model], ['input', t.Input], ['output', t.Output], ['shared', t.Shared], ['import', t.Import],
  ['from', t.From], ['train', t.Train], ['aux', t.Aux], ['loss', t.Loss], ['weight', t.Weight],
  ['metrics', t.Metrics], ['true', t.True], ['True', t.True], ['false', t.False], ['False', t.False], ['None', t.None],
]);

const single: (TokenType | undefined)[] = [];
for (const [ch, type] of [
  ['=', t.Equals], [':', t.Colon], [',', t.Comma], [';', t.Semicolon], ['.', t.Dot], ['(', t.LParen], [')', t.RParen],
  ['[', t.LBracket], [']', t.RBracket], ['{', t.LBrace], ['}', t.RBrace], ['+', t.Plus], ['-', t.Minus],
  ['*', t.Star], ['/', t.Slash], ['%', t.Percent], ['\n', t.Newline],
] as const) {
  single[ch.charCodeAt(0)] = type;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);
/** The characters the WhiteSpace token skips: space, \t, \r, \f, \v, no-break space, BOM. */
const isBlank = (c: number) => c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;

function token(type: TokenType, text: string, start: number, end: number): IToken {
  return { image: text.slice(start, end), startOffset: start, endOffset: end - 1, tokenType: type, tokenTypeIdx: type.tokenTypeIdx! } as IToken;
}

/** Keywords by length, so that a name is looked up without slicing it out of the text first. */
const keywordsByLength: { readonly word: string; readonly first: number; readonly type: TokenType }[][] = [];
for (const [word, type] of keywordTypes) (keywordsByLength[word.length] ??= []).push({ word, first: word.charCodeAt(0), type });

/** The keyword `text[start, end)` spells, if it is one. */
function keywordAt(text: string, start: number, end: number): TokenType | undefined {
  const candidates = keywordsByLength[end - start];
  if (candidates === undefined) return undefined;
  const first = text.charCodeAt(start);
  for (let k = 0; k < candidates.length; k++) {
    const candidate = candidates[k]!;
    if (candidate.first === first && text.startsWith(candidate.word, start)) return candidate.type;
  }
  return undefined;
}

/** The end of a number starting at `i` (`12`, `1.5`, `.5`, `1e-3`, `2.`), as the NumberLiteral pattern matches it. */
function numberEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === 46 /* . */) {
    j++;
    while (isDigit(text.charCodeAt(j))) j++;
  } else {
    while (isDigit(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 46) {
      j++;
      while (isDigit(text.charCodeAt(j))) j++;
    }
  }
  const e = text.charCodeAt(j);
  if (e === 101 || e === 69 /* e E */) {
    let k = j + 1;
    const sign = text.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    if (isDigit(text.charCodeAt(k))) {
      while (isDigit(text.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}

export function scan(text: string): ScanResult {
  const { tokens, comments, errors } = scanTable(text);
  return { tokens: tokens.tokens(), groups: { comments }, errors };
}

export function scanTable(text: string): ScanTableResult {
  // Real specs have about one token per three or four characters; the table grows if needed.
  const tokens = new TokenTable(text, Math.max(64, Math.ceil(text.length / 3)));
  const comments: IToken[] = [];
  const errors: ScanError[] = [];
  const n = text.length;
  let i = 0;
  let errorStart = -1;
  const flushError = (end: number) => {
    if (errorStart < 0) return;
    errors.push({ offset: errorStart, length: end - errorStart, message: `unexpected character: ->${text.slice(errorStart, end)}<-` });
    errorStart = -1;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) {
      flushError(i);
      i++;
      while (i < n && isBlank(text.charCodeAt(i))) i++;
      continue;
    }
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    let type: TokenType | undefined;
    let end = i + 1;
    if (c === 35 /* # */ || (c === 47 && next === 47) /* // */) {
      end = text.indexOf('\n', i);
      if (end < 0) end = n;
      flushError(i);
      comments.push(token(t.LineComment, text, i, end));
      i = end;
      continue;
    } else if (c === 47 && next === 42 /* /* */) {
      const close = text.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
      flushError(i);
      comments.push(token(close < 0 ? t.UnterminatedComment : t.BlockComment, text, i, end));
      i = end;
      continue;
    } else if (c === 34 || c === 39 /* " ' */) {
      let j = i + 1;
      for (;;) {
        const d = j < n ? text.charCodeAt(j) : -1;
        if (d === c) {
          type = t.StringLiteral;
          end = j + 1;
          break;
        }
        if (d === -1 || d === 10) {
          type = t.UnterminatedString;
          end = j;
          break;
        }
        if (d === 92 /* \\ */) {
          // A backslash escapes any character but a line terminator (as the lexer's `\\.` does: `.` matches
          // none of \n \r \u2028 \u2029); before one it ends the (unterminated) string.
          const after = j + 1 < n ? text.charCodeAt(j + 1) : -1;
          if (after === -1 || after === 10 || after === 13 || after === 0x2028 || after === 0x2029) {
            type = t.UnterminatedString;
            end = j;
            break;
          }
          j += 2;
          continue;
        }
        j++;
      }
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      type = t.NumberLiteral;
      end = numberEnd(text, i);
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNamePart(text.charCodeAt(j))) j++;
      flushError(i);
      tokens.push(keywordAt(text, i, j) ?? t.Identifier, i, j);
      i = j;
      continue;
    } else if (c === 45 && next === 62 /* -> */) {
      flushError(i);
      tokens.push(t.Arrow, i, i + 2);
      i += 2;
      continue;
    } else {
      type = single[c];
      if (type) {
        flushError(i);
        tokens.push(type, i, i + 1);
        i++;
        continue;
      }
    }
    if (!type) {
      if (errorStart < 0) errorStart = i;
      i++;
      continue;
    }
    flushError(i);
    tokens.push(type, i, end);
    i = end;
  }
  flushError(n);
  return { tokens, comments, errors };
}
