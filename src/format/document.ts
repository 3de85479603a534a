/**
 * The formatter's view of a file: logical lines of items (tokens and
 * comments), each with the number of spaces to put before every item.
 *
 * The formatter never moves a token to another line: line breaks are
 * significant in .mbn (they end statements), so the user's lines are kept
 * and only the white space inside and in front of them is rewritten. A
 * logical line is what lies between two line breaks outside comments; a
 * block comment that spans lines stays inside the logical line it starts in.
 */
import type { TokenType } from 'chevrotain';
import { scanTable } from '../syntax/scanner.js';
import * as t from '../syntax/tokens.js';

export interface Item {
  /** The token's type; undefined for a comment. */
  readonly type: TokenType | undefined;
  readonly comment: 'line' | 'block' | undefined;
  /** Offsets in the original text. */
  readonly start: number;
  readonly end: number;
  /** The text written out: a token's image, or a comment without trailing white space on its lines. */
  readonly text: string;
  /** A block comment that spans lines. */
  readonly multiline: boolean;
}

export interface Line {
  readonly items: readonly Item[];
  /**
   * A blank line goes before this one: the source had at least one there,
   * and it is neither the start nor the end of a block.
   */
  blankBefore: boolean;
  /** Spaces before each item; `sep[0]` is unused (the indentation is `indent`). */
  readonly sep: number[];
  indent: number;
}

export interface Document {
  readonly text: string;
  readonly lines: Line[];
  /** Where a token item lives, by its start offset. */
  readonly tokenAt: ReadonlyMap<number, Loc>;
  /** Every token in order, with where it lives. */
  readonly tokens: readonly TokenRef[];
  /** The index of each line's first token; -1 for a line of comments. */
  readonly firstTokens: readonly number[];
  /**
   * Offsets of tokens that start a statement in the middle of a line
   * (`input x: [4]  output y = …`): the layout rule puts a zero-width
   * statement break before them.
   */
  readonly inlineStarts: ReadonlySet<number>;
}

/** A line index and an item index in that line. */
export interface Loc {
  readonly line: number;
  readonly item: number;
}

export interface TokenRef extends Loc {
  readonly type: TokenType;
  readonly start: number;
}

/** Trailing white space removed from every line of a comment (and `\r\n` with it). */
function commentText(image: string): string {
  return image
    .split('\n')
    .map((part) => part.trimEnd())
    .join('\n');
}

/** Splits `text` into logical lines of tokens and comments, in source order. */
export function readDocument(text: string): Document {
  const scanned = scanTable(text);
  const table = scanned.tokens;
  const comments = scanned.comments;
  const lines: Line[] = [];
  const tokenAt = new Map<number, Loc>();
  const tokens: TokenRef[] = [];
  let current: Item[] = [];
  let blankBefore = false;
  const endLine = () => {
    if (current.length > 0) {
      lines.push({ items: current, blankBefore, sep: current.map(() => 0), indent: 0 });
      blankBefore = false;
      current = [];
    } else if (lines.length > 0) {
      // An empty physical line between two lines with content.
      blankBefore = true;
    }
  };
  let c = 0;
  for (let i = 0; i <= table.length; i++) {
    const start = i < table.length ? table.start(i) : Infinity;
    // Comments come between tokens; merge them in by offset.
    while (c < comments.length && comments[c]!.startOffset < start) {
      const comment = comments[c++]!;
      const image = comment.image;
      const block = comment.tokenType !== t.LineComment;
      current.push({
        type: undefined,
        comment: block ? 'block' : 'line',
        start: comment.startOffset,
        end: comment.startOffset + image.length,
        text: commentText(image),
        multiline: block && image.includes('\n'),
      });
    }
    if (i === table.length) break;
    const type = table.type(i)!;
    if (type === t.Newline) {
      endLine();
      continue;
    }
    const ref: TokenRef = { line: lines.length, item: current.length, type, start };
    tokenAt.set(start, ref);
    tokens.push(ref);
    current.push({ type, comment: undefined, start, end: table.end(i), text: text.slice(start, table.end(i)), multiline: false });
  }
  if (current.length > 0) endLine();
  dropBlankLinesAtBlockEdges(lines);
  const inlineStarts = new Set<number>();
  const laidOut = t.applyLayout(table);
  for (let i = 0; i < laidOut.length; i++) {
    if (laidOut.type(i) === t.Newline && laidOut.start(i) === laidOut.end(i)) inlineStarts.add(laidOut.start(i));
  }
  const firstTokens = lines.map((line) => line.items.findIndex((item) => item.type !== undefined));
  return { text, lines, tokenAt, tokens, firstTokens, inlineStarts };
}

/**
 * No blank line right after a `{` that ends its line and opens a model body
 * or train block, nor right before the `}` that closes one. (An import's
 * `{ A, B }` is a list, not a block.)
 */
function dropBlankLinesAtBlockEdges(lines: Line[]): void {
  let previous: TokenType | undefined;
  let inImportList = false;
  let afterOpen = false;
  for (const line of lines) {
    if (afterOpen) line.blankBefore = false;
    let opens = false;
    let first = true;
    for (const item of line.items) {
      if (item.type === undefined) {
        // Only a `#` comment may follow the `{` on its line.
        if (item.comment === 'block') opens = false;
        continue;
      }
      const type = item.type;
      opens = false;
      if (type === t.LBrace && previous === t.Import) inImportList = true;
      else if (type === t.RBrace && inImportList) inImportList = false;
      else if (type === t.LBrace) opens = true;
      else if (type === t.RBrace && first) line.blankBefore = false;
      previous = type;
      first = false;
    }
    afterOpen = opens;
  }
}

/** Whether the line holds only comments. */
export function isCommentLine(line: Line): boolean {
  return line.items.every((item) => item.comment !== undefined);
}

/** The index of the line's trailing `#`/`//` comment, when it follows code. */
export function trailingComment(line: Line): number | undefined {
  const last = line.items.length - 1;
  if (last < 1 || line.items[last]!.comment !== 'line') return undefined;
  return line.items.some((item) => item.type !== undefined) ? last : undefined;
}

/** Items `[from, to)` of a line as written, with the spaces between them (not before the first). */
export function renderRange(line: Line, from: number, to: number): string {
  let out = '';
  for (let k = from; k < to; k++) {
    if (k > from) out += ' '.repeat(line.sep[k]!);
    out += line.items[k]!.text;
  }
  return out;
}

/** The width of items `[from, to)` on one line; multi-line comments count by their longest line. */
export function width(line: Line, from: number, to: number): number {
  const rendered = renderRange(line, from, to);
  if (!rendered.includes('\n')) return rendered.length;
  return Math.max(...rendered.split('\n').map((part) => part.length));
}

/** Whether any of items `[from, to)` is a comment spanning lines. */
export function hasMultiline(line: Line, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (line.items[k]!.multiline) return true;
  return false;
}

/** The code of a line: everything but a trailing `#`/`//` comment. */
export function codeEnd(line: Line): number {
  return trailingComment(line) ?? line.items.length;
}

/** The column just after item `k` (0 for before the first item), counted from the line's indentation. */
export function columnAfter(line: Line, k: number): number {
  const rendered = ' '.repeat(line.indent) + renderRange(line, 0, k + 1);
  return rendered.length - (rendered.lastIndexOf('\n') + 1);
}

/** The column where item `k` starts. */
export function columnOf(line: Line, k: number): number {
  if (k === 0) return line.indent;
  return columnAfter(line, k - 1) + line.sep[k]!;
}
