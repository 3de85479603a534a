/**
 * The VS Code extension (lsp/vscode): the .vsix that `npm run package:vscode`
 * writes, the language configuration against the scanner's tokens, and the
 * activation code, bundled as it ships but with fakes for `vscode` and
 * vscode-languageclient, starting and restarting the server.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServerArgs, readServerSettings, resolveServerCommand, serverExecutable, type WorkspaceInfo } from '../lsp/vscode/src/server-options.js';
import { bundleExtension, extensionDir, packageVsix, type PackageResult } from '../scripts/package-vsix.js';
import * as t from '../src/syntax/tokens.js';
import { repoRoot } from './helpers.js';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
const extensionPackage = readJson(path.join(extensionDir, 'package.json'));
const languageConfiguration = readJson(path.join(extensionDir, 'language-configuration.json'));
const scratch = mkdtempSync(path.join(tmpdir(), 'mbn-vscode-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// ------------------------------------------------------------ a small XML checker

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

/** Parses well-formed XML (no DTDs, no CDATA) and throws on anything else: enough for the two manifests. */
function parseXml(text: string): XmlElement {
  const token = /<\?xml[^?]*\?>|<!--[\s\S]*?-->|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const m = token.exec(text);
    if (!m) throw new Error(`not well-formed XML at offset ${at}: ${JSON.stringify(text.slice(at, at + 30))}`);
    at = token.lastIndex;
    const [whole, close, open, attributeText, selfClosing, chars] = m;
    const top = stack[stack.length - 1]!;
    if (chars !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chars)) throw new Error(`bare & in ${JSON.stringify(chars)}`);
      if (top === root && chars.trim()) throw new Error('text outside the root element');
      top.text += chars;
    } else if (close !== undefined) {
      if (top.name !== close) throw new Error(`</${close}> closes <${top.name}>`);
      stack.pop();
    } else if (open !== undefined) {
      if (top === root && root.children.length > 0) throw new Error('more than one root element');
      const attributes: Record<string, string> = {};
      for (const a of attributeText!.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
        if (a[1]! in attributes) throw new Error(`attribute ${a[1]} twice in <${open}>`);
        attributes[a[1]!] = a[2]!;
      }
      const element: XmlElement = { name: open, attributes, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    } else if (whole.startsWith('<?xml') && at !== whole.length) {
      throw new Error('an XML declaration after the start');
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

function find(element: XmlElement, name: string): XmlElement[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((c) => find(c, name))];
}

// ------------------------------------------------------------ the .vsix

describe('npm run package:vscode', () => {
  let result: PackageResult;
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    result = await packageVsix();
    files = unzipSync(new Uint8Array(readFileSync(result.vsix)));
  });

  it('is the script behind `npm run package:vscode`, and `npm run docs` also writes the grammar', () => {
    const scripts = readJson(path.join(repoRoot, 'package.json')).scripts as Record<string, string>;
    expect(scripts['package:vscode']).toContain('scripts/package-vsix.ts');
    expect(scripts.docs).toContain('scripts/gen-docs.ts');
    expect(scripts.docs).toContain('scripts/gen-tmgrammar.ts');
  });

  it('writes lsp/vscode/mbn-vscode-<version>.vsix with the manifest, content types and extension files', () => {
    expect(path.relative(repoRoot, result.vsix)).toBe(path.join('lsp', 'vscode', `mbn-vscode-${extensionPackage.version}.vsix`));
    expect(Object.keys(files)).toEqual([...result.entries]);
    expect(Object.keys(files).sort()).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/README.md',
        'extension/ThirdPartyNotices.txt',
        'extension/dist/extension.js',
        'extension/dist/mbn.tmLanguage.json',
        'extension/language-configuration.json',
        'extension/package.json',
      ].sort(),
    );
  });

  it('has a well-formed VSIX manifest with the identity, engine, target and assets', () => {
    const manifest = parseXml(strFromU8(files['extension.vsixmanifest']!));
    expect(manifest.name).toBe('PackageManifest');
    expect(manifest.attributes).toMatchObject({ Version: '2.0.0', xmlns: 'http://schemas.microsoft.com/developer/vsx-schema/2011' });
    expect(find(manifest, 'Identity')[0]!.attributes).toEqual({ Language: 'en-US', Id: 'mbn-vscode', Version: extensionPackage.version, Publisher: 'mbn' });
    expect(extensionPackage.version).toBe('0.1.0');
    expect(find(manifest, 'DisplayName')[0]!.text).toBe(extensionPackage.displayName);
    expect(find(manifest, 'Description')[0]!.text).toBe(extensionPackage.description);
    expect(find(manifest, 'Categories')[0]!.text).toBe('Programming Languages,Machine Learning');
    const properties = Object.fromEntries(find(manifest, 'Property').map((p) => [p.attributes.Id, p.attributes.Value]));
    expect(properties['Microsoft.VisualStudio.Code.Engine']).toBe('^1.91.0');
    expect(properties['Microsoft.VisualStudio.Code.ExtensionKind']).toBe('workspace');
    expect(find(manifest, 'InstallationTarget').map((e) => e.attributes.Id)).toEqual(['Microsoft.VisualStudio.Code']);
    const assets = find(manifest, 'Asset');
    expect(assets.find((a) => a.attributes.Type === 'Microsoft.VisualStudio.Code.Manifest')?.attributes.Path).toBe('extension/package.json');
    for (const asset of assets) expect(files, asset.attributes.Path).toHaveProperty([asset.attributes.Path!]);
  });

  it('declares a content type for every kind of file in it', () => {
    const types = parseXml(strFromU8(files['[Content_Types].xml']!));
    expect(types.name).toBe('Types');
    const declared = new Set(find(types, 'Default').map((d) => d.attributes.Extension));
    for (const name of Object.keys(files).filter((n) => !n.startsWith('['))) expect(declared, name).toContain(path.extname(name));
  });

  it('contributes the language, the grammar, the settings and the restart command', () => {
    const pkg = JSON.parse(strFromU8(files['extension/package.json']!)) as Record<string, any>;
    expect(pkg).toMatchObject({ name: 'mbn-vscode', publisher: 'mbn', engines: { vscode: '^1.91.0' }, main: './dist/extension.js' });
    expect(pkg.activationEvents).toContain('onLanguage:mbn');
    expect(pkg.contributes.languages).toEqual([expect.objectContaining({ id: 'mbn', extensions: ['.mbn'], configuration: './language-configuration.json' })]);
    expect(pkg.contributes.grammars).toEqual([{ language: 'mbn', scopeName: 'source.mbn', path: './dist/mbn.tmLanguage.json' }]);
    const inZip = (relative: string) => files[`extension/${path.posix.normalize(relative)}`];
    expect(strFromU8(inZip(pkg.main)!)).toContain('activate');
    expect(strFromU8(inZip(pkg.contributes.grammars[0].path)!)).toBe(readFileSync(path.join(repoRoot, 'grammar', 'mbn.tmLanguage.json'), 'utf8'));
    expect(inZip(pkg.contributes.languages[0].configuration)).toBeDefined();
    const settings = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    expect(settings['mbn.server.command']!.default).toBe('');
    expect(settings['mbn.server.args']!.default).toEqual([...defaultServerArgs]);
    expect(settings['mbn.trace.server']!.default).toBe('off');
    expect(pkg.contributes.commands.map((c: { command: string }) => c.command)).toEqual(['mbn.restartServer']);
  });

  it('bundles the client into one extension.js that requires only vscode and Node built-ins', () => {
    const code = strFromU8(files['extension/dist/extension.js']!);
    const required = new Set([...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!));
    expect(required).toContain('vscode');
    expect(required).toContain('child_process');
    const builtins = new Set(builtinModules);
    const foreign = [...required].filter((name) => name !== 'vscode' && !builtins.has(name.replace(/^node:/, '')));
    expect(foreign).toEqual([]);
    // Nothing else is loaded another way either.
    expect(code).not.toMatch(/\bimport\(/);
    expect(strFromU8(files['extension/ThirdPartyNotices.txt']!)).toContain('vscode-languageclient 11.0.0');
  });

  it('is reproducible', async () => {
    const first = readFileSync(result.vsix);
    await packageVsix({ typecheck: false });
    expect(readFileSync(result.vsix).equals(first)).toBe(true);
  });
});

