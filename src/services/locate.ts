/**
 * What is at an offset: the innermost syntax node with its ancestors, the
 * model it is in, and, on a name, what that name is. Every other service
 * starts here.
 */
import type { CatalogueEntry, ParamSpec } from '../catalogue/types.js';
import { lookupEntry } from '../catalogue/index.js';
import { functionEntries, lossByName, metricByName, trainingSettings, type FunctionEntry, type NamedEntry } from '../catalogue/training.js';
import type { Analysis } from '../semantics/analyze.js';
import type { ModelTemplate, SourceUnit } from '../semantics/program.js';
import { functionalLayers, type LocalDecl, type ModelScope, type Target } from '../semantics/resolve.js';
import type * as ast from '../syntax/ast.js';
import { declaredBy, modelDeclAt, scopeOf, templateOf, unitOf } from './model-index.js';
import { commentAt, pathTo, type Node } from './tree.js';

export interface ModelContext {
  readonly decl: ast.ModelDecl;
  /** Undefined for a duplicate declaration (it has no scope of its own). */
  readonly template: ModelTemplate | undefined;
  readonly scope: ModelScope | undefined;
}

/** What a callee name refers to. */
export type Callee =
  | { readonly kind: 'entry'; readonly entry: CatalogueEntry; readonly name: string }
  | { readonly kind: 'model'; readonly template: ModelTemplate }
  | { readonly kind: 'function'; readonly entry: FunctionEntry };

/** What the identifier under the cursor is. */
export type SymbolInfo =
  /** An input, branch, output, shared instance or parameter, where it is declared or used. */
  | { readonly kind: 'local'; readonly decl: LocalDecl; readonly template: ModelTemplate; readonly isDeclaration: boolean }
  /** A model, where it is declared, used or imported by name. */
  | { readonly kind: 'model'; readonly template: ModelTemplate; readonly isDeclaration: boolean }
  /** A catalogue layer or merge (`Dense`, `concat`, `flatten`). */
  | { readonly kind: 'entry'; readonly entry: CatalogueEntry; readonly name: string }
  /** An optimizer or regularizer (`adam`, `l2`). */
  | { readonly kind: 'function'; readonly entry: FunctionEntry }
  /** `name:` of a named argument, with the parameter it sets (when the callee has one by that name). */
  | { readonly kind: 'argument'; readonly name: string; readonly call: ast.Call; readonly callee: Callee | undefined; readonly param: ParamSpec | undefined; readonly modelParam: ast.ParamDecl | undefined }
  /** `.features` of `enc.features`: an output of a sub-model. */
  | { readonly kind: 'member'; readonly name: string; readonly member: ast.Member; readonly template: ModelTemplate | undefined; readonly output: LocalDecl | undefined }
  /** A `train { key: … }` key. */
  | { readonly kind: 'setting'; readonly name: string; readonly spec: ParamSpec | undefined }
  | { readonly kind: 'loss' | 'metric'; readonly name: string; readonly entry: NamedEntry | undefined }
  /** A bare name used as a value (`relu`, `same`, `trainable`), with the parameter it is given to when known. */
  | { readonly kind: 'value'; readonly name: string; readonly param: ParamSpec | undefined; readonly callee: Callee | undefined }
  /** A parameter type (`int`) or an input dtype (`int32`). */
  | { readonly kind: 'type'; readonly name: string; readonly role: 'param' | 'dtype' };

export interface Located {
  readonly uri: string;
  readonly unit: SourceUnit;
  readonly offset: number;
  /** The innermost node at the offset (the file itself when nothing narrower is). */
  readonly node: Node;
  /** The node's ancestors, the file first and the parent last. */
  readonly ancestors: readonly Node[];
  readonly model: ModelContext | undefined;
  /** The identifier at the offset, if the node is one. */
  readonly identifier: ast.Identifier | undefined;
  readonly symbol: SymbolInfo | undefined;
}

