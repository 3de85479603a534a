/**
 * Language-server latency, measured against the real `mbnc lsp --stdio`
 * process over its pipes (the client of test/lsp-client.ts), on a generated
 * 2,000-line spec:
 *
 * - diagnostics: from sending a didChange to receiving the publishDiagnostics
 *   of that version, with the debounce set to 0 through the
 *   `diagnosticsDelay` initialization option (an editor waits 150 ms more);
 * - hover and completion at random identifiers of the unchanged document
 *   (the analysis is cached), semantic tokens of the whole document, inlay
 *   hints for 60 lines, and hover as the first request after an edit (it
 *   pays for the re-analysis).
 *
 * Times include JSON-RPC over the pipes both ways. Targets are reported, not asserted.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../src/semantics/analyze.js';
import { fileUri, LspClient } from '../test/lsp-client.js';
import { generateSpec } from './generate.js';
import { median, type BenchResult } from './stats.js';

/** The value below which `p` of the sorted values lie (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * CPU milliseconds a process has used (all its threads, the garbage
 * collector's included), from /proc on Linux; undefined elsewhere. Wall-clock
 * latency on a busy machine includes waiting for a core; this does not.
 */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** A deterministic generator (xorshift), so every run measures the same positions and edits. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** p95 as the figure, p50 beside it; measured against `target` (ms) when there is one. */
function result(name: string, times: readonly number[], what: string, target?: number): BenchResult {
  const p50 = percentile(times, 0.5);
  const p95 = percentile(times, 0.95);
  const detail = `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${times.length} ${what}`;
  return target === undefined ? { name: `${name} (p95)`, value: p95, unit: 'ms', detail } : { name: `${name} (p95)`, value: p95, unit: 'ms', detail: `${detail}; target p95 < ${target} ms`, target: { max: target } };
}

