/**
 * Where the cursor is in the text being typed, read from the tokens before
 * it rather than from the syntax tree: while a line is being written the tree
 * has a hole there (or a guess), but the tokens say exactly what came before
 * the cursor. Completion and signature help read this.
 *
 * Only the declaration around the cursor is scanned (from its `model` or
 * `import` keyword), with the layout rule applied, so statement ends are the
 * parser's. A forward pass keeps a stack of the brackets still open.
 */
import type { TokenType } from 'chevrotain';
import type { SourceUnit } from '../semantics/program.js';
import { scanTable } from '../syntax/scanner.js';
import * as t from '../syntax/tokens.js';

export interface Tok {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export type FrameKind =
  /** `model M { … }` */
  | 'model'
  /** `train { … }` */
  | 'train'
  /** `import { … } from` */
  | 'import'
  /** Any other `{`. */
  | 'braces'
  /** `model M( … )`: parameter declarations. */
  | 'params'
  /** `name( … )`: arguments of a call. */
  | 'call'
  /** `( … )` not after a name: a tuple or grouping. */
  | 'group'
  /** `[ … ]` starting a value. */
  | 'list'
  /** `x[ … ]` after a value. */
  | 'index';

export interface Frame {
  readonly kind: FrameKind;
  /** Index of the opening token in `toks`. */
  readonly open: number;
  /** The callee name of a call. */
  readonly callee: Tok | undefined;
  /** A call right after `->`: its input is piped in. */
  readonly stage: boolean;
  /** Commas so far at this level: the index of the current argument or item. */
  argIndex: number;
  /** Index in `toks` where the current argument, item or statement starts. */
  start: number;
}

export interface CursorContext {
  readonly offset: number;
  /** Start of the name being typed (== offset when none). */
  readonly wordStart: number;
  readonly word: string;
  /** The laid-out tokens from the declaration start up to the word. */
  readonly toks: readonly Tok[];
  /** Open brackets, outermost first. */
  readonly frames: readonly Frame[];
  /** The tokens of the current argument, item or statement of the innermost frame (all tokens when at file level). */
  readonly current: readonly Tok[];
  /** Inside a comment or a string: nothing to offer. */
  readonly quiet: boolean;
}

const isNamePart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57);

/** Tokens after which a line break does not end the statement (the layout rule's list). */
const continues = new Set<TokenType>([t.Arrow, t.Comma, t.Equals, t.Colon, t.Plus, t.Minus, t.Star, t.Slash, t.Percent, t.LParen, t.LBracket, t.LBrace]);
/** Tokens that end a value: a bracket after one indexes it. */
const endsValue = new Set<TokenType>([t.Identifier, t.RParen, t.RBracket, t.NumberLiteral, t.StringLiteral]);

/** Where the declaration around `offset` starts: its `model` or `import` keyword, or the file start. */
function declarationStart(unit: SourceUnit, offset: number): number {
  let start = 0;
  for (const decl of [...unit.syntax.imports, ...unit.syntax.models]) {
    if (decl.span.start <= offset && decl.span.start > start) start = decl.span.start;
  }
  return start;
}

