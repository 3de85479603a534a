/**
 * Diagnostics for people (rustc/tsc style: location, code frame, carets,
 * notes, help) and for tools (JSON with LSP-style zero-based ranges).
 */
import * as path from 'node:path';
import type { LineMap, Range, Span } from '../syntax/source.js';
import type { Diagnostic, Severity } from './diagnostic.js';

export interface Style {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly blue: (s: string) => string;
  readonly green: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const colors: Style = { red: ansi(31, 39), yellow: ansi(33, 39), cyan: ansi(36, 39), blue: ansi(34, 39), green: ansi(32, 39), bold: ansi(1, 22), dim: ansi(2, 22) };
const id = (s: string) => s;
export const plain: Style = { red: id, yellow: id, cyan: id, blue: id, green: id, bold: id, dim: id };

/** Colour only on a terminal, unless NO_COLOR or FORCE_COLOR say otherwise. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  if (env['NO_COLOR']) return plain;
  if (env['FORCE_COLOR'] && env['FORCE_COLOR'] !== '0') return colors;
  return stream.isTTY ? colors : plain;
}

export interface SourceLookup {
  lines(uri: string): LineMap | undefined;
}

export function displayPath(uri: string, cwd = process.cwd()): string {
  if (!path.isAbsolute(uri)) return uri;
  const relative = path.relative(cwd, uri);
  return relative.startsWith('..') ? uri : relative;
}

function location(uri: string, lines: LineMap | undefined, at: Span): string {
  if (!lines) return displayPath(uri);
  const p = lines.position(at.start);
  return `${displayPath(uri)}:${p.line + 1}:${p.character + 1}`;
}

function severityColor(style: Style, severity: Severity): (s: string) => string {
  return severity === 'error' ? style.red : severity === 'warning' ? style.yellow : style.cyan;
}

/** The source line(s) of a span with an underline; multi-line spans show their first line. */
function codeFrame(lines: LineMap, at: Span, style: Style, mark: string, color: (s: string) => string, label = ''): string[] {
  const start = lines.position(at.start);
  const end = lines.position(at.end);
  const text = lines.lineText(start.line).replace(/\t/g, ' ');
  const gutter = String(start.line + 1);
  const pad = ' '.repeat(gutter.length);
  const endColumn = end.line === start.line ? end.character : text.length;
  const width = Math.max(1, endColumn - start.character);
  const underline = ' '.repeat(start.character) + color(mark.repeat(width) + (end.line > start.line ? '…' : '') + (label ? ` ${label}` : ''));
  return [`${style.blue(pad + ' |')}`, `${style.blue(gutter + ' |')} ${text}`, `${style.blue(pad + ' |')} ${underline}`];
}

export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, style: Style): string {
  const color = severityColor(style, d.severity);
  const lines = sources.lines(d.uri);
  const out: string[] = [];
  out.push(`${style.bold(color(`${d.severity}[${d.code}]`))}${style.bold(`: ${d.message}`)}`);
  const gutterWidth = lines ? String(lines.position(d.span.start).line + 1).length : 1;
  const pad = ' '.repeat(gutterWidth);
  out.push(`${pad}${style.blue('-->')} ${location(d.uri, lines, d.span)}`);
  if (lines) out.push(...codeFrame(lines, d.span, style, '^', color));
  for (const related of d.related) {
    const relatedLines = sources.lines(related.uri);
    out.push(`${pad}${style.blue(':::')} ${location(related.uri, relatedLines, related.span)}`);
    if (relatedLines) out.push(...codeFrame(relatedLines, related.span, style, '-', style.blue, related.message));
    else out.push(`${pad}${style.blue(' =')} ${related.message}`);
  }
  for (const note of d.notes) out.push(`${pad} ${style.blue('=')} ${style.bold('note')}: ${note}`);
  if (d.fix) out.push(`${pad} ${style.blue('=')} ${style.bold(style.green('help'))}: ${d.fix.title}`);
  return out.join('\n');
}

export function renderSummaryLine(errors: number, warnings: number, style: Style): string {
  const parts: string[] = [];
  if (errors > 0) parts.push(style.red(`${errors} error${errors === 1 ? '' : 's'}`));
  if (warnings > 0) parts.push(style.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`));
  return parts.length === 0 ? style.green('no problems found') : parts.join(', ');
}

export interface JsonDiagnostic {
  readonly file: string;
  readonly location: string;
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly notes: readonly string[];
  readonly related: readonly { file: string; range: Range; message: string }[];
  readonly fix?: { title: string; edits: { range: Range; newText: string }[] };
}

export function toJson(d: Diagnostic, sources: SourceLookup): JsonDiagnostic {
  const range = (uri: string, at: Span): Range => sources.lines(uri)?.range(at) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    file: displayPath(d.uri),
    location: location(d.uri, sources.lines(d.uri), d.span),
    code: d.code,
    severity: d.severity,
    message: d.message,
    range: range(d.uri, d.span),
    notes: d.notes,
    related: d.related.map((r) => ({ file: displayPath(r.uri), range: range(r.uri, r.span), message: r.message })),
    ...(d.fix ? { fix: { title: d.fix.title, edits: (d.fix.edits ?? []).map((e) => ({ range: range(d.uri, e.span), newText: e.newText })) } } : {}),
  };
}
