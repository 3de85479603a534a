/**
 * Inlay hints: the static shape after every pipeline step and binding, read
 * from the values the checker traced (`analyze(…, { trace: true })`), so a
 * hint always shows what the checker computed, never a second guess.
 *
 * A block used several times has one traced value per use; the hint shows
 * each distinct shape (`[None, 64] | [None, 28800]`), or the first ones and
 * `…` when there are many, with all of them in the tooltip.
 */
import { formatShape } from '../catalogue/shape.js';
import type { Analysis } from '../semantics/analyze.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { walk } from './tree.js';

export interface ShapeHint {
  /** Where the hint goes: right after the step or name it describes. */
  readonly offset: number;
  /** `: [None, 30, 30, 32]` */
  readonly label: string;
  /** Set when the label had to leave shapes out, or when several uses disagree. */
  readonly tooltip?: string;
}

/** How many distinct shapes a label shows before it ends in `…`. */
const maxShown = 3;

/** The hints of the analysed document, only those within `range` when one is given. */
export function shapeHints(analysis: Analysis, range?: Span): ShapeHint[] {
  const unit = analysis.unit;
  if (!unit) return [];
  const hints: ShapeHint[] = [];
  const inRange = (offset: number) => !range || (offset >= range.start && offset <= range.end);
  const add = (node: object, offset: number) => {
    if (!inRange(offset)) return;
    const hint = hintFor(analysis.trace.get(node) ?? [], offset);
    if (hint) hints.push(hint);
  };
  for (const model of unit.syntax.models) {
    if (range && !overlaps(model.span, range)) continue;
    for (const statement of model.body) {
      if (range && !overlaps(statement.span, range)) continue;
      hintsForStatement(statement, add);
      walk(statement, (node) => {
        if (node.kind !== 'Pipeline') return;
        // A merge or sub-model call that starts a pipeline is a step too: `concat(a, b) -> Dense(1)`.
        if (node.source.kind === 'Call') add(node.source, node.source.span.end);
        for (const stage of node.stages) add(stage, stage.span.end);
      });
    }
  }
  return hints.sort((a, b) => a.offset - b.offset);
}

/** Hints for names a statement binds, where no pipeline step already shows the same value. */
function hintsForStatement(statement: ast.Statement, add: (node: object, offset: number) => void): void {
  switch (statement.kind) {
    case 'InputDecl':
      // A declared shape is on screen already; a shape-less input takes its shape from each use.
      if (statement.name && !statement.shape) add(statement.name, statement.name.span.end);
      return;
    case 'Binding':
      if (statement.names.length > 1) {
        // `cat, dog = switch(…)`: one tensor per name.
        for (const name of statement.names) add(name, name.span.end);
      } else if (statement.names[0] && statement.value && statement.value.kind !== 'Pipeline') {
        add(statement.names[0], statement.value.span.end);
      }
      return;
    case 'OutputDecl':
      if (statement.name && statement.value && statement.value.kind !== 'Pipeline') add(statement.name, statement.value.span.end);
      return;
    default:
      return;
  }
}

/** Whether two spans share a character, or touch (an empty range at a statement's end still sees its hints). */
function overlaps(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function hintFor(values: readonly Value[], offset: number): ShapeHint | undefined {
  const distinct = [...new Set(values.map(describe).filter((d): d is string => d !== undefined))];
  if (distinct.length === 0) return undefined;
  if (distinct.length === 1) return { offset, label: `: ${distinct[0]}` };
  const shown = distinct.length <= maxShown ? distinct : [...distinct.slice(0, maxShown - 1), '…'];
  return { offset, label: `: ${shown.join(' | ')}`, tooltip: `${distinct.length} different shapes in ${values.length} uses:\n${distinct.join('\n')}` };
}

/** A value as a hint shows it; undefined for values without a static shape. */
function describe(value: Value): string | undefined {
  switch (value.kind) {
    case 'tensor':
      return value.shape ? formatShape(value.shape) : undefined;
    case 'tuple': {
      const items = value.items.map(describe);
      return items.every((i) => i !== undefined) ? `(${items.join(', ')})` : undefined;
    }
    case 'record': {
      const fields = [...value.fields].map(([name, v]) => [name, describe(v)] as const);
      return fields.every(([, d]) => d !== undefined) ? `{${fields.map(([n, d]) => `${n}: ${d}`).join(', ')}}` : undefined;
    }
    default:
      return undefined;
  }
}
