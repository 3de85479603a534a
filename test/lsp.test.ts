/**
 * The language server end to end: the real `mbnc lsp --stdio` process,
 * driven over its pipes by a JSON-RPC client (test/lsp-client.ts), on the
 * seed examples and on broken text. One server for the whole file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InlayHint,
  Location,
  Range,
  SemanticTokens,
  SignatureHelp,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { run } from '../src/cli/main.js';
import { examplesDir, repoRoot } from './helpers.js';
import { fileUri, LspClient } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

const auxFile = path.join(examplesDir, 'aux_branches.mbn');
const auxUri = fileUri(auxFile);
const auxText = readFileSync(auxFile, 'utf8');

/** The text the server has for a document, kept in step with the edits the tests send. */
const at = (line: number, character: number) => ({ line, character });
const range = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: at(l1, c1), end: at(l2, c2) });

/** `mbnc check --format json FILE`, run in-process, reduced to the fields LSP has, for that file only. */
async function checkJson(file: string): Promise<{ code: string; severity: string; message: string; range: Range }[]> {
  let stdout = '';
  await run(['check', '--format', 'json', file], { cwd: repoRoot, stdout: { write: (t) => void (stdout += t) }, stderr: { write: () => undefined }, env: {} });
  const all = JSON.parse(stdout).diagnostics as { file: string; code: string; severity: string; message: string; range: Range }[];
  return all.filter((d) => path.resolve(d.file) === file).map(({ code, severity, message, range }) => ({ code, severity, message, range }));
}

const severityNames = ['', 'error', 'warning', 'info'];
const fromLsp = (diagnostics: Diagnostic[]) => diagnostics.map((d) => ({ code: String(d.code), severity: severityNames[d.severity!]!, message: d.message, range: d.range }));

/** A scratch folder for documents whose text the tests make up (check reads them from disk). */
const scratch = mkdtempSync(path.join(tmpdir(), 'mbn-lsp-'));

const broken = [
  'model Broken {',
  '  input img: [32, 32, 3]',
  '  x = img -> Conv2D(16, 3,, ) -> ',
  '  y = img -> Conv2D(8, 3, activation: relu) -> Flatten()',
  '  output out = y -> Dense(10) loss mse',
  '}',
  '',
].join('\n');

describe('initialize', () => {
  it('advertises the features with a standard semantic-token legend', () => {
    const caps = client.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.inlayHintProvider).toBeTruthy();
    expect(caps.semanticTokensProvider).toMatchObject({ full: true, range: true });
    const legend = (caps.semanticTokensProvider as { legend: { tokenTypes: string[]; tokenModifiers: string[] } }).legend;
    expect(legend.tokenTypes).toEqual(expect.arrayContaining(['keyword', 'number', 'string', 'comment', 'class', 'function', 'parameter', 'variable', 'property']));
    expect(legend.tokenModifiers).toEqual(['declaration', 'readonly', 'defaultLibrary']);
    expect(caps.documentSymbolProvider).toBeTruthy();
    expect(caps.workspaceSymbolProvider).toBe(true);
    expect(caps.codeActionProvider).toMatchObject({ codeActionKinds: ['quickfix'] });
    expect(caps).toMatchObject({
      hoverProvider: true,
      completionProvider: { triggerCharacters: expect.arrayContaining(['>', '.']) },
      signatureHelpProvider: { triggerCharacters: ['(', ','] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
    });
  });
});

