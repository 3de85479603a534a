/**
 * The graph IR: what a checked model is. Layer instances hold weights;
 * nodes are applications of a layer to tensors (a shared layer has several
 * nodes). Sub-models are flattened into the graph with scoped names
 * (`branch_a/conv`), so every later pass sees one flat, shape-annotated DAG.
 */
import type { Args, CatalogueEntry, ParamCount, Shape } from '../catalogue/types.js';
import type { Span } from '../syntax/source.js';

export type DType = 'float32' | 'int32';

export interface Origin {
  readonly uri: string;
  readonly span: Span;
}

export interface InputNode {
  readonly kind: 'input';
  readonly id: number;
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly origin: Origin;
}

export interface LayerInstance {
  readonly id: number;
  readonly name: string;
  readonly entry: CatalogueEntry;
  readonly args: Args;
  readonly params: ParamCount;
  readonly origin: Origin;
  /** Applications of this layer, in order; more than one when shared. */
  readonly nodes: LayerNode[];
}

export interface LayerNode {
  readonly kind: 'layer';
  readonly id: number;
  readonly layer: LayerInstance;
  readonly inputs: readonly TensorRef[];
  readonly outputShapes: readonly Shape[];
  readonly dtype: DType;
  readonly origin: Origin;
}

export type GraphNode = InputNode | LayerNode;

export interface TensorRef {
  readonly node: GraphNode;
  /** Which output of the node (merges like `switch` have several). */
  readonly index: number;
}

export function shapeOf(ref: TensorRef): Shape {
  return ref.node.kind === 'input' ? ref.node.shape : ref.node.outputShapes[ref.index]!;
}

export function dtypeOf(ref: TensorRef): DType {
  return ref.node.dtype;
}

export interface GraphOutput {
  readonly name: string;
  readonly tensor: TensorRef;
  readonly aux: boolean;
  /** Keras loss name, e.g. `mse`; undefined when the spec gives none. */
  readonly loss: string | undefined;
  readonly weight: number;
  readonly metrics: readonly string[];
  readonly origin: Origin;
}

export interface OptimizerConfig {
  readonly name: string;
  readonly args: Args;
}

export interface TrainingConfig {
  readonly optimizer: OptimizerConfig;
  readonly epochs: number;
  readonly batchSize: number;
  readonly validationSplit: number;
  readonly metrics: readonly string[];
  readonly shuffle: boolean;
  readonly seed: number | null;
  /** Where the `train` block is, when the spec has one. */
  readonly origin: Origin | undefined;
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly InputNode[];
  /** Every node in creation order, which is a topological order. */
  readonly nodes: readonly GraphNode[];
  readonly layers: readonly LayerInstance[];
  readonly outputs: readonly GraphOutput[];
  readonly training: TrainingConfig;
}

/**
 * The nodes of a layer not applied yet, shared: an array that starts empty
 * and gets one node by `push` keeps room for 17, and a graph has thousands
 * of layers. Frozen: `apply` replaces it rather than pushing to it.
 */
const noNodes = Object.freeze([]) as unknown as LayerNode[];

/** Builds a graph; hands out unique layer names (`dense`, `dense_2`, …) as Keras does. */
export class GraphBuilder {
  readonly inputs: InputNode[] = [];
  readonly nodes: GraphNode[] = [];
  readonly layers: LayerInstance[] = [];
  private readonly names = new Map<string, number>();
  private nextId = 0;

  uniqueName(base: string): string {
    const count = this.names.get(base) ?? 0;
    this.names.set(base, count + 1);
    if (count === 0) return base;
    let candidate = `${base}_${count + 1}`;
    while (this.names.has(candidate)) candidate = `${candidate}_`;
    this.names.set(candidate, 1);
    return candidate;
  }

  addInput(name: string, shape: Shape, dtype: DType, origin: Origin): InputNode {
    const node: InputNode = { kind: 'input', id: this.nextId++, name: this.uniqueName(name), shape, dtype, origin };
    this.inputs.push(node);
    this.nodes.push(node);
    return node;
  }

  addLayer(name: string, entry: CatalogueEntry, args: Args, params: ParamCount, origin: Origin): LayerInstance {
    const layer: LayerInstance = { id: this.nextId++, name: this.uniqueName(name), entry, args, params, origin, nodes: noNodes };
    this.layers.push(layer);
    return layer;
  }

  apply(layer: LayerInstance, inputs: readonly TensorRef[], outputShapes: readonly Shape[], dtype: DType, origin: Origin): LayerNode {
    const node: LayerNode = { kind: 'layer', id: this.nextId++, layer, inputs, outputShapes, dtype, origin };
    // Almost every layer is applied once: its first node gets an array of one (see `noNodes`).
    if (layer.nodes === noNodes) (layer as { nodes: LayerNode[] }).nodes = [node];
    else layer.nodes.push(node);
    this.nodes.push(node);
    return node;
  }
}

export function totalParams(layers: readonly LayerInstance[]): { total: number; trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const layer of layers) {
    trainable += layer.params.trainable;
    nonTrainable += layer.params.nonTrainable;
  }
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
