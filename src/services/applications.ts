/**
 * What a layer or merge call did in each run of its model: the layer it
 * created (bound arguments after defaults and parameter substitution, its
 * parameter count) and the shapes it was applied to. Read from the graph
 * nodes the trace points at.
 */
import type { Args, CatalogueEntry, NestedLayer, ParamCount, Shape } from '../catalogue/types.js';
import type { Analysis } from '../semantics/analyze.js';
import { shapeOf, type GraphNode, type LayerNode, type TensorRef } from '../semantics/graph.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { ModelScope } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { parentOf, usesOf } from './model-index.js';
import { valuesOf } from './runs.js';
import type { Node } from './tree.js';

export interface Application {
  /** The run it belongs to (see runs.ts). */
  readonly path: readonly string[] | undefined;
  readonly entry: CatalogueEntry;
  readonly args: Args;
  /** Undefined for a layer nested in another (`LSTM` inside `Bidirectional`): the outer layer owns the weights. */
  readonly params: ParamCount | undefined;
  readonly inputs: readonly Shape[];
  readonly outputs: readonly Shape[];
}

/** The graph node a value was computed by (the first output's, for a tuple). */
export function nodeOf(value: Value): GraphNode | undefined {
  if (value.kind === 'tensor') return value.ref?.node;
  if (value.kind === 'tuple') {
    const first = value.items[0];
    return first ? nodeOf(first) : undefined;
  }
  return undefined;
}

function fromNode(node: LayerNode, path: readonly string[] | undefined): Application {
  return {
    path,
    entry: node.layer.entry,
    args: node.layer.args,
    params: node.layer.params,
    inputs: node.inputs.map(shapeOf),
    outputs: node.outputShapes,
  };
}

/**
 * The applications of the layer or merge called at `site` (a call, or a
 * stage's bare name) in model `template`.
 */
export function applicationsOf(analysis: Analysis, template: ModelTemplate, scope: ModelScope, site: ast.Call | ast.NameRef, entry: CatalogueEntry): Application[] {
  const parent = parentOf(template.decl, site);
  // `shared enc = Dense(8)`: the layer is applied where `enc` follows `->`.
  if (parent?.kind === 'SharedDecl' && parent.name) {
    const decl = scope.byName.get(parent.name.name);
    if (!decl || decl.node !== parent) return [];
    const out: Application[] = [];
    for (const use of usesOf(scope, decl)) {
      const stage = parentOf(template.decl, use);
      if (stage) out.push(...direct(analysis, template, stage, entry));
    }
    return out;
  }
  // `Bidirectional(LSTM(32))`: the nested layer's bound arguments live in the outer layer's.
  if (parent?.kind === 'Argument') {
    const outer = parentOf(template.decl, parent);
    if (outer?.kind === 'Call') {
      const outerApps = applicationsOf(analysis, template, scope, outer, entry);
      return outerApps.flatMap((app) => {
        const nested = Object.values(app.args).find((v): v is NestedLayer => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as NestedLayer).kind === 'layer' && (v as NestedLayer).entry === entry);
        return nested ? [{ path: app.path, entry, args: nested.args, params: undefined, inputs: app.inputs, outputs: app.outputs }] : [];
      });
    }
  }
  return direct(analysis, template, site, entry);
}

function direct(analysis: Analysis, template: ModelTemplate, site: Node, entry: CatalogueEntry): Application[] {
  const out: Application[] = [];
  for (const { value, path } of valuesOf(analysis, template, site)) {
    const node = nodeOf(value);
    if (node?.kind === 'layer' && node.layer.entry === entry) out.push(fromNode(node, path));
  }
  return out;
}

/**
 * The parameters of the layers between some tensors and the outputs
 * computed from them: what one use of a sub-model added to the graph.
 */
export function paramsBetween(inputs: readonly TensorRef[], outputs: readonly TensorRef[]): number {
  const stop = new Set<GraphNode>(inputs.map((r) => r.node));
  const seenNodes = new Set<GraphNode>();
  const layers = new Set<LayerNode['layer']>();
  const stack: GraphNode[] = outputs.map((r) => r.node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (stop.has(node) || seenNodes.has(node)) continue;
    seenNodes.add(node);
    if (node.kind !== 'layer') continue;
    layers.add(node.layer);
    for (const input of node.inputs) stack.push(input.node);
  }
  let total = 0;
  for (const layer of layers) total += layer.params.trainable + layer.params.nonTrainable;
  return total;
}

/** The tensors a value holds (one, a tuple's, or a sub-model's outputs). */
export function refsOf(value: Value | undefined): TensorRef[] {
  if (!value) return [];
  if (value.kind === 'tensor') return value.ref ? [value.ref] : [];
  if (value.kind === 'tuple') return value.items.flatMap(refsOf);
  if (value.kind === 'record') return [...value.fields.values()].flatMap(refsOf);
  return [];
}