describe('diagnostics', () => {
  const files = [
    ...readdirSync(examplesDir).filter((f) => f.endsWith('.mbn')).map((f) => path.join(examplesDir, f)),
    ...readdirSync(path.join(examplesDir, 'errors')).filter((f) => f.endsWith('.mbn')).map((f) => path.join(examplesDir, 'errors', f)),
  ];

  it(`are those of mbnc check --format json on every example (${files.length} files)`, async () => {
    for (const file of files) {
      const uri = fileUri(file);
      const published = await client.open(uri, readFileSync(file, 'utf8'));
      expect(published.version).toBe(1);
      expect(fromLsp(published.diagnostics), path.relative(repoRoot, file)).toEqual(await checkJson(file));
      await client.close(uri);
    }
  });

  it('link codes to docs/diagnostics.md, carry notes, related places and fixes, and fade unused things', async () => {
    const file = path.join(examplesDir, 'errors', 'dense_needs_flatten.mbn');
    const { diagnostics } = await client.open(fileUri(file), readFileSync(file, 'utf8'));
    expect(diagnostics[0]).toMatchObject({
      code: 'MBN300',
      source: 'mbn',
      codeDescription: { href: expect.stringMatching(/docs\/diagnostics\.md#mbn300-layer-input-shape-mismatch$/) },
      relatedInformation: [{ message: 'help: insert Flatten() before Dense (or GlobalAveragePooling2D() to keep fewer weights)' }],
    });
    await client.close(fileUri(file));

    const dup = path.join(examplesDir, 'errors', 'duplicate.mbn');
    const dupDiagnostics = (await client.open(fileUri(dup), readFileSync(dup, 'utf8'))).diagnostics;
    expect(dupDiagnostics.some((d) => d.relatedInformation?.some((r) => r.message.startsWith('first defined here') && r.location.uri === fileUri(dup)))).toBe(true);
    await client.close(fileUri(dup));

    const unused = path.join(examplesDir, 'errors', 'unused_input.mbn');
    const unusedDiagnostics = (await client.open(fileUri(unused), readFileSync(unused, 'utf8'))).diagnostics;
    expect(unusedDiagnostics.find((d) => d.code === 'MBN401')).toMatchObject({ severity: 2, tags: [1] });
    expect(unusedDiagnostics.find((d) => d.code === 'MBN401')!.relatedInformation!.map((r) => r.message)).toEqual(['note: an unused input still has to be fed when training and predicting']);
    await client.close(fileUri(unused));
  });

  it('follow incremental edits, version by version, and equal mbnc check on the edited text', async () => {
    const file = path.join(scratch, 'edited.mbn');
    const uri = fileUri(file);
    const doc = TextDocument.create(uri, 'mbn', 1, auxText);
    expect((await client.open(uri, auxText)).diagnostics).toEqual([]);
    // Take Flatten() out of the CNN branch: concat and the aux head's Dense now see a feature map.
    const cut = range(12, 47, 12, 60);
    expect(doc.getText(cut)).toBe(' -> Flatten()');
    const edited = await client.edit(uri, cut, '');
    TextDocument.update(doc, [{ range: cut, text: '' }], 2);
    expect(edited.version).toBe(2);
    writeFileSync(file, doc.getText());
    expect(fromLsp(edited.diagnostics)).toEqual(await checkJson(file));
    expect(edited.diagnostics.map((d) => d.code)).toContain('MBN301');
    // Put it back, one character at a time from the end: every version gets its own diagnostics.
    let version = 2;
    for (const ch of [...' -> Flatten()'].reverse()) {
      const published = await client.edit(uri, range(12, 47, 12, 47), ch);
      expect(published.version).toBe(++version);
    }
    const last = client.published.filter((p) => p.uri === uri).at(-1)!;
    expect(last.version).toBe(version);
    expect(last.diagnostics).toEqual([]);
    await client.close(uri);
  });

  it('are debounced: a burst of edits is analysed once, for its last version', async () => {
    const slow = await LspClient.start({ diagnosticsDelay: 150 });
    try {
      const uri = fileUri(path.join(scratch, 'burst.mbn'));
      await slow.open(uri, auxText);
      const before = slow.published.length;
      const done = slow.nextDiagnostics(uri, 21);
      for (let i = 0; i < 20; i++) await slow.change(uri, [{ range: range(0, 0, 0, 0), text: '#' }]);
      expect((await done).version).toBe(21);
      expect(slow.published.length).toBe(before + 1);
    } finally {
      await slow.stop();
    }
  });

  it('of a document follow the files it imports, open or on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-lsp-imports-'));
    const blocks = path.join(dir, 'blocks.mbn');
    const main = path.join(dir, 'main.mbn');
    writeFileSync(blocks, 'model Block {\n  input x\n  output y = x -> Dense(4)\n}\n');
    const mainText = 'import { Block } from "blocks"\nmodel Main {\n  input x: [8]\n  output y = x -> Block() loss mse\n}\n';
    writeFileSync(main, mainText);
    expect((await client.open(fileUri(main), mainText)).diagnostics).toEqual([]);

    // Renamed in an editor buffer (not saved): the importer sees the buffer.
    const mainAgain = client.nextDiagnostics(fileUri(main), 1);
    await client.open(fileUri(blocks), 'model Blocks {\n  input x\n  output y = x -> Dense(4)\n}\n');
    expect((await mainAgain).diagnostics.map((d) => d.code)).toEqual(['MBN152', 'MBN200']);

    // Closed without saving: back to the file on disk.
    const afterClose = client.nextDiagnostics(fileUri(main));
    await client.close(fileUri(blocks));
    expect((await afterClose).diagnostics).toEqual([]);

    // Changed on disk, and the client says so.
    writeFileSync(blocks, 'model Block {\n  input x\n  output y = x -> Dense(4, activation: nope)\n}\n');
    const afterDisk = client.nextDiagnostics(fileUri(main));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(blocks), type: 2 }] });
    await afterDisk;
    await client.close(fileUri(main));
  });
});

