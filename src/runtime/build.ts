/**
 * Graph IR → tfjs functional models. Every IR layer becomes one tfjs layer
 * (or, for composites, a few built-ins), created once and applied at each of
 * its nodes. The inference model applies the same layer objects to the
 * pruned graph, so it shares the trained weights: nothing is copied.
 */
import * as tf from '@tensorflow/tfjs';
import type { TfjsLayer } from '../catalogue/types.js';
import { inferenceGraph } from '../passes/prune.js';
import type { Graph, GraphNode, LayerInstance, TensorRef } from '../semantics/graph.js';
import { registerMbnLayers } from './layers/index.js';

type Symbolic = tf.SymbolicTensor;

export interface BuiltModels {
  readonly training: tf.LayersModel;
  readonly inference: tf.LayersModel;
  /** The tfjs layers made for each IR layer id; the last one produces its output. */
  readonly layers: ReadonlyMap<number, readonly tf.layers.Layer[]>;
  /** The spec's output names, in the order of each model's outputs. */
  readonly trainingOutputs: readonly string[];
  readonly inferenceOutputs: readonly string[];
  /** The spec's input names, in the order of each model's inputs. */
  readonly trainingInputs: readonly string[];
  readonly inferenceInputs: readonly string[];
}

/** tfjs accepts layer names matching /^[A-Za-z0-9][-A-Za-z0-9._/]*$/; spec names may start with `_`. */
export function tfjsName(name: string): string {
  return /^[A-Za-z0-9]/.test(name) ? name : `x${name}`;
}

function registeredClass(className: string): (new (config: object) => tf.layers.Layer) | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className] as [unknown, unknown] | undefined;
  return entry?.[0] as (new (config: object) => tf.layers.Layer) | undefined;
}

/** Builds one tfjs layer from a catalogue descriptor; nested descriptors (`layer:` of Bidirectional) first. */
export function constructLayer(descriptor: TfjsLayer, name?: string): tf.layers.Layer {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(descriptor.config)) {
    config[key] = isDescriptor(value) ? constructLayer(value) : value;
  }
  if (name) config['name'] = name;
  if (descriptor.custom) {
    registerMbnLayers();
    const cls = registeredClass(descriptor.factory);
    if (!cls) throw new Error(`mbn runtime layer ${descriptor.factory} is not registered`);
    return new cls(config);
  }
  const factory = (tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[descriptor.factory];
  if (!factory) throw new Error(`tf.layers has no ${descriptor.factory}`);
  return factory(config);
}

function isDescriptor(value: unknown): value is TfjsLayer {
  return typeof value === 'object' && value !== null && 'factory' in value && 'config' in value;
}

/** The tfjs layers for one IR layer and how to apply them to inputs. */
interface Realized {
  readonly layers: tf.layers.Layer[];
  apply(inputs: Symbolic[]): Symbolic[];
}

/** tfjs initializers that draw random numbers, by identifier, with their serialized class name (the emitter seeds the same ones). */
export const randomInitializers: Readonly<Record<string, string>> = {
  glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal',
  heUniform: 'HeUniform',
  heNormal: 'HeNormal',
  leCunUniform: 'LeCunUniform',
  leCunNormal: 'LeCunNormal',
  randomNormal: 'RandomNormal',
  randomUniform: 'RandomUniform',
  truncatedNormal: 'TruncatedNormal',
  orthogonal: 'Orthogonal',
};

/** With `seed` in the train block, every random initializer gets its own seed derived from it, so runs repeat. */
function seeded(descriptor: TfjsLayer, seed: number | null, salt: number): TfjsLayer {
  if (seed === null) return descriptor;
  const config: Record<string, unknown> = {};
  let n = 0;
  for (const [key, value] of Object.entries(descriptor.config)) {
    const className = typeof value === 'string' && key.endsWith('Initializer') ? randomInitializers[value] : undefined;
    config[key] = className ? { className, config: { seed: seed * 1000 + salt * 16 + n++ } } : isDescriptor(value) ? seeded(value, seed, salt * 31 + 7) : value;
  }
  if ('rate' in config && !('seed' in config) && descriptor.factory === 'dropout') config['seed'] = seed * 1000 + salt;
  return { ...descriptor, config };
}

