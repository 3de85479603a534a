/**
 * The mbn extension for VS Code. Highlighting comes from the TextMate grammar
 * and the language configuration (package.json); everything else from the
 * mbn language server, which this file starts as a child process speaking LSP
 * over stdio (`mbnc lsp --stdio`, see server-options.ts) and restarts on the
 * `mbn.restartServer` command, when its settings change, or when the
 * workspace becomes trusted.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/node';
import { readServerSettings, serverExecutable, type WorkspaceInfo } from './server-options.js';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let watcher: vscode.FileSystemWatcher | undefined;
/** Starts and stops run one after another: a restart while the server starts waits for it. */
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('mbn Language Server', { log: true });
  // Other .mbn files matter to a file that imports them, open or not.
  watcher = vscode.workspace.createFileSystemWatcher('**/*.mbn');
  context.subscriptions.push(
    output,
    watcher,
    vscode.commands.registerCommand('mbn.restartServer', () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mbn.server')) void restart();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
  );
  return restart();
}

export function deactivate(): Promise<void> {
  return enqueue(stopServer);
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stopServer();
    await startServer();
  });
}

function enqueue(step: () => Promise<void>): Promise<void> {
  queue = queue.then(step).catch((error: unknown) => output?.error(String(error)));
  return queue;
}

function workspaceInfo(): WorkspaceInfo {
  return {
    folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    trusted: vscode.workspace.isTrusted,
    platform: process.platform,
    exists: existsSync,
  };
}

async function startServer(): Promise<void> {
  const config = vscode.workspace.getConfiguration('mbn');
  const executable = serverExecutable(readServerSettings((key) => config.get(key)), workspaceInfo());
  const commandLine = [executable.command, ...executable.args].join(' ');
  output!.info(`Starting the mbn language server: ${commandLine}`);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'mbn' },
      { scheme: 'untitled', language: 'mbn' },
    ],
    outputChannel: output,
    synchronize: { fileEvents: watcher },
  };
  // The id `mbn` makes the client read the `mbn.trace.server` setting.
  const next = new LanguageClient('mbn', 'mbn Language Server', { command: executable.command, args: executable.args, options: executable.options }, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (error) {
    client = undefined;
    await next.dispose().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    output!.error(`Could not start \`${commandLine}\`: ${message}`);
    // Not awaited: a restart must not wait for the user to dismiss the message.
    void vscode.window
      .showErrorMessage(
        `mbn: could not start the language server (\`${commandLine}\`). Install mbn in the workspace (npm install mbn) or set mbn.server.command.`,
        'Open Settings',
        'Show Output',
      )
      .then((choice) => {
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'mbn.server');
        else if (choice === 'Show Output') output?.show();
      });
  }
}

async function stopServer(): Promise<void> {
  const current = client;
  client = undefined;
  // A server that crashed or never started has nothing to stop; that must not block the next start.
  if (current) await current.stop().catch((error: unknown) => output?.warn(`Stopping the server: ${String(error)}`));
}
