/**
 * Which instance a traced value belongs to.
 *
 * The analysis records the value of every expression each time it is
 * evaluated: once when a model is checked on its own, and once more for
 * every use of it inside another model (every "run" of its body). The trace
 * does not say which run a value came from, so this module works it out:
 *
 * - every run evaluates each statement of the body once, so the names a
 *   statement declares are traced exactly once per run, and the k-th value
 *   of any node traced once per run belongs to run k;
 * - the value a run gives for its output is the very object the caller's
 *   stage `x -> Block()` records, so identity links run k of `Block` to the
 *   caller's stage and the caller's own run, up to a model checked on its own.
 */
import type { Analysis } from '../semantics/analyze.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { ModelScope } from '../semantics/resolve.js';
import { ancestorsIn, callersOf, scopeOf, statementAt } from './model-index.js';
import type { Node } from './tree.js';

export interface Run {
  /** Where the run happened, outermost first: `['LstmCnn', 'merged']`; `['Head']` for the model on its own. */
  readonly path: readonly string[] | undefined;
}

interface RunTable {
  readonly runs: readonly Run[];
}

interface Link {
  readonly caller: ModelTemplate;
  readonly run: number;
  readonly statement: string;
}

const tables = new WeakMap<Analysis, Map<ModelTemplate, RunTable>>();
const linkIndexes = new WeakMap<Analysis, Map<ModelTemplate, Map<object, Link[]>>>();

/** The first name a statement of the model declares (traced once per run), if any. */
function anchorOf(template: ModelTemplate): ast.Identifier | undefined {
  for (const statement of template.decl.body) {
    if ((statement.kind === 'InputDecl' || statement.kind === 'OutputDecl') && statement.name) return statement.name;
    if (statement.kind === 'Binding' && statement.names[0]) return statement.names[0];
  }
  return undefined;
}

function firstOutput(template: ModelTemplate): ast.Identifier | undefined {
  for (const statement of template.decl.body) if (statement.kind === 'OutputDecl' && statement.name) return statement.name;
  return undefined;
}

/** How many times the body of a model was run in this analysis. */
export function runCount(analysis: Analysis, template: ModelTemplate): number {
  const anchor = anchorOf(template);
  return anchor ? analysis.trace.get(anchor)?.length ?? 0 : 0;
}

/** The name of the statement a node is in, for labels: `cnn1`, `cat, dog`. */
function statementName(decl: ast.ModelDecl, node: Node): string {
  const statement = statementAt(decl, node.span.start);
  switch (statement?.kind) {
    case 'Binding':
      return statement.names.map((n) => n.name).join(', ');
    case 'OutputDecl':
    case 'SharedDecl':
    case 'InputDecl':
      return statement.name?.name ?? '?';
    default:
      return '?';
  }
}

/**
 * The stages of a model that apply `callee`, directly (`x -> Block()`) or
 * through a shared instance of it (`x -> enc`), found from the resolved names.
 */
export function stagesUsing(analysis: Analysis, caller: ModelTemplate, callee: ModelTemplate): ast.Stage[] {
  const scope = scopeOf(analysis, caller);
  const stages: ast.Stage[] = [];
  for (const [ident, target] of scope.refs) {
    const applies =
      (target.kind === 'model' && target.template === callee) ||
      (target.kind === 'local' && target.decl.node.kind === 'SharedDecl' && sharedModel(scope, target.decl.node) === callee);
    if (!applies) continue;
    const ancestors = ancestorsIn(caller.decl, ident);
    const stage = ancestors[ancestors.length - 1];
    const pipeline = ancestors[ancestors.length - 2];
    if (stage && pipeline?.kind === 'Pipeline' && pipeline.stages.includes(stage as ast.Stage)) stages.push(stage as ast.Stage);
  }
  return stages;
}

/** The model a `shared name = Model(…)` declaration makes an instance of. */
function sharedModel(scope: ModelScope, decl: ast.SharedDecl): ModelTemplate | undefined {
  const value = decl.value;
  const ident = value?.kind === 'Call' ? value.callee : value?.kind === 'NameRef' ? value.name : undefined;
  const target = ident ? scope.refs.get(ident) : undefined;
  return target?.kind === 'model' ? target.template : undefined;
}

