/**
 * The diagram's palette, shared by the DOT and the Mermaid writers so that
 * both formats read the same way. Hues follow the Okabe–Ito palette (safe
 * for colour-blind readers); fills are light tints of them so that black
 * text stays readable, strokes are the full hue.
 */

/** What a node's colour says: its kind of layer. */
export type Category =
  | 'input'
  | 'core'
  | 'convolution'
  | 'pooling'
  | 'recurrent'
  | 'normalization'
  | 'regularization'
  | 'reshaping'
  | 'merge'
  | 'output';

export interface Swatch {
  readonly fill: string;
  readonly stroke: string;
  /** Shown in the legend. */
  readonly label: string;
}

export const palette: Readonly<Record<Category, Swatch>> = {
  input: { fill: '#D6E6F5', stroke: '#0072B2', label: 'input' },
  core: { fill: '#E0F0FA', stroke: '#3A8FC7', label: 'dense / core' },
  convolution: { fill: '#FCEBCB', stroke: '#D08C00', label: 'convolution' },
  pooling: { fill: '#F8F2C6', stroke: '#A89A10', label: 'pooling' },
  recurrent: { fill: '#D3EFE4', stroke: '#009E73', label: 'recurrent' },
  normalization: { fill: '#F5E1EC', stroke: '#B5548A', label: 'normalization' },
  regularization: { fill: '#EFEFEF', stroke: '#8A8A8A', label: 'dropout / noise' },
  reshaping: { fill: '#F1EEF6', stroke: '#7D6E9C', label: 'reshape / slice' },
  merge: { fill: '#FADBC8', stroke: '#D55E00', label: 'merge' },
  output: { fill: '#37474F', stroke: '#263238', label: 'output' },
};

/** Catalogue categories (src/catalogue) onto the palette; anything new falls back to `core`. */
const byCatalogueCategory: Readonly<Record<string, Category>> = {
  core: 'core',
  convolution: 'convolution',
  pooling: 'pooling',
  recurrent: 'recurrent',
  normalization: 'normalization',
  regularization: 'regularization',
  reshaping: 'reshaping',
  tensor: 'reshaping',
  merge: 'merge',
  'weighted merge': 'merge',
};

export function categoryOf(catalogueCategory: string): Category {
  return byCatalogueCategory[catalogueCategory] ?? 'core';
}

/** Everything removed from the inference model is drawn in these greys, dashed. */
export const pruned = { fill: '#F4F4F4', stroke: '#A6A6A6', text: '#8C8C8C', edge: '#B3B3B3' } as const;

export const ink = { text: '#1F1F1F', muted: '#5F6B73', edge: '#4A4A4A', cluster: '#90A4AE', clusterFill: '#F7F9FA', sharedFill: '#FFF8EC' } as const;

/**
 * Graphviz sizes nodes by its own estimate of text widths, which knows
 * Helvetica's metrics (and writes `Helvetica,sans-Serif` into the SVG);
 * Arial and Liberation Sans share them, so labels fit wherever it is viewed.
 */
export const fontFamily = 'Helvetica';
