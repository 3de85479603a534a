/** `mbnc summary FILE [--model NAME] [--json]`: Keras-like tables for the training and inference models. */
import { renderDiagnostic, styleFor } from '../diagnostics/render.js';
import { pickModel, standaloneDiagnostics } from '../semantics/analyze.js';
import { renderSummary, summarize } from '../summary/summary.js';
import { analyzeFiles } from './check.js';
import { errorCount, exitCodes, UsageError, type CliIO } from './io.js';

export function summary(files: readonly string[], model: string | undefined, json: boolean, io: CliIO): number {
  if (files.length !== 1) throw new UsageError('summary takes exactly one .mbn file');
  const { analyses, diagnostics, sources } = analyzeFiles(files, io);
  const analysis = analyses[0]!;
  const chosen = pickModel(analysis, model);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  // Like train and compile, a file with errors is not summarised: a model recovered from a syntax error may not be the one written.
  if (!chosen.graph || errors.length > 0) {
    const style = styleFor(io.stderr, io.env);
    for (const d of [...errors, ...(chosen.graph ? [] : standaloneDiagnostics(chosen))]) io.stderr.write(renderDiagnostic(d, sources, style) + '\n\n');
    io.stderr.write(`cannot summarise \`${chosen.name}\`: ${chosen.graph ? errorCount(errors.length) : chosen.unavailable.join('; ')}\n`);
    return exitCodes.errors;
  }
  const result = summarize(chosen.graph);
  io.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : renderSummary(result) + '\n');
  return exitCodes.ok;
}