// ------------------------------------------------------------ the language configuration

describe('lsp/vscode/language-configuration.json', () => {
  it('has the comment tokens of src/syntax/tokens.ts', () => {
    const { lineComment, blockComment } = languageConfiguration.comments as { lineComment: string; blockComment: [string, string] };
    const line = t.lexer.tokenize(`${lineComment} a comment -> Dense(1)\nx`);
    expect(line.groups.comments!.map((c) => [c.tokenType, c.image])).toEqual([[t.LineComment, `${lineComment} a comment -> Dense(1)`]]);
    const block = t.lexer.tokenize(`x ${blockComment[0]} one\ntwo ${blockComment[1]} y`);
    expect(block.groups.comments!.map((c) => [c.tokenType, c.image])).toEqual([[t.BlockComment, `${blockComment[0]} one\ntwo ${blockComment[1]}`]]);
    expect(block.tokens.map((c) => c.image)).toEqual(['x', 'y']);
  });

  it('pairs the brackets and quotes the language has', () => {
    const brackets = languageConfiguration.brackets as [string, string][];
    expect(brackets.map(([open, close]) => t.lexer.tokenize(`${open}${close}`).tokens.map((k) => k.tokenType))).toEqual([
      [t.LBrace, t.RBrace],
      [t.LBracket, t.RBracket],
      [t.LParen, t.RParen],
    ]);
    const quotes = (languageConfiguration.autoClosingPairs as { open: string; close: string }[]).filter((p) => p.open === p.close);
    for (const { open, close } of quotes) expect(t.lexer.tokenize(`${open}x${close}`).tokens.map((k) => k.tokenType)).toEqual([t.StringLiteral]);
    expect(quotes.map((q) => q.open).sort()).toEqual(['"', "'"]);
    expect((languageConfiguration.surroundingPairs as string[][]).map((p) => p.join(''))).toEqual(expect.arrayContaining(['()', '[]', '{}', '""', "''"]));
  });

  it('indents after an opening bracket and outdents at a closing one', () => {
    const rules = languageConfiguration.indentationRules as { increaseIndentPattern: string; decreaseIndentPattern: string };
    const increase = new RegExp(rules.increaseIndentPattern);
    const decrease = new RegExp(rules.decreaseIndentPattern);
    for (const line of ['model A {', '  train {  # settings', '  x = Dense(', '  input x: [']) expect(increase.test(line), line).toBe(true);
    for (const line of ['  x = Dense(3)', '  input x: [4]', '  # {']) expect(increase.test(line), line).toBe(false);
    for (const line of ['}', '  )', '    ] int32']) expect(decrease.test(line), line).toBe(true);
  });

  it('takes names and whole numbers as words', () => {
    const word = new RegExp(`^(?:${languageConfiguration.wordPattern as string})$`);
    for (const w of ['Conv2D', 'weighted_sum', '_x1', '1e-3', '0.5', '.5', '32']) expect(word.test(w), w).toBe(true);
    for (const w of ['a-b', 'x.shape', '->']) expect(word.test(w), w).toBe(false);
  });
});

