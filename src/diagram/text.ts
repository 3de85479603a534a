/** The words and numbers on a diagram node, the way Keras users read them. */
import type { ArgValue, Args, CatalogueEntry, Shape } from '../catalogue/types.js';
import type { DiagramEdge } from './model.js';

/** `(None, 30, 30, 32)`: the batch axis first, as Keras prints output shapes. */
export function shapeText(shape: Shape): string {
  const dims = [null, ...shape].map((d) => (d === null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

/** 1,234,567 */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}

export function paramsText(n: number): string {
  return `${countText(n)} param${n === 1 ? '' : 's'}`;
}

function valueText(value: ArgValue): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (typeof value === 'object') {
    const v = value as Exclude<ArgValue, readonly ArgValue[] | null | number | boolean | string>;
    return v.kind === 'layer' ? v.entry.name : v.l1 && v.l2 ? `l1_l2(${v.l1}, ${v.l2})` : v.l1 ? `l1(${v.l1})` : `l2(${v.l2})`;
  }
  return String(value);
}

/** `p[0:1]` as `[0:1]`; a dropped axis (`p[0]`) as `[0]`. */
function sliceText(args: Args): string {
  const begin = (args['begin'] ?? []) as readonly number[];
  const end = (args['end'] ?? []) as readonly number[];
  const squeeze = new Set((args['squeeze'] ?? []) as readonly number[]);
  return `[${begin.map((b, i) => (squeeze.has(i) ? `${b}` : `${b}:${end[i] ?? ''}`)).join(', ')}]`;
}

/**
 * The one line that tells this layer from another of its type, kept short
 * so that nodes stay narrow: a layer's activation (as Keras's plot_model
 * `show_layer_activations`), a wrapper's inner layer, a merge's settings.
 */
export function detailText(entry: CatalogueEntry, args: Args): string | undefined {
  if (entry.name === 'slice') return sliceText(args);
  if (entry.kind === 'merge') {
    const changed = entry.params.filter((p) => args[p.name] !== undefined && valueText(args[p.name]!) !== valueText(p.default ?? null));
    return changed.length > 0 ? changed.map((p) => `${p.name}: ${valueText(args[p.name]!)}`).join(', ') : undefined;
  }
  const parts: string[] = [];
  const inner = args['layer'];
  if (inner && typeof inner === 'object' && !Array.isArray(inner) && (inner as { kind: string }).kind === 'layer') parts.push(valueText(inner));
  const activation = args['activation'];
  if (typeof activation === 'string' && activation !== 'linear') parts.push(activation);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * What the first input of a merge is for, when it is not one of several
 * alike inputs: `mixture(gate, …)` and `switch(probabilities, …)` say so in
 * their catalogue signature (`gate, expert1, …`), plain merges (`a, b, …`) do not.
 */
export function firstInputRole(entry: CatalogueEntry): string | undefined {
  if (entry.kind !== 'merge') return undefined;
  const first = entry.inputsDoc.split(',')[0]!.trim();
  return /^[a-z]$/.test(first) || entry.maxInputs === 1 ? undefined : first;
}

/** `gate`, `use 2`, `×3`: what an edge carries, when it is not plain. */
export function edgeLabel(edge: DiagramEdge): string {
  return [edge.role, edge.use !== undefined ? `use ${edge.use}` : undefined, edge.count > 1 ? `×${edge.count}` : undefined].filter((p) => p !== undefined).join(' ');
}
