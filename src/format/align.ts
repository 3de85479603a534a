/**
 * gofmt-style alignment of neighbouring statements in a model body:
 *
 *   - names: in a run of statements of one kind (bindings, outputs, inputs,
 *     shared layers) the `=` (or an input's shape) starts in one column;
 *   - pipeline tables: one-line pipelines of such a run that start from a
 *     name and have as many stages as each other line up their `->`;
 *   - output clauses set off by several spaces (the table style of
 *     examples/aux_branches.mbn) start in one column, three spaces after the
 *     longest value; clauses set off by one space stay one space away.
 *
 * A run is broken by a blank line, a statement of another kind, or a line
 * holding more than one statement; comment lines between statements keep
 * the names aligned but break the tables and the clause column (a comment
 * line separates the tails of the lines around it).
 */
import { firstToken, type Block, type Statement, type StatementKind } from './statements.js';
import { hasMultiline, isCommentLine, width, type Document, type Line, type Loc } from './document.js';

const alignable: ReadonlySet<StatementKind> = new Set(['binding', 'output', 'input', 'shared']);

/** Spaces between a value and its clauses in the table style. */
export const clauseGap = 3;

export function alignBodies(doc: Document, bodies: readonly Block[], startsPerLine: readonly number[]): void {
  for (const body of bodies) {
    for (const run of runs(doc, body, startsPerLine)) {
      alignNames(doc, run);
      for (const table of pipelineTables(doc, run)) alignCells(table);
    }
  }
  // Clause gaps are set after tables, which move the ends of values.
  for (const body of bodies) {
    for (const s of body) if (s.kind === 'output') setClauseGap(doc, s);
    for (const run of runs(doc, body, startsPerLine)) if (run[0]!.kind === 'output') alignClauses(doc, run);
  }
}

/**
 * Whether a statement can take part in alignment: it starts its line, no
 * other statement shares its first or last line, and nothing before its `=`
 * spans lines.
 */
function isMember(doc: Document, s: Statement, startsPerLine: readonly number[]): boolean {
  if (!alignable.has(s.kind)) return false;
  if (s.first.item !== firstToken(doc, s.first.line)) return false;
  if (startsPerLine[s.first.line] !== 1) return false;
  if (s.last.line !== s.first.line && startsPerLine[s.last.line] !== 0) return false;
  if (s.separator && s.separator.line !== s.first.line) return false;
  return !hasMultiline(doc.lines[s.first.line]!, 0, s.separator ? s.separator.item + 1 : 0);
}

/** Only comment lines, and no blank line, between two statements. */
function adjacent(doc: Document, a: Statement, b: Statement): boolean {
  if (b.first.line <= a.last.line) return false;
  for (let l = a.last.line + 1; l <= b.first.line; l++) {
    const line = doc.lines[l]!;
    if (line.blankBefore) return false;
    if (l < b.first.line && !isCommentLine(line)) return false;
  }
  return true;
}

function runs(doc: Document, body: Block, startsPerLine: readonly number[]): Statement[][] {
  const out: Statement[][] = [];
  let run: Statement[] = [];
  for (const s of body) {
    const member = isMember(doc, s, startsPerLine);
    const previous = run[run.length - 1];
    if (member && previous && previous.kind === s.kind && adjacent(doc, previous, s)) {
      run.push(s);
      continue;
    }
    if (run.length > 1) out.push(run);
    run = member ? [s] : [];
  }
  if (run.length > 1) out.push(run);
  return out;
}

/** Where the padding goes: before the `=`, or before an input's shape (after its `:`). */
function paddedItem(doc: Document, s: Statement): number | undefined {
  if (!s.separator) return undefined;
  if (s.kind !== 'input') return s.separator.item;
  const after = s.separator.item + 1;
  const line = doc.lines[s.first.line]!;
  return after < line.items.length && line.items[after]!.type !== undefined ? after : undefined;
}

