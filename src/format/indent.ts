/**
 * Indentation. A line that starts a statement is indented one step per
 * enclosing block (`model … { }`, `train { }`); a `}` goes back to its
 * block's line. A line that continues a statement:
 *
 *   - inside ( or [: under the first item after the bracket when the
 *     bracket's line goes on after it (`Dense(k, activation: softmax,` /
 *     `kernel_regularizer: …`), else one step deeper than the bracket's line;
 *     a line that starts with the closing bracket goes back to that line;
 *   - a `->` stage: under the statement's first `->` when the pipeline
 *     starts from a plain name on the first line (`features = image -> …`
 *     / `-> Flatten()`), else — or when that would overflow the line width —
 *     two steps deeper than the statement;
 *   - an output clause: under the first `->` when the stages above it are,
 *     else two steps deeper than the statement;
 *   - anything else: two steps deeper than the statement.
 *
 * Comment lines take the indentation of the code line after them (the
 * inside of a block or bracket, when that line closes it).
 */
import type { TokenType } from 'chevrotain';
import * as t from '../syntax/tokens.js';
import { alignCells, type Row } from './align.js';
import { codeEnd, columnOf, hasMultiline, width, type Document, type Loc } from './document.js';
import { firstToken, type Statement } from './statements.js';

export interface IndentOptions {
  readonly indent: number;
  readonly lineWidth: number;
}

/** An open ( [ or import `{`. */
interface Open {
  readonly line: number;
  readonly item: number;
  readonly type: TokenType;
  /** Something other than a `#` comment follows it on its line. */
  content: boolean;
}

interface LineContext {
  /** The innermost bracket open where the line starts. */
  readonly bracket: Open | undefined;
  /** The innermost block `{` open where the line starts: the first line of the statement it belongs to. */
  readonly block: number | undefined;
  /** A bracket is still open where the line ends. */
  openAtEnd: boolean;
}

const closers = new Map<TokenType, TokenType>([
  [t.LParen, t.RParen],
  [t.LBracket, t.RBracket],
  [t.LBrace, t.RBrace],
]);

function contexts(doc: Document, blockLines: ReadonlyMap<number, number>): LineContext[] {
  const out: LineContext[] = [];
  const brackets: Open[] = [];
  const blocks: number[] = [];
  let previous: TokenType | undefined;
  doc.lines.forEach((line, index) => {
    const context: LineContext = { bracket: brackets[brackets.length - 1], block: blocks[blocks.length - 1], openAtEnd: false };
    out.push(context);
    line.items.forEach((item, k) => {
      const type = item.type;
      if (type === undefined) return;
      if (type === t.LParen || type === t.LBracket || (type === t.LBrace && previous === t.Import)) brackets.push({ line: index, item: k, type, content: false });
      else if (type === t.LBrace) blocks.push(blockLines.get(item.start) ?? index);
      else if (type === t.RBrace && brackets[brackets.length - 1]?.type !== t.LBrace) blocks.pop();
      else if (type === t.RParen || type === t.RBracket || type === t.RBrace) brackets.pop();
      previous = type;
    });
    const lastContent = line.items.findLastIndex((item) => item.comment !== 'line');
    for (const open of brackets) if (open.line === index) open.content = open.item < lastContent;
    context.openAtEnd = brackets.length > 0;
  });
  return out;
}

const sameLoc = (a: Loc, line: number, item: number) => a.line === line && a.item === item;

