/**
 * SVG through Graphviz compiled to WebAssembly (@viz-js/viz): the DOT text
 * is laid out by `dot` in-process, with no Graphviz installation needed.
 */
import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/** Loads the wasm module once per process (about 80 ms). */
function graphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/** Graphviz rejected the DOT text (a bug in the writer, never the user's input). */
export class LayoutError extends Error {}

export async function renderSvg(dot: string): Promise<string> {
  const result = (await graphviz()).render(dot, { format: 'svg', engine: 'dot' });
  // Graphviz reports some problems (a bad HTML label) as errors and still "succeeds".
  const errors = result.errors.filter((e) => e.level === 'error').map((e) => e.message);
  if (result.status !== 'success' || errors.length > 0) throw new LayoutError(`Graphviz could not lay out the diagram: ${errors.join(' ') || 'unknown error'}`);
  return liftClusterLabels(result.output);
}

/**
 * Graphviz puts a cluster's title inside the cluster's top edge, where the
 * edges entering the cluster pass, and draws those edges over it. The
 * titles are moved to the end of the drawing, on top, each with a halo of
 * its cluster's fill, so that edges pass under them as roads under map labels.
 */
function liftClusterLabels(svg: string): string {
  const lifted: string[] = [];
  const text = /<text [^>]*>[^<]*<\/text>\n?/g;
  const withoutTitles = svg.replace(/<g id="clust\d+" class="cluster">[\s\S]*?<\/g>/g, (group) => {
    const fill = /<(?:path|polygon) fill="([^"]+)"/.exec(group)?.[1] ?? 'white';
    for (const t of group.match(text) ?? []) {
      lifted.push(t.trimEnd().replace('<text ', `<text stroke="${fill}" stroke-width="5" stroke-linejoin="round" paint-order="stroke" `));
    }
    return group.replace(text, '');
  });
  const end = withoutTitles.lastIndexOf('</g>');
  if (lifted.length === 0 || end < 0) return svg;
  return `${withoutTitles.slice(0, end)}<g class="cluster-titles">\n${lifted.join('\n')}\n</g>\n${withoutTitles.slice(end)}`;
}
