/**
 * Inference pruning: the inference graph keeps only the non-aux outputs and
 * the nodes on a path from an input to them; training-only layers (Dropout,
 * noise) are bypassed since they are the identity at inference. Layers keep
 * their ids, so a backend can map them onto the same (trained) weights.
 */
import type { Graph, GraphNode, GraphOutput, InputNode, LayerInstance, LayerNode, TensorRef } from '../semantics/graph.js';

export function inferenceGraph(graph: Graph): Graph {
  const outputs = graph.outputs.filter((o) => !o.aux);
  const replaced = new Map<GraphNode, GraphNode>();
  const layerCopies = new Map<LayerInstance, LayerInstance>();
  const kept: GraphNode[] = [];

  /** The inference version of a tensor: through bypassed layers, onto copied nodes. */
  const map = (ref: TensorRef): TensorRef => {
    const node = ref.node;
    if (node.kind === 'layer' && node.layer.entry.kind === 'layer' && node.layer.entry.trainingOnly) return map(node.inputs[0]!);
    return { node: replaced.get(node)!, index: ref.index };
  };

  // Mark what the kept outputs need.
  const needed = new Set<GraphNode>();
  const stack = outputs.map((o) => o.tensor.node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (needed.has(node)) continue;
    needed.add(node);
    if (node.kind === 'layer') stack.push(...node.inputs.map((i) => i.node));
  }

  // Copy needed nodes in the original (topological) order.
  for (const node of graph.nodes) {
    if (!needed.has(node)) continue;
    if (node.kind === 'input') {
      replaced.set(node, node);
      kept.push(node);
      continue;
    }
    if (node.layer.entry.kind === 'layer' && node.layer.entry.trainingOnly) continue;
    let layer = layerCopies.get(node.layer);
    if (!layer) {
      layer = { ...node.layer, nodes: [] };
      layerCopies.set(node.layer, layer);
    }
    const copy: LayerNode = { ...node, layer, inputs: node.inputs.map(map) };
    layer.nodes.push(copy);
    replaced.set(node, copy);
    kept.push(copy);
  }

  const inferenceOutputs: GraphOutput[] = outputs.map((o) => ({ ...o, tensor: map(o.tensor) }));
  return {
    ...graph,
    inputs: kept.filter((n): n is InputNode => n.kind === 'input'),
    nodes: kept,
    layers: graph.layers.flatMap((l) => (layerCopies.has(l) ? [layerCopies.get(l)!] : [])),
    outputs: inferenceOutputs,
  };
}