describe('inlay hints', () => {
  it('show the shape after every step of aux_branches, at the end of each step', async () => {
    await client.open(auxUri, auxText);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: auxUri }, range: range(0, 0, 30, 0) });
    expect(hints.map((h) => `${h.position.line}:${h.position.character} ${h.label as string}`)).toEqual([
      '12:47 : [None, 30, 30, 32]',
      '12:60 : [None, 28800]',
      '13:42 : [None, 32]',
      '15:37 : [None, 28832]',
      '15:49 : [None, 1]',
      '16:43 : [None, 32]',
      '16:59 : [None, 32]',
      '16:71 : [None, 1]',
      '17:43 : [None, 32]',
      '17:59 : [None, 32]',
      '17:71 : [None, 1]',
    ]);
    expect(hints.every((h) => h.kind === 1)).toBe(true);
    const lines = auxText.split('\n');
    expect(lines[12]!.slice(0, 47)).toMatch(/Conv2D\(32, 3, activation: relu\)$/);
    expect(lines[12]!.slice(0, 60)).toMatch(/Flatten\(\)$/);
    expect(lines[15]!.slice(0, 37)).toMatch(/concat\(cnn, lstm\)$/);
  });

  it('only within the range asked for', async () => {
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: auxUri }, range: range(13, 0, 13, 80) });
    expect(hints.map((h) => h.label)).toEqual([': [None, 32]']);
  });

  it('show each distinct shape of a block used several times', async () => {
    const file = path.join(examplesDir, 'lstm_cnn_paper.mbn');
    const uri = fileUri(file);
    await client.open(uri, readFileSync(file, 'utf8'));
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: range(13, 0, 14, 0) });
    // `input features` of Head takes the CNN's, the LSTM's and the merged width, one per use.
    expect(hints).toEqual([expect.objectContaining({ position: at(13, 16), label: ': [None, 832] | [None, 768] | [None, 64]' })]);
    await client.close(uri);
  });

  it('count characters in UTF-16 code units, as LSP does', async () => {
    const uri = fileUri(path.join(scratch, 'utf16.mbn'));
    const line = '  output y = x -> Dense(2) /* 😀 ünï */ -> Dense(3) loss mse';
    await client.open(uri, `model U {\n  input x: [4]\n${line}\n}\n`);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: range(2, 0, 3, 0) });
    const end = (call: string) => line.indexOf(call) + call.length;
    expect(hints.map((h) => [h.position.character, h.label])).toEqual([
      [end('Dense(2)'), ': [None, 2]'],
      [end('Dense(3)'), ': [None, 3]'],
    ]);
    await client.close(uri);
  });

  it('still come from the valid parts of a document with a syntax error', async () => {
    const uri = fileUri(path.join(scratch, 'broken-hints.mbn'));
    await client.open(uri, broken);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: range(0, 0, 10, 0) });
    expect(hints.map((h) => `${h.position.line}:${h.position.character} ${h.label as string}`)).toEqual([
      '2:29 : [None, 30, 30, 16]',
      '3:43 : [None, 30, 30, 8]',
      '3:56 : [None, 7200]',
      '4:29 : [None, 10]',
    ]);
    await client.close(uri);
  });
});

