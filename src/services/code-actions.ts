/**
 * Quick fixes: the machine-applicable fixes diagnostics carry (insert
 * `Flatten()`, a did-you-mean rename, remove an unused import, close a
 * string…). A fix with no edits is advice for people (`help:` in the CLI)
 * and is not offered as an action.
 */
import type { Analysis } from '../semantics/analyze.js';
import type { Diagnostic, TextEdit } from '../diagnostics/diagnostic.js';
import type { Span } from '../syntax/source.js';

export interface QuickFix {
  readonly title: string;
  /** The diagnostic it fixes. */
  readonly diagnostic: Diagnostic;
  /** Edits in the diagnostic's file. */
  readonly edits: readonly TextEdit[];
}

/**
 * Fixes for the document's diagnostics that touch `span`, and for those
 * `also` picks (an editor names the diagnostics it shows at the cursor).
 */
export function quickFixes(analysis: Analysis, span: Span, also: (d: Diagnostic) => boolean = () => false): QuickFix[] {
  const fixes: QuickFix[] = [];
  for (const d of analysis.diagnostics) {
    if (d.uri !== analysis.uri || !d.fix?.edits || d.fix.edits.length === 0) continue;
    // Touching counts: a cursor right after a misspelt name is on it.
    const touches = d.span.start <= span.end && span.start <= d.span.end;
    if (!touches && !also(d)) continue;
    fixes.push({ title: d.fix.title, diagnostic: d, edits: d.fix.edits });
  }
  return fixes;
}
