/**
 * Signature help inside the parentheses of a layer, merge, model,
 * optimizer or regularizer call: the signature, each parameter's doc, and
 * which parameter the cursor is on (the named argument being written, else
 * the position).
 */
import type { Analysis } from '../semantics/analyze.js';
import { functionalLayers } from '../semantics/resolve.js';
import { argumentTokens, cursorContext, enclosingCall, namedArgument } from './cursor.js';
import { signatureOf } from './format.js';
import { resolveCallee, type Callee } from './locate.js';
import { unitOf } from './model-index.js';
import { commentAt } from './tree.js';

export interface SignatureParameter {
  readonly label: string;
  /** Where the parameter is in the signature's label, `[start, end)`. */
  readonly range: readonly [number, number];
  /** Markdown. */
  readonly documentation: string;
}

export interface SignatureHelp {
  readonly label: string;
  /** Markdown: what the callee is. */
  readonly documentation: string;
  readonly parameters: readonly SignatureParameter[];
  /** Index into `parameters`; undefined when the argument matches none (an unknown name, one too many). */
  readonly activeParameter: number | undefined;
}

export function signatureHelp(analysis: Analysis, uri: string, offset: number): SignatureHelp | undefined {
  const unit = unitOf(analysis, uri);
  if (!unit || !Number.isFinite(offset) || offset < 0 || offset > unit.text.length) return undefined;
  if (commentAt(unit.syntax, offset)) return undefined;
  const ctx = cursorContext(unit, offset);
  if (ctx.quiet) return undefined;
  const call = enclosingCall(ctx);
  if (!call?.frame.callee) return undefined;
  const written = call.frame.callee.text;
  const callee = resolveCallee(unit, written);
  if (!callee) return undefined;
  const { label, parameters } = signatureOf(callee, written);
  // Parameters before the catalogue's own: a merge's tensors, a functional form's `x`.
  const leading = parameters.length - paramNames(callee).length;
  const named = namedArgument(argumentTokens(ctx, call.frame));
  let active: number | undefined;
  if (named !== undefined) {
    const index = paramNames(callee).findIndex((names) => names.includes(named));
    active = index >= 0 ? index + leading : undefined;
  } else if (callee.kind === 'entry' && callee.entry.kind === 'merge') {
    active = 0; // positional arguments of a merge are its tensors
  } else {
    const position = call.frame.argIndex;
    active = position < parameters.length ? position : undefined;
  }
  return { label, documentation: documentationOf(callee, written), parameters, activeParameter: active };
}

/** Each parameter's accepted names, in positional order. */
function paramNames(callee: Callee): string[][] {
  if (callee.kind === 'model') return callee.template.decl.params.map((p) => (p.name ? [p.name.name] : []));
  return callee.entry.params.map((p) => [p.name, ...(p.aliases ?? [])]);
}

function documentationOf(callee: Callee, written: string): string {
  if (callee.kind === 'model') return `Model \`${callee.template.name}\`; the input comes from \`->\`: \`x -> ${callee.template.name}(…)\`.`;
  if (callee.kind === 'function') return callee.entry.doc;
  if (functionalLayers.has(written)) return `\`${written}(x, …)\` is the functional form of \`${callee.entry.name}\`.\n\n${callee.entry.doc}`;
  return callee.entry.doc;
}
