/**
 * The diagram of a model, built from the graph IR and independent of any
 * drawing format: one node per input, per layer instance (a shared layer is
 * one node with a count of applications, as in Keras's plot_model) and per
 * output; edges per connection, parallel ones counted once; a cluster per
 * sub-model instance. Each element knows its fate at inference, so that the
 * writers can draw what pruning removes. Everything is in graph order, so
 * the same model always gives the same diagram.
 */
import { inferenceGraph } from '../passes/prune.js';
import { totalParams, type Graph, type GraphNode, type GraphOutput, type LayerInstance, type Origin, type TensorRef } from '../semantics/graph.js';
import { layerType } from '../summary/summary.js';
import { categoryOf, type Category } from './style.js';
import { detailText, firstInputRole, shapeText } from './text.js';

/**
 * At inference a node is kept, pruned (it only feeds aux outputs) or
 * bypassed (Dropout and noise on a kept path: the identity at inference).
 */
export type Fate = 'kept' | 'pruned' | 'bypassed';

export type NodeKind = 'input' | 'layer' | 'merge' | 'output';

export interface DiagramNode {
  /** Unique and stable: the layer's or input's name, `output:NAME` for outputs. */
  readonly id: string;
  readonly kind: NodeKind;
  /** The full name (`cnn1/features_conv2d`). */
  readonly name: string;
  /** The name inside its cluster (`features_conv2d`). */
  readonly shortName: string;
  /** Keras class name: `Conv2D`, `Concatenate`, `InputLayer`; `Output` for outputs. */
  readonly type: string;
  readonly category: Category;
  /** Activation, merge settings, or an output's loss: one short line. */
  readonly detail: string | undefined;
  /** One Keras-style shape per output tensor: `(None, 30, 30, 32)`. */
  readonly shapes: readonly string[];
  readonly params: number;
  readonly trainableParams: number;
  /** How many times the layer is applied; more than 1 for shared layers. */
  readonly applications: number;
  readonly fate: Fate;
  /** The innermost cluster holding the node. */
  readonly cluster: string | undefined;
  readonly origin: Origin;
}

export interface DiagramEdge {
  readonly from: string;
  /** Which output of `from` the edge leaves, when `from` has several. */
  readonly fromPort: number | undefined;
  readonly to: string;
  /** Parallel connections drawn as one edge (a shared sub-model's chain applied 3 times). */
  readonly count: number;
  /** What the input is for (`gate`), when the merge gives its first input a role. */
  readonly role: string | undefined;
  /**
   * Which application of a shared layer the edge enters (or else leaves),
   * 1-based, so that `ids1 -> embed -> a` and `ids2 -> embed -> b` stay
   * apart; undefined for unshared layers and for counted edges.
   */
  readonly use: number | undefined;
  /** Pruned when the consumer is gone at inference. */
  readonly fate: 'kept' | 'pruned';
}

export interface DiagramCluster {
  /** The scope path (`cnn1`, `outer/inner`) of a sub-model instance; `branch:NAME` for a branch. */
  readonly id: string;
  /** A sub-model instance, or the layers one statement of the drawn model creates. */
  readonly kind: 'model' | 'branch';
  readonly parent: string | undefined;
  /** The instance name (last part of the path), or the names the branch binds. */
  readonly name: string;
  /** The sub-model it instantiates, when known. */
  readonly model: string | undefined;
  /** More than 1 when the instance is shared and applied several times. */
  readonly applications: number;
  /** Pruned when everything in it is. */
  readonly fate: 'kept' | 'pruned';
}

export type View = 'training' | 'inference';

export interface Diagram {
  readonly model: string;
  readonly view: View;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly clusters: readonly DiagramCluster[];
  readonly totalParams: number;
  /** Parameters of the inference model (equal to `totalParams` in the inference view). */
  readonly inferenceParams: number;
}

/**
 * What each scope holds, for the writers that nest clusters (DOT, Mermaid):
 * its own nodes and its child clusters, each in graph order; the top level
 * is the scope `undefined`.
 */
export interface Scopes {
  readonly nodes: ReadonlyMap<string | undefined, readonly DiagramNode[]>;
  readonly clusters: ReadonlyMap<string | undefined, readonly DiagramCluster[]>;
}

