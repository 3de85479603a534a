/**
 * A minimal LSP client for the tests and the benchmark (bench/lsp.ts): it spawns the real
 * `node bin/mbnc.js lsp --stdio` and talks JSON-RPC to it over the pipes,
 * as an editor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

/** The repository root, from test/ (vitest) or dist/test/ (the compiled benchmark imports this file too). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const root = repoRoot();

export const fileUri = (file: string): string => pathToFileURL(path.resolve(root, file)).href;

export interface LogMessage {
  readonly type: number;
  readonly message: string;
}

export class LspClient {
  /** Every publishDiagnostics received, oldest first. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** window/logMessage messages (the server logs handler failures there). */
  readonly logs: LogMessage[] = [];
  exitCode: number | null | undefined;
  private readonly versions = new Map<string, number>();
  private waiters: { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void }[] = [];

  /** What the server said it can do, once initialised. */
  capabilities: InitializeResult['capabilities'] = {};

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.notify(p);
    });
    connection.onNotification('window/logMessage', (m: LogMessage) => void this.logs.push(m));
    // The server asks to watch files when the client says it can; these tests say so, and accept.
    connection.onRequest('client/registerCapability', () => null);
    child.on('exit', (code) => (this.exitCode = code));
  }

  /** Starts a server and initialises it (diagnostics without delay unless the options say otherwise). */
  static async start(initializationOptions: Record<string, unknown> = { diagnosticsDelay: 0 }, nodeOptions: readonly string[] = []): Promise<LspClient> {
    // `nodeOptions` such as `--cpu-prof` profile the server.
    const child = spawn(process.execPath, [...nodeOptions, path.join(root, 'bin/mbnc.js'), 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.resume();
    const client = new LspClient(child, createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!)));
    client.connection.listen();
    const init = await client.request<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {
        workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true } },
      },
      initializationOptions,
    });
    client.capabilities = init.capabilities;
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Opens a document; resolves once its first diagnostics arrive. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mbn', version: 1, text } });
    return published;
  }

  /** Sends edits (ranged or whole-text) as the next version; returns that version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Replaces `range` with `text` and waits for the diagnostics of the new version. */
  async edit(uri: string, range: Range, text: string): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    const published = this.nextDiagnostics(uri, version);
    await this.change(uri, [{ range, text }]);
    return published;
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics published for `uri` (for `version` or later, when given). */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  /** The diagnostics published for exactly `version`, whether they came already or are still to come. */
  diagnosticsOf(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    const seen = this.published.find((p) => p.uri === uri && p.version === version);
    return seen ? Promise.resolve(seen) : this.nextDiagnostics(uri, version);
  }

  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      try {
        await this.connection.sendRequest('shutdown');
        await this.connection.sendNotification('exit');
      } catch {
        this.child.kill();
      }
      await exited;
    }
    this.connection.dispose();
  }

  private notify(p: PublishDiagnosticsParams): void {
    const ready = this.waiters.filter((w) => w.uri === p.uri && (w.version === undefined || (p.version ?? 0) >= w.version));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(p);
  }
}
