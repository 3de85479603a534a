/**
 * The formatter (src/format/): every example is a fixed point, a messy copy
 * of each formats back to it, formatting is idempotent and keeps every
 * token, statement break and comment (fast-check properties over the
 * examples and over programs generated from grammar/mbn.ebnf), the checked
 * graphs do not change, and the edits for editors give the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../src/diagnostics/diagnostic.js';
import { formatEdits, formatText, type FormatOptions } from '../src/format/index.js';
import { analyze } from '../src/semantics/analyze.js';
import type { SourceHost } from '../src/semantics/program.js';
import { totalParams } from '../src/semantics/graph.js';
import { parse } from '../src/syntax/parse.js';
import { scanTable } from '../src/syntax/scanner.js';
import type { TokenType } from 'chevrotain';
import * as t from '../src/syntax/tokens.js';
import { parseEbnf, pick, rng, SentenceGenerator, type GenToken } from './ebnf.js';
import { examplesDir, repoRoot } from './helpers.js';

// ------------------------------------------------------------------ helpers

function format(text: string, options?: FormatOptions): string {
  const result = formatText(text, 'test.mbn', options);
  if (!result.ok) throw new Error(`syntax errors:\n${result.diagnostics.map((d) => d.message).join('\n')}\n----\n${text}`);
  return result.text;
}

function parses(text: string): boolean {
  const sink = new DiagnosticSink();
  parse(text, 'test.mbn', sink);
  return sink.errorCount === 0;
}

/**
 * What a text means to the parser, written independently of the formatter:
 * each token after the layout rule (statement breaks included, whether a
 * line break, a `;` or one the layout rule inserts), then each comment up to
 * trailing white space.
 */
function meaning(text: string): string[] {
  const scanned = scanTable(text);
  const laidOut = t.applyLayout(scanned.tokens);
  const out: string[] = [];
  for (let i = 0; i < laidOut.length; i++) {
    const image = text.slice(laidOut.start(i), laidOut.end(i));
    out.push(laidOut.type(i) === t.Newline ? (image === ';' ? ';' : 'NEWLINE') : `${laidOut.type(i)!.name}:${image}`);
  }
  for (const c of scanned.comments) out.push(`${c.tokenType.name}:${c.image.replace(/[ \t\r\f\v\u00a0\ufeff]+$/gm, '')}`);
  return out;
}

/** The syntax tree without positions: what the program says, wherever it is written. */
function tree(text: string): unknown {
  const sink = new DiagnosticSink();
  const { file } = parse(text, 'test.mbn', sink);
  return JSON.parse(JSON.stringify({ ...file, comments: [] }, (key, value) => (key === 'span' || key === 'argsSpan' || key === 'bodySpan' || key === 'keyword' ? undefined : value)));
}

/** Applies LSP-style edits (non-overlapping spans of the original text). */
function applyEdits(text: string, edits: readonly { span: { start: number; end: number }; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    expect(e.span.start).toBeGreaterThanOrEqual(at);
    out += text.slice(at, e.span.start) + e.newText;
    at = e.span.end;
  }
  return out + text.slice(at);
}

function exampleFiles(): string[] {
  const dirs = [examplesDir, path.join(examplesDir, 'errors')];
  return dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.mbn')).map((f) => path.join(dir, f)));
}

const examples = exampleFiles()
  .map((file) => ({ file, name: path.relative(repoRoot, file), text: readFileSync(file, 'utf8') }))
  .filter((e) => parses(e.text));

// ------------------------------------------------------------------ messy copies

const wordy = (type: TokenType | undefined) => type === t.Identifier || type === t.NumberLiteral || t.keywordTokens.includes(type!);

