/**
 * Trailing `#`/`//` comments of neighbouring lines start in one column, two
 * spaces after the longest code among them (gofmt does the same), within one
 * block: a blank line, a line without one, a comment spanning lines or a
 * line in another block (the model's header and its body, say) ends the group.
 */
import type { TokenType } from 'chevrotain';
import * as t from '../syntax/tokens.js';
import { columnAfter, hasMultiline, trailingComment, type Document, type Line } from './document.js';

/** Spaces between code and the comment after it, at least. */
export const commentGap = 2;

/** How many model bodies and train blocks each line is in (a closing `}` belongs outside). */
function blockDepths(doc: Document): number[] {
  const depths: number[] = [];
  let depth = 0;
  let previous: TokenType | undefined;
  let inImportList = false;
  for (const line of doc.lines) {
    const first = line.items.find((item) => item.type !== undefined);
    depths.push(first?.type === t.RBrace && !inImportList ? depth - 1 : depth);
    for (const item of line.items) {
      if (item.type === undefined) continue;
      if (item.type === t.LBrace && previous === t.Import) inImportList = true;
      else if (item.type === t.RBrace && inImportList) inImportList = false;
      else if (item.type === t.LBrace) depth++;
      else if (item.type === t.RBrace) depth--;
      previous = item.type;
    }
  }
  return depths;
}

export function alignTrailingComments(doc: Document): void {
  const depths = blockDepths(doc);
  let group: { line: Line; item: number; end: number }[] = [];
  let groupDepth = -1;
  const flush = () => {
    const column = Math.max(...group.map((g) => g.end)) + commentGap;
    for (const g of group) g.line.sep[g.item] = column - g.end;
    group = [];
  };
  doc.lines.forEach((line, i) => {
    const item = trailingComment(line);
    const eligible = item !== undefined && !hasMultiline(line, 0, line.items.length);
    if (!eligible || line.blankBefore || depths[i] !== groupDepth) flush();
    if (eligible) group.push({ line, item, end: columnAfter(line, item - 1) });
    groupDepth = depths[i]!;
  });
  flush();
}
