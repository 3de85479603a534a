/**
 * What every emitted model function shares (its subclasses write the root's
 * build function and the blocks' functions). Every function has two parts,
 * as a person would write Keras-style code by hand:
 *
 *  - the layers, made once in a `layers` object (one entry per layer, in spec
 *    order, configs written over the parameters), and
 *  - the wiring, a function that applies them to tensors, one statement per
 *    layer, named after the spec's branches.
 *
 * A block (a model used inside another) returns its wiring, so each call
 * makes new layers and `shared` reuses one call's layers. The root builds
 * the training graph and the inference graph by running its wiring twice
 * over the same layers: `training: false` leaves out the `aux` outputs (and
 * all that only feeds them) and Dropout and noise, as `mbnc train` does.
 */
import type { Shape, TfjsLayer } from '../catalogue/types.js';
import { shapeOf } from '../semantics/graph.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { LocalDecl } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { location, statementComments } from './comments.js';
import { arrayLiteral, binary, literal, numberLiteral, precedence, primary, translateConstant, valueCode, type Code } from './expressions.js';
import { commentText, NameScope, propertyAccess, propertyKey, stringLiteral, templateText } from './naming.js';
import { Lines } from './lines.js';
import type { ModuleContext } from './module-context.js';
import type { CallStep, LayerStep, PlanTensor, PlanValue, StatementPlan, TemplatePlan } from './plan.js';
import { seedConfig } from './seeds.js';
import { configValue, construct, leafMap, type ConfigContext } from './tfjs-config.js';
import { withoutDefaults } from './tfjs-defaults.js';

export interface EmittedParameter {
  readonly name: string;
  readonly type: string;
  readonly initializer?: string;
}

/** The emitted function of one template: its parameters (named with the body's names) and its body. */
export interface EmittedFunction {
  readonly parameters: readonly EmittedParameter[];
  readonly body: string;
  readonly returnType: string | undefined;
}

/** Emits the function of one template. */
export abstract class TemplateEmitter implements ConfigContext {
  protected readonly vars: NameScope;
  private readonly keys = new Set<string>();
  protected readonly declVars = new Map<LocalDecl, string>();
  protected readonly usedConstants = new Set<LocalDecl>();
  private readonly stepVars = new Map<LayerStep | CallStep, string | string[]>();
  private readonly layerKeys = new Map<LayerStep['layer'], string>();
  /** The Rescaling layers of a composite weighted sum, by its Add layer. */
  private readonly scaleKeys = new Map<LayerStep['layer'], string[]>();
  private readonly callKeys = new Map<CallStep, string>();
  private readonly sharedKeys = new Map<LocalDecl, string>();
  protected readonly comments: Map<ast.Statement, string[]>;
  protected usesTraining = false;
  protected usesScope = false;
  protected readonly scopeVar: string;
  protected readonly paramsVar: string;
  protected readonly layersVar: string;
  protected readonly trainingVar: string;
  /** A block's first layer number, when seeds are derived from layer numbers. */
  protected readonly firstIdVar: string;

  constructor(
    protected readonly plan: TemplatePlan,
    protected readonly module: ModuleContext,
  ) {
    this.vars = new NameScope(module.names);
    this.scopeVar = plan.isRoot ? '' : this.vars.take('scope');
    this.paramsVar = this.vars.take('params');
    this.layersVar = this.vars.take('layers');
    this.trainingVar = this.vars.take('training');
    this.firstIdVar = module.seeds && !plan.isRoot ? this.vars.take('firstLayerId') : '';
    this.comments = statementComments(plan.template);
    // Spec names first, so that they keep their spelling and generated step names give way.
    for (const decl of plan.scope.decls) if (decl.kind !== 'shared') this.declVars.set(decl, this.vars.take(decl.name));
  }

  // ConfigContext
  atom(expr: ast.Expression): Code {
    return translateConstant(expr, { scope: this.plan.scope, uri: this.plan.template.unit.uri, local: (decl) => this.constantVar(decl) });
  }

  table(key: string, table: Readonly<Record<string, unknown>>): string {
    return this.module.table(key, table);
  }

  runtimeClass(className: string): string {
    return this.module.runtimeClass(className);
  }

  private constantVar(decl: LocalDecl): string | undefined {
    const isConstant = decl.kind === 'param' || this.plan.statements.some((s) => s.constant?.decl === decl);
    if (!isConstant) return undefined;
    this.usedConstants.add(decl);
    return this.declVars.get(decl);
  }

