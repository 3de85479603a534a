/**
 * Model instantiation: binding a model's parameters and inputs, running its
 * statements top to bottom, and collecting its outputs. The same code checks
 * a model on its own (`elaborateRoot`) and inlines it into another model
 * (`instantiateModel`), where its layers get a name scope (`branch/…`).
 */
import { formatShape } from '../catalogue/shape.js';
import type { ParamType, Shape } from '../catalogue/types.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { convert, isConverted } from './bind.js';
import { sizeLimit } from './apply.js';
import { report, snakeName, type Frame, type Mode, type Session } from './context.js';
import { calleeSpan, constantNaming, evaluate, expectTensor, type Naming } from './evaluate.js';
import type { DType, GraphOutput, TrainingConfig } from './graph.js';
import type { ModelTemplate } from './program.js';
import type { LocalDecl } from './resolve.js';
import { outputSettings, trainingConfig } from './training.js';
import { describeValue, unknownValue, type LayerValue, type SharedInstance, type TensorValue, type Value } from './values.js';

const paramTypes: Record<string, ParamType> = {
  int: { kind: 'int' },
  float: { kind: 'float' },
  bool: { kind: 'bool' },
  string: { kind: 'string' },
  shape: { kind: 'intList', min: 1 },
  symbol: { kind: 'string' },
};

export interface BodyResult {
  readonly outputs: readonly { decl: ast.OutputDecl; value: Value }[];
  readonly graphOutputs: GraphOutput[];
  readonly training: TrainingConfig;
}

/** Checks (and in 'top' mode builds) a model on its own. */
export function elaborateRoot(session: Session, template: ModelTemplate, mode: Exclude<Mode, 'instance'>, overrides: ReadonlyMap<string, Value> = new Map()): BodyResult {
  const frame: Frame = {
    session,
    template,
    scope: session.scopeOf(template),
    uri: template.unit.uri,
    mode,
    env: new Map(),
    prefix: '',
    stack: [template],
    instantiations: [],
    layerCache: undefined,
    cacheKeyPrefix: '',
  };
  bindParams(frame, frame, overrides, template.decl.name?.span ?? template.decl.span);
  return runBody(frame, undefined);
}

/** Whether a model can be compiled on its own: every parameter has a default and every input a shape. */
export function standaloneProblems(template: ModelTemplate): string[] {
  const problems: string[] = [];
  for (const p of template.decl.params) if (p.name && !p.default) problems.push(`parameter \`${p.name.name}\` has no default`);
  for (const s of template.decl.body) if (s.kind === 'InputDecl' && s.name && !s.shape) problems.push(`input \`${s.name.name}\` has no shape`);
  return problems;
}

function paramType(f: Frame, decl: ast.ParamDecl): ParamType | undefined {
  if (!decl.type) return undefined;
  const type = paramTypes[decl.type.name];
  if (!type) {
    report(f, 'MBN212', decl.type.span, `unknown parameter type \`${decl.type.name}\``, {
      notes: ['parameter types: int, float, bool, string, shape (a list of ints) and symbol (a name such as relu)'],
    });
  }
  return type;
}

/** Converts a bound parameter back into a value the model body can use. */
function paramValue(raw: unknown, decl: ast.ParamDecl): Value {
  const type = decl.type?.name;
  if (typeof raw === 'number') return { kind: 'number', value: raw, isInt: type === 'int' };
  if (typeof raw === 'boolean') return { kind: 'bool', value: raw };
  if (typeof raw === 'string') return type === 'symbol' ? { kind: 'symbol', name: raw, ident: decl.name! } : { kind: 'string', value: raw };
  if (Array.isArray(raw)) return { kind: 'list', items: raw.map((n) => ({ kind: 'number', value: n as number, isInt: true })) };
  return unknownValue;
}

/**
 * Binds a model's parameters: given values (checked against the declared
 * types), else the defaults evaluated in the model itself. `caller` is where
 * argument errors are reported; `child` is the model's own frame.
 */
