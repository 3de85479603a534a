/**
 * The editor services never throw, on any text and at any offset: random
 * edits of every example (as when a line is half typed), random offsets
 * including the ends of the document, every service. Results also stay
 * inside the documents they point into.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../src/semantics/analyze.js';
import { complete, definition, hover, locate, prepareRename, references, rename, signatureHelp } from '../src/services/index.js';
import { examplesDir, fileHost } from './helpers.js';

const examples = [
  ...readdirSync(examplesDir).filter((f) => f.endsWith('.mbn')).map((f) => path.join(examplesDir, f)),
  ...readdirSync(path.join(examplesDir, 'errors')).filter((f) => f.endsWith('.mbn')).map((f) => path.join(examplesDir, 'errors', f)),
].map((uri) => ({ uri, text: readFileSync(uri, 'utf8') }));

/** What people type mid-edit: openers without closers, arrows, half calls, keywords. */
const fragments = [
  '->', '-> ', '(', ')', '[', ']', '{', '}', ':', ',', '=', '.', '\n', ' ', '"', "'", '#', '/*', '*/', ';',
  'Dense(', 'Conv2D(32,', 'concat(', 'Head(', 'SmallCNN(classes: ', 'activation: ', 'loss ', 'metrics [', 'aux',
  'input x: [', 'output y = ', 'shared s = ', 'train {', 'optimizer: adam(', 'model N(', 'import { A } from "b"',
  'enc.', 'x[0:', 'relu', 'None', '3', '-1', 'x', 'cnn', 'img', '\u00e9', '\ud83d\ude00',
];

function checkEverywhere(analysis: Analysis, uri: string, text: string, offsets: readonly number[]): void {
  const inside = (u: string, span: { start: number; end: number }) => {
    const length = analysis.program.units.get(u)?.text.length ?? -1;
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThanOrEqual(span.start);
    expect(span.end).toBeLessThanOrEqual(length);
  };
  for (const offset of offsets) {
    locate(analysis, uri, offset);
    const h = hover(analysis, uri, offset);
    if (h) inside(uri, h.span);
    for (const item of complete(analysis, uri, offset)) expect(item.label.length).toBeGreaterThan(0);
    const help = signatureHelp(analysis, uri, offset);
    if (help && help.activeParameter !== undefined) expect(help.activeParameter).toBeLessThan(help.parameters.length);
    for (const d of definition(analysis, uri, offset)) inside(d.uri, d.span);
    for (const r of references(analysis, uri, offset, true)) inside(r.uri, r.span);
    const prepared = prepareRename(analysis, uri, offset);
    if (prepared && 'span' in prepared) inside(uri, prepared.span);
    for (const name of ['renamed', 'Dense', 'input', 'x']) {
      const result = rename(analysis, uri, offset, name);
      if ('edits' in result) for (const e of result.edits) inside(e.uri, e.span);
    }
  }
  // Out-of-range offsets answer nothing rather than throw.
  for (const offset of [-1, text.length + 1, Number.NaN]) {
    expect(hover(analysis, uri, offset)).toBeUndefined();
    expect(complete(analysis, uri, offset)).toEqual([]);
    expect(signatureHelp(analysis, uri, offset)).toBeUndefined();
    expect(definition(analysis, uri, offset)).toEqual([]);
  }
}

describe('the editor services never throw', () => {
  it('at every offset of every example', () => {
    for (const { uri, text } of examples.slice(0, 8)) {
      const analysis = analyze(uri, fileHost, { text, trace: true });
      const offsets = Array.from({ length: text.length + 1 }, (_, i) => i).filter((i) => i % 3 === 0 || i === text.length);
      checkEverywhere(analysis, uri, text, offsets);
    }
  });

  it('on random edits of the examples, at random offsets', () => {
    const edit = fc.record({
      at: fc.nat(),
      length: fc.nat({ max: 30 }),
      insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 6 }), fc.constant('')),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: examples.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (which, edits, rawOffsets) => {
        const example = examples[which]!;
        let text = example.text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.length));
        }
        const analysis = analyze(example.uri, fileHost, { text, trace: true });
        checkEverywhere(analysis, example.uri, text, [...rawOffsets.map((o) => o % (text.length + 1)), 0, text.length]);
      }),
      { numRuns: Number(process.env.MBN_FUZZ_RUNS ?? 250) },
    );
  });

  it('on text that is nothing like the language', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.nat(), (text, raw) => {
        const uri = '/mem/any.mbn';
        const analysis = analyze(uri, { readFile: () => text }, { text, trace: true });
        checkEverywhere(analysis, uri, text, [raw % (text.length + 1)]);
      }),
      { numRuns: Number(process.env.MBN_FUZZ_RUNS ?? 200) },
    );
  });
});
