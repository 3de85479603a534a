/**
 * Between LSP and the front end: LSP speaks URIs and zero-based UTF-16
 * line/character positions; the front end speaks file paths and character
 * offsets (JavaScript strings are UTF-16 too, so `LineMap` converts exactly).
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Position, Range } from 'vscode-languageserver/node';
import type { Analysis } from '../../src/semantics/analyze.js';
import { LineMap, type Span } from '../../src/syntax/source.js';

/**
 * The path the front end knows a document by. Documents that are not files
 * (`untitled:Untitled-1`) keep their URI: they import nothing from disk
 * relative to themselves, and nothing imports them.
 */
export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

export function pathToUri(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file;
}

const emptyLines = new LineMap('');

/** The line map of a file the analysis loaded (an empty one for a file it could not read). */
export function linesOf(analysis: Analysis, file: string): LineMap {
  return analysis.program.units.get(file)?.lines ?? emptyLines;
}

export function toRange(lines: LineMap, span: Span): Range {
  return lines.range(span);
}

export function toPosition(lines: LineMap, offset: number): Position {
  return lines.position(offset);
}

export function toOffset(lines: LineMap, position: Position): number {
  return lines.offset(position);
}

export function toSpan(lines: LineMap, range: Range): Span {
  return { start: lines.offset(range.start), end: lines.offset(range.end) };
}
