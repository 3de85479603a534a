/**
 * The open documents and one analysis per document, reused between requests.
 *
 * An analysis is recomputed lazily, when a request or the diagnostics timer
 * needs it and something it read has changed since: the document itself, an
 * imported file (open in the editor or on disk), or an import target that
 * did not exist and now may. Each analysis remembers a signature of every file
 * it read or looked for (the open document's version, or the file's mtime and
 * size on disk); a stat per imported file is all it costs to see that an
 * analysis is still current, and a file edited outside the editor is noticed
 * even by a client that sends no file-change notifications.
 */
import { statSync, readFileSync } from 'node:fs';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../../src/semantics/analyze.js';
import { resolveImportPath, type SourceHost, type SourceUnit } from '../../src/semantics/program.js';
import { pathToUri, uriToPath } from './convert.js';

interface Cached {
  readonly analysis: Analysis;
  /** What every file the analysis read (or looked for) was at the time, by path. */
  readonly inputs: ReadonlyMap<string, string>;
}

export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  /** Open documents by path, to the URI the client named them by. */
  private readonly openByPath = new Map<string, string>();
  /** Told apart in signatures: a document closed and opened again restarts its version numbers. */
  private readonly openCount = new Map<string, number>();
  private opens = 0;
  private readonly cache = new Map<string, Cached>();

  /** Where the front end reads sources: open documents first, then the disk. */
  readonly host: SourceHost = {
    readFile: (file) => {
      const doc = this.openDocument(file);
      if (doc) return doc.getText();
      try {
        return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  };

  constructor() {
    this.documents.onDidOpen(({ document }) => {
      const file = uriToPath(document.uri);
      this.openByPath.set(file, document.uri);
      this.openCount.set(document.uri, ++this.opens);
    });
    this.documents.onDidClose(({ document }) => {
      this.openByPath.delete(uriToPath(document.uri));
      this.openCount.delete(document.uri);
      this.cache.delete(document.uri);
    });
  }

  /** The URI to report a file under: the client's own for an open document. */
  uriOf(file: string): string {
    return this.openByPath.get(file) ?? pathToUri(file);
  }

  /** The current analysis of an open document (undefined if it is not open). */
  analysis(uri: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const cached = this.cache.get(uri);
    if (cached && this.isCurrent(cached)) return cached.analysis;
    // Dropped first: an analysis of a large file is tens of thousands of objects, and the
    // garbage collector works less while the new one is built if the old one is already garbage.
    this.cache.delete(uri);
    const analysis = analyze(uriToPath(uri), this.host, { text: doc.getText(), trace: true });
    this.cache.set(uri, { analysis, inputs: this.inputsOf(analysis) });
    return analysis;
  }

  /** Open documents (other than `file` itself) whose last analysis read `file` or looked for it. */
  dependents(file: string): string[] {
    const uris: string[] = [];
    for (const [uri, cached] of this.cache) {
      if (cached.inputs.has(file) && uriToPath(uri) !== file) uris.push(uri);
    }
    return uris;
  }

  /** Every file loaded by the analyses of the open documents, each once. */
  loadedUnits(): SourceUnit[] {
    const units = new Map<string, SourceUnit>();
    for (const doc of this.documents.all()) {
      for (const unit of this.analysis(doc.uri)?.program.units.values() ?? []) if (!units.has(unit.uri)) units.set(unit.uri, unit);
    }
    return [...units.values()];
  }

  private openDocument(file: string): TextDocument | undefined {
    const uri = this.openByPath.get(file);
    return uri === undefined ? undefined : this.documents.get(uri);
  }

  private isCurrent(cached: Cached): boolean {
    for (const [file, signature] of cached.inputs) if (this.signature(file) !== signature) return false;
    return true;
  }

  /** Files read, and import targets looked for (a missing one may appear), with their signatures now. */
  private inputsOf(analysis: Analysis): Map<string, string> {
    const inputs = new Map<string, string>();
    inputs.set(analysis.uri, this.signature(analysis.uri));
    for (const unit of analysis.program.units.values()) {
      inputs.set(unit.uri, this.signature(unit.uri));
      for (const decl of unit.syntax.imports) {
        if (!decl.path) continue;
        const target = resolveImportPath(unit.uri, decl.path.value);
        if (!inputs.has(target)) inputs.set(target, this.signature(target));
      }
    }
    return inputs;
  }

  /** What a file is now: an open document's version, or its modification time and size on disk. */
  private signature(file: string): string {
    const uri = this.openByPath.get(file);
    const doc = uri === undefined ? undefined : this.documents.get(uri);
    if (doc) return `open ${this.openCount.get(doc.uri)} v${doc.version}`;
    try {
      const stat = statSync(file);
      return stat.isFile() ? `disk ${stat.mtimeMs} ${stat.size}` : 'none';
    } catch {
      return 'none';
    }
  }
}
