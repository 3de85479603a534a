/**
 * The front end's entry point: parse a file and what it imports, resolve
 * names, check every model, and build the graph of every model that can be
 * compiled on its own. The CLI and the language server both call this.
 */
import { DiagnosticSink, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Shape } from '../catalogue/types.js';
import type { Session } from './context.js';
import { GraphBuilder, type Graph } from './graph.js';
import { elaborateRoot, standaloneProblems } from './instantiate.js';
import { Program, resolveImportPath, type ModelTemplate, type SourceHost, type SourceUnit } from './program.js';
import { resolveModel, type ModelScope } from './resolve.js';
import type { Value } from './values.js';

export interface ModelAnalysis {
  readonly name: string;
  readonly template: ModelTemplate;
  readonly scope: ModelScope;
  /** The training graph; undefined when the model cannot be compiled on its own or has errors. */
  readonly graph: Graph | undefined;
  /** Why the model has no graph of its own (needs parameters, shape-less inputs, or has errors). */
  readonly unavailable: readonly string[];
}

export interface Analysis {
  readonly uri: string;
  readonly program: Program;
  readonly unit: SourceUnit | undefined;
  /** Every diagnostic of this file and the files it imports, sorted. */
  readonly diagnostics: readonly Diagnostic[];
  readonly models: readonly ModelAnalysis[];
  /** Values computed for expressions and names (all instantiations), for hovers and hints; empty unless `trace` was asked for. */
  readonly trace: ReadonlyMap<object, readonly Value[]>;
}

export interface AnalyzeOptions {
  /** The document's text when it differs from the host's (an unsaved editor buffer). */
  readonly text?: string;
  /** Values for model parameters, by model name then parameter name. */
  readonly params?: ReadonlyMap<string, ReadonlyMap<string, Value>>;
  /** Record the value of every expression (for editors); off for batch checks. */
  readonly trace?: boolean;
}

export function analyze(uri: string, host: SourceHost, options: AnalyzeOptions = {}): Analysis {
  const sink = new DiagnosticSink();
  const program = new Program(host, sink);
  const unit = program.load(uri, options.text);
  const trace = new Map<object, Value[]>();
  const scopes = new Map<ModelTemplate, ModelScope>();
  const scopeOf = (template: ModelTemplate): ModelScope => {
    let scope = scopes.get(template);
    if (!scope) {
      scope = resolveModel(template, sink);
      scopes.set(template, scope);
    }
    return scope;
  };
  const record = options.trace
    ? (node: object, value: Value) => {
        const list = trace.get(node);
        if (list) list.push(value);
        else trace.set(node, [value]);
      }
    : () => {};

  const models: ModelAnalysis[] = [];
  for (const template of unit?.models.values() ?? []) {
    const scope = scopeOf(template);
    const problems = standaloneProblems(template);
    const overrides = options.params?.get(template.name);
    const compilable = problems.length === 0 || (overrides !== undefined && problems.every((p) => p.startsWith('parameter') && overrides.has(p.split('`')[1]!)));
    const graphBuilder = new GraphBuilder();
    const session: Session = { program, sink, graph: graphBuilder, scopeOf, trace: record, errors: 0 };
    const body = elaborateRoot(session, template, compilable ? 'top' : 'abstract', overrides);
    const outputs = body.outputs;
    if (outputs.length === 0 && template.decl.name) {
      sink.report('MBN403', template.unit.uri, template.decl.name.span, `model \`${template.name}\` has no outputs`, {
        notes: ['declare at least one: `output y = … loss mse`'],
      });
    } else if (outputs.every((o) => o.decl.clauses.some((c) => c.clause === 'aux')) && template.decl.name) {
      sink.report('MBN407', template.unit.uri, template.decl.name.span, `every output of \`${template.name}\` is \`aux\`, so its inference model is empty`, {
        notes: ['`aux` marks training-only outputs; leave it off the output you predict with'],
      });
    }
    const unavailable = compilable ? (session.errors > 0 ? [`it has ${session.errors} error${session.errors === 1 ? '' : 's'}`] : []) : problems;
    const graph: Graph | undefined =
      compilable && session.errors === 0
        ? { name: template.name, inputs: graphBuilder.inputs, nodes: graphBuilder.nodes, layers: graphBuilder.layers, outputs: body.graphOutputs, training: body.training }
        : undefined;
    models.push({ name: template.name, template, scope, graph, unavailable });
  }
  if (unit) reportUnusedImports(unit, models, sink);
  return { uri, program, unit, diagnostics: sortDiagnostics(sink.all), models, trace };
}