export function locate(analysis: Analysis, uri: string, offset: number): Located | undefined {
  const unit = unitOf(analysis, uri);
  if (!unit || !Number.isFinite(offset) || offset < 0 || offset > unit.text.length) return undefined;
  const file = unit.syntax;
  const comment = commentAt(file, offset);
  const path: Node[] = comment ? [file, comment] : pathTo(file, offset);
  const node = path[path.length - 1]!;
  const ancestors = path.slice(0, -1);
  const modelDecl = path.find((n): n is ast.ModelDecl => n.kind === 'ModelDecl') ?? modelDeclAt(unit, offset);
  const template = modelDecl ? templateOf(unit, modelDecl) : undefined;
  const model: ModelContext | undefined = modelDecl ? { decl: modelDecl, template, scope: template ? scopeOf(analysis, template) : undefined } : undefined;
  const identifier = node.kind === 'Identifier' ? node : undefined;
  const symbol = identifier ? classify(analysis, unit, model, identifier, ancestors) : undefined;
  return { uri, unit, offset, node, ancestors, model, identifier, symbol };
}

/** What a callee name resolves to where it is used: the resolver's answer, else the visible models and the catalogue. */
export function calleeOf(target: Target | undefined): Callee | undefined {
  if (!target) return undefined;
  switch (target.kind) {
    case 'entry':
      return { kind: 'entry', entry: target.entry, name: target.entry.name };
    case 'model':
      return { kind: 'model', template: target.template };
    case 'function':
      return { kind: 'function', entry: target.entry };
    case 'local':
      return undefined;
  }
}

/** What the name before `(` refers to, as the resolver would see it from this file. */
export function resolveCallee(unit: SourceUnit, name: string): Callee | undefined {
  const model = unit.visible.get(name);
  if (model) return { kind: 'model', template: model };
  const entry = lookupEntry(name) ?? lookupEntry(functionalLayers.get(name) ?? '');
  if (entry) return { kind: 'entry', entry, name };
  const fn = functionEntries.get(name);
  return fn ? { kind: 'function', entry: fn } : undefined;
}

function classify(analysis: Analysis, unit: SourceUnit, model: ModelContext | undefined, ident: ast.Identifier, ancestors: readonly Node[]): SymbolInfo | undefined {
  const parent = ancestors[ancestors.length - 1];
  const scope = model?.scope;
  const template = model?.template;
  if (!parent) return undefined;

  switch (parent.kind) {
    case 'ModelDecl': {
      const declared = templateOf(unit, parent);
      return declared ? { kind: 'model', template: declared, isDeclaration: true } : undefined;
    }
    case 'ImportDecl': {
      const imported = unit.visible.get(ident.name);
      return imported && imported.unit !== unit ? { kind: 'model', template: imported, isDeclaration: false } : undefined;
    }
    case 'ParamDecl':
      if (parent.type === ident) return { kind: 'type', name: ident.name, role: 'param' };
      break;
    case 'InputDecl':
      if (parent.dtype === ident) return { kind: 'type', name: ident.name, role: 'dtype' };
      break;
    case 'Setting':
      if (parent.key === ident) {
        return { kind: 'setting', name: ident.name, spec: trainingSettings.find((s) => s.name === ident.name || s.aliases?.includes(ident.name)) };
      }
      break;
    case 'Argument':
      if (parent.name === ident) {
        const call = ancestors[ancestors.length - 2];
        if (call?.kind !== 'Call') return undefined;
        return argumentSymbol(ident.name, call, calleeOf(scope?.refs.get(call.callee)));
      }
      break;
    case 'Member':
      if (parent.name === ident && scope && template) {
        const sub = modelOfExpression(analysis, scope, parent.target);
        const output = sub ? scopeOf(analysis, sub).byName.get(ident.name) : undefined;
        return { kind: 'member', name: ident.name, member: parent, template: sub, output: output?.kind === 'output' ? output : undefined };
      }
      return undefined;
    default:
      break;
  }

  if (scope && template) {
    const declared = declaredBy(scope, ident);
    if (declared) return { kind: 'local', decl: declared, template, isDeclaration: true };
    const target = scope.refs.get(ident);
    if (target) {
      switch (target.kind) {
        case 'local':
          return { kind: 'local', decl: target.decl, template, isDeclaration: false };
        case 'model':
          return { kind: 'model', template: target.template, isDeclaration: false };
        case 'entry':
          return { kind: 'entry', entry: target.entry, name: ident.name };
        case 'function':
          return { kind: 'function', entry: target.entry };
      }
    }
  }
  // An unresolved bare name: a symbol whose meaning depends on where it is.
  if (parent.kind === 'NameRef') return symbolInContext(ident.name, ancestors, scope);
  return undefined;
}

