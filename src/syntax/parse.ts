/**
 * Source text → syntax tree + syntax diagnostics.
 *
 * The token stream is split at every `model` and `import` keyword and each
 * declaration is parsed on its own, so an error inside one model can never
 * hide the models after it.
 */
import type { IRecognitionException, IToken } from 'chevrotain';
import { DiagnosticSink } from '../diagnostics/diagnostic.js';
import type * as ast from './ast.js';
import { describeToken } from './parse-messages.js';
import { MbnParser, declarationStarters } from './parser.js';
import { LineMap, span, type Span } from './source.js';
import { scanTable } from './scanner.js';
import { TokenTypeSet, TokenWindow, type TokenTable } from './token-table.js';
import * as t from './tokens.js';

/**
 * The tokens are not kept: holding 100k+ of them alive for the life of an
 * analysis made the garbage collector copy them again and again; tools that
 * need them (formatting, highlighting) scan again, which is cheap.
 */
export interface ParseResult {
  readonly file: ast.SourceFile;
}

let sharedParser: MbnParser | undefined;

/** The parser is built once (grammar analysis is the expensive part) and reused. */
function parser(): MbnParser {
  sharedParser ??= new MbnParser();
  return sharedParser;
}

export function parse(text: string, uri: string, sink: DiagnosticSink): ParseResult {
  const lexed = scanTable(text);
  for (const error of lexed.errors) {
    const at = span(error.offset, error.offset + Math.max(1, error.length));
    const char = text.slice(error.offset, error.offset + error.length);
    sink.report('MBN100', uri, at, `unexpected character ${JSON.stringify(char.length > 20 ? char.slice(0, 20) + '…' : char)}`, {
      notes: ['names are letters, digits and `_`; comments start with `#` or `//`'],
    });
  }
  const comments: ast.Comment[] = [];
  for (const token of lexed.comments) {
    if (token.tokenType === t.UnterminatedComment) {
      sink.report('MBN101', uri, span(token.startOffset, token.startOffset + 2), 'this block comment is never closed', {
        fix: { title: 'close it with `*/`', edits: [{ span: span(text.length, text.length), newText: ' */' }] },
      });
    }
    comments.push({ kind: 'Comment', span: span(token.startOffset, token.endOffset! + 1), text: token.image });
  }
  const scanned = lexed.tokens;
  for (let i = 0; i < scanned.length; i++) {
    if (scanned.type(i) === t.UnterminatedString) {
      const start = scanned.start(i);
      const end = scanned.end(i);
      sink.report('MBN101', uri, span(start, end), 'this string is never closed', {
        fix: { title: `close it with ${text[start]}`, edits: [{ span: span(end, end), newText: text[start]! }] },
      });
    }
  }

  const tokens = t.applyLayout(scanned);
  const imports: ast.ImportDecl[] = [];
  const models: ast.ModelDecl[] = [];
  const p = parser();
  const window = new TokenWindow();
  let i = 0;
  while (i < tokens.length) {
    // Skip separators; anything else before a declaration keyword is junk, reported once per run.
    let junkFirst = -1;
    let junkLast = -1;
    while (i < tokens.length && !startsDeclaration(tokens, i)) {
      if (tokens.type(i) !== t.Newline) {
        if (junkFirst < 0) junkFirst = i;
        junkLast = i;
      }
      i++;
    }
    if (junkFirst >= 0) {
      sink.report('MBN102', uri, span(tokens.start(junkFirst), tokens.end(junkLast)),
        `expected \`model\` or \`import\` but found ${describeToken(tokens.token(junkFirst))}`, {
          notes: ['a .mbn file is a list of `import` and `model Name { … }` declarations'],
        });
    }
    if (i >= tokens.length) break;
    let end = i + 1;
    while (end < tokens.length && !startsDeclaration(tokens, end)) end++;
    p.input = window.fill(tokens, i, end);
    p.unclosed = [];
    if (tokens.type(i) === t.Model) {
      const model = p.modelDecl();
      if (model?.kind === 'ModelDecl') models.push(model);
    } else {
      const decl = p.importDecl();
      if (decl?.kind === 'ImportDecl') imports.push(decl);
    }
    if (p.errors.length > 0 || p.unclosed.length > 0) {
      const next = end < tokens.length ? tokens.token(end) : undefined;
      for (const error of p.errors) reportParseError(error, text, uri, sink, next);
      if (p.unclosed.length > 0) reportUnclosed(p.unclosed, tokens, i, end, uri, sink, next);
    }
    i = end;
  }
  const file: ast.SourceFile = { kind: 'SourceFile', span: span(0, text.length), imports, models, comments };
  return { file };
}

/** `declarationStarters` as flags: the file is split by testing every token. */
const starters = new TokenTypeSet([...declarationStarters]);

/** `model` or `import`, unless used as a name (`train { model: 3 }`). */
function startsDeclaration(tokens: TokenTable, i: number): boolean {
  return starters.has(tokens.type(i)) && tokens.type(i + 1) !== t.Colon;
}

/** One error for the `{`s a declaration leaves open, just after its last token, naming where each was opened. */
function reportUnclosed(unclosed: readonly IToken[], tokens: TokenTable, from: number, end: number, uri: string, sink: DiagnosticSink, next: IToken | undefined): void {
  let last = end - 1;
  while (last > from && tokens.type(last) === t.Newline) last--;
  const at = tokens.end(last);
  const found = next ? describeToken(next) : 'end of file';
  const lines = new LineMap(tokens.text);
  sink.report('MBN102', uri, span(at, at), `expected \`}\` but found ${found}`, {
    notes: unclosed.map((open) => `the \`{\` opened on line ${lines.position(open.startOffset).line + 1} is never closed`),
    fix: { title: `close it with ${'`'}${'}'.repeat(unclosed.length)}${'`'}`, edits: [{ span: span(at, at), newText: unclosed.map(() => '\n}').join('') }] },
  });
}

function reportParseError(error: IRecognitionException, text: string, uri: string, sink: DiagnosticSink, next: IToken | undefined): void {
  const token = error.token;
  let message = error.message;
  const previous = (error as { previousToken?: IToken }).previousToken;
  let at: Span;
  if (!Number.isFinite(token.startOffset)) {
    // End of input: point just after the last real token.
    const end = previous && Number.isFinite(previous.startOffset) ? previous.startOffset + previous.image.length : text.length;
    at = span(end, end);
    // The declaration ended because the next one starts, not because the file did.
    if (next) message = message.replace('end of file', describeToken(next));
  } else if (token.tokenType === t.Newline) {
    at = span(token.startOffset, token.startOffset);
  } else {
    at = span(token.startOffset, token.startOffset + token.image.length);
  }
  sink.report('MBN102', uri, at, message);
}