  private key(wanted: string): string {
    let key = wanted;
    for (let n = 2; this.keys.has(key); n++) key = `${wanted}_${n}`;
    this.keys.add(key);
    return key;
  }

  private localName(step: LayerStep): string {
    return step.layer.name.slice(this.plan.prefix.length);
  }

  /** The tfjs name of a layer made here: a literal at the root, `${scope}local` in a block. */
  private nameCode(local: string): Code {
    if (this.plan.isRoot) return primary(stringLiteral(this.module.tfjsName(local)));
    this.usesScope = true;
    return primary(`\`\${${this.scopeVar}}${templateText(local)}\``);
  }

  /** The scope a sub-model call names its layers under. */
  private scopeCode(segment: string): Code {
    if (this.plan.isRoot) return primary(stringLiteral(`${this.module.tfjsName(segment)}/`));
    this.usesScope = true;
    return primary(`\`\${${this.scopeVar}}${templateText(segment)}/\``);
  }

  private layerRef(key: string): string {
    return propertyAccess(this.layersVar, key);
  }

  // ------------------------------------------------------------ layers

  /** The `layers` entries one statement makes. */
  private layerEntries(statement: StatementPlan): string[] {
    const entries: string[] = [];
    if (statement.shared) {
      const shared = statement.shared;
      const key = this.key(shared.decl.name);
      this.sharedKeys.set(shared.decl, key);
      if (shared.callee.kind === 'model') {
        entries.push(`${propertyKey(key)}: ${this.factoryCall(shared.callee.template, shared.segment, shared.callee.args, shared.idOffset).text},`);
      } else if (shared.layer?.config) {
        this.layerKeys.set(shared.layer.layer, key);
        entries.push(`${propertyKey(key)}: ${this.makeLayer(shared.layer.config.descriptor, shared.layer, this.localName(shared.layer)).text},`);
      } else {
        entries.push(`// \`${commentText(shared.decl.name)}\` is never applied, so it makes no layer`);
      }
    }
    for (const step of statement.steps) {
      if (step.kind === 'call') {
        if (step.shared) continue;
        const key = this.key(step.segment);
        this.callKeys.set(step, key);
        entries.push(`${propertyKey(key)}: ${this.factoryCall(step.template, step.segment, step.args, step.idOffset).text},`);
        continue;
      }
      if (!step.creates || !step.config || step.shared) continue;
      const local = this.localName(step);
      const descriptor = step.config.descriptor;
      if (descriptor.composite) {
        // A fixed weighted sum: one Rescaling per input and an Add, all tfjs built-ins (as src/runtime/build.ts makes it).
        const weights = descriptor.config['weights'] as number[];
        const leaves = leafMap(step.config.parametric);
        const scales = weights.map((weight, i) => {
          const key = this.key(`${local}_scale_${i}`);
          const scale = configValue(weight, ['config', 'weights', i], leaves, this);
          entries.push(`${propertyKey(key)}: tf.layers.rescaling({ scale: ${scale.text}, offset: 0, name: ${this.nameCode(`${local}/scale_${i}`).text} }),`);
          return key;
        });
        this.scaleKeys.set(step.layer, scales);
        const key = this.key(local);
        this.layerKeys.set(step.layer, key);
        entries.push(`${propertyKey(key)}: tf.layers.add({ name: ${this.nameCode(local).text} }),`);
        continue;
      }
      const key = this.key(local);
      this.layerKeys.set(step.layer, key);
      if (step.openSlice) {
        entries.push(`// Its bounds are resolved against its input's shape (as mbn does), so it is made when first applied.`);
        entries.push(`${propertyKey(key)}: ${this.openSlice(step.openSlice, descriptor, local, shapeOf(step.layer.nodes[0]!.inputs[0]!))},`);
        continue;
      }
      entries.push(`${propertyKey(key)}: ${this.makeLayer(descriptor, step, local).text},`);
    }
    return entries;
  }