export function indentLines(doc: Document, blockLines: ReadonlyMap<number, number>, owners: readonly (Statement | undefined)[], options: IndentOptions): void {
  const lines = doc.lines;
  const step = options.indent;
  const context = contexts(doc, blockLines);
  /** For a line that closes a block or bracket: the indentation of what is inside (for comment lines before it). */
  const inside: (number | undefined)[] = [];
  const linesIn = new Map<Open, number[]>();
  context.forEach((c, i) => {
    if (!c.bracket) return;
    const list = linesIn.get(c.bracket);
    if (list) list.push(i);
    else linesIn.set(c.bracket, [i]);
  });
  const codeWidth = (i: number) => width(lines[i]!, 0, codeEnd(lines[i]!));

  const bracketIndents = new Map<Open, number>();
  /** Where the lines inside a bracket start (decided once per bracket, from lines indented before). */
  const bracketIndent = (open: Open): number => {
    let indent = bracketIndents.get(open);
    if (indent !== undefined) return indent;
    const opener = lines[open.line]!;
    indent = opener.indent + step;
    if (open.content) {
      const column = columnOf(opener, open.item) + 1;
      const rows = (linesIn.get(open) ?? []).filter((i) => {
        const f = firstToken(doc, i);
        return f >= 0 && lines[i]!.items[f]!.type !== closers.get(open.type);
      });
      if (rows.every((i) => column + codeWidth(i) <= options.lineWidth)) indent = column;
    }
    bracketIndents.set(open, indent);
    return indent;
  };

  const anchors = new Map<Statement, number | undefined>();
  /** The lines after a statement's first that start with one of its stages or clauses, outside brackets. */
  const tailLines = (s: Statement, of: readonly Loc[]) => {
    const found: number[] = [];
    for (let i = s.first.line + 1; i <= s.last.line; i++) {
      const f = firstToken(doc, i);
      if (f >= 0 && !context[i]!.bracket && of.some((loc) => sameLoc(loc, i, f))) found.push(i);
    }
    return found;
  };
  /** The column of the statement's first `->`, when its continuation lines go under it. */
  const anchor = (s: Statement): number | undefined => {
    if (anchors.has(s)) return anchors.get(s);
    let column: number | undefined;
    const first = s.arrows[0];
    if (s.value?.kind === 'Pipeline' && s.value.source.kind === 'NameRef' && first && first.line === s.first.line) {
      column = columnOf(lines[first.line]!, first.item);
      const tails = tailLines(s, [...s.arrows, ...s.clauses]);
      if (tails.some((i) => column! + codeWidth(i) > options.lineWidth)) column = undefined;
      else alignStages(s);
    }
    anchors.set(s, column);
    return column;
  };
  /** Under an anchor, the first line and the `->` lines form a table (rows of equally many stages). */
  const alignStages = (s: Statement) => {
    const rowLines = [s.first.line, ...tailLines(s, s.arrows)];
    let group: Row[] = [];
    let previous = -1;
    const flush = () => {
      if (group.length > 1) alignCells(group);
      group = [];
    };
    for (const i of rowLines) {
      const line = lines[i]!;
      const boundaries = s.arrows.filter((a) => a.line === i).map((a) => a.item);
      const eligible = boundaries.length >= 2 && !context[i]!.openAtEnd && !hasMultiline(line, 0, line.items.length);
      if (!eligible || i !== previous + 1 || (group.length > 0 && group[0]!.boundaries.length !== boundaries.length)) flush();
      if (eligible) group.push({ line, boundaries });
      previous = i;
    }
    flush();
  };

  const continuation = (s: Statement, i: number, f: number): number => {
    const fixed = lines[s.first.line]!.indent + 2 * step;
    if (s.arrows.some((a) => sameLoc(a, i, f))) return anchor(s) ?? fixed;
    if (s.clauses.some((c) => sameLoc(c, i, f))) {
      const column = anchor(s);
      return column !== undefined && tailLines(s, s.arrows).length > 0 ? column : fixed;
    }
    return fixed;
  };

  lines.forEach((line, i) => {
    const f = firstToken(doc, i);
    if (f < 0) return;
    const type = line.items[f]!.type!;
    const { bracket, block } = context[i]!;
    if (bracket) {
      const within = bracketIndent(bracket);
      if (type === closers.get(bracket.type)) {
        line.indent = lines[bracket.line]!.indent;
        inside[i] = within;
      } else {
        line.indent = within;
      }
      return;
    }
    const blockIndent = block === undefined ? 0 : lines[block]!.indent + step;
    if (type === t.RBrace && block !== undefined) {
      line.indent = lines[block]!.indent;
      inside[i] = blockIndent;
      return;
    }
    const owner = owners[i];
    line.indent = !owner || owner.first.line === i ? blockIndent : continuation(owner, i, f);
  });

  let next = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (firstToken(doc, i) < 0) lines[i]!.indent = next;
    else next = inside[i] ?? lines[i]!.indent;
  }
}
