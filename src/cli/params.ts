/** `--param name=value` on the command line, as values for a model's parameters. */
import type { Value } from '../semantics/values.js';
import { UsageError } from './io.js';

export function parseParams(args: readonly string[]): Map<string, Value> {
  const params = new Map<string, Value>();
  for (const arg of args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(arg);
    if (!m) throw new UsageError(`--param takes name=value, got "${arg}"`);
    const [, name, text] = m as unknown as [string, string, string];
    let value: Value;
    if (/^-?\d+$/.test(text)) value = { kind: 'number', value: Number(text), isInt: true };
    else if (/^-?(\d+\.\d*|\.\d+|\d+)(e[-+]?\d+)?$/i.test(text)) value = { kind: 'number', value: Number(text), isInt: false };
    else if (text === 'true' || text === 'false') value = { kind: 'bool', value: text === 'true' };
    else if (/^\[[\d\s,]*\]$/.test(text)) value = { kind: 'list', items: JSON.parse(text).map((n: number) => ({ kind: 'number', value: n, isInt: true })) };
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) value = { kind: 'symbol', name: text, ident: { kind: 'Identifier', name: text, span: { start: 0, end: 0 } } };
    else value = { kind: 'string', value: text };
    params.set(name, value);
  }
  return params;
}