export function scopesOf(diagram: Diagram): Scopes {
  return { nodes: groupBy(diagram.nodes, (n) => n.cluster), clusters: groupBy(diagram.clusters, (c) => c.parent) };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export interface DiagramOptions {
  /** Draw the pruned inference model instead of the training model. */
  readonly view?: View;
  /** The sub-model whose declaration holds an origin, to label clusters `cnn1 · SmallCNN`. */
  readonly modelAt?: (origin: Origin) => string | undefined;
  /** The statement of the drawn model that created a layer or an output, to group branches. */
  readonly branchAt?: (origin: Origin) => string | undefined;
  /**
   * Which branches (statements creating several top-level layers) get a
   * cluster: `aux` (the default) only those pruned at inference, which
   * shows what an aux head takes with it; `all` every one; `none` none.
   */
  readonly branches?: 'aux' | 'all' | 'none';
}

const isMerge = (layer: LayerInstance) => layer.entry.kind === 'merge' && categoryOf(layer.entry.category) === 'merge';

export function buildDiagram(training: Graph, options: DiagramOptions = {}): Diagram {
  const view = options.view ?? 'training';
  const inference = inferenceGraph(training);
  const graph = view === 'inference' ? inference : training;

  // What the inference model needs, application by application: everything upstream of a non-aux output.
  const needed = new Set<GraphNode>();
  const stack = graph.outputs.filter((o) => !o.aux).map((o) => o.tensor.node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (needed.has(node)) continue;
    needed.add(node);
    if (node.kind === 'layer') stack.push(...node.inputs.map((i) => i.node));
  }
  const survivors = new Set(inference.layers.map((l) => l.id));
  const layerFate = (layer: LayerInstance): Fate =>
    survivors.has(layer.id) ? 'kept' : layer.nodes.some((n) => needed.has(n)) ? 'bypassed' : 'pruned';

  const idOf = (node: GraphNode) => (node.kind === 'input' ? node.name : node.layer.name);
  const portOf = (ref: TensorRef) => (ref.node.kind === 'layer' && ref.node.outputShapes.length > 1 ? ref.index : undefined);
  const branchOf = branchClusters(graph, options, layerFate);
  const clusterOf = (layer: LayerInstance) => (layer.name.includes('/') ? layer.name.slice(0, layer.name.lastIndexOf('/')) : branchOf.get(layer));
  const shortName = (name: string) => name.slice(name.lastIndexOf('/') + 1);

  const nodes: DiagramNode[] = [];
  const seen = new Set<LayerInstance>();
  for (const node of graph.nodes) {
    if (node.kind === 'input') {
      nodes.push({
        id: node.name,
        kind: 'input',
        name: node.name,
        shortName: node.name,
        type: 'InputLayer',
        category: 'input',
        detail: node.dtype === 'int32' ? 'int32' : undefined,
        shapes: [shapeText(node.shape)],
        params: 0,
        trainableParams: 0,
        applications: 1,
        fate: needed.has(node) ? 'kept' : 'pruned',
        cluster: undefined,
        origin: node.origin,
      });
      continue;
    }
    const layer = node.layer;
    if (seen.has(layer)) continue;
    seen.add(layer);
    nodes.push({
      id: layer.name,
      kind: isMerge(layer) ? 'merge' : 'layer',
      name: layer.name,
      shortName: shortName(layer.name),
      type: layerType(node),
      category: categoryOf(layer.entry.category),
      detail: detailText(layer.entry, layer.args),
      shapes: node.outputShapes.map(shapeText),
      params: layer.params.trainable + layer.params.nonTrainable,
      trainableParams: layer.params.trainable,
      applications: layer.nodes.length,
      fate: layerFate(layer),
      cluster: clusterOf(layer),
      origin: layer.origin,
    });
  }

  // Edges, one per connection; parallel ones (same ends, same fate) are counted instead of repeated.
  const edges = new Map<string, DiagramEdge>();
  const addEdge = (edge: Omit<DiagramEdge, 'count'>) => {
    const key = `${edge.from}\u0000${edge.fromPort ?? ''}\u0000${edge.to}\u0000${edge.fate}\u0000${edge.role ?? ''}`;
    const existing = edges.get(key);
    // Counted edges stand for several uses at once: no single use to name.
    edges.set(key, existing ? { ...existing, count: existing.count + 1, use: undefined } : { ...edge, count: 1 });
  };
  // The 1-based application of each node of a shared layer; layers applied once have none.
  const uses = new Map<GraphNode, number>();
  for (const layer of graph.layers) if (layer.nodes.length > 1) layer.nodes.forEach((n, i) => uses.set(n, i + 1));
  const useOf = (node: GraphNode) => uses.get(node);
  for (const node of graph.nodes) {
    if (node.kind === 'input') continue;
    const role = firstInputRole(node.layer.entry);
    node.inputs.forEach((ref, i) => {
      const use = useOf(node) ?? useOf(ref.node);
      addEdge({ from: idOf(ref.node), fromPort: portOf(ref), to: node.layer.name, role: i === 0 ? role : undefined, use, fate: needed.has(node) ? 'kept' : 'pruned' });
    });
  }

  for (const output of graph.outputs) {
    const loss = output.loss === undefined ? undefined : output.weight !== 1 || graph.outputs.length > 1 ? `${output.loss} × ${output.weight}` : output.loss;
    const id = `output:${output.name}`;
    nodes.push({
      id,
      kind: 'output',
      name: output.name,
      shortName: output.name,
      type: 'Output',
      category: 'output',
      detail: [output.aux ? 'aux' : undefined, loss].filter((p) => p !== undefined).join(' · ') || undefined,
      shapes: [shapeText(output.tensor.node.kind === 'input' ? output.tensor.node.shape : output.tensor.node.outputShapes[output.tensor.index]!)],
      params: 0,
      trainableParams: 0,
      applications: 1,
      fate: output.aux ? 'pruned' : 'kept',
      cluster: branchOf.get(output),
      origin: output.origin,
    });
    addEdge({ from: idOf(output.tensor.node), fromPort: portOf(output.tensor), to: id, role: undefined, use: useOf(output.tensor.node), fate: output.aux ? 'pruned' : 'kept' });
  }

  return {
    model: graph.name,
    view,
    nodes,
    edges: [...edges.values()],
    clusters: buildClusters(nodes, options.modelAt),
    totalParams: totalParams(graph.layers).total,
    inferenceParams: totalParams(inference.layers).total,
  };
}

/**
 * The branch cluster (`branch:NAME`) of each top-level layer and output
 * whose statement creates at least two layers, as `options.branches` asks.
 */
function branchClusters(graph: Graph, options: DiagramOptions, layerFate: (layer: LayerInstance) => Fate): Map<LayerInstance | GraphOutput, string> {
  const mode = options.branches ?? 'aux';
  const branchAt = options.branchAt;
  const result = new Map<LayerInstance | GraphOutput, string>();
  if (!branchAt || mode === 'none') return result;
  const layersOf = new Map<string, LayerInstance[]>();
  for (const layer of graph.layers) {
    const branch = layer.name.includes('/') ? undefined : branchAt(layer.origin);
    if (branch === undefined) continue;
    const list = layersOf.get(branch);
    if (list) list.push(layer);
    else layersOf.set(branch, [layer]);
  }
  const boxed = new Set<string>();
  for (const [branch, layers] of layersOf) {
    if (layers.length < 2 || (mode === 'aux' && !layers.every((l) => layerFate(l) === 'pruned'))) continue;
    boxed.add(branch);
    for (const layer of layers) result.set(layer, `branch:${branch}`);
  }
  for (const output of graph.outputs) {
    const branch = branchAt(output.origin);
    if (branch !== undefined && boxed.has(branch)) result.set(output, `branch:${branch}`);
  }
  return result;
}

/** A cluster for every scope path and branch that holds a layer, parents before children. */
function buildClusters(nodes: readonly DiagramNode[], modelAt: DiagramOptions['modelAt']): DiagramCluster[] {
  const members = new Map<string, DiagramNode[]>();
  for (const node of nodes) {
    if (node.cluster === undefined) continue;
    const parts = node.cluster.startsWith('branch:') ? [node.cluster] : node.cluster.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const id = parts.slice(0, i).join('/');
      if (!members.has(id)) members.set(id, []);
      members.get(id)!.push(node);
    }
  }
  return [...members.entries()].map(([id, inside]): DiagramCluster => {
    const fate = inside.every((n) => n.fate === 'pruned') ? 'pruned' : 'kept';
    if (id.startsWith('branch:')) return { id, kind: 'branch', parent: undefined, name: id.slice('branch:'.length), model: undefined, applications: 1, fate };
    // A layer declared directly in this scope (not in a nested one) points at the sub-model's declaration.
    const direct = inside.find((n) => n.cluster === id);
    return {
      id,
      kind: 'model',
      parent: id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : undefined,
      name: id.slice(id.lastIndexOf('/') + 1),
      model: direct && modelAt ? modelAt(direct.origin) : undefined,
      applications: Math.min(...inside.map((n) => n.applications)),
      fate,
    };
  });
}