interface Piece {
  readonly type: TokenType | undefined;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A messy copy of a spec that means the same: random spaces and tabs
 * between tokens (none where that would glue two tokens into one),
 * random indentation and trailing white space, `\r\n` line ends, extra
 * blank lines where the formatter drops or collapses them. Every line
 * break stays where it is. Clause gaps keep their style (one space, or
 * several: the author's choice the formatter keeps).
 */
function messUp(text: string, random: () => number): string {
  const scanned = scanTable(text);
  const pieces: Piece[] = [];
  for (let i = 0; i < scanned.tokens.length; i++) {
    pieces.push({ type: scanned.tokens.type(i), text: text.slice(scanned.tokens.start(i), scanned.tokens.end(i)), start: scanned.tokens.start(i), end: scanned.tokens.end(i) });
  }
  for (const c of scanned.comments) pieces.push({ type: undefined, text: c.image, start: c.startOffset, end: c.startOffset + c.image.length });
  pieces.sort((a, b) => a.start - b.start);
  const sink = new DiagnosticSink();
  const { file } = parse(text, 'messy.mbn', sink);
  const clauseKeywords = new Set<number>();
  for (const m of file.models) for (const s of m.body) if (s.kind === 'OutputDecl') for (const c of s.clauses) clauseKeywords.add(c.keyword.start);

  const blanks = () => ' \t'[Math.floor(random() * 2)]!.repeat(Math.floor(random() * 3));
  const newline = () => (random() < 0.3 ? '\r\n' : '\n');
  let out = blanks() + (random() < 0.3 ? newline() + newline() : '');
  let lineHasContent = false;
  let lastOnLine: Piece | undefined;
  /** Block braces (not an import's `{ A, B }`), by offset. */
  const blockBraces = new Set<number>();
  let inImportList = false;
  pieces.forEach((p, i) => {
    const before = pieces.slice(0, i).findLast((q) => q.type !== undefined && q.type !== t.Newline);
    if (p.type === t.LBrace && before?.type === t.Import) inImportList = true;
    else if (p.type === t.RBrace && inImportList) inImportList = false;
    else if (p.type === t.LBrace || p.type === t.RBrace) blockBraces.add(p.start);
  });
  pieces.forEach((p, i) => {
    if (p.type === t.Newline) {
      out += blanks() + newline();
      const next = pieces[i + 1];
      const blankFollows = next?.type === t.Newline && !lineHasContent;
      // Next to a blank line, or after a block's `{` or before its `}`, more blank lines change nothing.
      const atBlockEdge = (lastOnLine?.type === t.LBrace && blockBraces.has(lastOnLine.start)) || (next !== undefined && next.type === t.RBrace && blockBraces.has(next.start));
      if ((blankFollows || atBlockEdge) && random() < 0.5) out += blanks() + newline();
      out += blanks();
      lineHasContent = false;
      lastOnLine = undefined;
      return;
    }
    if (lastOnLine) {
      const gap = text.slice(lastOnLine.end, p.start);
      const touching = !(wordy(lastOnLine.type) && wordy(p.type)) && !(lastOnLine.type === t.NumberLiteral && p.type === t.Dot) && !lastOnLine.text.endsWith('/') && !(lastOnLine.type === undefined && p.type === undefined);
      if (clauseKeywords.has(p.start)) out += gap.length >= 2 ? ' '.repeat(2 + Math.floor(random() * 4)) : touching && random() < 0.5 ? '' : ' ';
      else out += touching && random() < 0.3 ? '' : ' '.repeat(1 + Math.floor(random() * 3)) + (random() < 0.1 ? '\t' : '');
    }
    out += p.text;
    lineHasContent = true;
    lastOnLine = p;
  });
  return out + blanks() + (random() < 0.5 ? newline() + newline() : '');
}

// ------------------------------------------------------------------ generated programs

const grammar = parseEbnf(readFileSync(path.join(repoRoot, 'grammar/mbn.ebnf'), 'utf8'));
const generator = new SentenceGenerator(grammar);
const names = ['a', 'b', 'x', 'y1', 'Dense', 'relu', '_h', 'inputs', 'model2', 'lossy', 'Trueish', 'None_', 'a_rather_long_name'];
const numbers = ['3', '0.5', '10', '2.', '.25', '1e-3', '6E+2'];
const strings = ['"x.mbn"', "'lib/y.mbn'", '"a\\"b.mbn"', '""'];
const continuesAfter = new Set(['->', ',', '=', ':', '+', '-', '*', '/', '%', '(', '[', '{']);
const clauseWords = new Set(['aux', 'loss', 'weight', 'metrics']);
const statementWords = new Set(['model', 'import', 'input', 'output', 'shared', 'train']);

/**
 * A random program from the grammar, laid out as grammar.test.ts does:
 * NEWLINE as a line break or `;`, extra line breaks where the layout rule
 * says they change nothing, comments of every kind, odd spacing.
 */
function generateProgram(seed: number): string {
  const random = rng(seed);
  let tokens: GenToken[] = [];
  do {
    tokens = generator.generate('file', {
      terminals: {
        NAME: () => pick(random, names),
        NUMBER: () => pick(random, numbers),
        STRING: () => pick(random, strings),
        NEWLINE: () => (random() < 0.2 ? ';' : '\n'),
      },
      random,
      maxDepth: 4 + Math.floor(random() * 12),
      maxTokens: 30 + Math.floor(random() * 150),
    });
  } while (!tokens.some((tok) => tok.kind === 'lit' && (tok.text === 'model' || tok.text === 'import')));
  let text = '';
  let depth = 0;
  const lit = (g: GenToken | undefined, set: ReadonlySet<string>) => g?.kind === 'lit' && set.has(g.text);
  tokens.forEach((tok, i) => {
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (tok.kind === 'NEWLINE') {
      text += tok.text === ';' ? ' ;' : `${random() < 0.2 ? '  # note' : ''}\n${random() < 0.15 ? '\n' : ''}${'  '.repeat(Math.floor(random() * 3))}`;
      return;
    }
    if (prev && prev.kind !== 'NEWLINE') {
      const breakable =
        (depth > 0 || lit(prev, continuesAfter) || (tok.kind === 'lit' && tok.text === '->') || (lit(tok, clauseWords) && !(next?.kind === 'lit' && next.text === ':'))) &&
        !lit(tok, statementWords) &&
        !(tok.kind === 'NAME' && next?.kind === 'lit' && next.text === '=');
      const r = random();
      if (breakable && r < 0.3) text += `${random() < 0.3 ? ' // note' : ''}\n${' '.repeat(Math.floor(random() * 8))}`;
      else if (r > 0.97) text += ' /* note\n   more */ ';
      else if (r > 0.94) text += ' /* note */ ';
      else text += ' '.repeat(1 + Math.floor(random() * 3));
    }
    text += tok.text;
    if (tok.kind !== 'lit') return;
    if (tok.text === '(' || tok.text === '[') depth++;
    else if (tok.text === ')' || tok.text === ']') depth--;
    else if (tok.text === '{' || tok.text === '}') depth = 0;
  });
  return text;
}

// ------------------------------------------------------------------ tests

describe('formatter: the examples', () => {
  it('finds the examples (those with syntax errors excepted)', () => {
    expect(examples.length).toBeGreaterThan(35);
    expect(examples.map((e) => e.name)).toContain('examples/aux_branches.mbn');
    expect(examples.map((e) => e.name)).not.toContain('examples/errors/syntax.mbn');
  });

  for (const e of examples) {
    it(`${e.name} is a fixed point`, () => {
      const result = formatText(e.text, e.file);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.text).toBe(e.text);
        expect(result.changed).toBe(false);
      }
      expect(formatEdits(e.text, e.file)).toEqual([]);
    });
  }

  it('formats a messy copy of every example back to the example', () => {
    for (const e of examples) {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const messy = messUp(e.text, rng(seed));
          expect(meaning(messy)).toEqual(meaning(e.text));
          expect(format(messy), `${e.name} from:\n${messy}`).toBe(e.text);
        }),
        { numRuns: 15, seed: 42 },
      );
    }
  });

  it('keeps every checked graph: parameter counts and shapes', () => {
    const host = (formatted: boolean): SourceHost => ({
      readFile(uri) {
        try {
          const text = readFileSync(uri, 'utf8');
          return formatted ? format(messUp(text, rng(7))) : text;
        } catch {
          return undefined;
        }
      },
    });
    for (const e of examples.filter((x) => !x.name.includes('errors'))) {
      const summary = (formatted: boolean) =>
        analyze(e.file, host(formatted)).models.map((m) => ({
          name: m.name,
          params: m.graph ? totalParams(m.graph.layers) : undefined,
          shapes: m.graph?.nodes.map((n) => JSON.stringify(n.kind === 'input' ? n.shape : n.outputShapes)),
          outputs: m.graph?.outputs.map((o) => [o.name, o.aux, o.loss, o.weight, o.metrics]),
        }));
      expect(summary(true), e.name).toEqual(summary(false));
    }
  });
});

