/**
 * The language server under random editing: hundreds of insertions and
 * deletions (mbn fragments, brackets, quotes, comment markers, line breaks,
 * characters outside the BMP) sent as incremental didChange notifications,
 * with hover, completion, inlay-hint, semantic-token, document-symbol,
 * signature-help, definition, code-action and formatting requests at random
 * positions in between, not awaited, as an editor sends
 * them while the user types. Every request must be answered (only
 * cancellation-style errors allowed), nothing may be logged as a failure,
 * the process must stay up, and the diagnostics of the final text must be
 * those of `mbnc check`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LSPErrorCodes } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { examplesDir } from './helpers.js';
import { fileUri, LspClient } from './lsp-client.js';
import { mbnc } from './mbnc.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start({ diagnosticsDelay: 1 });
});
afterAll(async () => {
  await client?.stop();
});

const seeds = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.mbn'))
  .map((f) => readFileSync(path.join(examplesDir, f), 'utf8'));

const fragments = [
  '->', ' -> Dense(10)', 'Conv2D(32, 3, activation: relu)', 'Flatten()', '(', ')', '[', ']', '{', '}', ',', ':', '=', '.', ';',
  '\n', '\r\n', '  ', 'x', 'cnn', 'concat(a, b)', 'output y = ', 'input z: [4]', 'model M {', 'shared s = Dense(2)', 'train {',
  'loss mse', 'aux', 'weight 0.3', 'metrics [accuracy]', 'import "nope"', '"', "'", '#', '//', '/*', '*/', '0.5', '-1', '1e9',
  'None', 'true', '[None, 30]', '%', '\t', 'é', '😀', 'SmallCNN()', 'switch(p, a, b)', 'x[0:1]', '.features',
];

type Op =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'request'; method: (typeof methods)[number]; at: number };

const methods = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/inlayHint',
  'textDocument/semanticTokens/full',
  'textDocument/documentSymbol',
  'textDocument/signatureHelp',
  'textDocument/definition',
  'textDocument/codeAction',
  'textDocument/formatting',
] as const;

/** Which parameters each kind of request takes, at a position (and the lines around it for ranges). */
function paramsFor(method: (typeof methods)[number], uri: string, position: { line: number; character: number }): unknown {
  const textDocument = { uri };
  const around = { start: { line: Math.max(0, position.line - 10), character: 0 }, end: { line: position.line + 10, character: 0 } };
  switch (method) {
    case 'textDocument/inlayHint':
      return { textDocument, range: around };
    case 'textDocument/codeAction':
      return { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } };
    case 'textDocument/formatting':
      return { textDocument, options: { tabSize: 2, insertSpaces: true } };
    case 'textDocument/semanticTokens/full':
    case 'textDocument/documentSymbol':
      return { textDocument };
    default:
      return { textDocument, position };
  }
}

/** Positions are fractions of the current length, so they stay inside the text as it changes. */
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), method: fc.constantFrom(...methods), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
);

const scratch = mkdtempSync(path.join(tmpdir(), 'mbn-lsp-random-'));
let documents = 0;
let requests = 0;
let edits = 0;

/** Errors a server may answer a request with while the text changes under it. */
const allowed = new Set<number>([LSPErrorCodes.ContentModified, LSPErrorCodes.RequestCancelled]);

it('answers every request and stays up under random edits', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(op, { minLength: 40, maxLength: 90 }), async (seed, ops) => {
      const file = path.join(scratch, `doc${++documents}.mbn`);
      const uri = fileUri(file);
      const mirror = TextDocument.create(uri, 'mbn', 1, seeds[seed]!);
      await client.open(uri, mirror.getText());
      const pending: Promise<unknown>[] = [];
      // Editors never split a surrogate pair (a character outside the BMP): offsets snap to a code-point boundary.
      const boundary = (at: number) => {
        const text = mirror.getText();
        const code = text.charCodeAt(at);
        return code >= 0xdc00 && code <= 0xdfff && at > 0 ? at - 1 : at;
      };
      const offset = (fraction: number) => boundary(Math.floor(fraction * mirror.getText().length));
      for (const o of ops) {
        if (o.kind === 'request') {
          const position = mirror.positionAt(offset(o.at));
          requests++;
          pending.push(
            client.request(o.method, paramsFor(o.method, uri, position)).catch((error: { code?: number; message?: string }) => {
              if (!allowed.has(error.code ?? 0)) throw new Error(`${o.method} at ${JSON.stringify(position)} failed: ${error.message}`);
            }),
          );
          continue;
        }
        const start = offset(o.at);
        const end = o.kind === 'delete' ? boundary(Math.min(mirror.getText().length, start + o.length)) : start;
        const range = { start: mirror.positionAt(start), end: mirror.positionAt(end) };
        const text = o.kind === 'insert' ? o.text : '';
        TextDocument.update(mirror, [{ range, text }], mirror.version + 1);
        edits++;
        await client.change(uri, [{ range, text }]);
      }
      await Promise.all(pending);
      // The server's text is the mirror's: its final diagnostics are those of mbnc check on that text.
      const published = await client.diagnosticsOf(uri, mirror.version);
      writeFileSync(file, mirror.getText());
      const { stdout } = await mbnc(['check', '--format', 'json', file]);
      const expected = (JSON.parse(stdout).diagnostics as { file: string; code: string; message: string; range: unknown }[])
        .filter((d) => path.resolve(d.file) === file)
        .map((d) => ({ code: d.code, message: d.message, range: d.range }));
      expect(published.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range }))).toEqual(expected);
      await client.close(uri);
      expect(client.exitCode).toBeUndefined();
    }),
    { numRuns: 25 },
  );
  expect(client.logs.filter((l) => l.type === 1)).toEqual([]);
  expect(edits + requests).toBeGreaterThan(300);
});