/**
 * For one callee model: each value a caller's stage recorded for a use of
 * it, mapped to that caller, its run and the statement of the use.
 */
function linksTo(analysis: Analysis, callee: ModelTemplate): Map<object, Link[]> {
  let perCallee = linkIndexes.get(analysis);
  if (!perCallee) {
    perCallee = new Map();
    linkIndexes.set(analysis, perCallee);
  }
  let links = perCallee.get(callee);
  if (links) return links;
  const map = new Map<object, Link[]>();
  perCallee.set(callee, map);
  const add = (value: Value, link: Link) => {
    if (value.kind === 'unknown') return; // one shared object for every unknown value: it links nothing
    const list = map.get(value);
    if (list) list.push(link);
    else map.set(value, [link]);
    if (value.kind === 'record') for (const field of value.fields.values()) add(field, link);
  };
  for (const caller of callersOf(analysis, callee)) {
    for (const stage of stagesUsing(analysis, caller, callee)) {
      const values = analysis.trace.get(stage) ?? [];
      const statement = statementName(caller.decl, stage);
      for (let run = 0; run < values.length; run++) add(values[run]!, { caller, run, statement });
    }
  }
  return map;
}

/** Every run of a model's body, in the order the trace records them, with where it happened when that can be told. */
export function runsOf(analysis: Analysis, template: ModelTemplate, depth = 0): readonly Run[] {
  let perTemplate = tables.get(analysis);
  if (!perTemplate) {
    perTemplate = new Map();
    tables.set(analysis, perTemplate);
  }
  const cached = perTemplate.get(template);
  if (cached) return cached.runs;
  const count = runCount(analysis, template);
  const output = firstOutput(template);
  const outputs = output ? analysis.trace.get(output) ?? [] : [];
  const links = output && depth < 8 ? linksTo(analysis, template) : new Map<object, Link[]>();
  const used = new Set<Link>();
  const runs: Run[] = [];
  const unlinked: number[] = [];
  for (let k = 0; k < count; k++) {
    const value = outputs.length === count ? outputs[k] : undefined;
    const link = value ? links.get(value)?.find((l) => !used.has(l)) : undefined;
    if (!link) {
      unlinked.push(k);
      runs.push({ path: undefined });
      continue;
    }
    used.add(link);
    const callerRuns = runsOf(analysis, link.caller, depth + 1);
    const callerPath = callerRuns[link.run]?.path;
    runs.push({ path: callerPath ? [...callerPath, link.statement] : undefined });
  }
  // The one run nothing called is the model checked on its own (every model of the main file is).
  const isRoot = analysis.unit?.models.get(template.name) === template;
  if (isRoot && unlinked.length === 1) runs[unlinked[0]!] = { path: [template.name] };
  perTemplate.set(template, { runs });
  return runs;
}

export interface RunValue {
  readonly value: Value;
  /** Where this value was computed; undefined when it cannot be told. */
  readonly path: readonly string[] | undefined;
}

/** The values recorded for a node of `template`, each with the run it belongs to when known. */
export function valuesOf(analysis: Analysis, template: ModelTemplate | undefined, node: object): RunValue[] {
  const values = analysis.trace.get(node) ?? [];
  if (!template) return values.map((value) => ({ value, path: undefined }));
  const runs = runsOf(analysis, template);
  const aligned = values.length === runs.length;
  return values.map((value, k) => ({ value, path: aligned ? runs[k]!.path : undefined }));
}

/** `` `LstmCnn` › `merged` ``, or `` `Head` on its own ``. */
export function describeRun(path: readonly string[] | undefined, template: ModelTemplate | undefined): string {
  if (!path) return 'another use';
  if (path.length === 1 && template && path[0] === template.name) return `\`${path[0]}\` on its own`;
  return path.map((p) => `\`${p}\``).join(' › ');
}