// ------------------------------------------------------------ starting the server

describe('server options', () => {
  const workspace = (over: Partial<WorkspaceInfo> = {}): WorkspaceInfo => ({
    folders: ['/work/project'],
    trusted: true,
    platform: 'linux',
    exists: () => false,
    ...over,
  });

  it('read the settings, with defaults for missing or odd values', () => {
    expect(readServerSettings(() => undefined)).toEqual({ command: '', args: ['lsp', '--stdio'] });
    expect(readServerSettings((k) => ({ 'server.command': 'mbnc-dev', 'server.args': ['lsp', '--stdio', '--verbose'] })[k])).toEqual({
      command: 'mbnc-dev',
      args: ['lsp', '--stdio', '--verbose'],
    });
    expect(readServerSettings((k) => ({ 'server.command': 42, 'server.args': ['lsp', 3] })[k])).toEqual({ command: '', args: ['lsp', '--stdio'] });
  });

  it('prefer the workspace mbnc, then mbnc on the PATH', () => {
    const local = '/work/project/node_modules/.bin/mbnc';
    expect(resolveServerCommand('', workspace({ exists: (f) => f === local }))).toBe(local);
    expect(resolveServerCommand('', workspace())).toBe('mbnc');
    expect(resolveServerCommand('', workspace({ folders: ['/a', '/b'], exists: (f) => f === '/b/node_modules/.bin/mbnc' }))).toBe('/b/node_modules/.bin/mbnc');
    // An untrusted folder's own binary is code from the folder: not run.
    expect(resolveServerCommand('', workspace({ trusted: false, exists: (f) => f === local }))).toBe('mbnc');
    expect(resolveServerCommand('', workspace({ platform: 'win32', folders: ['C:\\p'], exists: (f) => f === 'C:\\p\\node_modules\\.bin\\mbnc.cmd' }))).toBe(
      'C:\\p\\node_modules\\.bin\\mbnc.cmd',
    );
  });

  it('take a configured command as it is, or relative to the first folder', () => {
    expect(resolveServerCommand('/opt/mbn/bin/mbnc', workspace({ exists: () => true }))).toBe('/opt/mbn/bin/mbnc');
    expect(resolveServerCommand('mbnc-dev', workspace())).toBe('mbnc-dev');
    expect(resolveServerCommand('./bin/mbnc.js', workspace())).toBe('/work/project/bin/mbnc.js');
    expect(resolveServerCommand('${workspaceFolder}/bin/mbnc.js', workspace())).toBe('/work/project/bin/mbnc.js');
    expect(resolveServerCommand('./bin/mbnc.js', workspace({ folders: [] }))).toBe('./bin/mbnc.js');
  });

  it('start it over stdio in the first folder, through a shell on Windows', () => {
    expect(serverExecutable({ command: '', args: defaultServerArgs }, workspace())).toEqual({
      command: 'mbnc',
      args: ['lsp', '--stdio'],
      options: { cwd: '/work/project', shell: false },
    });
    expect(serverExecutable({ command: 'node', args: ['${workspaceFolder}/bin/mbnc.js', 'lsp', '--stdio'] }, workspace()).args).toEqual([
      '/work/project/bin/mbnc.js',
      'lsp',
      '--stdio',
    ]);
    const windows = serverExecutable({ command: 'C:\\Program Files\\mbn\\mbnc.cmd', args: ['lsp', '--stdio', 'C:\\My Specs'] }, workspace({ platform: 'win32', folders: [] }));
    expect(windows).toEqual({ command: '"C:\\Program Files\\mbn\\mbnc.cmd"', args: ['lsp', '--stdio', '"C:\\My Specs"'], options: { shell: true } });
  });
});