export function cursorContext(unit: SourceUnit, offset: number): CursorContext {
  const text = unit.text;
  let wordStart = offset;
  while (wordStart > 0 && isNamePart(text.charCodeAt(wordStart - 1))) wordStart--;
  const word = text.slice(wordStart, offset);
  const base = declarationStart(unit, wordStart);
  const slice = text.slice(base, wordStart);
  const scanned = scanTable(slice);
  const laid = t.applyLayout(scanned.tokens);

  let quiet = false;
  const lastComment = scanned.comments[scanned.comments.length - 1];
  if (lastComment && lastComment.endOffset! + 1 >= slice.length) {
    const closed = lastComment.tokenType === t.BlockComment;
    quiet = !closed || lastComment.endOffset! + 1 > slice.length;
  }
  const toks: Tok[] = [];
  for (let i = 0; i < laid.length; i++) {
    const type = laid.type(i)!;
    const start = laid.start(i);
    const end = laid.end(i);
    if (type === t.UnterminatedString && end >= slice.length) quiet = true;
    toks.push({ type, start: base + start, end: base + end, text: slice.slice(start, end) });
  }

  const frames: Frame[] = [];
  let header = false; // between `model` and its `{`
  let inImport = false;
  const frame = (kind: FrameKind, open: number, callee?: Tok, stage = false): Frame => ({ kind, open, callee, stage, argIndex: 0, start: open + 1 });
  const popTo = (kinds: readonly FrameKind[]) => {
    for (let k = frames.length - 1; k >= 0; k--) {
      if (kinds.includes(frames[k]!.kind)) {
        frames.length = k;
        return;
      }
    }
  };
  let fileStart = 0;
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    const previous = toks[i - 1];
    const type = tok.type;
    if ((type === t.Model || type === t.Import) && toks[i + 1]?.type !== t.Colon && !frames.some((f) => f.kind === 'call')) {
      frames.length = 0;
      header = type === t.Model;
      inImport = type === t.Import;
      fileStart = i;
      continue;
    }
    switch (type) {
      case t.LBrace: {
        if (previous?.type === t.Train) frames.push(frame('train', i));
        else if (inImport && frames.length === 0) frames.push(frame('import', i));
        else if (header) {
          frames.length = 0;
          frames.push(frame('model', i));
          header = false;
        } else frames.push(frame('braces', i));
        break;
      }
      case t.RBrace:
        popTo(['model', 'train', 'import', 'braces']);
        if (frames.length === 0) {
          inImport = false;
          fileStart = i + 1;
        }
        break;
      case t.LParen: {
        const name = previous && (previous.type === t.Identifier || t.keywordTokens.includes(previous.type)) ? previous : undefined;
        if (header && frames.length === 0) frames.push(frame('params', i));
        else if (name) frames.push(frame('call', i, name, toks[i - 2]?.type === t.Arrow));
        else frames.push(frame('group', i));
        break;
      }
      case t.RParen:
        popTo(['call', 'group', 'params']);
        break;
      case t.LBracket:
        frames.push(frame(previous && endsValue.has(previous.type) ? 'index' : 'list', i));
        break;
      case t.RBracket:
        popTo(['list', 'index']);
        break;
      case t.Comma: {
        const top = frames[frames.length - 1];
        if (top && top.kind !== 'model' && top.kind !== 'train' && top.kind !== 'braces') {
          top.argIndex++;
          top.start = i + 1;
        }
        break;
      }
      case t.Newline: {
        // A statement ended: brackets left open in it are forgotten, as the parser does.
        let k = frames.length - 1;
        while (k >= 0 && !['model', 'train', 'import', 'braces'].includes(frames[k]!.kind)) k--;
        frames.length = k + 1;
        const top = frames[k];
        if (top) top.start = i + 1;
        else fileStart = i + 1;
        break;
      }
      default:
        break;
    }
  }

  const top = frames[frames.length - 1];
  let current = toks.slice(top ? top.start : fileStart);
  // A line break between the last token and the cursor ends a statement unless the line asks to go on.
  const last = toks[toks.length - 1];
  const statementLevel = !top || top.kind === 'model' || top.kind === 'train' || top.kind === 'braces';
  if (statementLevel && last && !continues.has(last.type) && /\n/.test(text.slice(last.end, wordStart))) current = [];
  return { offset, wordStart, word, toks, frames, current, quiet };
}

/** The innermost call the cursor is in, skipping lists and groups inside its arguments. */
export function enclosingCall(ctx: CursorContext): { frame: Frame; depth: number } | undefined {
  for (let k = ctx.frames.length - 1; k >= 0; k--) {
    const f = ctx.frames[k]!;
    if (f.kind === 'call') return { frame: f, depth: k };
    if (f.kind !== 'list' && f.kind !== 'group' && f.kind !== 'index') return undefined;
  }
  return undefined;
}

/** The tokens of the current argument of a call frame (from its start to the cursor). */
export function argumentTokens(ctx: CursorContext, frame: Frame): readonly Tok[] {
  return ctx.toks.slice(frame.start);
}

/** `name:` at the start of an argument: the name. */
export function namedArgument(tokens: readonly Tok[]): string | undefined {
  const [name, colon] = tokens;
  return name && colon?.type === t.Colon && (name.type === t.Identifier || t.keywordTokens.includes(name.type)) ? name.text : undefined;
}