describe('formatter: properties', () => {
  it('is idempotent and keeps tokens, statement breaks and comments on messy examples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: examples.length - 1 }), fc.integer(), (which, seed) => {
        const messy = messUp(examples[which]!.text, rng(seed));
        const once = format(messy);
        expect(format(once)).toBe(once);
        expect(meaning(once)).toEqual(meaning(messy));
        expect(applyEdits(messy, formatEdits(messy, 'test.mbn')!)).toBe(once);
      }),
      { numRuns: 60, seed: 1 },
    );
  });

  it('is idempotent and keeps the meaning of programs generated from the grammar', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(100, 60, 40), (seed, lineWidth) => {
        const text = generateProgram(seed);
        if (!parses(text)) return; // the generator's layout is sometimes not valid (see grammar.test.ts); those are not formatted
        checked++;
        const once = format(text, { lineWidth });
        expect(format(once, { lineWidth }), `not idempotent on:\n${text}\n----\n${once}`).toBe(once);
        expect(meaning(once), `meaning changed:\n${text}\n----\n${once}`).toEqual(meaning(text));
        expect(tree(once)).toEqual(tree(text));
        expect(applyEdits(text, formatEdits(text, 'test.mbn', { lineWidth })!)).toBe(once);
        expect(once.endsWith('\n') && !/[ \t]$/m.test(once) && !once.includes('\r\n') && !/\n\n\n/.test(once)).toBe(true);
      }),
      { numRuns: 300, seed: 20240601 },
    );
    expect(checked).toBeGreaterThan(250);
  });
});