interface DecodedToken {
  line: number;
  character: number;
  length: number;
  type: string;
  modifiers: string[];
}

function decodeTokens(data: number[]): DecodedToken[] {
  const { tokenTypes, tokenModifiers } = (client.capabilities.semanticTokensProvider as { legend: { tokenTypes: string[]; tokenModifiers: string[] } }).legend;
  const out: DecodedToken[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i]!;
    character = data[i]! === 0 ? character + data[i + 1]! : data[i + 1]!;
    out.push({ line, character, length: data[i + 2]!, type: tokenTypes[data[i + 3]!]!, modifiers: tokenModifiers.filter((_, bit) => data[i + 4]! & (1 << bit)) });
  }
  return out;
}

describe('semantic tokens', () => {
  it('tell models, inputs, branches, outputs, layers, arguments, symbols and literals apart', async () => {
    const { data } = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: auxUri } });
    const tokens = decodeTokens(data);
    const lines = auxText.split('\n');
    const token = (line: number, word: string, nth = 0) => {
      let character = -1;
      for (let i = 0; i <= nth; i++) character = lines[line]!.indexOf(word, character + 1);
      const found = tokens.find((t) => t.line === line && t.character === character);
      return found && { text: lines[line]!.slice(found.character, found.character + found.length), type: found.type, modifiers: found.modifiers };
    };
    expect(token(0, '#')).toEqual({ text: lines[0], type: 'comment', modifiers: [] });
    expect(token(8, 'model')).toEqual({ text: 'model', type: 'keyword', modifiers: [] });
    expect(token(8, 'AuxBranches')).toEqual({ text: 'AuxBranches', type: 'class', modifiers: ['declaration'] });
    expect(token(9, 'img')).toEqual({ text: 'img', type: 'variable', modifiers: ['declaration', 'readonly'] });
    expect(token(9, '32')).toEqual({ text: '32', type: 'number', modifiers: [] });
    expect(token(12, 'cnn')).toEqual({ text: 'cnn', type: 'variable', modifiers: ['declaration'] });
    expect(token(12, 'img')).toEqual({ text: 'img', type: 'variable', modifiers: ['readonly'] });
    expect(token(12, '->')).toEqual({ text: '->', type: 'operator', modifiers: [] });
    expect(token(12, 'Conv2D')).toEqual({ text: 'Conv2D', type: 'class', modifiers: ['defaultLibrary'] });
    expect(token(12, 'activation')).toEqual({ text: 'activation', type: 'parameter', modifiers: [] });
    expect(token(12, 'relu')).toEqual({ text: 'relu', type: 'enumMember', modifiers: [] });
    expect(token(15, 'main')).toEqual({ text: 'main', type: 'property', modifiers: ['declaration'] });
    expect(token(15, 'concat')).toEqual({ text: 'concat', type: 'function', modifiers: ['defaultLibrary'] });
    expect(token(15, 'loss')).toEqual({ text: 'loss', type: 'keyword', modifiers: [] });
    expect(token(15, 'mse')).toEqual({ text: 'mse', type: 'enumMember', modifiers: [] });
    expect(token(16, 'aux', 1)).toEqual({ text: 'aux', type: 'keyword', modifiers: [] });
    expect(token(20, 'optimizer')).toEqual({ text: 'optimizer', type: 'property', modifiers: [] });
    expect(token(20, 'adam')).toEqual({ text: 'adam', type: 'function', modifiers: ['defaultLibrary'] });
    // In document order, none overlapping, none across a line.
    for (let i = 1; i < tokens.length; i++) {
      const [a, b] = [tokens[i - 1]!, tokens[i]!];
      expect(b.line > a.line || b.character >= a.character + a.length).toBe(true);
    }
  });

  it('mark sub-model calls, parameters and shared layers; a range gives the same tokens as the full document there', async () => {
    const file = path.join(examplesDir, 'ensemble.mbn');
    const uri = fileUri(file);
    const text = readFileSync(file, 'utf8');
    await client.open(uri, text);
    const full = decodeTokens((await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } })).data);
    const lines = text.split('\n');
    const find = (line: number, word: string) => full.find((t) => t.line === line && t.character === lines[line]!.indexOf(word));
    const classesLine = lines.findIndex((l) => l.startsWith('model SmallCNN'));
    expect(find(classesLine, 'classes')).toMatchObject({ type: 'parameter', modifiers: ['declaration', 'readonly'] });
    expect(find(classesLine, 'int')).toMatchObject({ type: 'type' });
    const useLine = lines.findIndex((l) => l.includes('cnn1 = image -> SmallCNN()'));
    expect(find(useLine, 'SmallCNN')).toMatchObject({ type: 'class', modifiers: [] });
    const sharedLine = lines.findIndex((l) => l.includes('shared cnn = SmallCNN()'));
    expect(find(sharedLine, 'shared')).toMatchObject({ type: 'keyword' });
    expect(find(sharedLine, 'cnn')).toMatchObject({ type: 'function', modifiers: ['declaration'] });
    expect(find(sharedLine + 1, 'cnn')).toMatchObject({ type: 'function', modifiers: [] });

    const part = decodeTokens((await client.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument: { uri }, range: range(useLine, 0, useLine + 2, 0) })).data);
    expect(part).toEqual(full.filter((t) => t.line >= useLine && t.line < useLine + 2));
    await client.close(uri);
  });
});

