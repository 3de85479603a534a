/**
 * The types a module exports for its model: the parameters (with the
 * spec's defaults in their docs), one typed tensor per input and output by
 * the spec's names, what the build function returns, and the options of
 * `compileForTraining`.
 */
import { StructureKind, type StatementStructures } from 'ts-morph';
import { formatShape } from '../catalogue/shape.js';
import type { Shape } from '../catalogue/types.js';
import { shapeOf } from '../semantics/graph.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { LocalDecl } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { location } from './comments.js';
import type { ModuleContext } from './module-context.js';
import { commentText, stringLiteral, typeKey } from './naming.js';
import type { ModelPlan, TemplatePlan } from './plan.js';

/** The module-level names of a model's exports. */
export interface ApiNames {
  readonly params: string;
  readonly inputs: string;
  readonly outputs: string;
  readonly inferenceInputs: string;
  readonly inferenceOutputs: string;
  readonly outputName: string;
  readonly models: string;
  readonly compileOptions: string;
  readonly losses: string;
  readonly fitSettings: string;
  readonly build: string;
}

/** `tf.Tensor4D` for a shape of 3 axes plus the batch axis. */
export function tensorType(shape: Shape): string {
  const rank = shape.length + 1;
  return rank <= 6 ? `tf.Tensor${rank}D` : 'tf.Tensor';
}

/** The TypeScript type of a parameter: from its declared type, and for names the union of names it can take. */
function paramType(decl: LocalDecl, names: ReadonlySet<string> | undefined, value: Value | undefined): string {
  const declared = (decl.node as ast.ParamDecl).type?.name;
  switch (declared) {
    case 'int':
    case 'float':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'shape':
      return 'number[]';
    case 'string':
    case 'symbol':
      return names && names.size > 0 ? [...names].sort().map(stringLiteral).join(' | ') : 'string';
    default:
      if (value?.kind === 'number') return 'number';
      if (value?.kind === 'bool') return 'boolean';
      if (value?.kind === 'list') return 'number[]';
      return 'string';
  }
}

/**
 * The names each `symbol` parameter can take: where it chooses a tfjs option
 * (an activation, a padding) the options that check, intersected over its
 * uses, and passed down to sub-models' parameters the same way.
 */
export function symbolNames(plans: readonly TemplatePlan[]): Map<LocalDecl, Set<string>> {
  const names = new Map<LocalDecl, Set<string>>();
  const narrow = (decl: LocalDecl, allowed: Iterable<string>): boolean => {
    const next = new Set(allowed);
    const current = names.get(decl);
    if (!current) {
      names.set(decl, next);
      return true;
    }
    const kept = [...current].filter((n) => next.has(n));
    if (kept.length === current.size) return false;
    names.set(decl, new Set(kept));
    return true;
  };
  for (const plan of plans) {
    for (const statement of plan.statements) {
      for (const step of statement.steps) {
        if (step.kind === 'layer' && step.config) for (const [decl, values] of step.config.parametric.names) narrow(decl, values);
      }
    }
  }
  // A parameter passed on to a sub-model takes the names that sub-model's parameter takes.
  const byTemplate = new Map(plans.map((p) => [p.template, p]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const plan of plans) {
      for (const statement of plan.statements) {
        const calls = [
          ...statement.steps.flatMap((s) => (s.kind === 'call' && !s.shared ? [{ template: s.template, args: s.args }] : [])),
          ...(statement.shared?.callee.kind === 'model' ? [{ template: statement.shared.callee.template, args: statement.shared.callee.args }] : []),
        ];
        for (const { template, args } of calls) {
          const callee = byTemplate.get(template);
          if (!callee) continue;
          for (const { param, expr } of args) {
            if (expr.kind !== 'NameRef') continue;
            const target = plan.scope.refs.get(expr.name);
            const inner = callee.scope.byName.get(param);
            const allowed = inner ? names.get(inner) : undefined;
            if (target?.kind === 'local' && target.decl.kind === 'param' && allowed && narrow(target.decl, allowed)) changed = true;
          }
        }
      }
    }
  }
  return names;
}

/** The parameters of a template, in declaration order, with their declarations. */
function parameters(plan: TemplatePlan): { decl: LocalDecl; param: ast.ParamDecl }[] {
  return plan.template.decl.params.flatMap((param) => {
    const decl = plan.scope.byName.get(param.name?.name ?? '');
    return decl && decl.node === param ? [{ decl, param }] : [];
  });
}