function bindParams(caller: Frame, child: Frame, given: ReadonlyMap<string, Value>, at: Span, givenSpans: ReadonlyMap<string, Span> = new Map()): void {
  for (const decl of child.template.decl.params) {
    if (!decl.name) continue;
    const local = child.scope.byName.get(decl.name.name);
    if (!local || local.node !== decl) continue;
    const type = paramType(child, decl);
    const supplied = given.get(decl.name.name);
    let value: Value;
    if (supplied) {
      value = convertParam(caller, type, supplied, givenSpans.get(decl.name.name) ?? at, decl);
    } else if (decl.default) {
      const evaluated = evaluate(child, decl.default, constantNaming);
      value = convertParam(child, type, evaluated, decl.default.span, decl);
    } else {
      if (child.mode !== 'abstract') {
        report(caller, 'MBN211', at, `\`${child.template.name}\` needs parameter \`${decl.name.name}\` (${decl.type?.name ?? 'a value'})`, {
          related: [{ uri: child.uri, span: decl.span, message: 'declared here' }],
        });
      }
      value = unknownValue;
    }
    child.env.set(local, value);
  }
}

function convertParam(f: Frame, type: ParamType | undefined, value: Value, span: Span, decl: ast.ParamDecl): Value {
  if (!type) return value;
  const converted = convert(type, value, span, `parameter \`${decl.name!.name}\``, {
    report: (code, at, message, options) => report(f, code, at, message, options),
    scopeNames: () => f.scope.byName.keys(),
    bindNested: () => undefined,
  });
  return isConverted(converted) ? paramValue(converted, decl) : unknownValue;
}

/** `x -> Block(args)`: inlines the model into the caller's graph. */
export function instantiateModel(f: Frame, template: ModelTemplate, layer: LayerValue, input: Value, naming: Naming, shared?: SharedInstance): Value {
  const site = calleeSpan(layer.site);
  if (f.stack.includes(template)) {
    const chain = [...f.stack.slice(f.stack.indexOf(template)), template].map((t) => t.name).join(' → ');
    report(f, 'MBN204', site, `recursive model instantiation: ${chain}`, {
      notes: ['a model cannot contain itself; repeat a block by applying it several times instead'],
    });
    return unknownValue;
  }
  const scopeName = shared ? shared.name : naming.final && naming.base ? naming.base : naming.base ? `${naming.base}_${snakeName(template.name)}` : snakeName(template.name);
  const child: Frame = {
    session: f.session,
    template,
    scope: f.session.scopeOf(template),
    uri: template.unit.uri,
    mode: f.mode === 'abstract' ? 'abstract' : 'instance',
    env: new Map(),
    prefix: `${f.prefix}${f.mode === 'abstract' || shared ? scopeName : f.session.graph.uniqueName(f.prefix + scopeName).slice(f.prefix.length)}/`,
    stack: [...f.stack, template],
    instantiations: [...f.instantiations, { uri: f.uri, span: site, model: template.name }],
    layerCache: shared ? shared.cache : f.layerCache,
    cacheKeyPrefix: shared ? shared.name : f.layerCache ? `${f.cacheKeyPrefix}/${site.start}` : '',
  };

  // Arguments: by position in declaration order, or by name.
  const given = new Map<string, Value>();
  const spans = new Map<string, Span>();
  const params = template.decl.params.filter((p) => p.name);
  let position = 0;
  for (const arg of layer.args) {
    const decl = arg.name ? params.find((p) => p.name!.name === arg.name!.name) : params[position++];
    if (!decl) {
      if (arg.name) {
        report(f, 'MBN210', arg.name.span, `\`${template.name}\` has no parameter \`${arg.name.name}\``, {
          notes: [params.length ? `its parameters: ${params.map((p) => p.name!.name).join(', ')}` : `\`${template.name}\` takes no parameters`],
        });
      } else {
        report(f, 'MBN214', arg.span, `\`${template.name}\` takes ${params.length} parameter${params.length === 1 ? '' : 's'}, got more`, {
          notes: ['the input tensor is given with `->`, not as an argument: `x -> Block()`'],
        });
      }
      continue;
    }
    if (given.has(decl.name!.name)) {
      report(f, 'MBN215', arg.span, `\`${decl.name!.name}\` is given twice`);
      continue;
    }
    given.set(decl.name!.name, arg.value);
    spans.set(decl.name!.name, arg.span);
  }
  bindParams(f, child, given, site, spans);

  // Inputs, in declaration order.
  const inputDecls = template.decl.body.filter((s): s is ast.InputDecl => s.kind === 'InputDecl' && s.name !== undefined);
  let provided: (TensorValue | undefined)[];
  if (input.kind === 'unknown') provided = inputDecls.map(() => undefined);
  else if (input.kind === 'tuple') provided = input.items.map((item) => expectTensor(f, item, template.name, layer.site.span));
  else provided = [expectTensor(f, input, template.name, layer.site.span)];
  if (provided.length !== inputDecls.length) {
    report(f, 'MBN307', site, `\`${template.name}\` takes ${inputDecls.length} input${inputDecls.length === 1 ? '' : 's'} (${inputDecls.map((d) => d.name!.name).join(', ')}), got ${provided.length}`, {
      ...(inputDecls.length > 1 ? { fix: { title: `pass them as a tuple: (${inputDecls.map((d) => d.name!.name).join(', ')}) -> ${template.name}()` } } : {}),
    });
    return unknownValue;
  }
  const body = runBody(child, { decls: inputDecls, values: provided, caller: f, site });
  const outputs = body.outputs;
  if (outputs.length === 0) {
    report(f, 'MBN205', site, `\`${template.name}\` has no outputs, so using it gives nothing`, {
      related: [{ uri: template.unit.uri, span: template.decl.name?.span ?? template.decl.span, message: 'declared here' }],
    });
    return unknownValue;
  }
  if (outputs.length === 1) return outputs[0]!.value;
  return { kind: 'record', model: template.name, fields: new Map(outputs.map((o) => [o.decl.name!.name, o.value])) };
}

