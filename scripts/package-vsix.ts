/**
 * `npm run package:vscode`: builds lsp/vscode/mbn-vscode-<version>.vsix, the
 * VS Code extension, without @vscode/vsce (which needs Node 22):
 *
 * 1. type-checks the extension (lsp/vscode/tsconfig.json: it needs the
 *    `vscode` types, which the root build leaves out);
 * 2. bundles lsp/vscode/src/extension.ts and vscode-languageclient into
 *    lsp/vscode/dist/extension.js, CommonJS as VS Code loads it, `vscode`
 *    left to VS Code;
 * 3. copies grammar/mbn.tmLanguage.json to lsp/vscode/dist/;
 * 4. zips the extension's files under `extension/`, with the
 *    `extension.vsixmanifest` and `[Content_Types].xml` that vsce writes and
 *    `code --install-extension` reads.
 *
 * The .vsix is reproducible: the same sources give the same bytes (a fixed
 * order and timestamp). Each file is written to a temporary name in its
 * folder, then renamed over the old one.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { zipSync, type ZipOptions } from 'fflate';
import ts from 'typescript';
import { writeFileAtomic } from '../src/data/io.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const extensionDir = path.join(root, 'lsp', 'vscode');
const distDir = path.join(extensionDir, 'dist');

/** The fields of lsp/vscode/package.json the manifest repeats. */
interface ExtensionManifest {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly version: string;
  readonly publisher: string;
  readonly license?: string;
  readonly engines: { readonly vscode: string };
  readonly categories?: readonly string[];
  readonly keywords?: readonly string[];
  readonly contributes?: { readonly languages?: readonly { readonly id: string }[] };
}

export interface PackageOptions {
  /** Type-check the extension first (default true; the tests skip it when they package a second time). */
  readonly typecheck?: boolean;
}

export interface PackageResult {
  readonly vsix: string;
  /** The zip's entry names, in order. */
  readonly entries: readonly string[];
}

