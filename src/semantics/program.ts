/**
 * A program is the set of .mbn files reachable from the one being checked
 * through imports. Files are parsed once; every model declaration becomes a
 * `ModelTemplate` visible by name in its own file and in the files importing it.
 */
import * as path from 'node:path';
import type { DiagnosticSink } from '../diagnostics/diagnostic.js';
import type * as ast from '../syntax/ast.js';
import { parse } from '../syntax/parse.js';
import { LineMap } from '../syntax/source.js';
import { closest } from '../util/suggest.js';

/** Where source text comes from: the file system for the CLI, open documents for the language server. */
export interface SourceHost {
  readFile(uri: string): string | undefined;
}

export interface SourceUnit {
  readonly uri: string;
  readonly text: string;
  readonly lines: LineMap;
  readonly syntax: ast.SourceFile;
  /** Models declared in this file, by name (the first of duplicates). */
  readonly models: Map<string, ModelTemplate>;
  /** Models usable in this file: its own and the imported ones. */
  readonly visible: Map<string, ModelTemplate>;
}

export interface ModelTemplate {
  readonly name: string;
  readonly decl: ast.ModelDecl;
  readonly unit: SourceUnit;
}

export function resolveImportPath(fromUri: string, spec: string): string {
  const withExt = path.extname(spec) ? spec : `${spec}.mbn`;
  return path.resolve(path.dirname(fromUri), withExt);
}

export class Program {
  readonly units = new Map<string, SourceUnit>();
  private readonly loading: string[] = [];

  constructor(
    private readonly host: SourceHost,
    private readonly sink: DiagnosticSink,
  ) {}

  /** Parses `uri` (and, recursively, what it imports); `text` overrides the host's content. */
  load(uri: string, text?: string): SourceUnit | undefined {
    const existing = this.units.get(uri);
    if (existing) return existing;
    const source = text ?? this.host.readFile(uri);
    if (source === undefined) return undefined;
    const { file } = parse(source, uri, this.sink);
    const unit: SourceUnit = { uri, text: source, lines: new LineMap(source), syntax: file, models: new Map(), visible: new Map() };
    this.units.set(uri, unit);
    for (const decl of file.models) {
      if (!decl.name) continue;
      const first = unit.models.get(decl.name.name);
      if (first) {
        this.sink.report('MBN201', uri, decl.name.span, `model \`${decl.name.name}\` is declared twice`, {
          related: [{ uri, span: first.decl.name!.span, message: 'first declared here' }],
        });
        continue;
      }
      const template: ModelTemplate = { name: decl.name.name, decl, unit };
      unit.models.set(template.name, template);
      unit.visible.set(template.name, template);
    }
    this.loading.push(uri);
    for (const decl of file.imports) this.resolveImport(unit, decl);
    this.loading.pop();
    return unit;
  }

  private resolveImport(unit: SourceUnit, decl: ast.ImportDecl): void {
    if (!decl.path) return;
    const target = resolveImportPath(unit.uri, decl.path.value);
    const at = decl.path.span;
    const cycleStart = this.loading.indexOf(target);
    if (cycleStart >= 0) {
      const chain = [...this.loading.slice(cycleStart), target].map((u) => path.basename(u)).join(' → ');
      this.sink.report('MBN151', unit.uri, at, `import cycle: ${chain}`, {
        notes: ['move the shared models into a file that neither imports'],
      });
      return;
    }
    const imported = this.load(target);
    if (!imported) {
      this.sink.report('MBN150', unit.uri, at, `cannot find \`${decl.path.value}\``, {
        notes: [`looked for ${target}`, 'import paths are relative to the importing file'],
      });
      return;
    }
    const wanted = decl.names ?? [...imported.models.values()].map((m) => m.decl.name!);
    for (const ident of wanted) {
      const template = imported.models.get(ident.name);
      if (!template) {
        const suggestion = closest(ident.name, imported.models.keys());
        this.sink.report('MBN152', unit.uri, ident.span, `\`${decl.path.value}\` has no model \`${ident.name}\``, {
          notes: [`it declares: ${[...imported.models.keys()].join(', ') || 'no models'}`],
          ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: ident.span, newText: suggestion }] } } : {}),
        });
        continue;
      }
      const clash = unit.visible.get(template.name);
      if (clash && clash !== template) {
        if (decl.names) {
          this.sink.report('MBN201', unit.uri, ident.span, `\`${template.name}\` is already declared in this file`, {
            related: [{ uri: clash.unit.uri, span: clash.decl.name!.span, message: 'declared here' }],
          });
        }
        continue;
      }
      unit.visible.set(template.name, template);
    }
  }
}