describe('symbols', () => {
  it('outline models with their inputs, branches, outputs, shared layers and train block', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: auxUri } });
    expect(symbols.map((s) => s.name)).toEqual(['AuxBranches']);
    const model = symbols[0]!;
    expect(model).toMatchObject({ kind: 5, range: range(8, 0, 25, 1), selectionRange: range(8, 6, 8, 17) });
    expect(model.children!.map((c) => `${c.name} ${c.kind} ${c.detail ?? ''}`.trim())).toEqual([
      'img 8 [None, 32, 32, 3]',
      'seq 8 [None, 20, 30]',
      'cnn 13 [None, 28800]',
      'lstm 13 [None, 32]',
      'main 7 [None, 1]',
      'cnn_aux 7 aux [None, 1]',
      'lstm_aux 7 aux [None, 1]',
      'train 3',
    ]);
    expect(model.children![2]).toMatchObject({ range: range(12, 2, 12, 60), selectionRange: range(12, 2, 12, 5) });
    expect(model.children!.at(-1)!.children!.map((c) => c.name)).toEqual(['optimizer', 'epochs', 'batch_size', 'validation_split']);
  });

  it('find models and branches across open documents and what they import', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-lsp-symbols-'));
    writeFileSync(path.join(dir, 'blocks.mbn'), 'model Encoder {\n  input x\n  hidden = x -> Dense(4)\n  output y = hidden -> Dense(2)\n}\n');
    const main = path.join(dir, 'main.mbn');
    const text = 'import "blocks"\nmodel Main {\n  input x: [8]\n  encoded = x -> Encoder()\n  output y = encoded -> Dense(1) loss mse\n}\n';
    await client.open(fileUri(main), text);
    const found = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'enc' });
    expect(found.map((s) => [s.name, s.containerName, path.basename(s.location.uri)].filter(Boolean).join(' ')).sort()).toEqual(['Encoder blocks.mbn', 'encoded Main main.mbn']);
    const hidden = (await client.request<SymbolInformation[]>('workspace/symbol', { query: 'hidden' }))[0]!;
    expect(hidden).toMatchObject({ kind: 13, containerName: 'Encoder', location: { uri: fileUri(path.join(dir, 'blocks.mbn')), range: range(2, 2, 2, 8) } });
    await client.close(fileUri(main));
  });
});

