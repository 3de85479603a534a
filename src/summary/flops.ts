/**
 * Forward FLOPs per sample, estimated from the graph (a multiply-add counts
 * 2, as in Keras's and TensorFlow's profilers). Layers with weights multiply
 * every weight once per output position (Dense, convolutions, normalization);
 * layers without weights touch each element once (activations, pooling,
 * merges). Entries for which that is wrong (recurrent layers run once per
 * step, transposed convolutions per input pixel, Embedding only copies) say
 * so in the catalogue. Unknown (`None`) dimensions count as 1.
 */
import type { Shape } from '../catalogue/types.js';
import { shapeOf, type Graph, type LayerNode } from '../semantics/graph.js';

const size = (shape: Shape) => shape.reduce<number>((n, d) => n * (d ?? 1), 1);
/** Positions a weight is applied at: every axis but the last (channels/features). */
const positions = (shape: Shape) => size(shape.slice(0, -1));

export function nodeFlops(node: LayerNode): number {
  const layer = node.layer;
  const inputs = node.inputs.map(shapeOf);
  if (layer.entry.flops) return layer.entry.flops(inputs, node.outputShapes, layer.args, layer.params);
  const weights = layer.params.trainable + layer.params.nonTrainable;
  if (weights > 0 && layer.entry.kind === 'layer') return 2 * weights * positions(node.outputShapes[0]!);
  const touched = Math.max(
    inputs.reduce((n, s) => n + size(s), 0),
    node.outputShapes.reduce((n, s) => n + size(s), 0),
  );
  return touched;
}

/** Total forward FLOPs per sample of every layer application in the graph. */
export function graphFlops(graph: Graph): number {
  let total = 0;
  for (const node of graph.nodes) if (node.kind === 'layer') total += nodeFlops(node);
  return total;
}
