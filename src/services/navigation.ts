/**
 * Go to definition, find references and rename, over every file the
 * analysis loaded. Only names declared in .mbn files move: catalogue layers,
 * losses, settings and other built-in names have no declaration to go to
 * and cannot be renamed.
 */
import { lookupEntry } from '../catalogue/index.js';
import { functionEntries } from '../catalogue/training.js';
import type { Analysis } from '../semantics/analyze.js';
import { resolveImportPath, type ModelTemplate, type SourceUnit } from '../semantics/program.js';
import { functionalLayers, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { keywords } from '../syntax/tokens.js';
import { locate, type SymbolInfo } from './locate.js';
import { allTemplates, callersOf, scopeOf } from './model-index.js';
import { declaredOf, occurrencesOf, type Declared } from './occurrences.js';
import { forEachNameRef } from './tree.js';

export interface Location {
  readonly uri: string;
  readonly span: Span;
}

export interface RenameEdit {
  readonly uri: string;
  readonly span: Span;
  readonly newText: string;
}

/** The file an import declaration loads, if the program loaded it. */
export function importedUnit(analysis: Analysis, uri: string, decl: ast.ImportDecl): SourceUnit | undefined {
  return decl.path ? analysis.program.units.get(resolveImportPath(uri, decl.path.value)) : undefined;
}

export function definition(analysis: Analysis, uri: string, offset: number): Location[] {
  const loc = locate(analysis, uri, offset);
  // On an import's path: the start of the imported file.
  const parent = loc?.ancestors[loc.ancestors.length - 1];
  if (loc?.node.kind === 'StringLiteral' && parent?.kind === 'ImportDecl') {
    const target = importedUnit(analysis, uri, parent);
    return target ? [{ uri: target.uri, span: { start: 0, end: 0 } }] : [];
  }
  const declared = declaredOf(analysis, loc?.symbol);
  if (!declared) return [];
  if (declared.kind === 'local') return [{ uri: declared.template.unit.uri, span: declared.decl.ident.span }];
  const name = declared.template.decl.name;
  return name ? [{ uri: declared.template.unit.uri, span: name.span }] : [];
}

export function references(analysis: Analysis, uri: string, offset: number, includeDeclaration: boolean): Location[] {
  const loc = locate(analysis, uri, offset);
  const declared = declaredOf(analysis, loc?.symbol);
  if (!declared) return [];
  return sortLocations(occurrencesOf(analysis, declared).filter((o) => includeDeclaration || !o.isDeclaration).map(({ uri: u, span }) => ({ uri: u, span })));
}

function sortLocations<T extends Location>(locations: T[]): T[] {
  const seen = new Set<string>();
  return locations
    .filter((l) => {
      const key = `${l.uri}|${l.span.start}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.uri === b.uri ? a.span.start - b.span.start : a.uri < b.uri ? -1 : 1));
}

export function prepareRename(analysis: Analysis, uri: string, offset: number): { span: Span; placeholder: string } | { error: string } | undefined {
  const loc = locate(analysis, uri, offset);
  if (!loc?.identifier) return undefined;
  const declared = declaredOf(analysis, loc.symbol);
  if (!declared) return { error: whyNotRenamable(loc.symbol, loc.identifier.name) };
  return { span: loc.identifier.span, placeholder: loc.identifier.name };
}

export function rename(analysis: Analysis, uri: string, offset: number, newName: string): { edits: RenameEdit[] } | { error: string } {
  const loc = locate(analysis, uri, offset);
  if (!loc?.identifier) return { error: 'There is no name here to rename.' };
  const declared = declaredOf(analysis, loc.symbol);
  if (!declared) return { error: whyNotRenamable(loc.symbol, loc.identifier.name) };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return { error: `\`${newName}\` is not a valid name: names are letters, digits and \`_\`, not starting with a digit.` };
  if (keywords.has(newName)) return { error: `\`${newName}\` is a keyword of the language.` };
  const oldName = declared.kind === 'local' ? declared.decl.name : declared.template.name;
  if (newName === oldName) return { edits: [] };
  const clash = declared.kind === 'local' ? localClash(analysis, declared, newName) : modelClash(analysis, declared.template, newName);
  if (clash) return { error: clash };
  const edits = sortLocations(occurrencesOf(analysis, declared)).map(({ uri: u, span }) => ({ uri: u, span, newText: newName }));
  return { edits };
}

function whyNotRenamable(symbol: SymbolInfo | undefined, name: string): string {
  switch (symbol?.kind) {
    case 'entry':
      return `\`${name}\` is ${symbol.entry.kind === 'merge' ? 'a merge' : 'a layer'} of the catalogue: only names declared in .mbn files can be renamed.`;
    case 'function':
      return `\`${name}\` is a built-in ${symbol.entry.kind}: only names declared in .mbn files can be renamed.`;
    case 'argument':
      return symbol.callee?.kind === 'model'
        ? `\`${symbol.callee.template.name}\` has no parameter \`${name}\`.`
        : `\`${name}\` is a parameter of a built-in ${symbol.callee ? 'layer' : 'call'}: it cannot be renamed.`;
    case 'member':
      return `\`${name}\` is not an output of a known sub-model here.`;
    case 'setting':
      return `\`${name}\` is a training setting: it cannot be renamed.`;
    case 'loss':
    case 'metric':
      return `\`${name}\` is a built-in ${symbol.kind}: it cannot be renamed.`;
    case 'value':
      return `\`${name}\` is a built-in name (or an undefined one): only names declared in .mbn files can be renamed.`;
    case 'type':
      return `\`${name}\` is a built-in type: it cannot be renamed.`;
    default:
      return `\`${name}\` cannot be renamed.`;
  }
}

/** A catalogue layer, merge, functional form, optimizer or regularizer name. */
function builtinName(name: string): string | undefined {
  const entry = lookupEntry(name);
  if (entry) return `${entry.kind === 'merge' ? 'the merge' : 'the layer'} \`${name}\``;
  if (functionalLayers.has(name)) return `the operation \`${name}\``;
  const fn = functionEntries.get(name);
  if (fn) return `the ${fn.kind} \`${name}\``;
  return undefined;
}

const kindWords: Record<LocalDecl['kind'], string> = { param: 'a parameter', input: 'an input', binding: 'a branch', output: 'an output', shared: 'a shared layer' };

function lineOf(unit: SourceUnit, span: Span): number {
  return unit.lines.position(span.start).line + 1;
}

const symbolIndexes = new WeakMap<ModelScope, Map<string, ast.Identifier>>();

/**
 * A bare name of a model that resolves to nothing declared (`relu`, `same`,
 * `mse`), spelled `name`: a declaration with that name would capture it.
 */
function symbolUse(scope: ModelScope, name: string): ast.Identifier | undefined {
  let index = symbolIndexes.get(scope);
  if (!index) {
    const found = new Map<string, ast.Identifier>();
    forEachNameRef(scope.template.decl, (ref) => {
      if (!scope.refs.has(ref.name) && !found.has(ref.name.name)) found.set(ref.name.name, ref.name);
    });
    index = found;
    symbolIndexes.set(scope, index);
  }
  return index.get(name);
}

function localClash(analysis: Analysis, declared: Extract<Declared, { kind: 'local' }>, newName: string): string | undefined {
  const { template, decl } = declared;
  const scope = scopeOf(analysis, template);
  const existing = scope.byName.get(newName);
  if (existing) return `\`${template.name}\` already has ${kindWords[existing.kind]} \`${newName}\` (line ${lineOf(template.unit, existing.ident.span)}).`;
  // Models and the catalogue are looked up by the same names: a local called so would hide them or be hidden.
  const model = template.unit.visible.get(newName);
  if (model) return `\`${newName}\` is the name of model \`${model.name}\`; ${kindWords[decl.kind]} called so would be confused with it.`;
  const builtin = builtinName(newName);
  if (builtin) return `\`${newName}\` is ${builtin}; ${kindWords[decl.kind]} called so would be confused with it.`;
  const symbol = symbolUse(scope, newName);
  if (symbol) return `\`${template.name}\` uses \`${newName}\` as a value (line ${lineOf(template.unit, symbol.span)}); renaming to it would change what that means.`;
  // Callers name parameters (`Block(units: 3)`) and outputs (`enc.features`) only among the model's own names, checked above.
  return undefined;
}

function modelClash(analysis: Analysis, template: ModelTemplate, newName: string): string | undefined {
  const builtin = builtinName(newName);
  if (builtin) return `\`${newName}\` is ${builtin}: a model called so would hide it.`;
  for (const unit of analysis.program.units.values()) {
    const sees = unit.visible.get(template.name) === template || unit === template.unit;
    if (!sees) continue;
    const other = unit.visible.get(newName) ?? unit.models.get(newName);
    if (other && other !== template) return `a model \`${newName}\` already exists${other.unit === unit ? '' : ` (imported into ${baseName(unit.uri)})`} (${baseName(other.unit.uri)}, line ${lineOf(other.unit, other.decl.name?.span ?? other.decl.span)}).`;
  }
  // Where the model is used, a local of the new name would be confused with it (a shared one would even win after `->`).
  for (const caller of callersOf(analysis, template)) {
    const local = scopeOf(analysis, caller).byName.get(newName);
    if (local) return `\`${caller.name}\` has ${kindWords[local.kind]} \`${newName}\` (line ${lineOf(caller.unit, local.ident.span)}); a model called so would be confused with it.`;
  }
  // Where the model is visible, a bare name spelled like the new name would start to mean the model.
  for (const caller of allTemplates(analysis)) {
    if (caller.unit.visible.get(template.name) !== template) continue;
    const scope = scopeOf(analysis, caller);
    const symbol = symbolUse(scope, newName);
    if (symbol) return `\`${caller.name}\` uses \`${newName}\` as a value (line ${lineOf(caller.unit, symbol.span)}); renaming to it would change what that means.`;
  }
  return undefined;
}

function baseName(uri: string): string {
  return uri.split(/[\\/]/).pop() ?? uri;
}