interface ProvidedInputs {
  readonly decls: readonly ast.InputDecl[];
  readonly values: readonly (TensorValue | undefined)[];
  readonly caller: Frame;
  readonly site: Span;
}

function runBody(f: Frame, provided: ProvidedInputs | undefined): BodyResult {
  const outputs: { decl: ast.OutputDecl; value: Value }[] = [];
  const graphOutputs: GraphOutput[] = [];
  let trainBlock: ast.TrainBlock | undefined;
  for (const statement of f.template.decl.body) {
    switch (statement.kind) {
      case 'InputDecl': {
        const decl = declOf(f, statement.name);
        const value = provided ? bindProvidedInput(f, statement, provided) : declareInput(f, statement);
        if (decl) f.env.set(decl, value);
        if (statement.name) f.session.trace(statement.name, value);
        break;
      }
      case 'Binding': {
        const base = statement.names.length === 1 ? statement.names[0]!.name : statement.names.map((n) => n.name).join('_');
        const value = evaluate(f, statement.value, { base, final: true });
        bindNames(f, statement, value);
        break;
      }
      case 'SharedDecl': {
        const decl = declOf(f, statement.name);
        const value = evaluate(f, statement.value, { base: statement.name?.name ?? '', final: true });
        if (!decl) break;
        if (value.kind === 'layer') {
          f.env.set(decl, { kind: 'shared', instance: { name: decl.name, layer: value, decl: statement, cache: new Map(), uses: 0 } });
        } else {
          if (value.kind !== 'unknown') {
            report(f, 'MBN205', statement.value?.span ?? statement.span, `\`shared\` needs a layer or model call such as \`Dense(64)\` or \`Encoder()\`, got ${describeValue(value)}`);
          }
          f.env.set(decl, unknownValue);
        }
        break;
      }
      case 'OutputDecl': {
        const decl = declOf(f, statement.name);
        const value = evaluate(f, statement.value, { base: statement.name?.name ?? 'output', final: true });
        const tensor = value.kind === 'unknown' ? undefined : expectTensor(f, value, `output \`${statement.name?.name}\``, statement.value?.span ?? statement.span);
        const result: Value = tensor ?? unknownValue;
        if (decl) f.env.set(decl, result);
        if (statement.name) {
          f.session.trace(statement.name, result);
          outputs.push({ decl: statement, value: result });
        }
        const settings = outputSettings(f, statement, tensor, hasTrainBlock(f.template));
        if (tensor?.ref && settings && statement.name) {
          graphOutputs.push({ name: statement.name.name, tensor: tensor.ref, ...settings, origin: { uri: f.uri, span: statement.span } });
        }
        break;
      }
      case 'TrainBlock':
        if (trainBlock) {
          report(f, 'MBN405', statement.span, `\`${f.template.name}\` has more than one \`train\` block`, {
            related: [{ uri: f.uri, span: trainBlock.span, message: 'the first one' }],
          });
        } else trainBlock = statement;
        break;
    }
  }
  const training = trainingConfig(f, provided ? undefined : trainBlock);
  return { outputs, graphOutputs, training };
}