function argumentSymbol(name: string, call: ast.Call, callee: Callee | undefined): SymbolInfo {
  if (callee?.kind === 'model') {
    const modelParam = callee.template.decl.params.find((p) => p.name?.name === name);
    return { kind: 'argument', name, call, callee, param: undefined, modelParam };
  }
  const params = callee ? callee.entry.params : [];
  const param = params.find((p) => p.name === name || p.aliases?.includes(name));
  return { kind: 'argument', name, call, callee, param, modelParam: undefined };
}

const statementKinds = new Set<Node['kind']>(['InputDecl', 'OutputDecl', 'Binding', 'SharedDecl', 'TrainBlock', 'ParamDecl', 'ModelDecl']);

/** `relu`, `mse`, `accuracy`, `same`: what a bare name means from what encloses it. */
function symbolInContext(name: string, ancestors: readonly Node[], scope: ModelScope | undefined): SymbolInfo {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i]!;
    if (node.kind === 'OutputClause') {
      if (node.clause === 'loss') return { kind: 'loss', name, entry: lossByName.get(name) };
      if (node.clause === 'metrics') return { kind: 'metric', name, entry: metricByName.get(name) };
      break;
    }
    if (node.kind === 'Setting') {
      const key = node.key?.name;
      if (key === 'loss') return { kind: 'loss', name, entry: lossByName.get(name) };
      if (key === 'metrics') return { kind: 'metric', name, entry: metricByName.get(name) };
      break;
    }
    if (node.kind === 'Argument') {
      const call = ancestors[i - 1];
      if (call?.kind !== 'Call') break;
      const callee = calleeOf(scope?.refs.get(call.callee));
      return { kind: 'value', name, param: parameterOfArgument(call, node, callee), callee };
    }
    if (statementKinds.has(node.kind)) break;
  }
  return { kind: 'value', name, param: undefined, callee: undefined };
}

/** The catalogue parameter an argument sets: by its name, or by its position among the positional ones. */
export function parameterOfArgument(call: ast.Call, arg: ast.Argument, callee: Callee | undefined): ParamSpec | undefined {
  if (!callee || callee.kind === 'model') return undefined;
  const params = callee.entry.params;
  if (arg.name) return params.find((p) => p.name === arg.name!.name || p.aliases?.includes(arg.name!.name));
  if (callee.kind === 'entry' && callee.entry.kind === 'merge') return undefined; // positional arguments are its tensors
  let position = call.args.indexOf(arg);
  if (functionalLayers.has(call.callee.name)) position--; // `reshape(x, …)`: the tensor comes first
  return position >= 0 ? params[position] : undefined;
}

/**
 * The sub-model whose outputs an expression gives, found in the text: a
 * pipeline ending in a model (or a shared instance of one), or a branch bound
 * to such a pipeline. Used for `enc.features`.
 */
export function modelOfExpression(analysis: Analysis, scope: ModelScope, expr: ast.Expression | undefined, depth = 0): ModelTemplate | undefined {
  if (!expr || depth > 20) return undefined;
  if (expr.kind === 'NameRef') {
    const target = scope.refs.get(expr.name);
    if (target?.kind !== 'local') return undefined;
    const node = target.decl.node;
    if (node.kind === 'Binding' && node.names.length === 1) return modelOfExpression(analysis, scope, node.value, depth + 1);
    return undefined;
  }
  if (expr.kind === 'Pipeline') {
    const last = expr.stages[expr.stages.length - 1];
    if (!last) return undefined;
    const ident = last.kind === 'Call' ? last.callee : last.name;
    const target = scope.refs.get(ident);
    if (target?.kind === 'model') return target.template;
    if (target?.kind === 'local' && target.decl.node.kind === 'SharedDecl') {
      const value = target.decl.node.value;
      const callee = value?.kind === 'Call' ? value.callee : value?.kind === 'NameRef' ? value.name : undefined;
      const shared = callee ? scope.refs.get(callee) : undefined;
      return shared?.kind === 'model' ? shared.template : undefined;
    }
  }
  return undefined;
}
