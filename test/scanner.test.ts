/**
 * The hand-written scanner must produce exactly what the Chevrotain lexer
 * defined in tokens.ts produces (that lexer is the specification).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/syntax/scanner.js';
import { lexer } from '../src/syntax/tokens.js';
import { examplesDir } from './helpers.js';

function viaChevrotain(text: string) {
  const r = lexer.tokenize(text);
  return {
    tokens: r.tokens.map((x) => [x.tokenType.name, x.startOffset, x.image]),
    comments: (r.groups['comments'] ?? []).map((x) => [x.tokenType.name, x.startOffset, x.image]),
    errors: r.errors.map((e) => [e.offset, e.length]),
  };
}

function viaScanner(text: string) {
  const r = scan(text);
  for (const x of r.tokens) expect(x.endOffset).toBe(x.startOffset + x.image.length - 1);
  return {
    tokens: r.tokens.map((x) => [x.tokenType.name, x.startOffset, x.image]),
    comments: r.groups.comments.map((x) => [x.tokenType.name, x.startOffset, x.image]),
    errors: r.errors.map((e) => [e.offset, e.length]),
  };
}

const files = [examplesDir, path.join(examplesDir, 'errors')].flatMap((dir) =>
  readdirSync(dir).filter((f) => f.endsWith('.mbn')).map((f) => readFileSync(path.join(dir, f), 'utf8')),
);

describe('the scanner agrees with the Chevrotain lexer', () => {
  it('on every example', () => {
    for (const text of files) expect(viaScanner(text)).toEqual(viaChevrotain(text));
  });

  it('on tricky cases', () => {
    for (const text of ['"a\\"b"', '"a\\', '"a\\\nb"', '"a\\\rb"', '"a\\\u2028b"', "'x", '1.5e-3 .5 2. 3e 4e+ x.5 1..2', 'modelx model_ True true_ None5', '->-->- -1', '@@ é ∑ 😀 a', '/* x', '/* a */*/', '# c\n// d', '\r\n\t\f\v\u00a0\ufeffx']) {
      expect(viaScanner(text), JSON.stringify(text)).toEqual(viaChevrotain(text));
    }
  });

  it('on random text', () => {
    const alphabet = fc.constantFrom(...'ab_Z09 .:,;=->+*/%()[]{}"\'\\#\n\r\téé@\u2028'.split(''), 'model', 'None', '1e5', '//', '/*', '*/', '->');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')), (text) => {
      expect(viaScanner(text)).toEqual(viaChevrotain(text));
    }), { numRuns: 2000 });
  });
});
