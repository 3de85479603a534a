/**
 * Minimal edits from the source to its formatted text. The formatter keeps
 * every token and comment in order and rewrites only what lies between them
 * (and trailing white space inside comments), so the edits are the gaps that
 * changed: an editor keeps the cursor, the selection and the undo history
 * of everything else.
 */
import type { Span } from '../syntax/source.js';
import type { Placement } from './emit.js';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export function editsBetween(source: string, formatted: string, placements: readonly Placement[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const replace = (from: number, to: number, newText: string) => {
    // Trim what both sides share, so that an edit touches only what changed.
    const old = source.slice(from, to);
    let head = 0;
    while (head < old.length && head < newText.length && old[head] === newText[head]) head++;
    let tail = 0;
    while (tail < old.length - head && tail < newText.length - head && old[old.length - 1 - tail] === newText[newText.length - 1 - tail]) tail++;
    if (head === old.length && head === newText.length) return;
    edits.push({ span: { start: from + head, end: to - tail }, newText: newText.slice(head, newText.length - tail) });
  };
  let from = 0;
  let at = 0;
  for (const p of placements) {
    replace(from, p.from, formatted.slice(at, p.at));
    replace(p.from, p.to, p.text);
    from = p.to;
    at = p.at + p.text.length;
  }
  replace(from, source.length, formatted.slice(at));
  return edits;
}