function hasTrainBlock(template: ModelTemplate): boolean {
  return template.decl.body.some((s) => s.kind === 'TrainBlock');
}

/** The declaration an identifier of this model declares, if it was declared (not a duplicate). */
function declOf(f: Frame, ident: ast.Identifier | undefined): LocalDecl | undefined {
  if (!ident) return undefined;
  const decl = f.scope.byName.get(ident.name);
  return decl && decl.ident === ident ? decl : undefined;
}

function bindNames(f: Frame, statement: ast.Binding, value: Value): void {
  if (statement.names.length === 1) {
    // The common case, `h = …`, without the arrays the general case below needs.
    const ident = statement.names[0]!;
    const decl = declOf(f, ident);
    f.session.trace(ident, value);
    if (value.kind === 'tuple') {
      report(f, 'MBN205', ident.span, `this gives ${value.items.length} tensors; bind each to a name: \`${Array.from({ length: value.items.length }, (_, i) => `${ident.name}${i + 1}`).join(', ')} = …\``);
      if (decl) f.env.set(decl, unknownValue);
      return;
    }
    if (value.kind === 'layer') {
      const name = ident.name;
      report(f, 'MBN205', statement.value?.span ?? statement.span, `\`${name}\` is a layer that is never applied to a tensor`, {
        notes: [`apply it: \`${name} = x -> …\`, or declare a layer to reuse with \`shared ${name} = …\``],
      });
      if (decl) f.env.set(decl, unknownValue);
      return;
    }
    if (decl) f.env.set(decl, value);
    return;
  }
  bindTuple(f, statement, value);
}

/** `a, b = …`. (A function of its own: its closures made every call of `bindNames` allocate, and almost every binding has one name.) */
function bindTuple(f: Frame, statement: ast.Binding, value: Value): void {
  const decls = statement.names.map((ident) => declOf(f, ident));
  statement.names.forEach((ident, i) => f.session.trace(ident, value.kind === 'tuple' ? value.items[i] ?? unknownValue : unknownValue));
  const items = value.kind === 'tuple' ? value.items : undefined;
  if (value.kind !== 'unknown' && (!items || items.length !== statement.names.length)) {
    report(f, 'MBN205', statement.span, `${statement.names.length} names but the right side gives ${items ? `${items.length} tensors` : describeValue(value)}`);
  }
  decls.forEach((d, i) => {
    if (d) f.env.set(d, items?.[i] ?? unknownValue);
  });
}

