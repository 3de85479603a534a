/** Why a spec that checks still cannot be written as TypeScript, at the place in the spec that causes it. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../syntax/source.js';

export class CodegenError extends Error {
  constructor(
    readonly uri: string,
    readonly span: Span,
    message: string,
    readonly notes: readonly string[] = [],
  ) {
    super(message);
  }

  /** As a diagnostic, rendered like the checker's. MBN406: the model cannot be compiled (by `mbnc compile`). */
  toDiagnostic(): Diagnostic {
    return { code: 'MBN406', severity: 'error', uri: this.uri, span: this.span, message: this.message, notes: this.notes, related: [] };
  }
}