describe('code actions', () => {
  it('apply the insert-Flatten fix of examples/errors/dense_needs_flatten.mbn, and the error is gone', async () => {
    const file = path.join(examplesDir, 'errors', 'dense_needs_flatten.mbn');
    const uri = fileUri(path.join(scratch, 'dense_needs_flatten.mbn'));
    const text = readFileSync(file, 'utf8');
    const { diagnostics } = await client.open(uri, text);
    expect(diagnostics.map((d) => d.code)).toEqual(['MBN300']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    expect(actions).toHaveLength(1);
    const action = actions[0]!;
    expect(action).toMatchObject({ title: 'insert Flatten() before Dense (or GlobalAveragePooling2D() to keep fewer weights)', kind: 'quickfix', isPreferred: true, diagnostics: [{ code: 'MBN300' }] });
    const edits = action.edit!.changes![uri]!;
    expect(edits).toEqual([{ range: range(5, 25, 5, 25), newText: 'Flatten() -> ' }]);
    const fixed = await client.edit(uri, edits[0]!.range, edits[0]!.newText);
    expect(fixed.diagnostics).toEqual([]);
    // Nothing left to fix, and a cursor anywhere finds nothing.
    expect(await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: range(5, 30, 5, 30), context: { diagnostics: [] } })).toEqual([]);
    await client.close(uri);
  });

  it('are found by range too, and offer did-you-mean renames and import removal', async () => {
    const file = path.join(examplesDir, 'errors', 'undefined_name.mbn');
    const text = readFileSync(file, 'utf8');
    const uri = fileUri(file);
    const { diagnostics } = await client.open(uri, text);
    const withFix = diagnostics.find((d) => d.relatedInformation?.some((r) => r.message.startsWith('help: did you mean')))!;
    expect(withFix).toBeDefined();
    // The cursor inside the name, no diagnostics named in the context.
    const inside = { line: withFix.range.start.line, character: withFix.range.start.character + 1 };
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: inside, end: inside }, context: { diagnostics: [] } });
    expect(actions.map((a) => a.title)).toContain(withFix.relatedInformation!.find((r) => r.message.startsWith('help:'))!.message.slice('help: '.length));
    // Asking only for refactorings gives no quick fixes.
    expect(await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: withFix.range, context: { diagnostics, only: ['refactor'] } })).toEqual([]);
    await client.close(uri);

    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-lsp-import-'));
    writeFileSync(path.join(dir, 'blocks.mbn'), 'model Unused {\n  input x: [2]\n  output y = x -> Dense(1)\n}\n');
    const mainUri = fileUri(path.join(dir, 'main.mbn'));
    const published = await client.open(mainUri, 'import "blocks"\nmodel Main {\n  input x: [2]\n  output y = x -> Dense(1) loss mse\n}\n');
    const unusedImport = published.diagnostics.find((d) => d.code === 'MBN408')!;
    expect(unusedImport.tags).toEqual([1]);
    const [remove] = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: mainUri }, range: unusedImport.range, context: { diagnostics: [unusedImport] } });
    expect(remove).toMatchObject({ title: 'remove this import', edit: { changes: { [mainUri]: [{ range: range(0, 0, 0, 15), newText: '' }] } } });
    await client.close(mainUri);
  });
});

