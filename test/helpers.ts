/** Shared test helpers: reading examples, in-memory sources, ranges as text. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, type Analysis } from '../src/semantics/analyze.js';
import type { SourceHost } from '../src/semantics/program.js';
import type { LineMap, Span } from '../src/syntax/source.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const examplesDir = path.join(repoRoot, 'examples');

export const fileHost: SourceHost = {
  readFile(uri) {
    try {
      return readFileSync(uri, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** `line:col-line:col`, 1-based, end exclusive. */
export function rangeText(lines: LineMap, span: Span): string {
  const s = lines.position(span.start);
  const e = lines.position(span.end);
  return `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`;
}

/** Analyses source text held in memory (plus any extra in-memory files it imports). */
export function analyzeText(text: string, files: Record<string, string> = {}, uri = '/mem/main.mbn'): Analysis {
  const host: SourceHost = { readFile: (u) => (u === uri ? text : files[u]) };
  return analyze(uri, host);
}

/** Diagnostics as `CODE line:col-line:col message`, for compact assertions. */
export function diagnosticLines(analysis: Analysis): string[] {
  return analysis.diagnostics.map((d) => {
    const lines = analysis.program.units.get(d.uri)!.lines;
    return `${d.code} ${rangeText(lines, d.span)} ${d.message}`;
  });
}

export function model(analysis: Analysis, name?: string) {
  const found = name ? analysis.models.find((m) => m.name === name) : analysis.models[analysis.models.length - 1];
  if (!found) throw new Error(`no model ${name}`);
  return found;
}
