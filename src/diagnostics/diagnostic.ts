/**
 * Diagnostics are plain data: a code, a severity, a primary span, a message,
 * notes, related locations and an optional fix. Nothing in the front end
 * throws for bad input; every stage reports into a `DiagnosticSink` and goes
 * on with whatever it could recover.
 */
import type { Span } from '../syntax/source.js';
import { codeInfo, type DiagnosticCode } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/** A suggestion. With edits it is machine-applicable (editors offer it as a quick fix). */
export interface Fix {
  readonly title: string;
  readonly edits?: readonly TextEdit[];
}

export interface RelatedLocation {
  readonly uri: string;
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly uri: string;
  readonly span: Span;
  readonly message: string;
  readonly notes: readonly string[];
  readonly related: readonly RelatedLocation[];
  readonly fix?: Fix;
}

export interface DiagnosticOptions {
  notes?: readonly string[];
  related?: readonly RelatedLocation[];
  fix?: Fix;
  /** Overrides the code's default severity. */
  severity?: Severity;
}

/** Collects diagnostics, dropping exact duplicates (a block instantiated twice reports once). */
export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report(code: DiagnosticCode, uri: string, at: Span, message: string, options: DiagnosticOptions = {}): void {
    const key = `${code}|${uri}|${at.start}|${at.end}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({
      code,
      severity: options.severity ?? codeInfo(code).severity,
      uri,
      span: at,
      message,
      notes: options.notes ?? [],
      related: options.related ?? [],
      ...(options.fix ? { fix: options.fix } : {}),
    });
  }

  add(diagnostic: Diagnostic): void {
    const d = diagnostic;
    const key = `${d.code}|${d.uri}|${d.span.start}|${d.span.end}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }

  get all(): readonly Diagnostic[] {
    return this.items;
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length;
  }
}

/** Orders diagnostics by file then position, errors before warnings at the same place. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...list].sort(
    (a, b) =>
      a.uri.localeCompare(b.uri) ||
      a.span.start - b.span.start ||
      a.span.end - b.span.end ||
      rank[a.severity] - rank[b.severity] ||
      a.code.localeCompare(b.code),
  );
}
