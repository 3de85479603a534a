/**
 * Hover, completion, signature help, definition, references and rename: the
 * services of src/services/ answer in spans and markdown; this file turns
 * requests into (analysis, file, offset) and the answers into LSP.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  type CompletionItem,
  type Connection,
  type Hover,
  type Location,
  type PrepareRenameResult,
  type ServerCapabilities,
  type SignatureHelp,
  type TextDocumentPositionParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Analysis } from '../../src/semantics/analyze.js';
import { guarded } from './guard.js';
import {
  complete,
  definition,
  hover,
  prepareRename,
  references,
  rename,
  signatureHelp,
  type CompletionItem as MbnCompletionItem,
  type CompletionKind,
  type Location as MbnLocation,
} from '../../src/services/index.js';
import { linesOf, toOffset, toRange } from './convert.js';
import type { Workspace } from './workspace.js';

export const languageCapabilities: ServerCapabilities = {
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['>', '.', '(', ',', ':'] },
  signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [')'] },
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
};

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  layer: CompletionItemKind.Class,
  merge: CompletionItemKind.Function,
  model: CompletionItemKind.Module,
  variable: CompletionItemKind.Variable,
  parameter: CompletionItemKind.Field,
  keyword: CompletionItemKind.Keyword,
  value: CompletionItemKind.EnumMember,
  property: CompletionItemKind.Property,
  type: CompletionItemKind.TypeParameter,
};

/** What the client can take, as far as these features care. */
export interface ClientSupport {
  /** Completion items may insert snippets with tab stops (`Dense(${1:units})`). */
  readonly snippets: boolean;
}

export function registerLanguageFeatures(connection: Connection, workspace: Workspace, client: ClientSupport): void {
  /** The request's document analysis and offset (undefined for a document that is not open). */
  const at = ({ textDocument, position }: TextDocumentPositionParams): { analysis: Analysis; offset: number } | undefined => {
    const analysis = workspace.analysis(textDocument.uri);
    return analysis ? { analysis, offset: toOffset(linesOf(analysis, analysis.uri), position) } : undefined;
  };
  const toLocation = (analysis: Analysis, loc: MbnLocation): Location => ({ uri: workspace.uriOf(loc.uri), range: toRange(linesOf(analysis, loc.uri), loc.span) });

  connection.onHover(
    guarded(connection, 'hover', (params): Hover | null => {
      const here = at(params);
      const result = here && hover(here.analysis, here.analysis.uri, here.offset);
      if (!here || !result) return null;
      return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: toRange(linesOf(here.analysis, here.analysis.uri), result.span) };
    }),
  );

  connection.onCompletion(
    guarded(connection, 'completion', (params): CompletionItem[] | null => {
      const here = at(params);
      return here ? complete(here.analysis, here.analysis.uri, here.offset).map((item) => toCompletionItem(item, client.snippets)) : null;
    }),
  );

  connection.onSignatureHelp(
    guarded(connection, 'signature help', (params): SignatureHelp | null => {
      const here = at(params);
      const help = here && signatureHelp(here.analysis, here.analysis.uri, here.offset);
      if (!help) return null;
      const markdown = (value: string) => ({ kind: MarkupKind.Markdown, value });
      return {
        signatures: [
          {
            label: help.label,
            ...(help.documentation ? { documentation: markdown(help.documentation) } : {}),
            // Offsets into the label, so that a parameter named twice in a label is still highlighted right.
            parameters: help.parameters.map((p) => ({ label: [p.range[0], p.range[1]], ...(p.documentation ? { documentation: markdown(p.documentation) } : {}) })),
          },
        ],
        activeSignature: 0,
        // LSP 3.16+: null says "no parameter is active" (an unknown argument name), where 0 would highlight the first.
        activeParameter: help.activeParameter ?? null,
      };
    }),
  );

  connection.onDefinition(
    guarded(connection, 'definition', (params): Location[] | null => {
      const here = at(params);
      return here ? definition(here.analysis, here.analysis.uri, here.offset).map((loc) => toLocation(here.analysis, loc)) : null;
    }),
  );

  connection.onReferences(
    guarded(connection, 'references', (params): Location[] | null => {
      const here = at(params);
      return here ? references(here.analysis, here.analysis.uri, here.offset, params.context.includeDeclaration).map((loc) => toLocation(here.analysis, loc)) : null;
    }),
  );

  connection.onPrepareRename(
    guarded(connection, 'prepare rename', (params): PrepareRenameResult | null | ResponseError<void> => {
      const here = at(params);
      const result = here && prepareRename(here.analysis, here.analysis.uri, here.offset);
      if (!here || !result) return null;
      // Why a name cannot be renamed (a catalogue layer, a keyword) is shown to the user.
      if ('error' in result) return new ResponseError(LSPErrorCodes.RequestFailed, result.error);
      return { range: toRange(linesOf(here.analysis, here.analysis.uri), result.span), placeholder: result.placeholder };
    }),
  );

  connection.onRenameRequest(
    guarded(connection, 'rename', (params): WorkspaceEdit | null | ResponseError<void> => {
      const here = at(params);
      if (!here) return null;
      const result = rename(here.analysis, here.analysis.uri, here.offset, params.newName);
      if ('error' in result) return new ResponseError(LSPErrorCodes.RequestFailed, result.error);
      const changes: NonNullable<WorkspaceEdit['changes']> = {};
      for (const edit of result.edits) {
        (changes[workspace.uriOf(edit.uri)] ??= []).push({ range: toRange(linesOf(here.analysis, edit.uri), edit.span), newText: edit.newText });
      }
      return { changes };
    }),
  );
}

function toCompletionItem(item: MbnCompletionItem, snippets: boolean): CompletionItem {
  // A client without snippet support gets the plain text: tab-stop syntax would be inserted literally.
  const snippet = snippets ? item.snippet : undefined;
  const insertText = snippet ?? item.insertText;
  return {
    label: item.label,
    kind: completionKinds[item.kind],
    ...(item.detail ? { detail: item.detail } : {}),
    ...(item.documentation ? { documentation: { kind: MarkupKind.Markdown, value: item.documentation } } : {}),
    ...(insertText !== undefined ? { insertText } : {}),
    ...(snippet !== undefined ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
    ...(item.sortText ? { sortText: item.sortText } : {}),
  };
}
