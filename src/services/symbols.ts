/**
 * The outline of a document (models with their parameters, inputs, branches,
 * outputs, shared layers and train block) and the names a workspace-wide
 * search finds (models and what they declare, in every file loaded).
 * Read from the syntax tree, so a file with errors still has an outline; the
 * detail of an input, branch or output is its shape when the checker knows it.
 */
import { formatShape } from '../catalogue/shape.js';
import { shapesAt, type Analysis } from '../semantics/analyze.js';
import type { SourceUnit } from '../semantics/program.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';

export type SymbolKind = 'import' | 'model' | 'parameter' | 'input' | 'branch' | 'output' | 'shared' | 'train' | 'setting';

export interface OutlineSymbol {
  readonly name: string;
  readonly kind: SymbolKind;
  readonly detail?: string;
  /** The whole declaration. */
  readonly span: Span;
  /** The name (inside `span`). */
  readonly selectionSpan: Span;
  readonly children: readonly OutlineSymbol[];
}

export interface WorkspaceSymbol {
  readonly name: string;
  readonly kind: SymbolKind;
  readonly uri: string;
  readonly span: Span;
  /** The model a member belongs to. */
  readonly container?: string;
}

export function documentSymbols(analysis: Analysis): OutlineSymbol[] {
  const unit = analysis.unit;
  if (!unit) return [];
  const shapeOf = (node: object): string | undefined => {
    const shapes = [...new Set(shapesAt(analysis, node).map((s) => formatShape(s)))];
    return shapes.length === 0 ? undefined : shapes.join(' | ');
  };
  const imports: OutlineSymbol[] = unit.syntax.imports.flatMap((decl) =>
    decl.path ? [leaf(`import "${decl.path.value}"`, 'import', decl.span, decl.path.span, decl.names?.map((n) => n.name).join(', '))] : [],
  );
  const models = unit.syntax.models.flatMap((model) => (model.name ? [modelSymbol(model, model.name, shapeOf)] : []));
  return [...imports, ...models].sort((a, b) => a.span.start - b.span.start);
}

function modelSymbol(model: ast.ModelDecl, name: ast.Identifier, shapeOf: (node: object) => string | undefined): OutlineSymbol {
  const children: OutlineSymbol[] = [];
  for (const param of model.params) {
    if (param.name) children.push(leaf(param.name.name, 'parameter', param.span, param.name.span, param.type?.name));
  }
  for (const statement of model.body) children.push(...statementSymbols(statement, shapeOf));
  const params = model.params.map((p) => p.name?.name ?? '?').join(', ');
  return { name: name.name, kind: 'model', detail: model.params.length > 0 ? `(${params})` : undefined, span: model.span, selectionSpan: name.span, children };
}

function statementSymbols(statement: ast.Statement, shapeOf: (node: object) => string | undefined): OutlineSymbol[] {
  switch (statement.kind) {
    case 'InputDecl':
      return statement.name ? [leaf(statement.name.name, 'input', statement.span, statement.name.span, shapeOf(statement.name))] : [];
    case 'Binding':
      return statement.names.map((n) => leaf(n.name, 'branch', statement.span, n.span, shapeOf(n)));
    case 'OutputDecl': {
      if (!statement.name) return [];
      const aux = statement.clauses.some((c) => c.clause === 'aux');
      const shape = shapeOf(statement.name);
      const detail = [aux ? 'aux' : undefined, shape].filter(Boolean).join(' ') || undefined;
      return [leaf(statement.name.name, 'output', statement.span, statement.name.span, detail)];
    }
    case 'SharedDecl':
      return statement.name ? [leaf(statement.name.name, 'shared', statement.span, statement.name.span, statement.value?.kind === 'Call' ? statement.value.callee.name : undefined)] : [];
    case 'TrainBlock': {
      const settings = statement.settings.flatMap((s) => (s.key ? [leaf(s.key.name, 'setting', s.span, s.key.span)] : []));
      // `train` is the first word of the block; its span starts there.
      const keyword = { start: statement.span.start, end: statement.span.start + 'train'.length };
      return [{ name: 'train', kind: 'train', span: statement.span, selectionSpan: keyword, children: settings }];
    }
  }
}

function leaf(name: string, kind: SymbolKind, span: Span, selectionSpan: Span, detail?: string): OutlineSymbol {
  return { name, kind, ...(detail ? { detail } : {}), span, selectionSpan, children: [] };
}

/**
 * Models and their members across `units`, matching `query` as a
 * case-insensitive subsequence (`acnn` finds `aux_cnn`), as editors expect.
 */
export function workspaceSymbols(units: Iterable<SourceUnit>, query: string): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  const wanted = query.toLowerCase();
  const add = (name: string, kind: SymbolKind, uri: string, span: Span, container?: string) => {
    if (matches(name.toLowerCase(), wanted)) out.push({ name, kind, uri, span, ...(container ? { container } : {}) });
  };
  for (const unit of units) {
    for (const model of unit.syntax.models) {
      if (!model.name) continue;
      add(model.name.name, 'model', unit.uri, model.name.span);
      for (const statement of model.body) {
        for (const symbol of statementSymbols(statement, () => undefined)) {
          if (symbol.kind !== 'train') add(symbol.name, symbol.kind, unit.uri, symbol.selectionSpan, model.name.name);
        }
      }
    }
  }
  return out;
}

function matches(name: string, query: string): boolean {
  let i = 0;
  for (let j = 0; j < name.length && i < query.length; j++) if (name[j] === query[i]) i++;
  return i === query.length;
}