function realize(layer: LayerInstance, inputShapes: readonly (readonly (number | null)[])[], seed: number | null): Realized {
  const entry = layer.entry;
  const descriptor = seeded(entry.kind === 'layer' ? entry.tfjs(layer.args) : entry.tfjs(layer.args, inputShapes), seed, layer.id);
  const name = tfjsName(layer.name);
  if (descriptor.composite) {
    if (descriptor.factory !== 'ScaledSum') throw new Error(`unknown composite ${descriptor.factory}`);
    // sum_i w_i x_i as Rescaling(w_i) per input and one Add: only built-in (Keras-loadable) layers.
    const weights = descriptor.config['weights'] as number[];
    const scales = weights.map((w, i) => tf.layers.rescaling({ scale: w, offset: 0, name: `${name}/scale_${i}` }));
    const add = tf.layers.add({ name });
    return {
      layers: [...scales, add],
      apply: (inputs) => [add.apply(inputs.map((x, i) => scales[i]!.apply(x) as Symbolic)) as Symbolic],
    };
  }
  const built = constructLayer(descriptor, name);
  return {
    layers: [built],
    apply: (inputs) => {
      const out = built.apply(inputs.length === 1 ? inputs[0]! : inputs) as Symbolic | Symbolic[];
      return Array.isArray(out) ? out : [out];
    },
  };
}

/** Applies (and, on first use, creates) every layer of a graph to fresh inputs. */
function applyGraph(graph: Graph, realized: Map<number, Realized>, modelName: string): { inputs: Symbolic[]; outputs: Symbolic[] } {
  const values = new Map<GraphNode, Symbolic[]>();
  const inputs: Symbolic[] = [];
  for (const node of graph.nodes) {
    if (node.kind === 'input') {
      const input = tf.input({ shape: [...node.shape], dtype: node.dtype, name: tfjsName(node.name) });
      inputs.push(input);
      values.set(node, [input]);
      continue;
    }
    let layer = realized.get(node.layer.id);
    const args = node.inputs.map((ref: TensorRef) => values.get(ref.node)![ref.index]!);
    if (!layer) {
      layer = realize(node.layer, node.inputs.map((ref) => (ref.node.kind === 'input' ? ref.node.shape : ref.node.outputShapes[ref.index]!)), graph.training.seed);
      realized.set(node.layer.id, layer);
    }
    values.set(node, layer.apply(args));
  }
  const outputs = graph.outputs.map((o) => values.get(o.tensor.node)![o.tensor.index]!);
  void modelName;
  return { inputs, outputs };
}

/**
 * Runs `build` with tfjs's advice that large orthogonal initializations are
 * slow silenced: Keras's default for recurrent kernels is orthogonal, and the
 * warning, printed mid-output, tells a user nothing they can act on.
 */
function quietly<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer')) return;
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}

export function buildModels(graph: Graph): BuiltModels {
  registerMbnLayers();
  const realized = new Map<number, Realized>();
  // In a tidy: tfjs's LSTM initializer with unitForgetBias (Keras's default) leaks its intermediate tensors.
  // Weights are variables, which tidy keeps.
  let built: { training: ReturnType<typeof applyGraph>; pruned: Graph; inference: ReturnType<typeof applyGraph> } | undefined;
  tf.tidy(() => {
    built = quietly(() => {
      const training = applyGraph(graph, realized, graph.name);
      const pruned = inferenceGraph(graph);
      const inference = applyGraph(pruned, realized, `${graph.name}_inference`);
      return { training, pruned, inference };
    });
  });
  const { training, pruned, inference } = built!;
  return {
    training: tf.model({ inputs: training.inputs, outputs: training.outputs, name: tfjsName(graph.name) }),
    inference: tf.model({ inputs: inference.inputs, outputs: inference.outputs, name: tfjsName(`${graph.name}_inference`) }),
    layers: new Map([...realized].map(([id, r]) => [id, r.layers])),
    trainingOutputs: graph.outputs.map((o) => o.name),
    inferenceOutputs: pruned.outputs.map((o) => o.name),
    trainingInputs: graph.inputs.map((i) => i.name),
    inferenceInputs: pruned.inputs.map((i) => i.name),
  };
}

/**
 * Frees both models' weights. The models share their layers, and tfjs frees a
 * layer's weights only when every model holding it is disposed.
 */
export function disposeModels(built: BuiltModels): void {
  built.inference.dispose();
  built.training.dispose();
}
