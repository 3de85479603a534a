/**
 * Replays the elaboration of a compiled model over its graph to plan the
 * emitted code. It walks the root model's statements in the order the front
 * end evaluated them, descends into every sub-model instance, and matches
 * each graph node to the syntax that made it (nodes remember their origin).
 *
 * The first instance of each template becomes its plan; every later instance
 * is checked to make the same layers under its own scope, which is what lets
 * one emitted function serve all of them. Constants (parameters, arguments)
 * are computed by the front end's own evaluator, never re-implemented here.
 */
import type { LayerEntry } from '../catalogue/types.js';
import { DiagnosticSink } from '../diagnostics/diagnostic.js';
import { inferenceGraph } from '../passes/prune.js';
import type { Frame, Session } from '../semantics/context.js';
import { constantNaming, evaluate } from '../semantics/evaluate.js';
import { GraphBuilder, shapeOf, type Graph, type GraphNode, type InputNode, type LayerInstance, type LayerNode, type TensorRef } from '../semantics/graph.js';
import type { ModelTemplate, Program } from '../semantics/program.js';
import { functionalLayers, resolveModel, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import { unknownValue, type Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { parametricConfig, type FakeValue, type ProbeSite } from './parametric.js';
import type { CallStep, LayerStep, ModelPlan, PlanTensor, PlanValue, SharedPlan, StatementPlan, TemplatePlan } from './plan.js';

/** What the walk knows about a value: its graph tensors, and in the planned instance where the wiring has it. */
type Walked =
  | { readonly kind: 'constant'; readonly value: Value }
  | { readonly kind: 'tensor'; readonly ref: TensorRef; readonly plan: PlanTensor | undefined }
  | { readonly kind: 'tuple'; readonly items: readonly Walked[] }
  | { readonly kind: 'record'; readonly model: string; readonly fields: ReadonlyMap<string, Walked>; readonly step: CallStep | undefined }
  | { readonly kind: 'callable'; readonly callee: { readonly kind: 'entry'; readonly entry: LayerEntry } | { readonly kind: 'model'; readonly template: ModelTemplate }; readonly site: ast.Call | ast.NameRef }
  | { readonly kind: 'shared'; readonly decl: LocalDecl; readonly statement: ast.SharedDecl; readonly callable: Extract<Walked, { kind: 'callable' }>; readonly state: SharedState }
  | { readonly kind: 'nothing' };

/** One `shared` declaration in one instance: its sub-model instances (one per application), its plan. */
interface SharedState {
  params: Map<LocalDecl, Value> | undefined;
  readonly applications: Instance[];
  readonly plan: SharedPlan | undefined;
}

const nothing: Walked = { kind: 'nothing' };

/** One instance of a template in the compiled model. */
class Instance {
  readonly values = new Map<LocalDecl, Walked>();
  /** Parameters and constant bindings. */
  readonly constants: Map<LocalDecl, Value>;
  readonly constantBindings: { decl: LocalDecl; expr: ast.Expression }[] = [];
  /** Layers made by this instance's own statements, in order. */
  readonly layers: LayerInstance[] = [];
  readonly siteLayers = new Map<object, LayerInstance>();
  readonly siteChildren = new Map<object, Instance>();
  readonly children: Instance[] = [];
  current: StatementPlan | undefined;
  prefix: string | undefined;
  /** Graph numbers of the nodes and layers this instance (with its sub-models) made. */
  readonly ids: number[] = [];
  /** A later application of a shared sub-model: it reuses the first one's layers. */
  reusing = false;

  constructor(
    readonly template: ModelTemplate,
    readonly scope: ModelScope,
    params: ReadonlyMap<LocalDecl, Value>,
    readonly parent: Instance | undefined,
    readonly plan: TemplatePlan | undefined,
  ) {
    this.constants = new Map(params);
  }

  get uri(): string {
    return this.template.unit.uri;
  }
}

type Naming = { readonly final: boolean };
const inner: Naming = { final: false };

function nodeKey(uri: string, span: Span): string {
  return `${span.start}:${span.end}:${uri}`;
}

function declOf(scope: ModelScope, ident: ast.Identifier | undefined): LocalDecl | undefined {
  if (!ident) return undefined;
  const decl = scope.byName.get(ident.name);
  return decl && decl.ident === ident ? decl : undefined;
}

/** The graph broke an assumption of the replay: a bug in mbn, never the user's spec. */
function lost(what: string): Error {
  return new Error(`codegen lost track of the graph: ${what}`);
}

export class Replay {
  private readonly nodes = new Map<string, GraphNode[]>();
  private readonly taken = new Map<string, number>();
  private readonly scopes = new Map<ModelTemplate, ModelScope>();
  private readonly plans = new Map<ModelTemplate, TemplatePlan>();
  private readonly instances = new Map<ModelTemplate, Instance[]>();
  private readonly order: ModelTemplate[] = [];

  constructor(
    private readonly program: Program,
    private readonly graph: Graph,
  ) {
    for (const node of graph.nodes) {
      const key = nodeKey(node.origin.uri, node.origin.span);
      const list = this.nodes.get(key);
      if (list) list.push(node);
      else this.nodes.set(key, [node]);
    }
  }

  readonly scopeOf = (template: ModelTemplate): ModelScope => {
    let scope = this.scopes.get(template);
    if (!scope) {
      scope = resolveModel(template, new DiagnosticSink());
      this.scopes.set(template, scope);
    }
    return scope;
  };

  /** Plans the model `template` compiled with the given parameter values (by name). */
  run(template: ModelTemplate, params: ReadonlyMap<string, Value>): ModelPlan {
    const scope = this.scopeOf(template);
    const root = new Instance(template, scope, new Map(), undefined, this.newPlan(template, scope, true));
    this.bindParams(root, params);
    this.instances.set(template, [root]);
    this.runBody(root, undefined);
    for (const [key, list] of this.nodes) if ((this.taken.get(key) ?? 0) !== list.length) throw lost(`nodes made at ${key} were not visited`);
    this.settlePrefixes(root);
    for (const list of this.instances.values()) this.checkInstances(list);
    const rootPlan = this.plans.get(template)!;
    return { root: rootPlan, blocks: this.order.filter((t) => t !== template).map((t) => this.plans.get(t)!), graph: this.graph, inference: inferenceGraph(this.graph) };
  }

  private newPlan(template: ModelTemplate, scope: ModelScope, isRoot: boolean): TemplatePlan {
    const plan: TemplatePlan = { template, scope, isRoot, statements: [], inputs: [], outputs: [], params: new Map(), prefix: '', firstId: 0, instances: 0 };
    this.plans.set(template, plan);
    this.order.push(template);
    return plan;
  }

  private take(uri: string, span: Span, what: string): GraphNode {
    const key = nodeKey(uri, span);
    const index = this.taken.get(key) ?? 0;
    const node = this.nodes.get(key)?.[index];
    if (!node) throw lost(`no ${what} node for ${uri} at ${span.start}`);
    this.taken.set(key, index + 1);
    return node;
  }

  // ------------------------------------------------------------ constants

  /** A frame of the front end in which the instance's constants (and tensor shapes, for `.shape`) are bound. */
  private constantFrame(inst: Instance): Frame {
    const session: Session = { program: this.program, sink: new DiagnosticSink(), graph: new GraphBuilder(), scopeOf: this.scopeOf, trace: () => {}, errors: 0 };
    const env = new Map<LocalDecl, Value>(inst.constants);
    for (const [decl, value] of inst.values) {
      const v = shapeOnly(value);
      if (v) env.set(decl, v);
    }
    return { session, template: inst.template, scope: inst.scope, uri: inst.uri, mode: 'abstract', env, prefix: '', stack: [inst.template], instantiations: [], layerCache: undefined, cacheKeyPrefix: '' };
  }

  private constant(inst: Instance, expr: ast.Expression | undefined): Value {
    return expr ? evaluate(this.constantFrame(inst), expr, constantNaming) : unknownValue;
  }

  /** Parameter values of an instance: given by name (or position), else the defaults, computed in order. */
  private bindParams(inst: Instance, given: ReadonlyMap<string, Value>): void {
    for (const param of inst.template.decl.params) {
      const decl = declOf(inst.scope, param.name);
      if (!decl) continue;
      inst.constants.set(decl, given.get(decl.name) ?? this.constant(inst, param.default));
    }
    if (inst.plan) inst.plan.params = new Map(inst.constants);
  }

  /** The arguments of a sub-model call by parameter name, positional ones in declaration order. */
  private callArguments(template: ModelTemplate, args: readonly ast.Argument[]): { param: string; expr: ast.Expression }[] {
    const params = template.decl.params.filter((p) => p.name);
    const out: { param: string; expr: ast.Expression }[] = [];
    let position = 0;
    for (const arg of args) {
      const param = arg.name ? params.find((p) => p.name!.name === arg.name!.name) : params[position++];
      if (param && arg.value && !out.some((o) => o.param === param.name!.name)) out.push({ param: param.name!.name, expr: arg.value });
    }
    return out;
  }

  // ------------------------------------------------------------ statements

  private runBody(inst: Instance, provided: readonly Walked[] | undefined): { decl: LocalDecl; value: Walked }[] {
    const outputs: { decl: LocalDecl; value: Walked }[] = [];
    let nextInput = 0;
    const plan = inst.plan;
    for (const statement of inst.template.decl.body) {
      const sp: StatementPlan | undefined = plan ? { statement, steps: [], bindings: [], constant: undefined, shared: undefined, input: undefined } : undefined;
      inst.current = sp;
      switch (statement.kind) {
        case 'InputDecl': {
          const decl = declOf(inst.scope, statement.name);
          if (!provided) {
            if (!statement.name) break;
            const node = this.take(inst.uri, statement.span, 'input') as InputNode;
            if (node.kind !== 'input') throw lost(`input ${statement.name.name} is not an input node`);
            inst.ids.push(node.id);
            if (decl) {
              inst.values.set(decl, { kind: 'tensor', ref: { node, index: 0 }, plan: sp ? { kind: 'input', decl } : undefined });
              if (sp) sp.input = { decl, node };
            }
          } else if (statement.name) {
            const value = provided[nextInput++] ?? nothing;
            if (decl) {
              inst.values.set(decl, plan && value.kind === 'tensor' ? { ...value, plan: { kind: 'input', decl } } : value);
              plan?.inputs.push(decl);
            }
          }
          break;
        }
        case 'Binding': {
          const value = this.walk(inst, statement.value, { final: true });
          const decls = statement.names.map((n) => declOf(inst.scope, n));
          if (value.kind === 'constant' && decls.length === 1 && decls[0] && statement.value) {
            inst.constants.set(decls[0], value.value);
            inst.constantBindings.push({ decl: decls[0], expr: statement.value });
            if (sp) sp.constant = { decl: decls[0], expr: statement.value };
            break;
          }
          const items = decls.length === 1 ? [value] : value.kind === 'tuple' ? value.items : decls.map(() => nothing);
          decls.forEach((decl, i) => {
            if (!decl) return;
            const item = items[i] ?? nothing;
            inst.values.set(decl, item);
            sp?.bindings.push({ decl, value: planValue(item) });
          });
          break;
        }
        case 'SharedDecl': {
          const decl = declOf(inst.scope, statement.name);
          const callable = this.walk(inst, statement.value, { final: true });
          if (!decl || callable.kind !== 'callable') break;
          const callee: SharedPlan['callee'] =
            callable.callee.kind === 'entry'
              ? { kind: 'entry', name: callable.callee.entry.name }
              : { kind: 'model', template: callable.callee.template, args: this.callArguments(callable.callee.template, callable.site.kind === 'Call' ? callable.site.args : []) };
          const shared: SharedPlan | undefined = sp ? { decl, statement, callee, layer: undefined, segment: decl.name, idOffset: 0 } : undefined;
          if (sp) sp.shared = shared;
          inst.values.set(decl, { kind: 'shared', decl, statement, callable, state: { params: undefined, applications: [], plan: shared } });
          break;
        }
        case 'OutputDecl': {
          const decl = declOf(inst.scope, statement.name);
          const value = this.walk(inst, statement.value, { final: true });
          if (!decl) break;
          inst.values.set(decl, value);
          outputs.push({ decl, value });
          sp?.bindings.push({ decl, value: planValue(value) });
          plan?.outputs.push({ decl, value: planValue(value) });
          break;
        }
        case 'TrainBlock':
          break;
      }
      if (sp) plan!.statements.push(sp);
    }
    inst.current = undefined;
    return outputs;
  }

  // ------------------------------------------------------------ expressions

  private walk(inst: Instance, expr: ast.Expression | undefined, naming: Naming): Walked {
    if (!expr) return nothing;
    switch (expr.kind) {
      case 'NumberLiteral':
      case 'StringLiteral':
      case 'BooleanLiteral':
      case 'NoneLiteral':
      case 'Unary':
      case 'Binary':
        return { kind: 'constant', value: this.constant(inst, expr) };
      case 'NameRef': {
        const target = inst.scope.refs.get(expr.name);
        if (!target || target.kind === 'function') return { kind: 'constant', value: this.constant(inst, expr) };
        if (target.kind === 'model') return { kind: 'callable', callee: { kind: 'model', template: target.template }, site: expr };
        if (target.kind === 'entry') return target.entry.kind === 'layer' ? { kind: 'callable', callee: { kind: 'entry', entry: target.entry }, site: expr } : nothing;
        const value = inst.values.get(target.decl);
        if (value) return value;
        const constant = inst.constants.get(target.decl);
        return constant ? { kind: 'constant', value: constant } : nothing;
      }
      case 'ListLiteral':
      case 'TupleLiteral': {
        const items = expr.items.map((item) => this.walk(inst, item, inner));
        if (items.every((i) => i.kind === 'constant')) return { kind: 'constant', value: this.constant(inst, expr) };
        return { kind: 'tuple', items };
      }
      case 'Call':
        return this.call(inst, expr, naming);
      case 'Pipeline': {
        let value = this.walk(inst, expr.source, inner);
        expr.stages.forEach((stage, i) => {
          value = this.stage(inst, stage, value, i === expr.stages.length - 1 ? naming : inner);
        });
        return value;
      }
      case 'Index': {
        const target = this.walk(inst, expr.target, inner);
        if (target.kind === 'constant') return { kind: 'constant', value: this.constant(inst, expr) };
        if (target.kind !== 'tensor') return nothing;
        return this.layer(inst, expr, [target], naming, { kind: 'expression', expr }, undefined);
      }
      case 'Member': {
        const target = this.walk(inst, expr.target, inner);
        if (target.kind === 'record' && expr.name) return target.fields.get(expr.name.name) ?? nothing;
        if (target.kind === 'tensor') return { kind: 'constant', value: this.constant(inst, expr) };
        return nothing;
      }
    }
  }

  private call(inst: Instance, call: ast.Call, naming: Naming): Walked {
    const target = inst.scope.refs.get(call.callee);
    // Arguments first, as the front end evaluates them (a tensor argument may make layers).
    const args = call.args.map((arg) => ({ arg, value: this.walk(inst, arg.value, inner) }));
    if (!target || target.kind === 'local') return nothing;
    if (target.kind === 'function') return { kind: 'constant', value: this.constant(inst, call) };
    if (target.kind === 'entry' && target.entry.kind === 'merge') return this.merge(inst, call, [], args, naming);
    if (target.kind === 'entry' && functionalLayers.has(call.callee.name)) {
      // `flatten(x)`: the first argument is the tensor.
      return this.layer(inst, call, args[0] ? [args[0].value] : [], naming, { kind: 'expression', expr: call }, undefined);
    }
    if (target.kind === 'model') return { kind: 'callable', callee: { kind: 'model', template: target.template }, site: call };
    return { kind: 'callable', callee: { kind: 'entry', entry: target.entry as LayerEntry }, site: call };
  }

  private stage(inst: Instance, stage: ast.Stage, input: Walked, naming: Naming): Walked {
    const ident = stage.kind === 'NameRef' ? stage.name : stage.callee;
    const target = inst.scope.refs.get(ident);
    const args = stage.kind === 'Call' ? stage.args.map((arg) => ({ arg, value: this.walk(inst, arg.value, inner) })) : [];
    if (!target) return nothing;
    switch (target.kind) {
      case 'local': {
        const shared = inst.values.get(target.decl);
        return shared?.kind === 'shared' ? this.applyShared(inst, shared, input, stage, naming) : nothing;
      }
      case 'function':
        return nothing;
      case 'model':
        return this.instantiate(inst, target.template, stage, stage.kind === 'Call' ? stage.args : [], input, naming, undefined);
      case 'entry':
        if (target.entry.kind === 'merge') return this.merge(inst, stage, [input], args, naming);
        return this.layer(inst, stage, [input], naming, { kind: 'stage', stage, input: fake(input) }, undefined);
    }
  }

  /** A merge: leading positional tensor arguments (and lists of them) are its inputs, as the front end splits them. */
  private merge(inst: Instance, site: ast.Call | ast.Stage, piped: readonly Walked[], args: readonly { arg: ast.Argument; value: Walked }[], naming: Naming): Walked {
    const inputs = [...piped];
    for (const { arg, value } of args) {
      if (arg.name || !(value.kind === 'tensor' || value.kind === 'tuple')) break;
      if (value.kind === 'tuple') inputs.push(...value.items);
      else inputs.push(value);
    }
    const probe: ProbeSite = site.kind === 'Call' && piped.length === 0 ? { kind: 'expression', expr: site } : { kind: 'stage', stage: site, input: fake(piped[0] ?? nothing) };
    return this.layer(inst, site, inputs, naming, probe, undefined);
  }

  private applyShared(inst: Instance, shared: Extract<Walked, { kind: 'shared' }>, input: Walked, stage: ast.Stage, naming: Naming): Walked {
    const callee = shared.callable.callee;
    if (callee.kind === 'model') {
      const args = shared.callable.site.kind === 'Call' ? shared.callable.site.args : [];
      return this.instantiate(inst, callee.template, stage, args, input, naming, shared);
    }
    if (!shared.statement.value) return nothing;
    return this.layer(inst, stage, [input], naming, { kind: 'shared', call: shared.statement.value, input: fake(input) }, shared);
  }

  /** One layer application: takes its node from the graph and, in the planned instance, makes a step. */
  private layer(inst: Instance, site: ast.Call | ast.NameRef | ast.Index, inputs: readonly Walked[], naming: Naming, probe: ProbeSite, shared: Extract<Walked, { kind: 'shared' }> | undefined): Walked {
    const node = this.take(inst.uri, site.span, 'layer') as LayerNode;
    if (node.kind !== 'layer') throw lost(`the node at ${site.span.start} is not a layer`);
    if (node.inputs.length !== inputs.length) throw lost(`${node.layer.name} has ${node.inputs.length} inputs, the syntax ${inputs.length}`);
    const layer = node.layer;
    if (!inst.layers.includes(layer)) inst.layers.push(layer);
    inst.ids.push(node.id);
    if (layer.nodes[0] === node) inst.ids.push(layer.id);
    inst.siteLayers.set(site, layer);
    let step: LayerStep | undefined;
    const plan = inst.plan;
    if (plan && inst.current) {
      const creates = !plan.statements.some((s) => s.steps.some((st) => st.kind === 'layer' && st.layer === layer)) && !inst.current.steps.some((st) => st.kind === 'layer' && st.layer === layer);
      const entry = layer.entry;
      const descriptor = entry.kind === 'layer' ? entry.tfjs(layer.args) : entry.tfjs(layer.args, node.inputs.map(shapeOf));
      const config = creates ? { descriptor, parametric: parametricConfig(this.probeScope(inst), probe, descriptor, probe.kind === 'shared' ? probe.call.span : site.span) } : undefined;
      step = {
        kind: 'layer',
        site,
        layer,
        inputs: inputs.map((i) => planTensor(i)),
        outputCount: node.outputShapes.length,
        creates,
        config,
        trainingOnly: entry.kind === 'layer' && entry.trainingOnly === true,
        final: naming.final,
        shared: shared?.decl,
        openSlice: site.kind === 'Index' && resolvedAgainstShape(site) ? site : undefined,
      };
      inst.current.steps.push(step);
      if (shared?.state.plan && creates) shared.state.plan.layer = step;
    }
    const outputs = node.outputShapes.map((_, index): Walked => ({ kind: 'tensor', ref: { node, index }, plan: step ? { kind: 'layer', step, index } : undefined }));
    return outputs.length === 1 ? outputs[0]! : { kind: 'tuple', items: outputs };
  }

  /** `x -> Block(args)`: a new instance of the block, walked in full. */
  private instantiate(inst: Instance, template: ModelTemplate, site: ast.Call | ast.NameRef, args: readonly ast.Argument[], input: Walked, naming: Naming, shared: Extract<Walked, { kind: 'shared' }> | undefined): Walked {
    const scope = this.scopeOf(template);
    const first = !this.plans.has(template);
    const child = new Instance(template, scope, new Map(), inst, first ? this.newPlan(template, scope, false) : undefined);
    child.reusing = inst.reusing || (shared !== undefined && shared.state.applications.length > 0);
    const given = new Map<string, Value>();
    for (const { param, expr } of this.callArguments(template, args)) given.set(param, this.constant(inst, expr));
    this.bindParams(child, given);
    this.instances.set(template, [...(this.instances.get(template) ?? []), child]);
    inst.children.push(child);
    inst.siteChildren.set(site, child);
    shared?.state.applications.push(child);
    const provided = input.kind === 'tuple' ? input.items : [input];
    const outputs = this.runBody(child, provided);
    let step: CallStep | undefined;
    if (inst.plan && inst.current) {
      step = {
        kind: 'call',
        site,
        template,
        args: shared ? [] : this.callArguments(template, args),
        inputs: provided.map((p) => planTensor(p)),
        outputNames: outputs.map((o) => o.decl.name),
        final: naming.final,
        shared: shared?.decl,
        segment: '',
        idOffset: 0,
      };
      inst.current.steps.push(step);
      callSteps.set(step, child);
    }
    if (outputs.length === 1) {
      const only = outputs[0]!.value;
      return only.kind === 'tensor' ? { ...only, plan: step ? { kind: 'call', step, name: undefined } : undefined } : only;
    }
    const fields = new Map(outputs.map((o): [string, Walked] => [o.decl.name, o.value.kind === 'tensor' ? { ...o.value, plan: step ? { kind: 'call', step, name: o.decl.name } : undefined } : o.value]));
    return { kind: 'record', model: template.name, fields, step };
  }

  // ------------------------------------------------------------ probing

  private probeScope(inst: Instance) {
    const tensors = new Map<LocalDecl, FakeValue>();
    for (const [decl, value] of inst.values) {
      const f = fakeOrUndefined(value);
      if (f) tensors.set(decl, f);
    }
    const params = new Map<LocalDecl, Value>();
    for (const [decl, value] of inst.constants) if (decl.kind === 'param') params.set(decl, value);
    return { program: this.program, scopeOf: this.scopeOf, template: inst.template, scope: inst.scope, params, constants: [...inst.constantBindings], tensors };
  }

  // ------------------------------------------------------------ names

  /**
   * Where each instance's layers are named. An instance's own layers are
   * `prefix + local name`; one without layers of its own takes its
   * children's prefix less their last segment.
   */
  private settlePrefixes(inst: Instance): string | undefined {
    const childPrefixes = inst.children.map((c) => this.settlePrefixes(c));
    inst.ids.push(...inst.children.flatMap((c) => c.ids));
    if (inst.plan) inst.plan.firstId = firstId(inst);
    if (!inst.parent) inst.prefix = '';
    else if (inst.layers.length > 0) {
      const name = inst.layers[0]!.name;
      inst.prefix = name.slice(0, name.lastIndexOf('/') + 1);
    } else {
      const known = childPrefixes.find((p) => p !== undefined);
      inst.prefix = known === undefined ? undefined : known.slice(0, known.slice(0, -1).lastIndexOf('/') + 1);
    }
    for (const layer of inst.layers) {
      if (inst.prefix === undefined || !layer.name.startsWith(inst.prefix) || layer.name.slice(inst.prefix.length).includes('/')) {
        throw lost(`layer ${layer.name} is not named under ${inst.prefix ?? '?'}`);
      }
    }
    if (inst.plan) inst.plan.prefix = inst.prefix ?? '';
    return inst.prefix;
  }

  /** Every instance of a template must name its layers and sub-model scopes as the first one does, under its own prefix. */
  private checkInstances(list: readonly Instance[]): void {
    const first = list[0]!;
    const plan = first.plan!;
    plan.instances = list.length;
    const segmentOf = (parent: Instance, child: Instance) =>
      child.prefix === undefined || parent.prefix === undefined ? undefined : child.prefix.slice(parent.prefix.length, -1);
    // The planned instance's call steps learn their scope segments.
    for (const statement of plan.statements) {
      for (const step of statement.steps) {
        if (step.kind !== 'call') continue;
        const child = callSteps.get(step)!;
        step.segment = segmentOf(first, child) ?? step.site.span.start.toString();
        step.idOffset = firstId(child) - firstId(first);
      }
      if (statement.shared?.callee.kind === 'model') {
        const state = (first.values.get(statement.shared.decl) as Extract<Walked, { kind: 'shared' }> | undefined)?.state;
        const application = state?.applications[0];
        if (application) {
          statement.shared.segment = segmentOf(first, application) ?? statement.shared.decl.name;
          statement.shared.idOffset = firstId(application) - firstId(first);
        }
      }
    }
    // Layer numbers (and so seeds) must sit at the same offsets in every instance that makes its own layers.
    const offsets = (inst: Instance) => new Map([...inst.siteLayers].map(([site, layer]) => [site, layer.id - firstId(inst)]));
    const expectedOffsets = offsets(first);
    for (const other of list.slice(1)) {
      if (other.reusing) continue;
      for (const [site, offset] of offsets(other)) {
        if (expectedOffsets.get(site) !== offset) throw lost(`${first.template.name} numbers its layers differently in two instances`);
      }
    }
    const localNames = (inst: Instance) => new Map([...inst.siteLayers].map(([site, layer]) => [site, layer.name.slice(inst.prefix!.length)]));
    const segments = (inst: Instance) => new Map([...inst.siteChildren].map(([site, child]) => [site, segmentOf(inst, child)]));
    const expectedNames = localNames(first);
    const expectedSegments = segments(first);
    for (const other of list.slice(1)) {
      for (const [site, name] of localNames(other)) {
        if (expectedNames.get(site) !== name) throw lost(`${first.template.name} names a layer ${expectedNames.get(site)} in one instance and ${name} in another`);
      }
      for (const [site, segment] of segments(other)) {
        if (segment !== undefined && expectedSegments.get(site) !== undefined && expectedSegments.get(site) !== segment) {
          throw lost(`${first.template.name} scopes a sub-model ${expectedSegments.get(site)} in one instance and ${segment} in another`);
        }
      }
    }
  }
}

/** Whether a slice has bounds that depend on its input's size: an open end (`2:`) or an index that is not a whole number >= 0. */
function resolvedAgainstShape(index: ast.Index): boolean {
  const fixed = (e: ast.Expression | undefined) => e?.kind === 'NumberLiteral' && e.isInteger;
  return index.items.some((item) => (item.kind === 'Position' ? !fixed(item.value) : !item.stop || !fixed(item.stop) || (item.start !== undefined && !fixed(item.start))));
}

function firstId(inst: Instance): number {
  return inst.ids.length > 0 ? Math.min(...inst.ids) : 0;
}

/** The child instance of each planned call step. */
const callSteps = new WeakMap<CallStep, Instance>();

function planTensor(value: Walked): PlanTensor {
  if (value.kind === 'tensor' && value.plan) return value.plan;
  throw lost('a tensor of the planned instance has no place in its wiring');
}

function planValue(value: Walked): PlanValue {
  switch (value.kind) {
    case 'tensor':
      return value.plan ? { kind: 'tensor', tensor: value.plan } : { kind: 'none' };
    case 'tuple':
      return { kind: 'tuple', items: value.items.map(planValue) };
    case 'record':
      return value.step ? { kind: 'record', step: value.step } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

function fakeOrUndefined(value: Walked): FakeValue | undefined {
  switch (value.kind) {
    case 'tensor':
      return { kind: 'tensor', shape: shapeOf(value.ref), dtype: value.ref.node.dtype };
    case 'tuple': {
      const items = value.items.map(fakeOrUndefined);
      return items.every((i) => i) ? { kind: 'tuple', items: items as FakeValue[] } : undefined;
    }
    case 'record': {
      const fields = new Map<string, FakeValue>();
      for (const [k, v] of value.fields) {
        const f = fakeOrUndefined(v);
        if (!f) return undefined;
        fields.set(k, f);
      }
      return { kind: 'record', model: value.model, fields };
    }
    default:
      return undefined;
  }
}

function fake(value: Walked): FakeValue {
  return fakeOrUndefined(value) ?? { kind: 'tensor', shape: [], dtype: 'float32' };
}

/** A tensor's shape for constant evaluation (`x.shape`), without a place in any graph. */
function shapeOnly(value: Walked): Value | undefined {
  if (value.kind === 'tensor') return { kind: 'tensor', shape: shapeOf(value.ref), dtype: value.ref.node.dtype, ref: undefined };
  return undefined;
}
