/**
 * Every place a declared name occurs, across the files the analysis loaded:
 * a local's declaration and uses; a model parameter's named arguments in
 * calls of the model; a model output's `enc.features` members; a model's
 * declaration, uses and `import { … }` names. References and rename both
 * read this.
 */
import type { Analysis } from '../semantics/analyze.js';
import { resolveImportPath, type ModelTemplate } from '../semantics/program.js';
import type { LocalDecl } from '../semantics/resolve.js';
import type { Span } from '../syntax/source.js';
import { modelOfExpression, type SymbolInfo } from './locate.js';
import { allTemplates, ancestorsIn, callersOf, parentOf, scopeOf, usesOf } from './model-index.js';

export interface Occurrence {
  readonly uri: string;
  readonly span: Span;
  readonly isDeclaration: boolean;
}

/** The declaration a symbol stands for, when it is one the user declared. */
export type Declared = { readonly kind: 'local'; readonly decl: LocalDecl; readonly template: ModelTemplate } | { readonly kind: 'model'; readonly template: ModelTemplate };

export function declaredOf(analysis: Analysis, symbol: SymbolInfo | undefined): Declared | undefined {
  if (!symbol) return undefined;
  switch (symbol.kind) {
    case 'local':
      return { kind: 'local', decl: symbol.decl, template: symbol.template };
    case 'model':
      return { kind: 'model', template: symbol.template };
    case 'argument': {
      if (symbol.callee?.kind !== 'model' || !symbol.modelParam?.name) return undefined;
      const template = symbol.callee.template;
      const decl = scopeOf(analysis, template).byName.get(symbol.modelParam.name.name);
      return decl?.kind === 'param' ? { kind: 'local', decl, template } : undefined;
    }
    case 'member':
      return symbol.template && symbol.output ? { kind: 'local', decl: symbol.output, template: symbol.template } : undefined;
    default:
      return undefined;
  }
}

export function occurrencesOf(analysis: Analysis, declared: Declared): Occurrence[] {
  const out: Occurrence[] = [];
  if (declared.kind === 'local') {
    const { decl, template } = declared;
    const uri = template.unit.uri;
    out.push({ uri, span: decl.ident.span, isDeclaration: true });
    for (const use of usesOf(scopeOf(analysis, template), decl)) out.push({ uri, span: use.span, isDeclaration: false });
    if (decl.kind === 'param') out.push(...namedArguments(analysis, template, decl.name));
    if (decl.kind === 'output') out.push(...members(analysis, template, decl.name));
    return out;
  }
  const { template } = declared;
  if (template.decl.name) out.push({ uri: template.unit.uri, span: template.decl.name.span, isDeclaration: true });
  for (const caller of allTemplates(analysis)) {
    for (const [ident, target] of scopeOf(analysis, caller).refs) {
      if (target.kind === 'model' && target.template === template) out.push({ uri: caller.unit.uri, span: ident.span, isDeclaration: false });
    }
  }
  // `import { SmallCNN } from "nets"` in every loaded file that imports it by name.
  for (const unit of analysis.program.units.values()) {
    for (const decl of unit.syntax.imports) {
      if (!decl.path || !decl.names || resolveImportPath(unit.uri, decl.path.value) !== template.unit.uri) continue;
      for (const name of decl.names) if (name.name === template.name) out.push({ uri: unit.uri, span: name.span, isDeclaration: false });
    }
  }
  return out;
}

/** `Block(units: 3)`: the argument names that set parameter `name` of `template`. */
function namedArguments(analysis: Analysis, template: ModelTemplate, name: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const caller of callersOf(analysis, template)) {
    for (const [ident, target] of scopeOf(analysis, caller).refs) {
      if (target.kind !== 'model' || target.template !== template) continue;
      const call = parentOf(caller.decl, ident);
      if (call?.kind !== 'Call' || call.callee !== ident) continue;
      for (const arg of call.args) if (arg.name?.name === name) out.push({ uri: caller.unit.uri, span: arg.name.span, isDeclaration: false });
    }
  }
  return out;
}

/** `enc.features` where `enc` holds the outputs of `template`. */
function members(analysis: Analysis, template: ModelTemplate, name: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const caller of callersOf(analysis, template)) {
    const scope = scopeOf(analysis, caller);
    for (const [ident, target] of scope.refs) {
      if (target.kind !== 'local' || target.decl.node.kind !== 'Binding') continue;
      const ancestors = ancestorsIn(caller.decl, ident);
      const ref = ancestors[ancestors.length - 1];
      const member = ancestors[ancestors.length - 2];
      if (ref?.kind !== 'NameRef' || member?.kind !== 'Member' || member.target !== ref || member.name?.name !== name) continue;
      if (modelOfExpression(analysis, scope, ref) === template) out.push({ uri: caller.unit.uri, span: member.name.span, isDeclaration: false });
    }
  }
  return out;
}