/** The exported types of the compiled model. */
export function apiTypes(plan: ModelPlan, names: ApiNames, context: ModuleContext, symbols: ReadonlyMap<LocalDecl, ReadonlySet<string>>, overrides: ReadonlyMap<string, Value>): StatementStructures[] {
  const root = plan.root;
  const template = root.template;
  const modelName = template.name;
  const graph = plan.graph;
  const statements: StatementStructures[] = [];
  if (template.decl.params.some((p) => p.name)) {
    statements.push({
      kind: StructureKind.Interface,
      name: names.params,
      isExported: true,
      docs: [commentText(`The parameters of \`${modelName}\` (${location(template, template.decl)}); \`${names.build}\` fills in the defaults.`)],
      properties: parameters(root).map(({ decl }) => ({
        name: typeKey(context.paramKey(template, decl.name)),
        type: paramType(decl, symbols.get(decl), root.params.get(decl)),
        docs: [commentText(`Default: ${describeDefault(template, decl, overrides)}.`)],
      })),
    });
  }
  const inferenceInputs = new Set(plan.inference.inputs.map((i) => i.name));
  const inferenceOutputs = new Set(plan.inference.outputs.map((o) => o.name));
  statements.push({
    kind: StructureKind.Interface,
    name: names.inputs,
    isExported: true,
    docs: [`The inputs of \`${commentText(modelName)}\`, by name; the batch axis comes first.`],
    properties: graph.inputs.map((input) => ({ name: typeKey(input.name), type: tensorType(input.shape), docs: [commentText(`${formatShape(input.shape)} ${input.dtype}`)] })),
  });
  statements.push({
    kind: StructureKind.Interface,
    name: names.outputs,
    isExported: true,
    docs: ['The outputs of the training model, by name.'],
    properties: graph.outputs.map((output) => ({
      name: typeKey(output.name),
      type: tensorType(shapeOf(output.tensor)),
      docs: [commentText(`${formatShape(shapeOf(output.tensor))}${output.aux ? ', aux: training model only' : ''}`)],
    })),
  });
  const pick = (of: string, keys: readonly string[], all: number) => (keys.length === all ? of : `Pick<${of}, ${keys.map((k) => stringLiteral(k)).join(' | ')}>`);
  statements.push({ kind: StructureKind.TypeAlias, name: names.inferenceInputs, isExported: true, docs: ['The inputs the inference model takes (those its outputs need).'], type: pick(names.inputs, graph.inputs.filter((i) => inferenceInputs.has(i.name)).map((i) => i.name), graph.inputs.length) });
  statements.push({ kind: StructureKind.TypeAlias, name: names.inferenceOutputs, isExported: true, docs: ['The outputs of the inference model: the ones that are not `aux`.'], type: pick(names.outputs, graph.outputs.filter((o) => inferenceOutputs.has(o.name)).map((o) => o.name), graph.outputs.length) });
  statements.push({ kind: StructureKind.TypeAlias, name: names.outputName, isExported: true, type: `keyof ${names.outputs}` });
  statements.push({
    kind: StructureKind.Interface,
    name: names.models,
    isExported: true,
    docs: [`What \`${names.build}\` returns.`],
    properties: [
      { name: 'training', type: 'tf.LayersModel', isReadonly: true, docs: ['Every output: the model to train (see `compileForTraining`).'] },
      { name: 'inference', type: 'tf.LayersModel', isReadonly: true, docs: ['The outputs that are not `aux`, without Dropout and noise; it shares the training model\'s layers, so training one trains the other.'] },
      { name: 'lossWeights', type: `Readonly<Record<${names.outputName}, number>>`, isReadonly: true, docs: ['Each output\'s loss weight for the parameters the models were built with.'] },
    ],
  });
  statements.push({
    kind: StructureKind.Interface,
    name: names.compileOptions,
    isExported: true,
    properties: [
      { name: 'optimizer', type: 'tf.Optimizer', hasQuestionToken: true, docs: ['Instead of the `train` block\'s optimizer.'] },
      { name: 'lossWeights', type: `Partial<Record<${names.outputName}, number>>`, hasQuestionToken: true, docs: [`Instead of the weights in \`${names.losses}\`, e.g. a build's \`lossWeights\`.`] },
    ],
  });

  return statements;
}

/** `interface HeadParams { lookForward?: number }`: a block's parameters, optional where the spec has a default. */
export function blockParamsInterface(block: TemplatePlan, name: string, context: ModuleContext, symbols: ReadonlyMap<LocalDecl, ReadonlySet<string>>): StatementStructures {
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: [commentText(`The parameters of \`${block.template.name}\` (${location(block.template, block.template.decl)}).`)],
    properties: parameters(block).map(({ decl, param }) => ({
      name: typeKey(context.paramKey(block.template, decl.name)),
      type: paramType(decl, symbols.get(decl), block.params.get(decl)),
      hasQuestionToken: param.default !== undefined,
      ...(param.default ? { docs: [commentText(`Default: ${specText(block.template, param.default)}.`)] } : {}),
    })),
  };
}

export function describe(value: Value): string {
  switch (value.kind) {
    case 'number':
    case 'bool':
      return String(value.value);
    case 'string':
      return JSON.stringify(value.value);
    case 'symbol':
      return value.name;
    case 'list':
      return `[${value.items.map(describe).join(', ')}]`;
    default:
      return value.kind;
  }
}

function describeDefault(template: ModelTemplate, decl: LocalDecl, overrides: ReadonlyMap<string, Value>): string {
  const override = overrides.get(decl.name);
  if (override) return `${describe(override)} (compiled with --param)`;
  const param = decl.node as ast.ParamDecl;
  return param.default ? specText(template, param.default) : 'none';
}

/** An expression as the spec writes it. */
function specText(template: ModelTemplate, expr: ast.Expression): string {
  return template.unit.text.slice(expr.span.start, expr.span.end);
}
