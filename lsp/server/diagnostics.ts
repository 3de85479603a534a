/**
 * Diagnostics: the same list `mbnc check` prints for a file (same codes,
 * messages, ranges and order), as LSP diagnostics with related locations,
 * notes, a link to the code's entry in docs/diagnostics.md, and the
 * `unnecessary` tag on the unused-things warnings (editors fade those out).
 *
 * Publishing is debounced: each edit restarts a short timer, so a burst of
 * keystrokes is analysed once, when typing pauses.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver/node';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../../src/diagnostics/codes.js';
import type { Analysis } from '../../src/semantics/analyze.js';
import { linesOf, toRange, uriToPath } from './convert.js';
import type { Workspace } from './workspace.js';

const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Warnings about something declared and never used: MBN400 branch, MBN401 input, MBN402 parameter, MBN408 shared layer or import. */
const unnecessary = new Set<DiagnosticCode>(['MBN400', 'MBN401', 'MBN402', 'MBN408']);

/** The diagnostics of `analysis` that are about its own document, as LSP diagnostics. */
export function documentDiagnostics(analysis: Analysis, uriOf: (file: string) => string): LspDiagnostic[] {
  return analysis.diagnostics.filter((d) => d.uri === analysis.uri).map((d) => toLspDiagnostic(d, analysis, uriOf));
}

export function toLspDiagnostic(d: Diagnostic, analysis: Analysis, uriOf: (file: string) => string): LspDiagnostic {
  const range = toRange(linesOf(analysis, d.uri), d.span);
  const here = { uri: uriOf(d.uri), range };
  const related: DiagnosticRelatedInformation[] = [
    ...d.related.map((r) => ({ location: { uri: uriOf(r.uri), range: toRange(linesOf(analysis, r.uri), r.span) }, message: r.message })),
    // Notes and help have no place of their own in LSP; at the diagnostic's own range they show under it.
    ...d.notes.map((note) => ({ location: here, message: `note: ${note}` })),
    ...(d.fix ? [{ location: here, message: `help: ${d.fix.title}` }] : []),
  ];
  const href = docsLinks().get(d.code);
  return {
    range,
    severity: severities[d.severity],
    code: d.code,
    ...(href ? { codeDescription: { href } } : {}),
    source: 'mbn',
    message: d.message,
    ...(unnecessary.has(d.code) ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}

let links: Map<string, string> | undefined;

/**
 * Each code's entry in docs/diagnostics.md, from that file's table of
 * contents (`[MBN300](#mbn300-layer-input-shape-mismatch)`); empty when the
 * docs are not installed next to the server.
 */
function docsLinks(): Map<string, string> {
  if (links) return links;
  links = new Map();
  const file = docsFile();
  if (!file) return links;
  const base = pathToFileURL(file).href;
  for (const m of readFileSync(file, 'utf8').matchAll(/\[(MBN\d+)\]\(#([a-z0-9-]+)\)/g)) links.set(m[1]!, `${base}#${m[2]}`);
  return links;
}

/** docs/diagnostics.md of the package this file belongs to (from lsp/server/ or dist/lsp/server/). */
function docsFile(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const file = path.join(dir, 'docs', 'diagnostics.md');
      return existsSync(file) ? file : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Publishes each open document's diagnostics `delay` ms after its last change. */
export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly delay: number,
  ) {}

  /** (Re)starts the document's timer: a newer edit cancels the pending analysis. */
  schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.publish(uri);
      }, this.delay),
    );
  }

  /** The document and every open document that imports it, since what they report may change with it. */
  scheduleWithDependents(uri: string): void {
    this.schedule(uri);
    for (const dependent of this.workspace.dependents(uriToPath(uri))) this.schedule(dependent);
  }

  /** A file changed on disk: every open document that read it or looked for it. */
  fileChanged(file: string): void {
    for (const dependent of this.workspace.dependents(file)) this.schedule(dependent);
  }

  /** A closed document's diagnostics are cleared: the problems panel shows only open files. */
  clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private publish(uri: string): void {
    const doc = this.workspace.documents.get(uri);
    if (!doc) return;
    try {
      const analysis = this.workspace.analysis(uri);
      if (!analysis) return;
      const diagnostics = documentDiagnostics(analysis, (file) => this.workspace.uriOf(file));
      void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    } catch (error) {
      this.connection.console.error(`mbn: diagnostics for ${uri} failed: ${describeError(error)}`);
    }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
