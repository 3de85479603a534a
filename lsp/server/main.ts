/**
 * The mbn language server: `mbnc lsp --stdio`. It runs the same front end as
 * `mbnc check` on the documents an editor has open (see workspace.ts for how
 * analyses are cached) and answers from one analysis per document version.
 *
 * Features are registered in editing.ts (diagnostics' fixes, inlay hints,
 * semantic tokens, symbols, formatting) and language.ts (hover, completion,
 * signature help, definition, references, rename); this file starts the
 * connection and says what the server can do.
 */
import { format } from 'node:util';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { describeError, DiagnosticsPublisher } from './diagnostics.js';
import { editingCapabilities, registerEditingFeatures } from './editing.js';
import { languageCapabilities, registerLanguageFeatures } from './language.js';
import { uriToPath } from './convert.js';
import { Workspace } from './workspace.js';

/** What a client may pass as `initializationOptions`. */
export interface InitializationOptions {
  /** Milliseconds from the last edit to diagnostics (default 150; 0 publishes as soon as the edits are read). */
  readonly diagnosticsDelay?: number;
}

export const defaultDiagnosticsDelay = 150;

/** Serves LSP over stdin/stdout until the client sends `exit` or closes the stream (the library then ends the process). */
export function startStdioServer(): Connection {
  const connection = createConnection(process.stdin, process.stdout);
  // stdout carries the protocol: a stray console.log anywhere would corrupt it, so the console goes to the client's log.
  const forward = (log: (message: string) => void) => (...args: unknown[]) => log(format(...args));
  console.log = console.info = forward((m) => connection.console.log(m));
  console.debug = forward((m) => connection.console.debug(m));
  console.warn = forward((m) => connection.console.warn(m));
  console.error = forward((m) => connection.console.error(m));
  serve(connection);
  connection.listen();
  return connection;
}

/** Wires every feature to `connection` (not yet listening). */
export function serve(connection: Connection): void {
  const workspace = new Workspace();
  const log = (message: string) => connection.console.error(message);
  let publisher: DiagnosticsPublisher | undefined;
  let watchFiles = false;

  connection.onInitialize((params): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    const delay = typeof options.diagnosticsDelay === 'number' && options.diagnosticsDelay >= 0 ? options.diagnosticsDelay : defaultDiagnosticsDelay;
    publisher = new DiagnosticsPublisher(connection, workspace, delay);
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    registerEditingFeatures(connection, workspace);
    registerLanguageFeatures(connection, workspace, {
      snippets: params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true,
    });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        ...editingCapabilities,
        ...languageCapabilities,
      },
      serverInfo: { name: 'mbn', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    // Files that are not open matter to the documents importing them; ask the client to say when they change.
    if (watchFiles) {
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.mbn' }] }).catch((error: unknown) => log(`mbn: could not watch files: ${describeError(error)}`));
    }
  });

  workspace.documents.onDidOpen(({ document }) => publisher?.scheduleWithDependents(document.uri));
  workspace.documents.onDidChangeContent(({ document }) => publisher?.scheduleWithDependents(document.uri));
  workspace.documents.onDidClose(({ document }) => {
    publisher?.clear(document.uri);
    // Its importers now read it from disk, which may differ from the buffer they saw.
    publisher?.fileChanged(uriToPath(document.uri));
  });
  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) publisher?.fileChanged(uriToPath(change.uri));
  });
  workspace.documents.listen(connection);
}
