/**
 * `mbnc fmt FILE… [--check | --write]`: the formatter of src/format/ on
 * files. Without a flag it prints the formatted text of one file; `--write`
 * rewrites the files that change (atomically) and lists them; `--check` lists them and
 * exits 1, changing nothing (like `prettier --check`). A file with syntax
 * errors is not formatted: its diagnostics are printed as `mbnc check`
 * prints them, and the exit status is 1.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../data/io.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import { displayPath, renderDiagnostic, renderSummaryLine, styleFor } from '../diagnostics/render.js';
import { formatText } from '../format/index.js';
import { LineMap } from '../syntax/source.js';
import { fileHost } from './host.js';
import { exitCodes, UsageError, type CliIO } from './io.js';

export interface FmtOptions {
  readonly check: boolean;
  readonly write: boolean;
}

export function fmt(files: readonly string[], options: FmtOptions, io: CliIO): number {
  if (files.length === 0) throw new UsageError('fmt needs at least one .mbn file');
  if (options.check && options.write) throw new UsageError('fmt takes --check or --write, not both');
  if (!options.check && !options.write && files.length > 1) throw new UsageError('fmt prints one file; use --write or --check for several');
  // Read everything first, so that a missing file is a usage error before anything is written.
  const sources = files.map((file) => {
    const uri = path.resolve(io.cwd, file);
    const text = fileHost.readFile(uri);
    if (text === undefined) throw new UsageError(`cannot read ${file}: no such file`);
    return { file, uri, text };
  });
  const style = styleFor(io.stderr, io.env);
  let failed = 0;
  let changed = 0;
  for (const { file, uri, text } of sources) {
    const result = formatText(text, uri);
    if (!result.ok) {
      failed++;
      const lines = new LineMap(text);
      const diagnostics = sortDiagnostics(result.diagnostics);
      for (const d of diagnostics) io.stderr.write(renderDiagnostic(d, { lines: (u) => (u === uri ? lines : undefined) }, style) + '\n\n');
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      io.stderr.write(`${renderSummaryLine(errors, 0, style)} in ${file}: not formatted\n`);
      continue;
    }
    if (result.changed) changed++;
    if (options.check) {
      if (result.changed) io.stdout.write(`${displayPath(uri, io.cwd)}\n`);
    } else if (options.write) {
      if (result.changed) {
        writeFileAtomic(uri, result.text);
        io.stdout.write(`${displayPath(uri, io.cwd)}\n`);
      }
    } else {
      io.stdout.write(result.text);
    }
  }
  if (options.check && changed > 0) io.stderr.write(`${changed} file${changed === 1 ? '' : 's'} would be reformatted; run \`mbnc fmt --write\`\n`);
  if (failed > 0 || (options.check && changed > 0)) return exitCodes.errors;
  return exitCodes.ok;
}
