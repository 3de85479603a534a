/** `mbnc check FILE…`: diagnostics for people (default) or tools (`--format json`). */
import * as path from 'node:path';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic, renderSummaryLine, styleFor, toJson, type SourceLookup } from '../diagnostics/render.js';
import { analyze, type Analysis } from '../semantics/analyze.js';
import type { LineMap } from '../syntax/source.js';
import { fileHost } from './host.js';
import { exitCodes, UsageError, type CliIO } from './io.js';

/** Analyses each file; diagnostics of files imported by several are reported once. */
export function analyzeFiles(files: readonly string[], io: CliIO): { analyses: Analysis[]; diagnostics: Diagnostic[]; sources: SourceLookup } {
  const analyses: Analysis[] = [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const lineMaps = new Map<string, LineMap>();
  for (const file of files) {
    const uri = path.resolve(io.cwd, file);
    if (fileHost.readFile(uri) === undefined) throw new UsageError(`cannot read ${file}: no such file`);
    const analysis = analyze(uri, fileHost);
    analyses.push(analysis);
    for (const unit of analysis.program.units.values()) lineMaps.set(unit.uri, unit.lines);
    for (const d of analysis.diagnostics) {
      const key = `${d.uri}|${d.span.start}|${d.span.end}|${d.code}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
  }
  return { analyses, diagnostics: sortDiagnostics(diagnostics), sources: { lines: (uri) => lineMaps.get(uri) } };
}

export function check(files: readonly string[], format: string, io: CliIO): number {
  if (files.length === 0) throw new UsageError('check needs at least one .mbn file');
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format "${format}" (use text or json)`);
  const { diagnostics, sources } = analyzeFiles(files, io);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (format === 'json') {
    io.stdout.write(JSON.stringify({ diagnostics: diagnostics.map((d) => toJson(d, sources)), errors, warnings }, null, 2) + '\n');
  } else {
    const style = styleFor(io.stderr, io.env);
    for (const d of diagnostics) io.stderr.write(renderDiagnostic(d, sources, style) + '\n\n');
    io.stderr.write(`${renderSummaryLine(errors, warnings, style)} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
  }
  return errors > 0 ? exitCodes.errors : exitCodes.ok;
}
