/**
 * The .mbn formatter, shared by `mbnc fmt` and the language server.
 *
 * It keeps the author's lines (line breaks end statements in .mbn) and every
 * comment where it is, and rewrites the white space: indentation, spaces
 * between tokens, gofmt-style alignment of neighbouring statements, blank
 * lines. The rules are in docs/formatting.md. Text with syntax errors is
 * left alone, as gofmt and rustfmt do.
 */
import { DiagnosticSink, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parse } from '../syntax/parse.js';
import type { Span } from '../syntax/source.js';
import { alignBodies } from './align.js';
import { readDocument } from './document.js';
import { editsBetween } from './edits.js';
import { emit, type Emitted } from './emit.js';
import { indentLines } from './indent.js';
import { applyBaseSpacing } from './spacing.js';
import { findStatements, ownersByLine, startsByLine } from './statements.js';
import { alignTrailingComments } from './trailing.js';
import { verify } from './verify.js';

export { FormatterError } from './verify.js';

export interface FormatOptions {
  /** Spaces per indentation step (default 2). */
  readonly indent?: number;
  /** Where aligned continuation lines give way to a fixed indentation (default 100). */
  readonly lineWidth?: number;
}

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

type Layout = { readonly ok: true; readonly emitted: Emitted } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function layout(text: string, uri: string, options: FormatOptions): Layout {
  const sink = new DiagnosticSink();
  const { file } = parse(text, uri, sink);
  if (sink.errorCount > 0) return { ok: false, diagnostics: sink.all };
  const doc = readDocument(text);
  const statements = findStatements(doc, file);
  applyBaseSpacing(doc);
  alignBodies(doc, statements.bodies, startsByLine(doc, statements));
  indentLines(doc, statements.blockLines, ownersByLine(doc, statements), { indent: options.indent ?? 2, lineWidth: options.lineWidth ?? 100 });
  alignTrailingComments(doc);
  const emitted = emit(doc);
  verify(text, emitted.text);
  return { ok: true, emitted };
}

export function formatText(text: string, uri: string, options: FormatOptions = {}): FormatResult {
  const result = layout(text, uri, options);
  if (!result.ok) return result;
  return { ok: true, text: result.emitted.text, changed: result.emitted.text !== text };
}

/** Minimal LSP-style edits turning `text` into the formatted text (for editors: keep the cursor and undo history sane). */
export function formatEdits(text: string, uri: string, options: FormatOptions = {}): { span: Span; newText: string }[] | undefined {
  const result = layout(text, uri, options);
  if (!result.ok) return undefined;
  return editsBetween(text, result.emitted.text, result.emitted.placements);
}
