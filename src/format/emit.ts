/**
 * Writes the lines out: indentation, items and their spaces, at most one
 * blank line where the source had any (none at the start of the file or of
 * a block, none before a block's `}`), `\n` line ends, a final line break.
 * Records where each item lands, for minimal edits.
 */
import type { Document } from './document.js';

/** Where an item was in the source and where it is in the output. */
export interface Placement {
  readonly from: number;
  readonly to: number;
  readonly at: number;
  readonly text: string;
}

export interface Emitted {
  readonly text: string;
  readonly placements: readonly Placement[];
}

export function emit(doc: Document): Emitted {
  let out = '';
  const placements: Placement[] = [];
  doc.lines.forEach((line, i) => {
    if (i > 0) {
      out += line.blankBefore ? '\n\n' : '\n';
    }
    out += ' '.repeat(line.indent);
    line.items.forEach((item, k) => {
      if (k > 0) out += ' '.repeat(line.sep[k]!);
      placements.push({ from: item.start, to: item.end, at: out.length, text: item.text });
      out += item.text;
    });
  });
  if (doc.lines.length > 0) out += '\n';
  return { text: out, placements };
}
