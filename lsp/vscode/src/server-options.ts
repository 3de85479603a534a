/**
 * How the extension starts the mbn language server, as plain functions of the
 * settings and the workspace: no `vscode` import, so the tests run them
 * without VS Code (test/vscode-extension.test.ts).
 */
import * as path from 'node:path';

/** The `mbn.server.*` settings. */
export interface ServerSettings {
  /** `mbn.server.command`; empty: find `mbnc` (see resolveServerCommand). */
  readonly command: string;
  readonly args: readonly string[];
}

export interface WorkspaceInfo {
  /** Workspace folders as file-system paths, the first one first. */
  readonly folders: readonly string[];
  /** Workspace Trust: the folder's own node_modules/.bin/mbnc is code from the folder, run only when trusted. */
  readonly trusted: boolean;
  readonly platform: NodeJS.Platform;
  readonly exists: (file: string) => boolean;
}

/** What vscode-languageclient's `Executable` server option takes. */
export interface ServerExecutable {
  readonly command: string;
  readonly args: string[];
  readonly options: { readonly cwd?: string; readonly shell: boolean };
}

export const defaultServerArgs: readonly string[] = ['lsp', '--stdio'];

/** Reads the settings through `get` (a `WorkspaceConfiguration` for `mbn`), falling back to the defaults on odd values. */
export function readServerSettings(get: (key: string) => unknown): ServerSettings {
  const command = get('server.command');
  const args = get('server.args');
  return {
    command: typeof command === 'string' ? command : '',
    args: Array.isArray(args) && args.every((a) => typeof a === 'string') ? args : defaultServerArgs,
  };
}

/**
 * The executable to run: the configured command (a relative path is taken
 * from the first workspace folder), else the
 * workspace's `node_modules/.bin/mbnc` (installed by `npm install mbn`), else
 * `mbnc` on the PATH.
 */
export function resolveServerCommand(configured: string, workspace: WorkspaceInfo): string {
  const p = workspace.platform === 'win32' ? path.win32 : path.posix;
  const first = workspace.folders[0];
  const command = configured.trim();
  if (command) {
    const expanded = expandWorkspaceFolder(command, workspace);
    const isPath = /[\\/]/.test(expanded);
    return first !== undefined && isPath && !p.isAbsolute(expanded) ? p.resolve(first, expanded) : expanded;
  }
  const bin = workspace.platform === 'win32' ? 'mbnc.cmd' : 'mbnc';
  if (workspace.trusted) {
    for (const folder of workspace.folders) {
      const local = p.join(folder, 'node_modules', '.bin', bin);
      if (workspace.exists(local)) return local;
    }
  }
  return 'mbnc';
}

/** `${workspaceFolder}` as VS Code's own settings write it: the first workspace folder. */
function expandWorkspaceFolder(value: string, workspace: WorkspaceInfo): string {
  const first = workspace.folders[0];
  return first === undefined ? value : value.replaceAll('${workspaceFolder}', first);
}

/** The server option for vscode-languageclient: no `transport`, since the arguments already say `--stdio`. */
export function serverExecutable(settings: ServerSettings, workspace: WorkspaceInfo): ServerExecutable {
  const command = resolveServerCommand(settings.command, workspace);
  // Windows runs npm's `.cmd` shims, and finds them on the PATH, only through a shell, which splits at spaces.
  const shell = workspace.platform === 'win32';
  const quote = (word: string) => (shell && /\s/.test(word) && !word.startsWith('"') ? `"${word}"` : word);
  const first = workspace.folders[0];
  return {
    command: quote(command),
    args: settings.args.map((arg) => quote(expandWorkspaceFolder(arg, workspace))),
    options: first === undefined ? { shell } : { cwd: first, shell },
  };
}
