/**
 * Every diagnostic mbn can report, with its default severity and a one-line
 * explanation. `docs/diagnostics.md` is written from this table and each code
 * has an example under `examples/errors/` that the test suite checks.
 */
import type { Severity } from './diagnostic.js';

interface CodeInfo {
  readonly severity: Severity;
  readonly title: string;
}

export const diagnosticCodes = {
  // Syntax
  MBN100: { severity: 'error', title: 'unexpected character' },
  MBN101: { severity: 'error', title: 'unterminated string or comment' },
  MBN102: { severity: 'error', title: 'syntax error' },
  // Files and imports
  MBN150: { severity: 'error', title: 'imported file not found' },
  MBN151: { severity: 'error', title: 'import cycle' },
  MBN152: { severity: 'error', title: 'imported name not found' },
  // Names and values
  MBN200: { severity: 'error', title: 'undefined name' },
  MBN201: { severity: 'error', title: 'duplicate definition' },
  MBN202: { severity: 'error', title: 'name used before its definition' },
  MBN203: { severity: 'error', title: 'not callable' },
  MBN204: { severity: 'error', title: 'recursive model instantiation' },
  MBN205: { severity: 'error', title: 'wrong kind of value' },
  MBN206: { severity: 'error', title: 'invalid constant expression' },
  // Arguments
  MBN210: { severity: 'error', title: 'unknown argument' },
  MBN211: { severity: 'error', title: 'missing required argument' },
  MBN212: { severity: 'error', title: 'wrong argument type' },
  MBN213: { severity: 'error', title: 'argument out of range' },
  MBN214: { severity: 'error', title: 'too many arguments' },
  MBN215: { severity: 'error', title: 'argument given twice' },
  // Shapes
  MBN300: { severity: 'error', title: 'layer input shape mismatch' },
  MBN301: { severity: 'error', title: 'merge shape mismatch' },
  MBN302: { severity: 'error', title: 'mixture-of-experts or switch gate width mismatch' },
  MBN303: { severity: 'error', title: 'dimension collapses to zero or below' },
  MBN304: { severity: 'error', title: 'reshape size mismatch' },
  MBN305: { severity: 'error', title: 'index or slice out of range' },
  MBN306: { severity: 'error', title: 'size limit exceeded' },
  MBN307: { severity: 'error', title: 'sub-model input mismatch' },
  // Model structure, outputs and training
  MBN400: { severity: 'warning', title: 'branch reaches no output' },
  MBN401: { severity: 'warning', title: 'unused input' },
  MBN402: { severity: 'warning', title: 'unused parameter' },
  MBN403: { severity: 'warning', title: 'model has no outputs' },
  MBN404: { severity: 'error', title: 'invalid output settings' },
  MBN405: { severity: 'error', title: 'invalid training settings' },
  MBN406: { severity: 'error', title: 'model cannot be compiled on its own' },
  MBN407: { severity: 'warning', title: 'only auxiliary outputs' },
  MBN408: { severity: 'warning', title: 'unused shared layer or import' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export function codeInfo(code: DiagnosticCode): CodeInfo {
  return diagnosticCodes[code];
}
