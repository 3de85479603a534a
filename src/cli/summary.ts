/** `mbnc summary FILE [--model NAME] [--json]`: Keras-like tables for the training and inference models. */
import { renderDiagnostic, styleFor } from '../diagnostics/render.js';
import { standaloneDiagnostics, type Analysis, type ModelAnalysis } from '../semantics/analyze.js';
import { renderSummary, summarize } from '../summary/summary.js';
import { analyzeFiles } from './check.js';
import { exitCodes, UsageError, type CliIO } from './io.js';

/** Models not used inside another model of the same file: the ones a user compiles. */
export function rootModels(analysis: Analysis): ModelAnalysis[] {
  const used = new Set<string>();
  for (const model of analysis.models) {
    for (const target of model.scope.refs.values()) if (target.kind === 'model') used.add(target.template.name);
  }
  return analysis.models.filter((m) => !used.has(m.name));
}

/** The model a command works on: `--model`, or the file's only root model. */
export function pickModel(analysis: Analysis, name: string | undefined): ModelAnalysis {
  const all = analysis.models.map((m) => m.name);
  if (name !== undefined) {
    const model = analysis.models.find((m) => m.name === name);
    if (!model) throw new UsageError(`no model "${name}" in ${analysis.uri}; it declares: ${all.join(', ') || 'none'}`);
    return model;
  }
  const roots = rootModels(analysis);
  if (roots.length === 1) return roots[0]!;
  if (all.length === 0) throw new UsageError(`${analysis.uri} declares no models`);
  throw new UsageError(`${analysis.uri} declares several models (${roots.map((m) => m.name).join(', ')}); choose one with --model NAME`);
}

export function summary(files: readonly string[], model: string | undefined, json: boolean, io: CliIO): number {
  if (files.length !== 1) throw new UsageError('summary takes exactly one .mbn file');
  const { analyses, diagnostics, sources } = analyzeFiles(files, io);
  const analysis = analyses[0]!;
  const chosen = pickModel(analysis, model);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!chosen.graph) {
    const style = styleFor(io.stderr, io.env);
    for (const d of [...errors, ...standaloneDiagnostics(chosen)]) io.stderr.write(renderDiagnostic(d, sources, style) + '\n\n');
    io.stderr.write(`cannot summarise \`${chosen.name}\`: ${chosen.unavailable.join('; ')}\n`);
    return exitCodes.errors;
  }
  const result = summarize(chosen.graph);
  io.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : renderSummary(result) + '\n');
  return exitCodes.ok;
}