function alignNames(doc: Document, run: readonly Statement[]): void {
  const padded = run
    .map((s) => ({ s, item: paddedItem(doc, s) }))
    .filter((p): p is { s: Statement; item: number } => p.item !== undefined)
    .map(({ s, item }) => ({ line: doc.lines[s.first.line]!, item, width: width(doc.lines[s.first.line]!, 0, item) }));
  const column = Math.max(...padded.map((p) => p.width));
  for (const p of padded) p.line.sep[p.item]! += column - p.width;
}

/** A row of a table: a line and the items that end its cells (the `->` after each cell). */
export interface Row {
  readonly line: Line;
  /** The item that starts the first cell's boundary (exclusive), then each cell's closing `->`. */
  readonly boundaries: readonly number[];
}

/** Pads cells so that the `->` after each lines up; rows must have equal numbers of cells. */
export function alignCells(rows: readonly Row[]): void {
  const cells = rows[0]!.boundaries.length - 1;
  for (let j = 0; j < cells; j++) {
    const widths = rows.map((r) => width(r.line, r.boundaries[j]! + 1, r.boundaries[j + 1]!));
    const column = Math.max(...widths);
    rows.forEach((r, i) => (r.line.sep[r.boundaries[j + 1]!]! += column - widths[i]!));
  }
}

/** A one-line pipeline that starts from a plain name: a row of a pipeline table. */
function tableRow(doc: Document, s: Statement): Row | undefined {
  if (s.first.line !== s.last.line || s.value?.kind !== 'Pipeline' || s.value.source.kind !== 'NameRef' || !s.separator) return undefined;
  const line = doc.lines[s.first.line]!;
  if (hasMultiline(line, 0, line.items.length)) return undefined;
  return { line, boundaries: [s.separator.item, ...s.arrows.map((a) => a.item)] };
}

/** Neighbouring one-line pipelines with the same number of stages, on consecutive lines. */
function pipelineTables(doc: Document, run: readonly Statement[]): Row[][] {
  const tables: Row[][] = [];
  let table: Row[] = [];
  let previous: Statement | undefined;
  for (const s of run) {
    const row = tableRow(doc, s);
    const continues = row && previous && table.length > 0 && s.first.line === previous.last.line + 1 && row.boundaries.length === table[0]!.boundaries.length;
    if (!continues) {
      if (table.length > 1) tables.push(table);
      table = [];
    }
    if (row) table.push(row);
    previous = s;
  }
  if (table.length > 1) tables.push(table);
  return tables;
}

/** The first clause of an output, when it follows code on its line. */
function inlineClause(doc: Document, s: Statement): Loc | undefined {
  const clause = s.clauses[0];
  if (!clause || clause.item === 0) return undefined;
  return doc.lines[clause.line]!.items[clause.item - 1]!.type !== undefined ? clause : undefined;
}

/** The author's choice, kept: two or more spaces (or a tab) before the first clause ask for the table style. */
function spacedClause(doc: Document, clause: Loc): boolean {
  const line = doc.lines[clause.line]!;
  const gap = doc.text.slice(line.items[clause.item - 1]!.end, line.items[clause.item]!.start);
  return gap.length >= 2 || gap.includes('\t');
}

function setClauseGap(doc: Document, s: Statement): void {
  const clause = inlineClause(doc, s);
  if (clause && spacedClause(doc, clause)) doc.lines[clause.line]!.sep[clause.item] = clauseGap;
}

/** Table-style clauses of consecutive one-line outputs start in one column. */
function alignClauses(doc: Document, run: readonly Statement[]): void {
  let group: { line: Line; item: number }[] = [];
  let previous: Statement | undefined;
  const flush = () => {
    const widths = group.map((g) => width(g.line, 0, g.item));
    const column = Math.max(...widths) + clauseGap;
    group.forEach((g, i) => (g.line.sep[g.item] = column - widths[i]!));
    group = [];
  };
  for (const s of run) {
    const clause = inlineClause(doc, s);
    const eligible = clause !== undefined && s.first.line === s.last.line && spacedClause(doc, clause);
    if (!eligible || !previous || s.first.line !== previous.last.line + 1) flush();
    if (eligible) group.push({ line: doc.lines[s.first.line]!, item: clause.item });
    previous = s;
  }
  flush();
}