describe('services', () => {
  it('hover shows the shapes a layer maps between, also in a document with a syntax error', async () => {
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: auxUri }, position: at(12, 18) });
    expect(hover.range).toEqual(range(12, 16, 12, 22));
    expect((hover.contents as { kind: string; value: string }).kind).toBe('markdown');
    expect((hover.contents as { value: string }).value).toContain('[None, 30, 30, 32]');

    const uri = fileUri(path.join(scratch, 'broken-hover.mbn'));
    await client.open(uri, broken);
    const onDense = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(4, 21) });
    expect((onDense.contents as { value: string }).value).toContain('[None, 10]');
    expect(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(0, 0) })).not.toBeUndefined();
    await client.close(uri);
  });

  it('completion offers layers after `->` and argument names inside a call', async () => {
    const uri = fileUri(path.join(scratch, 'complete.mbn'));
    const text = 'model M {\n  input x: [4]\n  h = x -> \n  output y = x -> Dense(2, ) loss mse\n}\n';
    await client.open(uri, text);
    const items = (r: CompletionItem[] | CompletionList) => (Array.isArray(r) ? r : r.items);
    const layers = items(await client.request('textDocument/completion', { textDocument: { uri }, position: at(2, 11) }));
    expect(layers.find((i) => i.label === 'Dense')).toMatchObject({ kind: 7 });
    const args = items(await client.request('textDocument/completion', { textDocument: { uri }, position: at(3, 27) }));
    expect(args.map((i) => i.label)).toEqual(expect.arrayContaining([expect.stringMatching(/^activation/)]));
    await client.close(uri);
  });

  it('signature help names the active parameter of a layer call', async () => {
    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri: auxUri }, position: at(12, 27) });
    expect(help.signatures[help.activeSignature ?? 0]!.label).toContain('Conv2D(');
    expect(help.activeParameter).toBe(1);
  });

  it('definition, references and rename of a branch', async () => {
    const def = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: auxUri }, position: at(15, 27) });
    expect(def).toEqual([{ uri: auxUri, range: range(12, 2, 12, 5) }]);
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: auxUri }, position: at(12, 3), context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range).sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character)).toEqual([range(12, 2, 12, 5), range(15, 27, 15, 30), range(16, 20, 16, 23)]);
    const prepared = await client.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: auxUri }, position: at(16, 21) });
    expect(prepared).toMatchObject({ range: range(16, 20, 16, 23), placeholder: 'cnn' });
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: auxUri }, position: at(16, 21), newName: 'conv' });
    const edits = edit.changes![auxUri]!;
    expect(edits).toHaveLength(3);
    expect(edits.every((e) => e.newText === 'conv')).toBe(true);
    // Renaming a catalogue layer is refused with a reason.
    await expect(client.request('textDocument/prepareRename', { textDocument: { uri: auxUri }, position: at(12, 18) })).rejects.toThrow();
  });
});

describe('formatting', () => {
  it('formats through src/format, idempotently, and leaves text with syntax errors alone', async () => {
    const uri = fileUri(path.join(scratch, 'format.mbn'));
    const messy = 'model   M {\n  input x:[4]\n    h = x->Dense(2,activation:relu)\n  output y=h -> Dense(1)   loss mse\n}\n';
    await client.open(uri, messy);
    const options = { tabSize: 2, insertSpaces: true };
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
    expect(edits.length).toBeGreaterThan(0);
    const formatted = TextDocument.applyEdits(TextDocument.create(uri, 'mbn', 1, messy), edits);
    expect(formatted).toContain('h = x -> Dense(2, activation: relu)');
    await client.change(uri, [{ text: formatted }]);
    expect(await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options })).toEqual([]);

    // A range keeps only the edits within its lines.
    await client.change(uri, [{ text: messy }]);
    const inLine2 = await client.request<TextEdit[]>('textDocument/rangeFormatting', { textDocument: { uri }, range: range(2, 0, 2, 5), options });
    expect(inLine2.length).toBeGreaterThan(0);
    expect(inLine2.every((e) => e.range.start.line === 2 && e.range.end.line <= 2)).toBe(true);
    expect(TextDocument.applyEdits(TextDocument.create(uri, 'mbn', 1, messy), inLine2).split('\n')[2]).toBe(formatted.split('\n')[2]);
    await client.close(uri);

    const brokenUri = fileUri(path.join(scratch, 'format-broken.mbn'));
    await client.open(brokenUri, broken);
    expect(await client.request<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri: brokenUri }, options })).toEqual([]);
    await client.close(brokenUri);
  });
});

describe('robustness', () => {
  it('ends when the editor goes away (its end of the pipe closes)', async () => {
    const orphan = await LspClient.start();
    const exited = new Promise<number | null>((resolve) => orphan.child.once('exit', resolve));
    orphan.child.stdin!.end();
    expect(await exited).toBe(1);
    orphan.connection.dispose();
  });

  it('mbnc lsp takes no files', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/mbnc.js'), 'lsp', 'examples/aux_branches.mbn'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lsp takes no files');
  });

  it('logged no handler failures and is still running', () => {
    expect(client.logs.filter((l) => l.type === 1)).toEqual([]);
    expect(client.exitCode).toBeUndefined();
  });
});
