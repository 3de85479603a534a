/**
 * Semantic tokens: what each name in a document is (a model, a parameter, an
 * input, a branch, an output, a catalogue layer, an argument name, …), on top
 * of the keywords, numbers, strings and comments the scanner finds.
 *
 * The token types and modifiers are LSP's standard ones, so every theme
 * colours them without configuration:
 *
 * | mbn                                | type         | modifiers                 |
 * |------------------------------------|--------------|---------------------------|
 * | model (declared, imported, called) | class        | declaration at its name   |
 * | catalogue layer (`Dense`)          | class        | defaultLibrary            |
 * | merge, operation, optimizer (`concat`, `flatten`, `adam`) | function | defaultLibrary |
 * | shared layer                       | function     | declaration               |
 * | model parameter                    | parameter    | readonly (+ declaration)  |
 * | named argument (`activation:`)     | parameter    |                           |
 * | input                              | variable     | readonly (+ declaration)  |
 * | branch                             | variable     | (declaration)             |
 * | output, `.member`, train setting   | property     | (declaration)             |
 * | symbol value (`relu`, `mse`)       | enumMember   |                           |
 * | parameter type, dtype (`int`, `int32`) | type     |                           |
 */
import { lookupEntry } from '../catalogue/index.js';
import { functionEntries } from '../catalogue/training.js';
import type { Analysis } from '../semantics/analyze.js';
import type { DeclKind, ModelScope, Target } from '../semantics/resolve.js';
import { functionalLayers } from '../semantics/resolve.js';
import type * as ast from '../syntax/ast.js';
import { scanTable } from '../syntax/scanner.js';
import type { LineMap } from '../syntax/source.js';
import * as t from '../syntax/tokens.js';
import { walk } from './tree.js';

export const tokenTypes = ['keyword', 'number', 'string', 'comment', 'operator', 'class', 'function', 'parameter', 'variable', 'property', 'enumMember', 'type'] as const;
export const tokenModifiers = ['declaration', 'readonly', 'defaultLibrary'] as const;

export type TokenType = (typeof tokenTypes)[number];
export type TokenModifier = (typeof tokenModifiers)[number];

export interface SemanticToken {
  /** Offsets; a token never spans lines (block comments are split per line). */
  readonly start: number;
  readonly end: number;
  readonly type: TokenType;
  readonly modifiers: readonly TokenModifier[];
}

interface Kind {
  readonly type: TokenType;
  readonly modifiers: readonly TokenModifier[];
}

const kind = (type: TokenType, ...modifiers: TokenModifier[]): Kind => ({ type, modifiers });

const declKinds: Record<DeclKind, Kind> = {
  param: kind('parameter', 'readonly'),
  input: kind('variable', 'readonly'),
  binding: kind('variable'),
  output: kind('property'),
  shared: kind('function'),
};

const keywordTypes = new Set<unknown>([...t.keywordTokens]);
const keywordKind = kind('keyword');
const numberKind = kind('number');
const stringKind = kind('string');
const operatorKind = kind('operator');
const commentKind = kind('comment');

