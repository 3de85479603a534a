/**
 * Where a layer comes from in the source, for grouping. The graph IR
 * flattens sub-models into scoped names (`cnn1/conv2d`) and keeps each
 * layer's origin: the model declaration whose span holds that origin names
 * the sub-model (`cnn1 · SmallCNN`), and the statement of the drawn model
 * that holds it names the branch (`cnn_aux = cnn -> Dense(…) -> …`).
 */
import type { Analysis } from '../semantics/analyze.js';
import type { Origin } from '../semantics/graph.js';
import type { Span } from '../syntax/source.js';

const within = (inner: Span, outer: Span) => outer.start <= inner.start && inner.end <= outer.end;

/** The name of the model declaration holding an origin. */
export function modelLocator(analysis: Analysis): (origin: Origin) => string | undefined {
  return (origin) => {
    const unit = analysis.program.units.get(origin.uri);
    for (const template of unit?.models.values() ?? []) if (within(origin.span, template.decl.span)) return template.name;
    return undefined;
  };
}

/** The names bound by the statement of `model` that holds an origin (`cat, dog` for a switch). */
export function branchLocator(analysis: Analysis, model: string): (origin: Origin) => string | undefined {
  const template = analysis.models.find((m) => m.name === model)?.template;
  return (origin) => {
    if (!template || origin.uri !== template.unit.uri) return undefined;
    for (const statement of template.decl.body) {
      if (!within(origin.span, statement.span)) continue;
      if (statement.kind === 'Binding') return statement.names.map((n) => n.name).join(', ') || undefined;
      if (statement.kind === 'OutputDecl') return statement.name?.name;
      return undefined;
    }
    return undefined;
  };
}