/** Evaluates a declared input shape `[32, 32, 3]` (or `[None, 30]`); undefined when unknown. */
function inputShape(f: Frame, decl: ast.InputDecl): Shape | undefined {
  if (!decl.shape) return undefined;
  const value = evaluate(f, decl.shape, constantNaming);
  if (value.kind === 'unknown') return undefined;
  if (value.kind !== 'list' && value.kind !== 'tuple') {
    report(f, 'MBN212', decl.shape.span, `an input shape is a list of dimensions such as [28, 28, 1], got ${describeValue(value)}`);
    return undefined;
  }
  const dims: (number | null)[] = [];
  for (const item of value.items) {
    if (item.kind === 'unknown') return undefined;
    if (item.kind === 'none') {
      dims.push(null);
      continue;
    }
    if (item.kind !== 'number' || !Number.isInteger(item.value)) {
      report(f, 'MBN212', decl.shape.span, `input dimensions are positive ints or None, got ${describeValue(item)}${item.kind === 'number' ? ` (${item.value})` : ''}`);
      return undefined;
    }
    if (item.value < 1) {
      report(f, 'MBN213', decl.shape.span, `input dimensions must be at least 1, got ${item.value}`);
      return undefined;
    }
    if (item.value > sizeLimit) {
      report(f, 'MBN306', decl.shape.span, `input dimension ${item.value.toLocaleString('en-US')} is over the 2^31 - 1 limit`);
      return undefined;
    }
    dims.push(item.value);
  }
  const values = dims.reduce<number>((p, d) => p * (d ?? 1), 1);
  if (values > sizeLimit) {
    report(f, 'MBN306', decl.shape.span, `input \`${decl.name?.name}\` has ${values.toLocaleString('en-US')} values per sample, over the 2^31 - 1 limit`);
    return undefined;
  }
  return dims;
}

function inputDtype(f: Frame, decl: ast.InputDecl): DType {
  if (!decl.dtype) return 'float32';
  if (decl.dtype.name === 'float32' || decl.dtype.name === 'int32') return decl.dtype.name;
  report(f, 'MBN212', decl.dtype.span, `unknown input dtype \`${decl.dtype.name}\`; use float32 (the default) or int32`);
  return 'float32';
}

function declareInput(f: Frame, decl: ast.InputDecl): Value {
  const dtype = inputDtype(f, decl);
  const shape = inputShape(f, decl);
  if (!decl.shape && f.mode === 'top') {
    report(f, 'MBN406', decl.name?.span ?? decl.span, `input \`${decl.name?.name}\` has no shape`, {
      notes: ['give it one, e.g. `input x: [28, 28, 1]`; inputs without a shape are for models used inside other models'],
    });
  }
  if (!shape || !decl.name) return { kind: 'tensor', shape, dtype, ref: undefined };
  if (f.mode !== 'top') return { kind: 'tensor', shape, dtype, ref: undefined };
  const node = f.session.graph.addInput(decl.name.name, shape, dtype, { uri: f.uri, span: decl.span });
  return { kind: 'tensor', shape, dtype, ref: { node, index: 0 } };
}

/** A sub-model input: takes the caller's tensor after checking it against the declared shape. */
function bindProvidedInput(f: Frame, decl: ast.InputDecl, provided: ProvidedInputs): Value {
  const index = provided.decls.indexOf(decl);
  const actual = provided.values[index];
  const dtype = inputDtype(f, decl);
  const declared = inputShape(f, decl);
  if (!actual || !actual.shape) return actual ?? unknownValue;
  const name = decl.name?.name ?? 'input';
  if (declared) {
    const fits = declared.length === actual.shape.length && declared.every((d, i) => d === null || actual.shape![i] === null || d === actual.shape![i]);
    if (!fits) {
      report(provided.caller, 'MBN307', provided.site, `\`${f.template.name}\` expects input \`${name}\` of shape ${formatShape(declared)}, got ${formatShape(actual.shape)}`, {
        related: [{ uri: f.uri, span: decl.span, message: 'input declared here' }],
        notes: ['leave the shape out of the declaration (`input x`) to accept any shape'],
      });
      return { kind: 'tensor', shape: undefined, dtype, ref: undefined };
    }
  }
  if (decl.dtype && actual.dtype !== dtype) {
    report(provided.caller, 'MBN307', provided.site, `\`${f.template.name}\` expects input \`${name}\` as ${dtype}, got ${actual.dtype}`, {
      related: [{ uri: f.uri, span: decl.span, message: 'input declared here' }],
    });
  }
  return actual;
}