/** An import none of whose models is used by this file's models. */
function reportUnusedImports(unit: SourceUnit, models: readonly ModelAnalysis[], sink: DiagnosticSink): void {
  if (unit.syntax.imports.length === 0) return;
  const used = new Set<ModelTemplate>();
  for (const model of models) for (const target of model.scope.refs.values()) if (target.kind === 'model') used.add(target.template);
  for (const decl of unit.syntax.imports) {
    if (!decl.path) continue;
    const target = resolveImportPath(unit.uri, decl.path.value);
    const imported = [...unit.visible.values()].filter((t) => t.unit.uri === target && t.unit !== unit);
    const wanted = decl.names ? imported.filter((t) => decl.names!.some((n) => n.name === t.name)) : imported;
    if (wanted.length > 0 && !wanted.some((t) => used.has(t))) {
      sink.report('MBN408', unit.uri, decl.span, `nothing imported from \`${decl.path.value}\` is used`, {
        fix: { title: 'remove this import', edits: [{ span: decl.span, newText: '' }] },
      });
    }
  }
}

/**
 * Why a model cannot be compiled on its own, as diagnostics at the offending
 * declarations (shown by commands that need a graph, such as `summary`).
 */
export function standaloneDiagnostics(model: ModelAnalysis): Diagnostic[] {
  const sink = new DiagnosticSink();
  const uri = model.template.unit.uri;
  for (const param of model.template.decl.params) {
    if (param.name && !param.default) {
      sink.report('MBN406', uri, param.span, `\`${model.name}\` cannot be compiled on its own: parameter \`${param.name.name}\` has no default`, {
        notes: ['give it a default (`units: int = 32`), or use the model inside another model that passes a value'],
      });
    }
  }
  for (const statement of model.template.decl.body) {
    if (statement.kind === 'InputDecl' && statement.name && !statement.shape) {
      sink.report('MBN406', uri, statement.span, `\`${model.name}\` cannot be compiled on its own: input \`${statement.name.name}\` has no shape`, {
        notes: ['an input without a shape takes the shape of what the model is applied to; give it one (`input x: [28, 28, 1]`) to compile the model by itself'],
      });
    }
  }
  return [...sink.all];
}

/** The shapes computed for a syntax node (several when a block is used several times). */
export function shapesAt(analysis: Analysis, node: object): Shape[] {
  return (analysis.trace.get(node) ?? []).flatMap((v) => (v.kind === 'tensor' && v.shape ? [v.shape] : []));
}

/** No model, or several, where one was needed; the message lists the models. */
export class ModelChoiceError extends Error {}

/** Models not used inside another model of the same file: the ones a user compiles. */
export function rootModels(analysis: Analysis): ModelAnalysis[] {
  const used = new Set<string>();
  for (const model of analysis.models) {
    for (const target of model.scope.refs.values()) if (target.kind === 'model') used.add(target.template.name);
  }
  return analysis.models.filter((m) => !used.has(m.name));
}

/** The model a command works on: the one named, or the file's only root model. */
export function pickModel(analysis: Analysis, name: string | undefined): ModelAnalysis {
  const all = analysis.models.map((m) => m.name);
  if (name !== undefined) {
    const model = analysis.models.find((m) => m.name === name);
    if (!model) throw new ModelChoiceError(`no model "${name}" in ${analysis.uri}; it declares: ${all.join(', ') || 'none'}`);
    return model;
  }
  const roots = rootModels(analysis);
  if (roots.length === 1) return roots[0]!;
  if (all.length === 0) throw new ModelChoiceError(`${analysis.uri} declares no models`);
  throw new ModelChoiceError(`${analysis.uri} declares several models (${roots.map((m) => m.name).join(', ')}); choose one with --model NAME`);
}
