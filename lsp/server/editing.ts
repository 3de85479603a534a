/**
 * Inlay hints (shapes), semantic tokens, document and workspace symbols and
 * code actions (the diagnostics' fixes), on src/services/{inlay,
 * semantic-tokens,symbols,code-actions}.ts; formatting through the shared
 * formatter of src/format/.
 */
import {
  CodeActionKind,
  InlayHintKind,
  SymbolKind,
  type CodeAction,
  type Connection,
  type DocumentSymbol,
  type InlayHint,
  type Range,
  type ServerCapabilities,
  type SymbolInformation,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver/node';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { Analysis } from '../../src/semantics/analyze.js';
import { formatEdits } from '../../src/format/index.js';
import { quickFixes } from '../../src/services/code-actions.js';
import { shapeHints } from '../../src/services/inlay.js';
import { semanticTokens, tokenModifiers, tokenTypes, type SemanticToken } from '../../src/services/semantic-tokens.js';
import { documentSymbols, workspaceSymbols, type OutlineSymbol, type SymbolKind as MbnSymbolKind } from '../../src/services/symbols.js';
import { LineMap, type Span } from '../../src/syntax/source.js';
import { toLspDiagnostic } from './diagnostics.js';
import { guarded } from './guard.js';
import { linesOf, toPosition, toRange, toSpan, uriToPath } from './convert.js';
import type { Workspace } from './workspace.js';

export const editingCapabilities: ServerCapabilities = {
  inlayHintProvider: true,
  semanticTokensProvider: { legend: { tokenTypes: [...tokenTypes], tokenModifiers: [...tokenModifiers] }, full: true, range: true },
  documentSymbolProvider: { label: 'mbn' },
  workspaceSymbolProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  documentFormattingProvider: true,
  documentRangeFormattingProvider: true,
};

const symbolKinds: Record<MbnSymbolKind, SymbolKind> = {
  import: SymbolKind.Module,
  model: SymbolKind.Class,
  parameter: SymbolKind.Constant,
  input: SymbolKind.Field,
  branch: SymbolKind.Variable,
  output: SymbolKind.Property,
  shared: SymbolKind.Function,
  train: SymbolKind.Namespace,
  setting: SymbolKind.Key,
};

export function registerEditingFeatures(connection: Connection, workspace: Workspace): void {
  /** The document's analysis and the line map of its text. */
  const open = (uri: string): { analysis: Analysis; lines: LineMap } | undefined => {
    const analysis = workspace.analysis(uri);
    return analysis ? { analysis, lines: linesOf(analysis, analysis.uri) } : undefined;
  };

  connection.languages.inlayHint.on(
    guarded(connection, 'inlay hints', ({ textDocument, range }): InlayHint[] | null => {
      const doc = open(textDocument.uri);
      if (!doc) return null;
      return shapeHints(doc.analysis, toSpan(doc.lines, range)).map((hint) => ({
        position: toPosition(doc.lines, hint.offset),
        label: hint.label,
        kind: InlayHintKind.Type,
        ...(hint.tooltip ? { tooltip: hint.tooltip } : {}),
      }));
    }),
  );

  /** Tokens per analysis: an editor asks for the whole document's, then for ranges of it, of the same version. */
  const tokenCache = new WeakMap<Analysis, readonly SemanticToken[]>();
  const tokensOf = (analysis: Analysis): readonly SemanticToken[] => {
    let tokens = tokenCache.get(analysis);
    if (!tokens) {
      tokens = semanticTokens(analysis);
      tokenCache.set(analysis, tokens);
    }
    return tokens;
  };
  connection.languages.semanticTokens.on(
    guarded(connection, 'semantic tokens', ({ textDocument }) => {
      const doc = open(textDocument.uri);
      return doc ? { data: encodeTokens(tokensOf(doc.analysis), doc.lines) } : null;
    }),
  );
  connection.languages.semanticTokens.onRange(
    guarded(connection, 'semantic tokens', ({ textDocument, range }) => {
      const doc = open(textDocument.uri);
      if (!doc) return null;
      const within = toSpan(doc.lines, range);
      const tokens = tokensOf(doc.analysis).filter((t) => t.start < within.end && t.end > within.start);
      return { data: encodeTokens(tokens, doc.lines) };
    }),
  );

  connection.onDocumentSymbol(
    guarded(connection, 'document symbols', ({ textDocument }): DocumentSymbol[] | null => {
      const doc = open(textDocument.uri);
      return doc ? documentSymbols(doc.analysis).map((s) => toDocumentSymbol(s, doc.lines)) : null;
    }),
  );

  connection.onWorkspaceSymbol(
    guarded(connection, 'workspace symbols', ({ query }): SymbolInformation[] => {
      const units = workspace.loadedUnits();
      const lines = new Map(units.map((u) => [u.uri, u.lines]));
      return workspaceSymbols(units, query).map((s) => ({
        name: s.name,
        kind: symbolKinds[s.kind],
        location: { uri: workspace.uriOf(s.uri), range: toRange(lines.get(s.uri)!, s.span) },
        ...(s.container ? { containerName: s.container } : {}),
      }));
    }),
  );

  connection.onCodeAction(
    guarded(connection, 'code actions', ({ textDocument, range, context }): CodeAction[] | null => {
      const doc = open(textDocument.uri);
      if (!doc) return null;
      // Asked for other kinds only (refactorings, source actions): quick fixes are all there is.
      if (context.only && !context.only.some((kind) => kind === CodeActionKind.QuickFix || kind === CodeActionKind.Empty)) return [];
      const uriOf = (file: string) => workspace.uriOf(file);
      // The editor names the diagnostics it shows under the cursor; they are matched by code, message and range.
      const shown = (d: Diagnostic) => {
        const r = toRange(doc.lines, d.span);
        return context.diagnostics.some((c) => c.code === d.code && c.message === d.message && sameRange(c.range, r));
      };
      return quickFixes(doc.analysis, toSpan(doc.lines, range), shown).map((fix) => ({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(fix.diagnostic, doc.analysis, uriOf)],
        // A diagnostic has at most one fix, so it is the one to apply on "fix all" or auto-fix.
        isPreferred: true,
        edit: { changes: { [textDocument.uri]: fix.edits.map((e) => ({ range: toRange(doc.lines, e.span), newText: e.newText })) } },
      }));
    }),
  );

  /**
   * The formatter's edits on the current text; none when it declines (syntax errors).
   * Its own style, not the editor's tab size: the editor and `mbnc fmt` must agree.
   */
  const format = (uri: string): { edits: readonly FormatEdit[]; lines: LineMap } | null => {
    const doc = workspace.documents.get(uri);
    if (!doc) return null;
    const text = doc.getText();
    return { edits: formatEdits(text, uriToPath(uri)) ?? [], lines: new LineMap(text) };
  };
  const toEdits = (edits: readonly FormatEdit[], lines: LineMap): LspTextEdit[] => edits.map((e) => ({ range: toRange(lines, e.span), newText: e.newText }));
  connection.onDocumentFormatting(
    guarded(connection, 'formatting', ({ textDocument }): LspTextEdit[] | null => {
      const result = format(textDocument.uri);
      return result && toEdits(result.edits, result.lines);
    }),
  );
  // The whole document is formatted and the edits within the selected lines are kept: alignment spans statements.
  connection.onDocumentRangeFormatting(
    guarded(connection, 'range formatting', ({ textDocument, range }): LspTextEdit[] | null => {
      const result = format(textDocument.uri);
      if (!result) return null;
      const first = result.lines.offset({ line: range.start.line, character: 0 });
      const last = result.lines.offset({ line: range.end.line, character: Number.MAX_SAFE_INTEGER });
      return toEdits(
        result.edits.filter((e) => e.span.start >= first && e.span.end <= last),
        result.lines,
      );
    }),
  );
}

interface FormatEdit {
  readonly span: Span;
  readonly newText: string;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function toDocumentSymbol(symbol: OutlineSymbol, lines: LineMap): DocumentSymbol {
  return {
    name: symbol.name,
    kind: symbolKinds[symbol.kind],
    ...(symbol.detail ? { detail: symbol.detail } : {}),
    range: toRange(lines, symbol.span),
    selectionRange: toRange(lines, symbol.selectionSpan),
    children: symbol.children.map((c) => toDocumentSymbol(c, lines)),
  };
}

/** LSP's relative encoding: five numbers per token (line delta, start delta, length, type, modifier bits). */
export function encodeTokens(tokens: readonly SemanticToken[], lines: LineMap): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const token of tokens) {
    const at = lines.position(token.start);
    const deltaLine = at.line - line;
    data.push(deltaLine, deltaLine === 0 ? at.character - character : at.character, token.end - token.start, tokenTypes.indexOf(token.type), modifierBits(token.modifiers));
    line = at.line;
    character = at.character;
  }
  return data;
}

function modifierBits(modifiers: readonly string[]): number {
  let bits = 0;
  for (const m of modifiers) bits |= 1 << tokenModifiers.indexOf(m as (typeof tokenModifiers)[number]);
  return bits;
}
