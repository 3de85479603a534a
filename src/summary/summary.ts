/**
 * Keras-style model summaries of the training and the inference graph:
 * one row per layer with its type, output shape, parameter count and inputs.
 */
import { inferenceGraph } from '../passes/prune.js';
import type { Shape } from '../catalogue/types.js';
import { graphFlops } from './flops.js';
import { totalParams, type Graph, type GraphNode, type TensorRef } from '../semantics/graph.js';

export interface SummaryRow {
  readonly name: string;
  readonly type: string;
  /** One shape per output, batch axis first (`null`). */
  readonly outputShapes: readonly (readonly (number | null)[])[];
  readonly params: number;
  readonly trainableParams: number;
  /** Keras's "Connected to": `layer[node][tensor]` per input of each application. */
  readonly inputs: readonly string[];
  /** Needs one of mbn's registered tfjs layers to load. */
  readonly custom: boolean;
}

export interface GraphSummary {
  readonly name: string;
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Estimated forward FLOPs per sample (see flops.ts). */
  readonly flops: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly layers: readonly SummaryRow[];
}

export interface ModelSummary {
  readonly model: string;
  readonly training: GraphSummary;
  readonly inference: GraphSummary;
  /** Layer types that tfjs lacks and mbn's runtime provides (they block Keras conversion). */
  readonly customLayers: readonly string[];
}

/** The class name Keras/tfjs would show for a layer. */
export function layerType(node: GraphNode): string {
  if (node.kind === 'input') return 'InputLayer';
  const entry = node.layer.entry;
  const tfjs = entry.kind === 'layer' ? entry.tfjs(node.layer.args) : entry.tfjs(node.layer.args, node.inputs.map(() => []));
  if (tfjs.custom || tfjs.composite) return tfjs.factory;
  if (entry.kind === 'merge') return tfjs.factory[0]!.toUpperCase() + tfjs.factory.slice(1);
  return entry.name;
}

function isCustom(node: GraphNode): boolean {
  if (node.kind === 'input') return false;
  const entry = node.layer.entry;
  return Boolean((entry.kind === 'layer' ? entry.tfjs(node.layer.args) : entry.tfjs(node.layer.args, [])).custom);
}

export function summarizeGraph(graph: Graph): GraphSummary {
  const rows: SummaryRow[] = [];
  const nodeIndex = new Map<GraphNode, number>();
  const nameOf = (node: GraphNode) => (node.kind === 'input' ? node.name : node.layer.name);
  const refName = (ref: TensorRef) => `${nameOf(ref.node)}[${nodeIndex.get(ref.node) ?? 0}][${ref.index}]`;
  const seenLayers = new Set<number>();
  for (const node of graph.nodes) {
    if (node.kind === 'layer') nodeIndex.set(node, node.layer.nodes.indexOf(node));
  }
  for (const node of graph.nodes) {
    const withBatch = (s: Shape) => [null, ...s];
    if (node.kind === 'input') {
      rows.push({ name: node.name, type: 'InputLayer', outputShapes: [withBatch(node.shape)], params: 0, trainableParams: 0, inputs: [], custom: false });
      continue;
    }
    if (seenLayers.has(node.layer.id)) continue;
    seenLayers.add(node.layer.id);
    const layer = node.layer;
    rows.push({
      name: layer.name,
      type: layerType(node),
      outputShapes: node.outputShapes.map(withBatch),
      params: layer.params.trainable + layer.params.nonTrainable,
      trainableParams: layer.params.trainable,
      inputs: layer.nodes.flatMap((n) => n.inputs.map(refName)),
      custom: isCustom(node),
    });
  }
  const totals = totalParams(graph.layers);
  return {
    name: graph.name,
    totalParams: totals.total,
    trainableParams: totals.trainable,
    nonTrainableParams: totals.nonTrainable,
    flops: graphFlops(graph),
    inputs: graph.inputs.map((i) => i.name),
    outputs: graph.outputs.map((o) => o.name),
    layers: rows,
  };
}

export function summarize(graph: Graph): ModelSummary {
  const training = summarizeGraph(graph);
  const inference = summarizeGraph(inferenceGraph(graph));
  const customLayers = [...new Set(training.layers.filter((r) => r.custom).map((r) => r.type))].sort();
  return { model: graph.name, training, inference, customLayers };
}

// ------------------------------------------------------------------ text rendering

const shapeText = (shape: readonly (number | null)[]) => `(${shape.map((d) => (d === null ? 'None' : d)).join(', ')}${shape.length === 1 ? ',' : ''})`;
const count = (n: number) => n.toLocaleString('en-US');

/** 1.23 M, 456 k: three significant figures, as profilers print them. */
export function flopsText(flops: number): string {
  const units: [number, string][] = [[1e12, ' T'], [1e9, ' G'], [1e6, ' M'], [1e3, ' k']];
  for (const [scale, unit] of units) if (flops >= scale) return `${(flops / scale).toPrecision(3)}${unit}`;
  return String(Math.round(flops));
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function renderGraphSummary(summary: GraphSummary, title: string): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const lines: string[][] = summary.layers.map((row) => [
    `${row.name} (${row.type})`,
    row.outputShapes.map(shapeText).join(', '),
    count(row.params),
    row.inputs.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)) + 2);
  widths[3] = Math.max(header[3]!.length, ...lines.map((l) => l[3]!.length));
  const total = widths.reduce((a, b) => a + b, 0);
  const rule = (c: string) => c.repeat(total);
  const out = [`${title}: "${summary.name}"`, rule('─'), header.map((h, i) => pad(h, widths[i]!)).join('').trimEnd(), rule('═')];
  lines.forEach((l, i) => {
    out.push(l.map((cell, j) => pad(cell, widths[j]!)).join('').trimEnd());
    out.push(i === lines.length - 1 ? rule('═') : rule('─'));
  });
  out.push(`Total params: ${count(summary.totalParams)}`);
  out.push(`Trainable params: ${count(summary.trainableParams)}`);
  out.push(`Non-trainable params: ${count(summary.nonTrainableParams)}`);
  out.push(`Forward FLOPs per sample (estimate): ${flopsText(summary.flops)}`);
  return out.join('\n');
}

export function renderSummary(summary: ModelSummary): string {
  const parts = [renderGraphSummary(summary.training, 'Training model'), '', renderGraphSummary(summary.inference, 'Inference model')];
  const removed = summary.training.layers.filter((r) => !summary.inference.layers.some((i) => i.name === r.name));
  if (removed.length > 0) {
    parts.push(`Removed for inference: ${removed.map((r) => r.name).join(', ')}`);
  }
  parts.push(
    summary.customLayers.length > 0
      ? `Custom layers (loaded through mbn's runtime; they block tfjs → Keras conversion): ${summary.customLayers.join(', ')}`
      : 'Custom layers: none (only built-in tfjs layers; convertible to Keras)',
  );
  return parts.join('\n');
}
