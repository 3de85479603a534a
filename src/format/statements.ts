/**
 * The statements of a file, found in its syntax tree and pinned to the
 * formatter's lines: where each starts and ends, where its `=` is, the
 * arrows of its pipeline and its first output clause. Alignment and
 * continuation indentation are decided per statement.
 */
import type { TokenType } from 'chevrotain';
import type * as ast from '../syntax/ast.js';
import * as t from '../syntax/tokens.js';
import type { Document, Loc } from './document.js';

export type StatementKind = 'import' | 'model' | 'input' | 'output' | 'shared' | 'binding' | 'train' | 'setting';

export interface Statement {
  readonly kind: StatementKind;
  readonly start: number;
  readonly end: number;
  readonly first: Loc;
  readonly last: Loc;
  /** The `=` of a binding, output or shared declaration; the `:` of an input with a shape. */
  readonly separator: Loc | undefined;
  /** The value, for bindings, outputs and shared declarations. */
  readonly value: ast.Expression | undefined;
  /** The `->` before each stage of the value, when the value is a pipeline. */
  readonly arrows: readonly Loc[];
  /** The keyword of each output clause (`aux`, `loss`, `weight`, `metrics`). */
  readonly clauses: readonly Loc[];
}

/** A model body or a train block: statements that may align with their neighbours. */
export type Block = readonly Statement[];

export interface Statements {
  /** Every statement and declaration, in source order (a model before its statements). */
  readonly all: readonly Statement[];
  /** Model bodies, each as its statements in order (train blocks are one statement there). */
  readonly bodies: readonly Block[];
  /** For the `{` of each model body and train block (by offset), the line where its model or train block starts. */
  readonly blockLines: ReadonlyMap<number, number>;
}

export function findStatements(doc: Document, file: ast.SourceFile): Statements {
  const all: Statement[] = [];
  const bodies: Statement[][] = [];
  const blockLines = new Map<number, number>();
  const make = (kind: StatementKind, span: { start: number; end: number }, parts: Partial<Pick<Statement, 'separator' | 'value' | 'arrows' | 'clauses'>> = {}): Statement | undefined => {
    const first = doc.tokenAt.get(span.start);
    const last = lastToken(doc, span.end);
    if (!first || !last) return undefined;
    const statement: Statement = { kind, start: span.start, end: span.end, first, last, separator: undefined, value: undefined, arrows: [], clauses: [], ...parts };
    all.push(statement);
    return statement;
  };
  for (const decl of file.imports) make('import', decl.span);
  for (const model of file.models) {
    const decl = make('model', model.span);
    if (decl && model.bodySpan) blockLines.set(model.bodySpan.start, decl.first.line);
    const body: Statement[] = [];
    for (const s of model.body) {
      const statement = bodyStatement(doc, s, make);
      if (statement) body.push(statement);
      if (s.kind !== 'TrainBlock') continue;
      const brace = nextToken(doc, s.span.start, t.LBrace);
      if (statement && brace) blockLines.set(doc.lines[brace.line]!.items[brace.item]!.start, statement.first.line);
      for (const setting of s.settings) make('setting', setting.span);
    }
    bodies.push(body);
  }
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  return { all, bodies, blockLines };
}

type Make = (kind: StatementKind, span: { start: number; end: number }, parts?: Partial<Pick<Statement, 'separator' | 'value' | 'arrows' | 'clauses'>>) => Statement | undefined;

function bodyStatement(doc: Document, s: ast.Statement, make: Make): Statement | undefined {
  switch (s.kind) {
    case 'InputDecl':
      return make('input', s.span, { separator: s.shape && s.name ? nextToken(doc, s.name.span.end, t.Colon) : undefined });
    case 'OutputDecl':
      return make('output', s.span, {
        ...valueParts(doc, s.name?.span.end, s.value),
        clauses: s.clauses.map((c) => doc.tokenAt.get(c.keyword.start)).filter((loc): loc is Loc => loc !== undefined),
      });
    case 'SharedDecl':
      return make('shared', s.span, valueParts(doc, s.name?.span.end, s.value));
    case 'Binding':
      return make('binding', s.span, valueParts(doc, s.names[s.names.length - 1]?.span.end, s.value));
    case 'TrainBlock':
      return make('train', s.span);
  }
}

function valueParts(doc: Document, nameEnd: number | undefined, value: ast.Expression | undefined): Pick<Statement, 'separator' | 'value' | 'arrows'> {
  const separator = nameEnd === undefined ? undefined : nextToken(doc, nameEnd, t.Equals);
  const arrows: Loc[] = [];
  if (value?.kind === 'Pipeline') {
    for (const stage of value.stages) {
      const at = tokenIndex(doc, stage.span.start);
      const arrow = at === undefined ? undefined : doc.tokens[at - 1];
      if (arrow?.type === t.Arrow) arrows.push(arrow);
    }
  }
  return { separator, value, arrows };
}

/** The index in `doc.tokens` of the token starting at `offset`. */
function tokenIndex(doc: Document, offset: number): number | undefined {
  let lo = 0;
  let hi = doc.tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = doc.tokens[mid]!.start;
    if (start === offset) return mid;
    if (start < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The first token of a type at or after `offset`. */
function nextToken(doc: Document, offset: number, type: TokenType): Loc | undefined {
  let lo = 0;
  let hi = doc.tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (doc.tokens[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < doc.tokens.length; i++) if (doc.tokens[i]!.type === type) return doc.tokens[i];
  return undefined;
}

/** The last token that starts before `end`. */
function lastToken(doc: Document, end: number): Loc | undefined {
  let lo = 0;
  let hi = doc.tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (doc.tokens[mid]!.start < end) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? doc.tokens[lo - 1] : undefined;
}

/** The index of the first token on a line, or -1 on a line of comments. */
export function firstToken(doc: Document, line: number): number {
  return doc.firstTokens[line]!;
}

/**
 * For each line, the innermost statement around its first token (the
 * statement it starts, or the one it continues); undefined for lines of
 * comments and lines outside any statement.
 */
export function ownersByLine(doc: Document, statements: Statements): (Statement | undefined)[] {
  const owners: (Statement | undefined)[] = [];
  const stack: Statement[] = [];
  let next = 0;
  const popEnded = (offset: number) => {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= offset) stack.pop();
  };
  doc.lines.forEach((line, index) => {
    const first = firstToken(doc, index);
    if (first < 0) {
      owners.push(undefined);
      return;
    }
    const offset = line.items[first]!.start;
    while (next < statements.all.length && statements.all[next]!.start <= offset) {
      const statement = statements.all[next++]!;
      popEnded(statement.start);
      stack.push(statement);
    }
    popEnded(offset);
    owners.push(stack[stack.length - 1]);
  });
  return owners;
}

/** How many statements (of any kind) start on each line. */
export function startsByLine(doc: Document, statements: Statements): number[] {
  const counts = doc.lines.map(() => 0);
  for (const s of statements.all) counts[s.first.line]!++;
  return counts;
}