/** What the fake `vscode` and `vscode-languageclient/node` record. */
interface FakeClient {
  readonly id: string;
  readonly name: string;
  readonly server: { command: string; args: string[]; options: { cwd?: string; shell: boolean }; transport?: unknown };
  readonly options: { documentSelector: { scheme: string; language: string }[]; outputChannel: unknown; synchronize: { fileEvents: unknown } };
  started: number;
  stopped: number;
}

describe('the extension', () => {
  const clients: FakeClient[] = [];
  const commands = new Map<string, () => Promise<void>>();
  const configListeners: ((e: { affectsConfiguration(section: string): boolean }) => void)[] = [];
  const errors: string[] = [];
  const settings: Record<string, unknown> = {};
  const channels: { name: string; options: unknown }[] = [];
  const folder = path.join(scratch, 'project');
  let trusted = true;
  let failNextStart = false;
  let extension: { activate(context: { subscriptions: unknown[] }): Promise<void>; deactivate(): Promise<void> };

  const fakeVscode = {
    version: '1.91.0',
    window: {
      createOutputChannel: (name: string, options: unknown) => {
        const channel = { name, options, info() {}, warn() {}, error() {}, show() {}, dispose() {} };
        channels.push({ name, options });
        return channel;
      },
      showErrorMessage: (message: string) => {
        errors.push(message);
        return Promise.resolve(undefined);
      },
    },
    commands: {
      registerCommand: (id: string, run: () => Promise<void>) => {
        commands.set(id, run);
        return { dispose() {} };
      },
      executeCommand: () => Promise.resolve(),
    },
    workspace: {
      get workspaceFolders() {
        return [{ uri: { scheme: 'file', fsPath: folder } }];
      },
      get isTrusted() {
        return trusted;
      },
      getConfiguration: (section: string) => ({ get: (key: string) => settings[`${section}.${key}`] }),
      onDidChangeConfiguration: (listener: (typeof configListeners)[number]) => {
        configListeners.push(listener);
        return { dispose() {} };
      },
      onDidGrantWorkspaceTrust: () => ({ dispose() {} }),
      createFileSystemWatcher: (glob: string) => ({ glob, dispose() {} }),
    },
  };
  class LanguageClient {
    readonly record: FakeClient;
    constructor(id: string, name: string, server: FakeClient['server'], options: FakeClient['options']) {
      this.record = { id, name, server, options, started: 0, stopped: 0 };
      clients.push(this.record);
    }
    start(): Promise<void> {
      this.record.started++;
      if (failNextStart) {
        failNextStart = false;
        return Promise.reject(new Error('spawn mbnc ENOENT'));
      }
      return Promise.resolve();
    }
    stop(): Promise<void> {
      this.record.stopped++;
      return Promise.resolve();
    }
    dispose(): Promise<void> {
      return Promise.resolve();
    }
  }

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    // The shipped bundle, with `vscode` and the client swapped for the fakes above.
    const fakes = { vscode: fakeVscode, 'vscode-languageclient/node': { LanguageClient } };
    const { code } = await bundleExtension([
      {
        name: 'fakes',
        setup(build) {
          build.onResolve({ filter: /^(vscode|vscode-languageclient\/node)$/ }, (args) => ({ path: args.path, namespace: 'fake' }));
          build.onLoad({ filter: /.*/, namespace: 'fake' }, (args) => ({ contents: `module.exports = globalThis.__mbnFakes[${JSON.stringify(args.path)}];`, loader: 'js' }));
        },
      },
    ]);
    const source = new TextDecoder().decode(code);
    expect(source).not.toMatch(/require\("vscode"\)/);
    (globalThis as { __mbnFakes?: unknown }).__mbnFakes = fakes;
    const module = { exports: {} as typeof extension };
    new Function('module', 'exports', 'require', source)(module, module.exports, createRequire(import.meta.url));
    extension = module.exports;
  });
  afterAll(() => {
    delete (globalThis as { __mbnFakes?: unknown }).__mbnFakes;
  });

  it('starts the configured command over stdio on activation', async () => {
    settings['mbn.server.command'] = '/opt/mbn/bin/mbnc';
    settings['mbn.server.args'] = ['lsp', '--stdio', '--log-level', 'debug'];
    const context = { subscriptions: [] as unknown[] };
    await extension.activate(context);
    expect(clients).toHaveLength(1);
    const [client] = clients;
    expect(client).toMatchObject({ id: 'mbn', started: 1, stopped: 0 });
    expect(client!.server).toEqual({ command: '/opt/mbn/bin/mbnc', args: ['lsp', '--stdio', '--log-level', 'debug'], options: { cwd: folder, shell: false } });
    expect(client!.options.documentSelector).toContainEqual({ scheme: 'file', language: 'mbn' });
    expect(client!.options.synchronize.fileEvents).toMatchObject({ glob: '**/*.mbn' });
    expect(channels).toEqual([{ name: 'mbn Language Server', options: { log: true } }]);
    expect(client!.options.outputChannel).toMatchObject({ name: 'mbn Language Server' });
    expect(context.subscriptions.length).toBeGreaterThanOrEqual(4);
    // Every command it registers is contributed in package.json, so that it shows in the palette.
    const contributed = (extensionPackage.contributes.commands as { command: string }[]).map((c) => c.command);
    expect([...commands.keys()]).toEqual(contributed);
  });

  it('restarts the server on mbn.restartServer', async () => {
    await commands.get('mbn.restartServer')!();
    expect(clients).toHaveLength(2);
    expect(clients[0]).toMatchObject({ started: 1, stopped: 1 });
    expect(clients[1]).toMatchObject({ started: 1, stopped: 0 });
  });

  it('restarts with the new command when a mbn.server setting changes, and finds the workspace mbnc', async () => {
    const bin = path.join(folder, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, process.platform === 'win32' ? 'mbnc.cmd' : 'mbnc'), '');
    settings['mbn.server.command'] = '';
    delete settings['mbn.server.args'];
    const before = clients.length;
    configListeners.forEach((l) => l({ affectsConfiguration: (s) => s === 'editor' }));
    configListeners.forEach((l) => l({ affectsConfiguration: (s) => s === 'mbn.server' || s === 'mbn' }));
    // The settings restart runs without being awaited; this one queues behind it.
    await commands.get('mbn.restartServer')!();
    expect(clients.length).toBe(before + 2);
    expect(clients[before]!.server.command).toBe(path.join(bin, process.platform === 'win32' ? 'mbnc.cmd' : 'mbnc'));
    expect(clients[before]!.server.args).toEqual(['lsp', '--stdio']);
    expect(clients.slice(0, -1).every((c) => c.stopped === 1)).toBe(true);
  });

  it('runs only mbnc from the PATH in an untrusted workspace', async () => {
    trusted = false;
    await commands.get('mbn.restartServer')!();
    expect(clients[clients.length - 1]!.server.command).toBe('mbnc');
    trusted = true;
  });

  it('says so when the server cannot start, and starts again on the next restart', async () => {
    failNextStart = true;
    await commands.get('mbn.restartServer')!();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('could not start the language server');
    expect(errors[0]).toContain('mbn.server.command');
    await commands.get('mbn.restartServer')!();
    const last = clients[clients.length - 1]!;
    expect(last).toMatchObject({ started: 1, stopped: 0 });
    await extension.deactivate();
    expect(last.stopped).toBe(1);
  });
});