/** The tokens of the analysed document, in document order. */
export function semanticTokens(analysis: Analysis): SemanticToken[] {
  const unit = analysis.unit;
  if (!unit) return [];
  const names = classifyNames(analysis);
  const { tokens, comments } = scanTable(unit.text);
  const out: SemanticToken[] = [];
  const push = (start: number, end: number, k: Kind) => out.push({ start, end, type: k.type, modifiers: k.modifiers });
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens.type(i);
    const start = tokens.start(i);
    const end = tokens.end(i);
    // A keyword can be a name too (`weight: 0.3` in a call), so what the tree says comes first.
    const named = names.get(start);
    if (named && (type === t.Identifier || keywordTypes.has(type))) push(start, end, named);
    else if (keywordTypes.has(type)) push(start, end, keywordKind);
    else if (type === t.NumberLiteral) push(start, end, numberKind);
    else if (type === t.StringLiteral || type === t.UnterminatedString) push(start, end, stringKind);
    else if (type === t.Arrow) push(start, end, operatorKind);
    else if (type === t.Identifier) {
      // Outside any model the tree may not reach (text the parser skipped); catalogue names still read as such.
      const fallback = catalogueKind(unit.text.slice(start, end));
      if (fallback) push(start, end, fallback);
    }
  }
  for (const comment of comments) {
    for (const line of splitLines(unit.lines, comment.startOffset, comment.endOffset! + 1)) push(line.start, line.end, commentKind);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** What each name in the tree is, by the offset where it starts. */
function classifyNames(analysis: Analysis): Map<number, Kind> {
  const names = new Map<number, Kind>();
  const set = (ident: ast.Identifier | undefined, k: Kind | undefined) => {
    if (ident && k) names.set(ident.span.start, k);
  };
  const unit = analysis.unit!;
  for (const decl of unit.syntax.imports) for (const name of decl.names ?? []) set(name, kind('class'));
  const scopes = new Map<ast.ModelDecl, ModelScope>(analysis.models.map((m) => [m.template.decl, m.scope]));
  for (const model of unit.syntax.models) {
    const scope = scopes.get(model);
    walk(model, (node) => {
      switch (node.kind) {
        case 'ModelDecl':
          set(node.name, kind('class', 'declaration'));
          return;
        case 'ParamDecl':
          set(node.type, kind('type'));
          return;
        case 'InputDecl':
          set(node.dtype, kind('type'));
          return;
        case 'Setting':
          set(node.key, kind('property'));
          return;
        case 'NameRef':
          // A bare name nothing declares is a symbol: `relu`, `same`, `mse`.
          set(node.name, nameKind(node.name, scope) ?? kind('enumMember'));
          return;
        case 'Call':
          // An unknown callee is an error (MBN200) and gets no colour of its own.
          set(node.callee, nameKind(node.callee, scope));
          return;
        case 'Argument':
          set(node.name, kind('parameter'));
          return;
        case 'Member':
          set(node.name, kind('property'));
          return;
        default:
          return;
      }
    });
    // Declarations last: they win over anything above (a duplicate model has no scope and keeps the fallbacks).
    for (const decl of scope?.decls ?? []) {
      const k = declKinds[decl.kind];
      set(decl.ident, { type: k.type, modifiers: [...k.modifiers, 'declaration'] });
    }
  }
  return names;
}

/** What a used name refers to, as the resolver says, else as the catalogue knows it. */
function nameKind(ident: ast.Identifier, scope: ModelScope | undefined): Kind | undefined {
  const target = scope?.refs.get(ident);
  return target ? targetKind(target) : catalogueKind(ident.name);
}

function targetKind(target: Target): Kind {
  switch (target.kind) {
    case 'local':
      return declKinds[target.decl.kind];
    case 'model':
      return kind('class');
    case 'entry':
      return target.entry.kind === 'layer' ? kind('class', 'defaultLibrary') : kind('function', 'defaultLibrary');
    case 'function':
      return kind('function', 'defaultLibrary');
  }
}

/** A name the catalogue knows, whatever the tree around it. */
function catalogueKind(name: string): Kind | undefined {
  if (functionalLayers.has(name) || functionEntries.has(name)) return kind('function', 'defaultLibrary');
  const entry = lookupEntry(name);
  if (!entry) return undefined;
  return entry.kind === 'layer' ? kind('class', 'defaultLibrary') : kind('function', 'defaultLibrary');
}

/** `[start, end)` cut at line breaks, without the breaks. */
function splitLines(lines: LineMap, start: number, end: number): { start: number; end: number }[] {
  const text = lines.text;
  const parts: { start: number; end: number }[] = [];
  let from = start;
  while (from < end) {
    const newline = text.indexOf('\n', from);
    const to = newline < 0 || newline >= end ? end : newline;
    const trimmed = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    if (trimmed > from) parts.push({ start: from, end: trimmed });
    from = to + 1;
  }
  return parts;
}