describe('formatter: rules', () => {
  it('normalises spacing: `, `, ` = `, ` -> `, `key: value`, nothing inside brackets, calls and indexes glued', () => {
    expect(format('model  A ( n :int=3 ,m: float = - 1.5 ){\ninput   x :[ n , 2 ]int32\ny=x->Dense ( n*2 , activation :relu )->Reshape( [ - 1 ] )\noutput z = y [ : , 0 : 1 ] loss  mse\n}\n')).toBe(
      'model A(n: int = 3, m: float = -1.5) {\n  input x: [n, 2] int32\n  y = x -> Dense(n * 2, activation: relu) -> Reshape([-1])\n  output z = y[:, 0:1] loss mse\n}\n',
    );
    expect(format('model A {\n  input x: [4]\n  a = x[ - 1 ]\n  b = x[::2]\n  c = x[1:, :-1]\n  output y = f(a - -b, (a, b), [a,], e.shape) . out\n}\n')).toBe(
      'model A {\n  input x: [4]\n  a = x[-1]\n  b = x[::2]\n  c = x[1:, :-1]\n  output y = f(a - -b, (a, b), [a,], e.shape).out\n}\n',
    );
    // `2 .x` keeps its space: `2.x` would read as the number `2.` and the name `x`.
    expect(format('model A {\n  output y = f(2 .x)\n}\n')).toBe('model A {\n  output y = f(2 .x)\n}\n');
    expect(format('import{A,B}from"lib.mbn"\nimport "x.mbn"\n')).toBe('import { A, B } from "lib.mbn"\nimport "x.mbn"\n');
  });

  it('indents blocks by two spaces (or `indent`), removes tabs, trailing white space and `\\r\\n`', () => {
    const messy = 'model A {\r\n\tinput x: [4]   \r\n\t\ttrain {\r\n epochs: 3\t\r\n }\r\n    output y = x\r\n}';
    expect(format(messy)).toBe('model A {\n  input x: [4]\n  train {\n    epochs: 3\n  }\n  output y = x\n}\n');
    expect(format(messy, { indent: 4 })).toBe('model A {\n    input x: [4]\n    train {\n        epochs: 3\n    }\n    output y = x\n}\n');
  });

  it('keeps blank lines, at most one, none at the start or end of a block or file', () => {
    expect(format('\n\n# head\n\n\nmodel A {\n\n\n  input x: [4]\n\n\n\n  output y = x\n\n}\n\n\nmodel B {\n  train {\n\n    epochs: 1\n\n  }\n}\n\n\n')).toBe(
      '# head\n\nmodel A {\n  input x: [4]\n\n  output y = x\n}\n\nmodel B {\n  train {\n    epochs: 1\n  }\n}\n',
    );
    expect(format('')).toBe('');
    expect(format('  \n\n')).toBe('');
  });

  it('keeps the author\'s lines, statements sharing a line and `;`', () => {
    expect(format('model Block { input x: [4]   output y = x -> Dense(8) }\nmodel C { input x: [1] ;output y = x; }\n')).toBe(
      'model Block { input x: [4]  output y = x -> Dense(8) }\nmodel C { input x: [1]; output y = x; }\n',
    );
    expect(format('model A {\n  train { epochs: 3   batch_size: 4 }\n}\n')).toBe('model A {\n  train { epochs: 3  batch_size: 4 }\n}\n');
  });

  it('aligns the names of neighbouring statements of one kind, across comment lines, not across blank lines', () => {
    expect(format('model A {\n  input img: [4]\n  input sequence: [3, 2]\n  input raw\n  a = img\n  # the long one\n  longer_name = sequence\n\n  b = raw\n  shared s = Dense(1)\n  shared enc = Dense(2)\n  output o = a loss mse\n  output long = b\n}\n')).toBe(
      'model A {\n  input img:      [4]\n  input sequence: [3, 2]\n  input raw\n  a           = img\n  # the long one\n  longer_name = sequence\n\n  b = raw\n  shared s   = Dense(1)\n  shared enc = Dense(2)\n  output o    = a loss mse\n  output long = b\n}\n',
    );
  });

  it('lines up the `->` of neighbouring one-line pipelines with as many stages, from plain names', () => {
    expect(format('model A {\n  input image: [8, 8, 1]\n  x = image -> Conv2D(6, 3) -> MaxPool2D(3)\n  c2 = x -> Conv2D(9, 3) -> MaxPool2D(3)\n  c3 = c2 -> Conv2D(12, 3) -> MaxPool2D(3) -> Flatten()\n  m = concat(x, c2) -> Flatten()\n  output y = c3\n}\n')).toBe(
      'model A {\n  input image: [8, 8, 1]\n  x  = image -> Conv2D(6, 3) -> MaxPool2D(3)\n  c2 = x     -> Conv2D(9, 3) -> MaxPool2D(3)\n  c3 = c2 -> Conv2D(12, 3) -> MaxPool2D(3) -> Flatten()\n  m  = concat(x, c2) -> Flatten()\n  output y = c3\n}\n',
    );
  });

  it('sets clauses one space after the value, or in a column three spaces after the longest when set apart', () => {
    const text = 'model A {\n  input x: [4]\n  output a = x loss mse\n  output bb = x -> Dense(1)   aux loss mse weight 0.5\n  output c = x -> Dense(2)  loss mse\n}\n';
    expect(format(text)).toBe('model A {\n  input x: [4]\n  output a  = x loss mse\n  output bb = x -> Dense(1)   aux loss mse weight 0.5\n  output c  = x -> Dense(2)   loss mse\n}\n');
    expect(format('model A {\n  input x: [4]\n  output a = x -> Dense(1)\n  loss mse weight 2\n  output b = x -> Dense(1)\n  -> Dense(1)\n  aux\n}\n')).toBe(
      'model A {\n  input x: [4]\n  output a = x -> Dense(1)\n      loss mse weight 2\n  output b = x -> Dense(1)\n               -> Dense(1)\n               aux\n}\n',
    );
  });

  it('indents continuation lines: under the first `->`, in brackets under the first item, else two steps', () => {
    const messy = [
      'model A(a: int = 1,',
      'b: int = 2) {',
      'input x: [4]',
      'h = x -> Dense(500) -> Dropout(0.5)',
      '-> Dense(50, activation: relu) -> Dropout(0.5)',
      '  -> Dense(5) -> Dropout(0.5)',
      'm = concat(x, h) -> Dense(3)',
      '                 -> Dense(2)',
      'output y = m -> Dense(3,',
      'activation: relu)',
      '}',
    ];
    // The stages under the first `->` form a table; a pipeline from a merge continues two steps in.
    expect(format(messy.join('\n'))).toBe(
      [
        'model A(a: int = 1,',
        '        b: int = 2) {',
        '  input x: [4]',
        '  h = x -> Dense(500)                  -> Dropout(0.5)',
        '        -> Dense(50, activation: relu) -> Dropout(0.5)',
        '        -> Dense(5)                    -> Dropout(0.5)',
        '  m = concat(x, h) -> Dense(3)',
        '      -> Dense(2)',
        '  output y = m -> Dense(3,',
        '                        activation: relu)',
        '}',
        '',
      ].join('\n'),
    );
    // A bracket at the end of its line: one step deeper; its closing bracket back on the line's indentation.
    expect(format('model A {\n  input x: [4]\n  output y = x -> Dense(\n3,\n      activation: relu\n    )\n}\n')).toBe(
      'model A {\n  input x: [4]\n  output y = x -> Dense(\n    3,\n    activation: relu\n  )\n}\n',
    );
  });

  it('gives way to a fixed indentation when aligned continuation lines would overflow the line width', () => {
    const text = 'model A {\n  input x: [4]\n  features = x -> Dense(32, activation: relu)\n               -> Dense(32, activation: relu, kernel_initializer: he_normal)\n}\n';
    expect(format(text, { lineWidth: 60 })).toBe('model A {\n  input x: [4]\n  features = x -> Dense(32, activation: relu)\n      -> Dense(32, activation: relu, kernel_initializer: he_normal)\n}\n');
    expect(format(text)).toBe('model A {\n  input x: [4]\n  features = x -> Dense(32, activation: relu)\n               -> Dense(32, activation: relu, kernel_initializer: he_normal)\n}\n');
  });

  it('keeps every comment where it is: between stages, in argument lists, after `{`, before `}`, mid-line, at the end', () => {
    const messy = [
      '#!  header comment   ',
      'model A(k: int = 2 /* the width */, # after a parameter',
      '   m: int = 1) { // after the brace',
      '    input x: [4]    # the input',
      'h = x -> Dense(/* units */ 32, # a comment inside the arguments',
      '      activation: relu /* mid */) // trailing',
      '      # between two stages',
      '   -> Dropout(0.5)',
      '/* a block',
      '      comment over lines */',
      '  output y = h   # out',
      '   loss mse # the loss',
      '    # before the closing brace',
      '}',
      '// at the end, without a newline',
    ].join('\n');
    // Trailing comments of neighbouring lines in one block line up.
    const expected = [
      '#!  header comment',
      'model A(k: int = 2 /* the width */,  # after a parameter',
      '        m: int = 1) {                // after the brace',
      '  input x: [4]                                # the input',
      '  h = x -> Dense(/* units */ 32,              # a comment inside the arguments',
      '                 activation: relu /* mid */)  // trailing',
      '        # between two stages',
      '        -> Dropout(0.5)',
      '  /* a block',
      '      comment over lines */',
      '  output y = h  # out',
      '      loss mse  # the loss',
      '  # before the closing brace',
      '}',
      '// at the end, without a newline',
      '',
    ].join('\n');
    expect(format(messy)).toBe(expected);
    expect(format(expected)).toBe(expected);
    expect(meaning(expected)).toEqual(meaning(messy));
    expect(format('model A { input x: [4] /* one */ /* two */ output y = x /* three */ }  /* four */')).toBe('model A { input x: [4] /* one */ /* two */  output y = x /* three */ } /* four */\n');
  });

  it('aligns the trailing comments of neighbouring lines', () => {
    expect(format('model A {\n  input x: [4] # a\n  h = x -> Dense(1) # b\n\n  output y = h # c\n}\n')).toBe(
      'model A {\n  input x: [4]       # a\n  h = x -> Dense(1)  # b\n\n  output y = h  # c\n}\n',
    );
  });

  it('declines text with syntax errors, with the parse diagnostics', () => {
    const result = formatText('model A {\n  a = x -> Dense(16\n  output y = a\n}\n', 'broken.mbn');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.map((d) => d.code)).toContain('MBN102');
    expect(formatEdits('model A { x = @ }', 'broken.mbn')).toBeUndefined();
    expect(formatText('/* never closed', 'x.mbn').ok).toBe(false);
  });

  it('gives minimal edits: only the white space that changes', () => {
    const text = 'model A {\n    input x: [4]\n  output y = x->Dense(1)\n}\n';
    const edits = formatEdits(text, 'a.mbn')!;
    expect(edits).toEqual([
      { span: { start: 12, end: 14 }, newText: '' },
      { span: { start: 41, end: 41 }, newText: ' ' },
      { span: { start: 43, end: 43 }, newText: ' ' },
    ]);
    expect(applyEdits(text, edits)).toBe(format(text));
  });
});

describe('docs/formatting.md', () => {
  it('shows what the formatter does to its example', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/formatting.md'), 'utf8');
    const before = /Before:\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    const after = /After `mbnc fmt`:\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(before).toBeDefined();
    expect(format(before!)).toBe(after);
    expect(before).not.toBe(after);
  });
});