  /** `madeOnFirstUse((x) => new Slice({ begin: [0, axisSize(x, 2) - 5], … }))` for `x[:, -5:]`. */
  private openSlice(index: ast.Index, descriptor: TfjsLayer, local: string, input: Shape): string {
    this.module.helpers.add('madeOnFirstUse');
    const begin: Code[] = [];
    const end: Code[] = [];
    const x = 'input';
    index.items.forEach((item, axis) => {
      const size = primary(`axisSize(${x}, ${axis + 1})`);
      // Python-style: a negative index counts from the end of the axis; on an axis of unknown
      // size it stays negative, as the front end leaves it, and the Slice layer resolves it when run.
      const known = input[axis] !== null;
      if (known) this.module.helpers.add('axisSize');
      const resolve = (e: ast.Expression): Code => {
        if (e.kind === 'NumberLiteral' || !known) return this.atom(e);
        if (e.kind === 'Unary' && e.operand?.kind === 'NumberLiteral') return binary(size, '-', numberLiteral(e.operand.value));
        const v = this.atom(e);
        return primary(`(${v.text} < 0 ? ${binary(size, '+', v).text} : ${v.text})`);
      };
      if (item.kind === 'Position') {
        const at = resolve(item.value!);
        begin.push(at);
        end.push(at.text.match(/^\d+$/) ? numberLiteral(Number(at.text) + 1) : binary(at, '+', numberLiteral(1)));
      } else {
        begin.push(item.start ? resolve(item.start) : numberLiteral(0));
        end.push(item.stop ? resolve(item.stop) : size);
      }
    });
    const squeeze = arrayLiteral(((descriptor.config['squeeze'] as number[] | undefined) ?? []).map(numberLiteral));
    const config = `{ begin: ${arrayLiteral(begin).text}, end: ${arrayLiteral(end).text}, squeeze: ${squeeze.text}, name: ${this.nameCode(local).text} }`;
    return `madeOnFirstUse((${x}: tf.SymbolicTensor) => new ${this.module.runtimeClass('Slice')}(${config}))`;
  }

  private makeLayer(unseeded: TfjsLayer, step: LayerStep, local: string): Code {
    const parametric = step.config!.parametric;
    const leaves = new Map(leafMap(parametric));
    let descriptor = unseeded;
    if (this.module.seeds) {
      const seeded = seedConfig(unseeded, this.layerNumber(step.layer.id), this.module.seeds.names);
      descriptor = seeded.descriptor;
      for (const { path, code } of seeded.seeds) leaves.set(JSON.stringify(path), { kind: 'code', code });
    }
    // Options equal to tfjs's defaults are left out, unless a parameter (or a seed) sets them.
    return construct(withoutDefaults(descriptor, new Set(leaves.keys())), [], leaves, this.nameCode(local), this);
  }

  /** A layer's number in the graph: a literal at the root, the block's first number plus an offset in a block. */
  private layerNumber(id: number): Code {
    if (this.plan.isRoot) return numberLiteral(id);
    const offset = id - this.plan.firstId;
    return offset === 0 ? primary(this.firstIdVar) : binary(primary(this.firstIdVar), '+', numberLiteral(offset));
  }

  /** `head('merged/', { lookForward })`: a block's layers, made under a scope. */
  private factoryCall(template: ModelTemplate, segment: string, args: readonly { param: string; expr: ast.Expression }[], idOffset: number): Code {
    const fn = this.module.functions.get(template)!;
    const parts = args.map(({ param, expr }) => {
      const code = this.atom(expr);
      const key = this.module.paramKey(template, param);
      return code.text === key ? key : `${propertyKey(key)}: ${code.text}`;
    });
    // `{}` only where the block has a parameter without a default (and so no default for `params`).
    const required = template.decl.params.some((p) => p.name && !p.default);
    const hasParams = template.decl.params.some((p) => p.name);
    const params = parts.length > 0 ? [`{ ${parts.join(', ')} }`] : required ? ['{}'] : [];
    // With seeds, the block's layers are numbered on from where its first layer sits in the graph.
    const firstId = this.module.seeds ? [...(hasParams && params.length === 0 ? ['{}'] : []), this.layerNumber(this.plan.firstId + idOffset).text] : [];
    return { text: `${fn}(${[this.scopeCode(segment).text, ...params, ...firstId].join(', ')})`, precedence: precedence.member };
  }

  // ------------------------------------------------------------ wiring

  private tensorCode(tensor: PlanTensor): string {
    switch (tensor.kind) {
      case 'input':
        return this.declVars.get(tensor.decl)!;
      case 'layer': {
        const v = this.stepVars.get(tensor.step);
        if (v === undefined) throw new Error('codegen: a tensor is used before its layer is applied');
        return typeof v === 'string' ? (tensor.step.outputCount === 1 ? v : `${v}[${tensor.index}]`) : v[tensor.index]!;
      }
      case 'call': {
        const v = this.stepVars.get(tensor.step) as string | undefined;
        if (v === undefined) throw new Error('codegen: a tensor is used before its sub-model is applied');
        return tensor.name === undefined ? v : propertyAccess(v, tensor.name);
      }
    }
  }