export async function benchLsp(requests = 300): Promise<BenchResult[]> {
  const text = generateSpec(2_000);
  const lines = text.split('\n').length;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mbn-bench-lsp-')), 'generated.mbn');
  const uri = fileUri(file);
  const doc = TextDocument.create(uri, 'mbn', 1, text);
  const next = random(20_240_601);

  // What the front end alone costs on this text, for reading the figures below.
  const host = { readFile: (u: string) => (u === file ? text : undefined) };
  for (let i = 0; i < 3; i++) analyze(file, host, { trace: true });
  const analyzeTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    analyze(file, host, { trace: true });
    analyzeTimes.push(performance.now() - t0);
  }

  const client = await LspClient.start({ diagnosticsDelay: 0 });
  try {
    const opened = await client.open(uri, text);
    const errors = opened.diagnostics.filter((d) => d.severity === 1);
    if (errors.length > 0) throw new Error(`generated spec has errors: ${errors[0]!.message}`);

    // Identifiers: where hovers and completions are asked for (inside the name, or at its end as while typing).
    const identifiers = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    const somewhere = () => identifiers[Math.floor(next() * identifiers.length)]!;
    const timed = async (run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    const hover = (offset: number) => client.request('textDocument/hover', { textDocument: { uri }, position: doc.positionAt(offset) });
    const complete = (offset: number) => client.request('textDocument/completion', { textDocument: { uri }, position: doc.positionAt(offset) });

    const bodyLines = text.split('\n').flatMap((l, i) => (l.startsWith('  h') ? [i] : []));
    const edit = typing(doc, bodyLines, next);
    /** One edit, timed until the server publishes the diagnostics of the new version. */
    const editAndWait = async (): Promise<number> => {
      const change = edit();
      const t0 = performance.now();
      const published = client.diagnosticsOf(uri, doc.version);
      await client.change(uri, [change]);
      await published;
      return performance.now() - t0;
    };

    // Warm-up: the server's JIT, its caches, the parser's grammar.
    for (let i = 0; i < 30; i++) {
      await editAndWait();
      await hover(somewhere().start + 1);
      await complete(somewhere().end);
    }

    const diagnostics: number[] = [];
    const cpuBefore = cpuMs(client.child.pid);
    for (let i = 0; i < requests; i++) diagnostics.push(await editAndWait());
    const cpuAfter = cpuMs(client.child.pid);
    const cpuPerEdit = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / requests;
    const hovers: number[] = [];
    for (let i = 0; i < requests; i++) hovers.push(await timed(() => hover(somewhere().start + 1)));
    const completions: number[] = [];
    for (let i = 0; i < requests; i++) completions.push(await timed(() => complete(somewhere().end)));
    // What an editor asks for after each edit besides diagnostics: the whole document's tokens, the visible lines' hints.
    const tokens: number[] = [];
    const hints: number[] = [];
    for (let i = 0; i < Math.min(requests, 100); i++) {
      tokens.push(await timed(() => client.request('textDocument/semanticTokens/full', { textDocument: { uri } })));
      const top = Math.floor(next() * (lines - 60));
      const range = { start: { line: top, character: 0 }, end: { line: top + 60, character: 0 } };
      hints.push(await timed(() => client.request('textDocument/inlayHint', { textDocument: { uri }, range })));
    }
    // The first request after an edit analyses the new text itself: a server whose diagnostics never fire shows that cost.
    const afterEdit: number[] = [];
    const slow = await LspClient.start({ diagnosticsDelay: 60_000 });
    try {
      const slowDoc = TextDocument.create(uri, 'mbn', 1, doc.getText());
      await slow.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mbn', version: 1, text: slowDoc.getText() } });
      const slowEdit = typing(slowDoc, bodyLines, next);
      for (let i = 0; i < requests + 30; i++) {
        const change = slowEdit();
        await slow.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: slowDoc.version }, contentChanges: [change] });
        const position = slowDoc.positionAt(somewhere().start + 1);
        const ms = await timed(() => slow.request('textDocument/hover', { textDocument: { uri }, position }));
        if (i >= 30) afterEdit.push(ms);
      }
    } finally {
      await slow.stop();
    }

    const name = (what: string) => `LSP ${what}, ${lines.toLocaleString('en-US')}-line spec`;
    const afterAnEdit = result(name('diagnostics after an edit'), diagnostics, 'edits (didChange → publishDiagnostics, debounce set to 0)', 50);
    return [
      {
        ...afterAnEdit,
        detail: `${afterAnEdit.detail}; ${cpuPerEdit === undefined ? '' : `the server used ${cpuPerEdit.toFixed(1)} ms of CPU per edit; `}the front end alone (analyze with trace, in this process) takes ${median(analyzeTimes).toFixed(1)} ms (median) on this text`,
      },
      result(name('hover'), hovers, 'hovers at random identifiers', 25),
      result(name('completion'), completions, 'completions at random identifiers', 25),
      result(name('semantic tokens, whole document'), tokens, 'requests'),
      result(name('inlay hints, 60 visible lines'), hints, 'requests'),
      // No target of its own: it is the diagnostics' analysis, paid by a request instead of the timer.
      result(name('hover right after an edit'), afterEdit, 'hovers, each the first request after an edit (includes re-analysis)'),
    ];
  } finally {
    await client.stop();
  }
}

/**
 * Edits as a user types them on `lines` of `doc`: a space added at the end of
 * a random line, or taken away again, so the text stays valid. Each call
 * applies one change to `doc` (its version goes up) and returns it.
 */
function typing(doc: TextDocument, lines: readonly number[], next: () => number): () => { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string } {
  const spaced = new Set<number>();
  return () => {
    const line = lines[Math.floor(next() * lines.length)]!;
    const end = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\n$/, '').length;
    const change = spaced.has(line)
      ? { range: { start: { line, character: end - 1 }, end: { line, character: end } }, text: '' }
      : { range: { start: { line, character: end }, end: { line, character: end } }, text: ' ' };
    if (spaced.has(line)) spaced.delete(line);
    else spaced.add(line);
    TextDocument.update(doc, [change], doc.version + 1);
    return change;
  };
}
