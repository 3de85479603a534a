/**
 * What services need to know about the models of an analysis beyond what
 * `analyze` returns: the scope of every model of every loaded file (the
 * analysis exposes only the main file's), which declaration an identifier
 * declares, and each model's parent links. All computed on first use and
 * cached against the immutable objects they describe.
 */
import type { Analysis } from '../semantics/analyze.js';
import type { ModelTemplate, SourceUnit } from '../semantics/program.js';
import { resolveModel, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import { DiagnosticSink } from '../diagnostics/diagnostic.js';
import type * as ast from '../syntax/ast.js';
import { pathTo, walk, type Node } from './tree.js';

const importedScopes = new WeakMap<ModelTemplate, ModelScope>();

/** The scope of a model: the analysis's own for the main file, resolved here (once) for imported files. */
export function scopeOf(analysis: Analysis, template: ModelTemplate): ModelScope {
  for (const model of analysis.models) if (model.template === template) return model.scope;
  let scope = importedScopes.get(template);
  if (!scope) {
    // Its diagnostics were reported by the analysis already; these are thrown away.
    scope = resolveModel(template, new DiagnosticSink());
    importedScopes.set(template, scope);
  }
  return scope;
}

/** Every model template of every file the analysis loaded. */
export function allTemplates(analysis: Analysis): ModelTemplate[] {
  const out: ModelTemplate[] = [];
  for (const unit of analysis.program.units.values()) out.push(...unit.models.values());
  return out;
}

export function unitOf(analysis: Analysis, uri: string): SourceUnit | undefined {
  return analysis.program.units.get(uri);
}

/** The template declared by `decl`, unless it is a duplicate declaration (which has none). */
export function templateOf(unit: SourceUnit, decl: ast.ModelDecl): ModelTemplate | undefined {
  if (!decl.name) return undefined;
  const template = unit.models.get(decl.name.name);
  return template?.decl === decl ? template : undefined;
}

/**
 * The model declaration an offset is in: the last one starting at or before
 * it. A model whose closing `}` is missing still owns the text after it, up
 * to the next declaration (the parser splits the file at `model` keywords).
 */
export function modelDeclAt(unit: SourceUnit, offset: number): ast.ModelDecl | undefined {
  let found: ast.ModelDecl | undefined;
  for (const decl of unit.syntax.models) {
    if (decl.span.start <= offset) found = decl;
    else break;
  }
  if (!found) return undefined;
  const nextImport = unit.syntax.imports.find((i) => i.span.start > found!.span.start && i.span.start <= offset);
  return nextImport ? undefined : found;
}

const declIndexes = new WeakMap<ModelScope, Map<ast.Identifier, LocalDecl>>();

/** The declaration an identifier declares (not uses), in one model. */
export function declaredBy(scope: ModelScope, ident: ast.Identifier): LocalDecl | undefined {
  let index = declIndexes.get(scope);
  if (!index) {
    index = new Map(scope.decls.map((d) => [d.ident, d]));
    declIndexes.set(scope, index);
  }
  return index.get(ident);
}

/** The parameter or statement of a model that contains `offset` (binary search: statements are in source order). */
export function statementAt(decl: ast.ModelDecl, offset: number): Node | undefined {
  for (const param of decl.params) if (param.span.start <= offset && offset <= param.span.end) return param;
  const body = decl.body;
  let lo = 0;
  let hi = body.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const statement = body[mid]!;
    if (offset < statement.span.start) hi = mid - 1;
    else if (offset > statement.span.end) lo = mid + 1;
    else return statement;
  }
  return undefined;
}

const parentIndexes = new WeakMap<ast.ModelDecl, Map<Node, Node>>();

/** Parent links of a whole model, built once: for nodes the descent below cannot reach. */
function parentsIn(decl: ast.ModelDecl): Map<Node, Node> {
  let parents = parentIndexes.get(decl);
  if (!parents) {
    const map = new Map<Node, Node>();
    walk(decl, (node, parent) => {
      if (parent) map.set(node, parent);
    });
    parents = map;
    parentIndexes.set(decl, parents);
  }
  return parents;
}

/**
 * The ancestors of a node inside a model, its statement first and its
 * parent last, found by descending from the statement at the node's start
 * (no index of the whole model is needed for that).
 */
export function ancestorsIn(decl: ast.ModelDecl, node: Node): Node[] {
  const statement = statementAt(decl, node.span.start);
  if (statement) {
    const path = pathTo(statement, node.span.start);
    const at = path.indexOf(node);
    if (at >= 0) return path.slice(0, at);
    if (statement === node) return [];
  }
  // A node the descent misses (an empty span, an odd recovery): ask the full index.
  const parents = parentsIn(decl);
  const out: Node[] = [];
  for (let p = parents.get(node); p && p !== decl; p = parents.get(p)) out.unshift(p);
  return out;
}

export function parentOf(decl: ast.ModelDecl, node: Node): Node | undefined {
  const ancestors = ancestorsIn(decl, node);
  return ancestors[ancestors.length - 1] ?? (statementAt(decl, node.span.start) === node ? decl : undefined);
}

const callerIndexes = new WeakMap<Analysis, Map<ModelTemplate, ModelTemplate[]>>();

/** The models that refer to `template` (use it, share it, or name it), from one pass over every scope. */
export function callersOf(analysis: Analysis, template: ModelTemplate): readonly ModelTemplate[] {
  let index = callerIndexes.get(analysis);
  if (!index) {
    index = new Map();
    for (const caller of allTemplates(analysis)) {
      const seen = new Set<ModelTemplate>();
      for (const target of scopeOf(analysis, caller).refs.values()) {
        if (target.kind !== 'model' || seen.has(target.template)) continue;
        seen.add(target.template);
        const list = index.get(target.template);
        if (list) list.push(caller);
        else index.set(target.template, [caller]);
      }
    }
    callerIndexes.set(analysis, index);
  }
  return index.get(template) ?? [];
}

/** Every use of a local declaration in its model (identifiers, not the declaration). */
export function usesOf(scope: ModelScope, decl: LocalDecl): ast.Identifier[] {
  const out: ast.Identifier[] = [];
  for (const [ident, target] of scope.refs) if (target.kind === 'local' && target.decl === decl) out.push(ident);
  return out;
}
