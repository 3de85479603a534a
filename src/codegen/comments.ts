/**
 * The spec's own comments in the emitted code (`# …`, `// …` and `/* … *\/`,
 * as single-line comments or doc comments), and the `file.mbn:13` comments
 * that say where each part comes from. All of it passes through
 * `commentText`, so none of it can end a comment early.
 */
import * as path from 'node:path';
import type { ModelTemplate } from '../semantics/program.js';
import type * as ast from '../syntax/ast.js';
import { commentText } from './naming.js';

/** Spec comments (`# …`, `// …`, `/* … *\/`) as plain lines. */
function commentLines(text: string): string[] {
  const body = text.startsWith('#') ? text.slice(1) : text.startsWith('//') ? text.slice(2) : text.replace(/^\/\*+/, '').replace(/\*+\/$/, '');
  const lines = body.split(/\r?\n|\r|\u2028|\u2029/).map((l) => commentText(l.replace(/^\s*\*(?!\/)/, '').trim()));
  // A comment line of its own that says nothing (`#`) separates paragraphs; blank lines around a block comment do not.
  if (lines.length > 1) {
    while (lines.length > 0 && lines[0] === '') lines.shift();
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  }
  return lines;
}

function trimBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[0] === '') out.shift();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The spec comments that belong to each statement: those above it, inside it, or after it on its last line. */
export function statementComments(template: ModelTemplate): Map<ast.Statement, string[]> {
  const unit = template.unit;
  const body = template.decl.body;
  const out = new Map<ast.Statement, string[]>();
  const lineOf = (offset: number) => unit.lines.position(offset).line;
  for (const comment of unit.syntax.comments) {
    if (!template.decl.bodySpan || comment.span.start < template.decl.bodySpan.start || comment.span.end > template.decl.bodySpan.end) continue;
    const trailing = body.find((s) => comment.span.start >= s.span.end && lineOf(comment.span.start) === lineOf(s.span.end) && lineOf(comment.span.start) !== lineOf(s.span.start) - 1);
    const owner = trailing ?? body.find((s) => comment.span.start >= s.span.start && comment.span.end <= s.span.end) ?? body.find((s) => s.span.start >= comment.span.end);
    if (!owner) continue;
    out.set(owner, [...(out.get(owner) ?? []), ...commentLines(comment.text)]);
  }
  for (const [owner, lines] of out) out.set(owner, trimBlank(lines));
  return out;
}

/**
 * The comments right above a model declaration (no blank line between), for
 * its function's doc comment; with `fileHeader`, also the comment that opens
 * the file when it comes before every declaration.
 */
export function modelComments(template: ModelTemplate, fileHeader = false): string[] {
  const unit = template.unit;
  const lineOf = (offset: number) => unit.lines.position(offset).line;
  const declarations = [...unit.syntax.models, ...unit.syntax.imports];
  const previousEnd = Math.max(0, ...declarations.map((d) => d.span.end).filter((end) => end <= template.decl.span.start));
  const comments = unit.syntax.comments.filter((c) => c.span.start >= previousEnd && c.span.end <= template.decl.span.start);
  // The block of comments that touches the declaration: walk up while each ends on the line above the next.
  const attached: typeof comments = [];
  let nextLine = lineOf(template.decl.span.start);
  for (const comment of [...comments].reverse()) {
    if (lineOf(comment.span.end) < nextLine - 1) break;
    attached.unshift(comment);
    nextLine = lineOf(comment.span.start);
  }
  const lines = trimBlank(attached.flatMap((c) => commentLines(c.text)));
  if (!fileHeader) return lines;
  // The file's opening comment, unless it belongs to the first declaration (no blank line between them).
  const first = [...declarations].sort((a, b) => a.span.start - b.span.start)[0];
  const firstLine = first ? lineOf(first.span.start) : Infinity;
  const opening = unit.syntax.comments.filter((c) => first !== undefined && c.span.end <= first.span.start && !attached.includes(c));
  const touching = opening.length > 0 && lineOf(opening[opening.length - 1]!.span.end) >= firstLine - 1;
  const header = touching ? [] : trimBlank(opening.flatMap((c) => commentLines(c.text)));
  return [...header, ...(header.length > 0 && lines.length > 0 ? [''] : []), ...lines];
}

/** `aux_branches.mbn:13`: where a part of the emitted code comes from. */
export function location(template: ModelTemplate, node: { span: { start: number } }): string {
  return commentText(`${path.basename(template.unit.uri)}:${template.unit.lines.position(node.span.start).line + 1}`);
}
