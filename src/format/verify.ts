/**
 * The formatter's promise, checked on every run: the formatted text has the
 * same tokens, the same statement breaks (after the layout rule) and the
 * same comments (up to trailing white space on their lines) as the source.
 * A formatter bug must never change what a spec means.
 */
import type { IToken } from 'chevrotain';
import { scanTable } from '../syntax/scanner.js';
import type { TokenTable } from '../syntax/token-table.js';
import * as t from '../syntax/tokens.js';

export class FormatterError extends Error {}

/** What a statement break is made of: a `;`, or a line break (or none, where the layout rule inserts one). */
function breakKind(table: TokenTable, i: number): string {
  return table.end(i) - table.start(i) === 1 && table.text[table.start(i)] === ';' ? ';' : '\n';
}

function sameToken(a: TokenTable, i: number, b: TokenTable, j: number): boolean {
  const type = a.type(i);
  if (type !== b.type(j)) return false;
  if (type === t.Newline) return breakKind(a, i) === breakKind(b, j);
  const length = a.end(i) - a.start(i);
  if (length !== b.end(j) - b.start(j)) return false;
  return a.text.startsWith(b.text.slice(b.start(j), b.end(j)), a.start(i));
}

const commentText = (c: IToken) => c.image.split('\n').map((part) => part.trimEnd()).join('\n');

/** Throws when the formatted text would mean something else than the source. */
export function verify(source: string, formatted: string): void {
  const before = scanTable(source);
  const after = scanTable(formatted);
  const a = t.applyLayout(before.tokens);
  const b = t.applyLayout(after.tokens);
  const fail = (what: string) => {
    throw new FormatterError(`formatting would change the meaning of the file (${what}); it was left as it is`);
  };
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!sameToken(a, i, b, i)) fail(`token ${i}: ${JSON.stringify(source.slice(a.start(i), a.end(i)))} became ${JSON.stringify(formatted.slice(b.start(i), b.end(i)))}`);
  }
  if (a.length !== b.length) fail(`${a.length} tokens became ${b.length}`);
  if (before.comments.length !== after.comments.length) fail(`${before.comments.length} comments became ${after.comments.length}`);
  before.comments.forEach((c, i) => {
    if (commentText(c) !== commentText(after.comments[i]!)) fail(`comment ${JSON.stringify(c.image)} changed`);
  });
}
