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
import { span, type Span } from './source.js';
import { scan } from './scanner.js';
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
  const lexed = scan(text);
  for (const error of lexed.errors) {
    const at = span(error.offset, error.offset + Math.max(1, error.length));
    const char = text.slice(error.offset, error.offset + error.length);
    sink.report('MBN100', uri, at, `unexpected character ${JSON.stringify(char.length > 20 ? char.slice(0, 20) + '…' : char)}`, {
      notes: ['names are letters, digits and `_`; comments start with `#` or `//`'],
    });
  }
  const comments: ast.Comment[] = [];
  for (const token of lexed.groups['comments'] ?? []) {
    if (token.tokenType === t.UnterminatedComment) {
      sink.report('MBN101', uri, span(token.startOffset, token.startOffset + 2), 'this block comment is never closed', {
        fix: { title: 'close it with `*/`', edits: [{ span: span(text.length, text.length), newText: ' */' }] },
      });
    }
    comments.push({ kind: 'Comment', span: span(token.startOffset, token.endOffset! + 1), text: token.image });
  }
  // An indexed loop: for-of over 100k+ tokens allocated an iterator result per token.
  for (let i = 0; i < lexed.tokens.length; i++) {
    const token = lexed.tokens[i]!;
    if (token.tokenType === t.UnterminatedString) {
      const end = token.startOffset + token.image.length;
      sink.report('MBN101', uri, span(token.startOffset, end), 'this string is never closed', {
        fix: { title: `close it with ${token.image[0]}`, edits: [{ span: span(end, end), newText: token.image[0]! }] },
      });
    }
  }

  const tokens = t.applyLayout(lexed.tokens);
  const imports: ast.ImportDecl[] = [];
  const models: ast.ModelDecl[] = [];
  const p = parser();
  let i = 0;
  while (i < tokens.length) {
    // Skip separators; anything else before a declaration keyword is junk, reported once per run.
    const junkStart = i;
    while (i < tokens.length && !startsDeclaration(tokens, i)) i++;
    const junk = tokens.slice(junkStart, i).filter((tok) => tok.tokenType !== t.Newline);
    if (junk.length > 0) {
      const first = junk[0]!;
      const last = junk[junk.length - 1]!;
      sink.report('MBN102', uri, span(first.startOffset, last.startOffset + last.image.length),
        `expected \`model\` or \`import\` but found ${describeToken(first)}`, {
          notes: ['a .mbn file is a list of `import` and `model Name { … }` declarations'],
        });
    }
    if (i >= tokens.length) break;
    let end = i + 1;
    while (end < tokens.length && !startsDeclaration(tokens, end)) end++;
    p.input = tokens.slice(i, end);
    if (tokens[i]!.tokenType === t.Model) {
      const model = p.modelDecl();
      if (model?.kind === 'ModelDecl') models.push(model);
    } else {
      const decl = p.importDecl();
      if (decl?.kind === 'ImportDecl') imports.push(decl);
    }
    const next = tokens[end];
    for (const error of p.errors) reportParseError(error, text, uri, sink, next);
    i = end;
  }
  const file: ast.SourceFile = { kind: 'SourceFile', span: span(0, text.length), imports, models, comments };
  return { file };
}

/** `model` or `import`, unless used as a name (`train { model: 3 }`). */
function startsDeclaration(tokens: readonly IToken[], i: number): boolean {
  return declarationStarters.has(tokens[i]!.tokenType) && tokens[i + 1]?.tokenType !== t.Colon;
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