export async function packageVsix(options: PackageOptions = {}): Promise<PackageResult> {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as ExtensionManifest;
  if (options.typecheck ?? true) typecheckExtension();
  const bundle = await bundleExtension();
  const grammar = readFileSync(path.join(root, 'grammar', 'mbn.tmLanguage.json'));
  mkdirSync(distDir, { recursive: true });
  writeFileAtomic(path.join(distDir, 'extension.js'), bundle.code);
  writeFileAtomic(path.join(distDir, 'mbn.tmLanguage.json'), grammar);

  // What goes under extension/, in this order.
  const files: [string, Uint8Array][] = [
    ['package.json', readFileSync(path.join(extensionDir, 'package.json'))],
    ['README.md', readFileSync(path.join(extensionDir, 'README.md'))],
    ['ThirdPartyNotices.txt', utf8(thirdPartyNotices(bundle.metafile))],
    ['language-configuration.json', readFileSync(path.join(extensionDir, 'language-configuration.json'))],
    ['dist/extension.js', bundle.code],
    ['dist/mbn.tmLanguage.json', grammar],
  ];
  const entries: [string, Uint8Array][] = [
    ['extension.vsixmanifest', utf8(vsixManifest(manifest))],
    ['[Content_Types].xml', utf8(contentTypes(files.map(([name]) => name)))],
    ...files.map(([name, data]): [string, Uint8Array] => [`extension/${name}`, data]),
  ];
  // fflate writes DOS times from the date's local fields: a date built from local fields is the same everywhere.
  const fixed: ZipOptions = { level: 9, mtime: new Date(1980, 0, 1, 0, 0, 0) };
  const zip = zipSync(Object.fromEntries(entries.map(([name, data]) => [name, [data, fixed]])));
  const vsix = path.join(extensionDir, `${manifest.name}-${manifest.version}.vsix`);
  writeFileAtomic(vsix, zip);
  return { vsix, entries: entries.map(([name]) => name) };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function typecheckExtension(): void {
  const configFile = path.join(extensionDir, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, extensionDir);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`lsp/vscode does not type-check:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

/**
 * Bundles the extension as it ships. `plugins` let the tests swap `vscode`
 * and the language client for fakes and run the real bundle.
 */
export async function bundleExtension(plugins: Plugin[] = []): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(extensionDir, 'src', 'extension.ts')],
    outfile: path.join(distDir, 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // VS Code 1.91 runs Node 20.
    target: 'node20',
    external: ['vscode'],
    minify: true,
    // Licences go to ThirdPartyNotices.txt, whole.
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('extension.js'));
  if (!code) throw new Error('esbuild wrote no extension.js');
  return { code: code.contents, metafile: result.metafile };
}

/** The licence of every package bundled into extension.js, read from node_modules. */
function thirdPartyNotices(metafile: Metafile): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    // `node_modules/a/node_modules/@scope/b/lib/x.js` → `node_modules/a/node_modules/@scope/b`
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]!);
  }
  const sections = [...packages].sort().map((dir) => {
    const info = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const licenceFile = readdirSync(path.join(root, dir)).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
    const text = licenceFile ? readFileSync(path.join(root, dir, licenceFile), 'utf8').trim() : `License: ${info.license ?? 'see the package'}`;
    return `${info.name} ${info.version}\n${'-'.repeat(`${info.name} ${info.version}`.length)}\n${text}\n`;
  });
  return `The mbn extension bundles the following packages in dist/extension.js.\n\n${sections.join('\n')}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The VSIX manifest (schema 2.0.0) with the properties vsce sets for a VS Code extension. */
export function vsixManifest(m: ExtensionManifest): string {
  const tags = [...new Set([...(m.keywords ?? []), ...(m.contributes?.languages ?? []).map((l) => l.id)])];
  const property = (id: string, value: string) => `      <Property Id="${id}" Value="${xml(value)}" />`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">',
    '  <Metadata>',
    `    <Identity Language="en-US" Id="${xml(m.name)}" Version="${xml(m.version)}" Publisher="${xml(m.publisher)}" />`,
    `    <DisplayName>${xml(m.displayName ?? m.name)}</DisplayName>`,
    `    <Description xml:space="preserve">${xml(m.description ?? '')}</Description>`,
    `    <Tags>${xml(tags.join(','))}</Tags>`,
    `    <Categories>${xml((m.categories ?? []).join(','))}</Categories>`,
    '    <GalleryFlags>Public</GalleryFlags>',
    '    <Properties>',
    property('Microsoft.VisualStudio.Code.Engine', m.engines.vscode),
    property('Microsoft.VisualStudio.Code.ExtensionDependencies', ''),
    property('Microsoft.VisualStudio.Code.ExtensionPack', ''),
    property('Microsoft.VisualStudio.Code.ExtensionKind', 'workspace'),
    property('Microsoft.VisualStudio.Code.LocalizedLanguages', ''),
    property('Microsoft.VisualStudio.Services.GitHubFlavoredMarkdown', 'true'),
    property('Microsoft.VisualStudio.Services.Content.Pricing', 'Free'),
    '    </Properties>',
    ...(m.license ? [`    <License>${xml(m.license)}</License>`] : []),
    '  </Metadata>',
    '  <Installation>',
    '    <InstallationTarget Id="Microsoft.VisualStudio.Code" />',
    '  </Installation>',
    '  <Dependencies />',
    '  <Assets>',
    '    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />',
    '    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />',
    '  </Assets>',
    '</PackageManifest>',
    '',
  ].join('\n');
}

const mimeTypes: Record<string, string> = {
  '.json': 'application/json',
  '.js': 'application/javascript',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.vsixmanifest': 'text/xml',
};

/** The Open Packaging Conventions content types: one per file extension in the package. */
export function contentTypes(files: readonly string[]): string {
  const extensions = [...new Set(['.vsixmanifest', ...files.map((f) => path.extname(f).toLowerCase())])].sort();
  const defaults = extensions.map((ext) => {
    const type = mimeTypes[ext];
    if (!type) throw new Error(`package-vsix: no content type for ${ext} files`);
    return `  <Default Extension="${ext}" ContentType="${type}" />`;
  });
  return ['<?xml version="1.0" encoding="utf-8"?>', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">', ...defaults, '</Types>', ''].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { vsix, entries } = await packageVsix();
  console.log(`wrote ${path.relative(root, vsix)} (${entries.length} files)`);
}
