/**
 * The front end never throws, whatever the input, and every diagnostic it
 * reports lies inside the document. Inputs: arbitrary text, soups of the
 * language's own tokens, and random edits of the bundled examples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/semantics/analyze.js';
import { summarize } from '../src/summary/summary.js';
import { examplesDir, fileHost } from './helpers.js';

function checkInvariants(uri: string, text: string): void {
  const analysis = analyze(uri, fileHost, { text });
  for (const d of analysis.diagnostics) {
    const length = analysis.program.units.get(d.uri)!.text.length;
    expect(d.span.start, d.message).toBeGreaterThanOrEqual(0);
    expect(d.span.end, d.message).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end, d.message).toBeLessThanOrEqual(length);
    for (const r of d.related) expect(r.span.end).toBeLessThanOrEqual(analysis.program.units.get(r.uri)!.text.length);
    for (const e of d.fix?.edits ?? []) expect(e.span.end).toBeLessThanOrEqual(length);
  }
  // Whatever compiles must also summarise.
  for (const m of analysis.models) if (m.graph) summarize(m.graph);
}

const fragments = [
  'model', 'M', 'N', 'input', 'output', 'shared', 'train', 'import', 'from', 'aux', 'loss', 'weight', 'metrics',
  'x', 'y', 'h', '=', '->', ':', ',', '(', ')', '[', ']', '{', '}', '.', '+', '-', '*', '/', '%', ';', '\n', ' ',
  '0', '1', '3', '28', '0.5', '-1', 'None', 'true', '"a.mbn"', '"', '#c\n', '/*', '*/',
  'Dense(4)', 'Conv2D(8, 3)', 'Flatten()', 'LSTM(4)', 'concat(x, y)', 'add(x, h)', 'mixture(g, x, y)', 'switch(p, x, y)',
  'weighted_sum(x, y, alpha: 0.3)', 'Reshape([2, -1])', 'x[0:1]', 'relu', 'mse', 'int', '[4]', '[2, 3, 1]',
];

const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.mbn'))
  .map((f) => ({ uri: path.join(examplesDir, f), text: readFileSync(path.join(examplesDir, f), 'utf8') }));

describe('the front end never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => checkInvariants('/mem/any.mbn', text)), { numRuns: Number(process.env.MBN_FUZZ_RUNS ?? 300) });
  });

  it('on soups of language fragments', () => {
    const soup = fc.array(fc.constantFrom(...fragments), { maxLength: 80 }).map((parts) => parts.join(' '));
    fc.assert(fc.property(soup, (text) => checkInvariants('/mem/soup.mbn', text)), { numRuns: Number(process.env.MBN_FUZZ_RUNS ?? 400) });
  });

  it('on random edits of every example', () => {
    const edit = fc.record({
      example: fc.integer({ min: 0, max: examples.length - 1 }),
      at: fc.nat(),
      length: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 }), fc.constant('')),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const example = examples[edits[0]!.example]!;
        let text = example.text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.length));
        }
        checkInvariants(example.uri, text);
      }),
      { numRuns: Number(process.env.MBN_FUZZ_RUNS ?? 300) },
    );
  });
});
