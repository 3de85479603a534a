/** What hovers say about a model: its signature, inputs and outputs with shapes, parameters; and about one use of it. */
import { totalParams } from '../semantics/graph.js';
import type { Analysis } from '../semantics/analyze.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { paramsBetween, refsOf } from './applications.js';
import { formatShapeOrUnknown, modelParamLabel, plural } from './format.js';
import { describeRun, valuesOf } from './runs.js';
import type { Node } from './tree.js';

const code = (text: string): string => '```mbn\n' + text + '\n```';

function shapeText(value: Value): string {
  if (value.kind === 'tensor') return formatShapeOrUnknown(value.shape) + (value.dtype === 'int32' ? ' int32' : '');
  if (value.kind === 'record') return `{ ${[...value.fields].map(([k, v]) => `${k}: ${shapeText(v)}`).join(', ')} }`;
  if (value.kind === 'tuple') return `(${value.items.map(shapeText).join(', ')})`;
  return 'unknown';
}

/** `name: [None, 4]`, or the distinct shapes a name takes over the model's uses. */
function declShapes(analysis: Analysis, template: ModelTemplate, ident: ast.Identifier): string {
  const texts = [...new Set(valuesOf(analysis, template, ident).map((v) => shapeText(v.value)))];
  const known = texts.filter((t) => t !== 'unknown shape' && t !== 'unknown');
  const shown = known.length > 0 ? known : texts;
  return `\`${ident.name}: ${shown.length === 0 ? '?' : shown.join(' | ')}\``;
}

/** The comment lines directly above a declaration, without their markers: its documentation. */
export function leadingComment(template: ModelTemplate): string | undefined {
  const { comments } = template.unit.syntax;
  const text = template.unit.text;
  let end = template.decl.span.start;
  const lines: string[] = [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i]!;
    if (c.span.end > end) continue;
    const gap = text.slice(c.span.end, end);
    if (gap.trim() !== '' || (gap.match(/\n/g)?.length ?? 0) > 1) break;
    lines.unshift(c.text.replace(/^(#|\/\/)\s?/, '').replace(/^\/\*+\s?|\s*\*+\/$/g, ''));
    end = c.span.start;
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

export function modelSummary(analysis: Analysis, template: ModelTemplate): string[] {
  const text = template.unit.text;
  const params = template.decl.params.map((p) => modelParamLabel(p, text));
  const lines = [code(`model ${template.name}${params.length > 0 ? `(${params.join(', ')})` : ''}`)];
  const doc = leadingComment(template);
  if (doc) lines.push(doc);
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const statement of template.decl.body) {
    if (statement.kind === 'InputDecl' && statement.name) inputs.push(declShapes(analysis, template, statement.name));
    if (statement.kind === 'OutputDecl' && statement.name) {
      const aux = statement.clauses.some((c) => c.clause === 'aux') ? ' (aux)' : '';
      outputs.push(declShapes(analysis, template, statement.name) + aux);
    }
  }
  if (inputs.length > 0) lines.push(`**Inputs**: ${inputs.join(', ')}`);
  if (outputs.length > 0) lines.push(`**Outputs**: ${outputs.join(', ')}`);
  const own = analysis.models.find((m) => m.template === template);
  if (own?.graph) {
    const total = totalParams(own.graph.layers);
    lines.push(`**${plural(total.total, 'param')}**${total.nonTrainable > 0 ? ` (${plural(total.nonTrainable, 'non-trainable param')})` : ''}`);
  } else if (own && own.unavailable.length > 0) {
    lines.push(`Not compiled on its own: ${own.unavailable.join('; ')}.`);
  }
  if (template.unit !== analysis.unit) lines.push(`Declared in \`${template.unit.uri.split('/').pop()}\`.`);
  return lines;
}

/** At `x -> Block(…)`: the shapes in and out of this use and the parameters it adds, per run of the model it is in. */
export function useSummary(analysis: Analysis, caller: ModelTemplate, pipeline: ast.Pipeline, stage: Node): string[] {
  const index = pipeline.stages.indexOf(stage as ast.Stage);
  if (index < 0) return [];
  const previous = index === 0 ? pipeline.source : pipeline.stages[index - 1]!;
  const outs = valuesOf(analysis, caller, stage);
  const ins = valuesOf(analysis, caller, previous);
  const groups = new Map<string, (readonly string[] | undefined)[]>();
  outs.forEach((out, k) => {
    const input = ins.length === outs.length ? ins[k]!.value : undefined;
    const inRefs = refsOf(input);
    const outRefs = refsOf(out.value);
    const params = inRefs.length > 0 && outRefs.length > 0 ? ` · ${plural(paramsBetween(inRefs, outRefs), 'param')}` : '';
    const text = `${input ? `\`${shapeText(input)}\` → ` : ''}\`${shapeText(out.value)}\`${params}`;
    groups.set(text, [...(groups.get(text) ?? []), out.path]);
  });
  if (groups.size === 0) return [];
  if (groups.size === 1) return [`**This use**: ${[...groups.keys()][0]}`];
  return [['**This use**, per use of `' + caller.name + '`:', ...[...groups].map(([t, paths]) => `- ${t} — ${[...new Set(paths.map((p) => describeRun(p, caller)))].join('; ')}`)].join('\n')];
}
