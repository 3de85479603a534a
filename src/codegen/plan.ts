/**
 * What the emitter writes, per model template: its statements in spec order,
 * each with the layer applications and sub-model calls it makes, matched to
 * the graph's layers (names, tfjs configs) and to the syntax they came from.
 * `replay.ts` builds it; `model-function.ts` turns it into a function.
 */
import type { TfjsLayer } from '../catalogue/types.js';
import type { Graph, InputNode, LayerInstance } from '../semantics/graph.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { LocalDecl, ModelScope } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { ParametricConfig } from './parametric.js';

/** A tensor in a template's wiring. */
export type PlanTensor =
  | { readonly kind: 'input'; readonly decl: LocalDecl }
  /** Output `index` of a layer application (most layers have one). */
  | { readonly kind: 'layer'; readonly step: LayerStep; readonly index: number }
  /** The result of a sub-model call: its only output, or the output `name`. */
  | { readonly kind: 'call'; readonly step: CallStep; readonly name: string | undefined };

export type PlanValue =
  | { readonly kind: 'tensor'; readonly tensor: PlanTensor }
  | { readonly kind: 'tuple'; readonly items: readonly PlanValue[] }
  | { readonly kind: 'record'; readonly step: CallStep }
  | { readonly kind: 'none' };

export interface LayerStep {
  readonly kind: 'layer';
  /** The call, stage or index the layer comes from (its origin in the graph). */
  readonly site: ast.Call | ast.NameRef | ast.Index;
  readonly layer: LayerInstance;
  readonly inputs: readonly PlanTensor[];
  readonly outputCount: number;
  /** The first application in this template makes the layer; a shared layer's later ones reuse it. */
  readonly creates: boolean;
  /** How to make it: the compiled model's descriptor and what in it follows the parameters. */
  readonly config: { readonly descriptor: TfjsLayer; readonly parametric: ParametricConfig } | undefined;
  /** Dropout and noise: left out of the inference graph. */
  readonly trainingOnly: boolean;
  /** Its result is the statement's value (named after the statement). */
  readonly final: boolean;
  /** The `shared` declaration it applies, if any. */
  readonly shared: LocalDecl | undefined;
  /**
   * A slice whose bounds the front end resolved against its input's shape
   * (`x[:, -5:]`): the emitted code resolves them the same way when the
   * layer is first applied, so they follow the parameters that size it.
   */
  readonly openSlice: ast.Index | undefined;
}

export interface CallStep {
  readonly kind: 'call';
  readonly site: ast.Call | ast.NameRef;
  readonly template: ModelTemplate;
  /** The sub-model's parameters as given at the call, by parameter name. */
  readonly args: readonly { readonly param: string; readonly expr: ast.Expression }[];
  readonly inputs: readonly PlanTensor[];
  readonly outputNames: readonly string[];
  readonly final: boolean;
  /** The `shared` declaration it applies, if any (then the layers were made there). */
  readonly shared: LocalDecl | undefined;
  /** The scope of the layers it makes, relative to the caller's (`cnn1`); filled in after the walk. */
  segment: string;
  /** The graph number of the first layer it makes, less the caller's first (seeds derive from it); filled in after the walk. */
  idOffset: number;
}

export type Step = LayerStep | CallStep;

/** A `shared` declaration: one layer, or one sub-model instance, applied wherever it is named. */
export interface SharedPlan {
  readonly decl: LocalDecl;
  readonly statement: ast.SharedDecl;
  readonly callee: { readonly kind: 'entry'; readonly name: string } | { readonly kind: 'model'; readonly template: ModelTemplate; readonly args: readonly { readonly param: string; readonly expr: ast.Expression }[] };
  /** The layer it makes, once applied (its first application holds the config). */
  layer: LayerStep | undefined;
  /** For a shared sub-model: the scope segment of its layers. */
  segment: string;
  /** For a shared sub-model: as `CallStep.idOffset`. */
  idOffset: number;
}

export interface StatementPlan {
  readonly statement: ast.Statement;
  readonly steps: Step[];
  /** Names the statement gives to tensors (inputs, branches, outputs). */
  readonly bindings: { readonly decl: LocalDecl; readonly value: PlanValue }[];
  /** `n = units * 2`: a constant, computed where the parameters are. */
  constant: { readonly decl: LocalDecl; readonly expr: ast.Expression } | undefined;
  shared: SharedPlan | undefined;
  /** A root input: its graph node. */
  input: { readonly decl: LocalDecl; readonly node: InputNode } | undefined;
}

export interface TemplatePlan {
  readonly template: ModelTemplate;
  readonly scope: ModelScope;
  readonly isRoot: boolean;
  readonly statements: StatementPlan[];
  /** A block's inputs, in declaration order: its function's parameters. */
  readonly inputs: LocalDecl[];
  readonly outputs: { readonly decl: LocalDecl; readonly value: PlanValue }[];
  /** The first instance's parameter values (for the probe, and types). */
  params: ReadonlyMap<LocalDecl, Value>;
  /** Where the first instance's layers are named: `''` at the root, `cnn1/` in a block. */
  prefix: string;
  /** The smallest graph number of what the first instance makes; its layers' numbers are this plus a fixed offset in every instance. */
  firstId: number;
  /** How many instances the compiled model has of it. */
  instances: number;
}

export interface ModelPlan {
  readonly root: TemplatePlan;
  /** The sub-models the root uses, in order of first use. */
  readonly blocks: readonly TemplatePlan[];
  readonly graph: Graph;
  /** The pruned inference graph. */
  readonly inference: Graph;
}