  private inputsCode(inputs: readonly PlanTensor[]): string {
    return inputs.length === 1 ? this.tensorCode(inputs[0]!) : `[${inputs.map((t) => this.tensorCode(t)).join(', ')}]`;
  }

  /** The variable(s) a step's result gets: the statement's names for its value, else the layer's own name. */
  private stepTarget(statement: StatementPlan, step: LayerStep | CallStep, fallback: string): string | string[] {
    if (step.final) {
      const bound = statement.bindings;
      if (bound.length === 1 && producedBy(bound[0]!.value, step)) return this.declVars.get(bound[0]!.decl)!;
      if (bound.length > 1 && step.kind === 'layer' && bound.every((b, i) => b.value.kind === 'tensor' && b.value.tensor.kind === 'layer' && b.value.tensor.step === step && b.value.tensor.index === i)) {
        return bound.map((b) => this.declVars.get(b.decl)!);
      }
    }
    return this.vars.take(fallback);
  }

  /** The wiring of one statement; `alwaysTraining` where the code runs only for the training graph. */
  protected wiring(statement: StatementPlan, alwaysTraining: boolean): Lines {
    const out = new Lines();
    for (const line of this.comments.get(statement.statement) ?? []) out.line(`// ${line}`);
    out.line(`// ${location(this.plan.template, statement.statement)}`);
    if (statement.input) {
      const { decl, node } = statement.input;
      const shape = (statement.statement as ast.InputDecl).shape;
      const shapeCode = shape ? this.shapeCode(shape) : arrayLiteral(node.shape.map((d) => literal(d)));
      const dtype = node.dtype === 'int32' ? `, dtype: 'int32'` : '';
      out.line(`const ${this.declVars.get(decl)} = tf.input({ shape: ${shapeCode.text}${dtype}, name: ${stringLiteral(this.module.tfjsName(node.name))} });`);
      return out;
    }
    for (const step of statement.steps) {
      if (step.kind === 'call') {
        const target = this.stepTarget(statement, step, step.segment) as string;
        this.stepVars.set(step, target);
        const fn = step.shared ? this.layerRef(this.sharedKeys.get(step.shared)!) : this.layerRef(this.callKeys.get(step)!);
        this.usesTraining = true;
        out.line(`const ${target} = ${fn}(${[...step.inputs.map((t) => this.tensorCode(t)), this.trainingVar].join(', ')});`);
        continue;
      }
      const key = this.layerKeys.get(step.layer) ?? (step.shared ? this.sharedKeys.get(step.shared) : undefined);
      if (key === undefined) throw new Error(`codegen: no layer entry for ${step.layer.name}`);
      const target = this.stepTarget(statement, step, this.localName(step));
      this.stepVars.set(step, target);
      const declaration = typeof target === 'string' ? target : `[${target.join(', ')}]`;
      const scales = this.scaleKeys.get(step.layer);
      if (scales) {
        // Scale each input, then add them.
        const scaled = step.inputs.map((input, i) => {
          const v = this.vars.take(`${this.localName(step)}_scale_${i}`);
          out.line(`const ${v} = ${this.apply(this.layerRef(scales[i]!), this.tensorCode(input))};`);
          return v;
        });
        out.line(`const ${declaration} = ${this.apply(this.layerRef(key), `[${scaled.join(', ')}]`)};`);
        continue;
      }
      const inputs = this.inputsCode(step.inputs);
      if (step.openSlice) {
        out.line(`const ${declaration} = ${this.apply(`${this.layerRef(key)}(${inputs})`, inputs)};`);
        continue;
      }
      // Several outputs come as a tuple of known length, so that taking it apart is typed.
      const tuple = `[${Array.from({ length: step.outputCount }, () => 'tf.SymbolicTensor').join(', ')}]`;
      const applied = step.outputCount === 1 ? this.apply(this.layerRef(key), inputs) : `${this.applyAll(this.layerRef(key), inputs)} as ${tuple}`;
      if (step.trainingOnly && !alwaysTraining) {
        this.usesTraining = true;
        out.line(`const ${declaration} = ${this.trainingVar} ? ${applied} : ${inputs};`);
      } else out.line(`const ${declaration} = ${applied};`);
    }
    // Names that are not a step's own result: `y = x`, `output third = cnn3`, a tuple taken apart.
    for (const { decl, value } of statement.bindings) {
      const v = this.declVars.get(decl)!;
      if (value.kind === 'tensor' && this.codeOfValue(value) === v) continue;
      if (value.kind === 'record' && this.stepVars.get(value.step) === v) continue;
      const code = this.codeOfValue(value);
      if (code !== undefined) out.line(`const ${v} = ${code};`);
    }
    return out;
  }

