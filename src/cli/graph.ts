/**
 * `mbnc graph FILE [--model NAME] [--param name=value] [--inference] [--branches] [-o FILE]`:
 * a diagram of the training (or inference) model as SVG, Graphviz DOT or
 * Mermaid, chosen by the output's extension; DOT on stdout without `-o`.
 */
import * as path from 'node:path';
import { DataError } from '../data/array.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { writeFileAtomic } from '../data/io.js';
import { renderDiagnostic, styleFor } from '../diagnostics/render.js';
import { toDot } from '../diagram/dot.js';
import { toMermaid } from '../diagram/mermaid.js';
import { buildDiagram } from '../diagram/model.js';
import { branchLocator, modelLocator } from '../diagram/origins.js';
import { renderSvg } from '../diagram/svg.js';
import { analyze, pickModel, standaloneDiagnostics } from '../semantics/analyze.js';
import { analyzeFiles } from './check.js';
import { fileHost } from './host.js';
import { errorCount, exitCodes, UsageError, type CliIO } from './io.js';
import { parseParams } from './params.js';

export interface GraphArgs {
  readonly files: readonly string[];
  readonly model: string | undefined;
  readonly params: readonly string[];
  /** Draw the pruned inference model rather than the training model. */
  readonly inference: boolean;
  /** Box every branch of several layers, not only the aux ones. */
  readonly branches: boolean;
  readonly out: string | undefined;
  /** Overrides the format the extension of `out` implies. */
  readonly format: string | undefined;
}

export type GraphFormat = 'dot' | 'svg' | 'mermaid';

const byExtension: Readonly<Record<string, GraphFormat>> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid', '.mermaid': 'mermaid' };
const byName: Readonly<Record<string, GraphFormat>> = { dot: 'dot', gv: 'dot', svg: 'svg', mermaid: 'mermaid', mmd: 'mermaid' };

function formatFor(args: GraphArgs): GraphFormat {
  if (args.format !== undefined) {
    const format = byName[args.format.toLowerCase()];
    if (!format) throw new UsageError(`--format takes svg, dot or mermaid; got "${args.format}"`);
    return format;
  }
  if (args.out === undefined) return 'dot';
  const ext = path.extname(args.out).toLowerCase();
  const format = byExtension[ext];
  if (!format) {
    const hint = ext === '.png' || ext === '.pdf' ? ' (write .svg and convert it, e.g. with a browser or rsvg-convert)' : '';
    throw new UsageError(`cannot tell the format of "${args.out}" from its extension; use .svg, .dot or .mmd, or give --format${hint}`);
  }
  return format;
}

export async function graphCommand(args: GraphArgs, io: CliIO): Promise<number> {
  if (args.files.length !== 1) throw new UsageError('graph takes exactly one .mbn file');
  const format = formatFor(args);
  const first = analyzeFiles(args.files, io);
  let analysis = first.analyses[0]!;
  let diagnostics: readonly Diagnostic[] = first.diagnostics;
  let chosen = pickModel(analysis, args.model);

  const params = parseParams(args.params);
  if (params.size > 0) {
    const declared = chosen.template.decl.params.flatMap((p) => (p.name ? [p.name.name] : []));
    for (const name of params.keys()) {
      if (!declared.includes(name)) {
        throw new UsageError(`\`${chosen.name}\` has no parameter "${name}"; ${declared.length > 0 ? `its parameters: ${declared.join(', ')}` : 'it takes none'}`);
      }
    }
    analysis = analyze(analysis.uri, fileHost, { params: new Map([[chosen.name, params]]) });
    diagnostics = analysis.diagnostics;
    chosen = pickModel(analysis, chosen.name);
  }

  // Like train and compile, nothing is drawn from a file with errors: a model recovered from a syntax error may not be the one written.
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!chosen.graph || errors.length > 0) {
    const sources = { lines: (uri: string) => analysis.program.units.get(uri)?.lines };
    const style = styleFor(io.stderr, io.env);
    for (const d of [...errors, ...(chosen.graph ? [] : standaloneDiagnostics(chosen))]) io.stderr.write(renderDiagnostic(d, sources, style) + '\n\n');
    io.stderr.write(`cannot draw \`${chosen.name}\`: ${chosen.graph ? errorCount(errors.length) : chosen.unavailable.join('; ')}\n`);
    return exitCodes.errors;
  }

  const diagram = buildDiagram(chosen.graph, {
    view: args.inference ? 'inference' : 'training',
    modelAt: modelLocator(analysis),
    branchAt: branchLocator(analysis, chosen.name),
    branches: args.branches ? 'all' : 'aux',
  });
  const text = format === 'mermaid' ? toMermaid(diagram) : format === 'svg' ? await renderSvg(toDot(diagram)) : toDot(diagram);
  if (args.out === undefined) {
    io.stdout.write(text);
    return exitCodes.ok;
  }
  try {
    writeFileAtomic(path.resolve(io.cwd, args.out), text);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    io.stderr.write(`mbnc: cannot write ${args.out}: ${error.detail}\n`);
    return exitCodes.errors;
  }
  const layers = diagram.nodes.filter((n) => n.kind === 'layer' || n.kind === 'merge').length;
  const removed = diagram.nodes.filter((n) => n.fate !== 'kept' && n.kind !== 'output').length;
  io.stderr.write(
    `wrote ${args.out}: ${diagram.view} model \`${diagram.model}\`, ${layers} layer${layers === 1 ? '' : 's'}` +
      (removed > 0 ? `, ${removed} drawn dashed as removed at inference` : '') +
      '\n',
  );
  return exitCodes.ok;
}