  protected codeOfValue(value: PlanValue): string | undefined {
    switch (value.kind) {
      case 'tensor':
        return this.tensorCode(value.tensor);
      case 'record':
        return this.stepVars.get(value.step) as string | undefined;
      case 'tuple': {
        const items = value.items.map((i) => this.codeOfValue(i));
        return items.every((i) => i !== undefined) ? `[${items.join(', ')}]` : undefined;
      }
      case 'none':
        return undefined;
    }
  }

  private apply(layer: string, inputs: string): string {
    this.module.helpers.add('apply');
    return `apply(${layer}, ${inputs})`;
  }

  private applyAll(layer: string, inputs: string): string {
    this.module.helpers.add('applyAll');
    return `applyAll(${layer}, ${inputs})`;
  }

  /** An input's declared shape (`[lookBack, features]`, `None` as null) as TypeScript over the parameters. */
  private shapeCode(shape: ast.Expression): Code {
    const code = this.atom(shape);
    // A `shape` parameter is passed as a copy: tfjs keeps the array it is given.
    return shape.kind === 'ListLiteral' ? code : primary(`[...${code.text}]`);
  }

  // ------------------------------------------------------------ the function

  /** Parameters and constant bindings the code uses, in declaration order, with their defaults. */
  protected constantLines(overrides: ReadonlyMap<string, Value>): Lines {
    const params = this.plan.template.decl.params.flatMap((p) => {
      const decl = this.plan.scope.byName.get(p.name?.name ?? '');
      return decl && decl.node === p ? [{ decl, param: p }] : [];
    });
    const constants = this.plan.statements.flatMap((s) => (s.constant ? [s.constant] : []));
    // Later definitions may refer to earlier ones: walk backwards so a use marks what it needs.
    const texts = new Map<LocalDecl, string>();
    for (const { decl, expr } of [...constants].reverse()) {
      if (this.usedConstants.has(decl)) texts.set(decl, `const ${this.declVars.get(decl)} = ${this.atom(expr).text};`);
    }
    for (const { decl, param } of [...params].reverse()) {
      if (!this.usedConstants.has(decl)) continue;
      const override = overrides.get(decl.name);
      const fallback = override ? valueCode(override) : param.default ? this.atom(param.default) : undefined;
      const given = propertyAccess(this.paramsVar, this.module.paramKey(this.plan.template, decl.name));
      const read = fallback ? `${given} ?? ${fallback.precedence > precedence.conditional ? fallback.text : `(${fallback.text})`}` : given;
      texts.set(decl, `const ${this.declVars.get(decl)} = ${read};`);
    }
    const out = new Lines();
    for (const { decl } of params) if (texts.has(decl)) out.line(texts.get(decl)!);
    for (const { decl } of constants) if (texts.has(decl)) out.line(texts.get(decl)!);
    return out;
  }

  protected layersLines(): Lines {
    const out = new Lines();
    const entries: string[] = [];
    for (const statement of this.plan.statements) {
      const made = this.layerEntries(statement);
      if (made.length === 0) continue;
      entries.push(`// ${location(this.plan.template, statement.statement)}`, ...made);
    }
    if (entries.length === 0) return out;
    out.line(`const ${this.layersVar} = {`);
    out.indented(() => entries.forEach((e) => out.line(e)));
    out.line('};');
    return out;
  }

  /** `params`, or `_params` where the body reads none of them (for projects that forbid unused parameters). */
  protected paramsName(): string {
    const read = this.plan.template.decl.params.some((p) => {
      const decl = this.plan.scope.byName.get(p.name?.name ?? '');
      return decl !== undefined && this.usedConstants.has(decl);
    });
    return read ? this.paramsVar : this.vars.take(`_${this.paramsVar}`);
  }

  /** Whether the template has parameters (and so takes `params`). */
  protected get hasParams(): boolean {
    return this.plan.template.decl.params.some((p) => p.name);
  }
}


/** Whether a plan value is (the only output of) a step's result. */
function producedBy(value: PlanValue, step: LayerStep | CallStep): boolean {
  if (value.kind === 'record') return value.step === step;
  if (value.kind !== 'tensor') return false;
  const t = value.tensor;
  if (t.kind === 'layer') return t.step === step && step.kind === 'layer' && step.outputCount === 1;
  return t.kind === 'call' && t.step === step && t.name === undefined;
}
