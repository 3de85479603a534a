/**
 * Expression evaluation: constants are computed, layer calls are applied to
 * tensors, and every application is shape-checked as it is added to the graph.
 */
import { slice as sliceOp } from '../catalogue/merges.js';
import type { LayerEntry, MergeEntry } from '../catalogue/types.js';
import type * as ast from '../syntax/ast.js';
import { cover, span, type Span } from '../syntax/source.js';
import { closest } from '../util/suggest.js';
import { applyLayerEntry, applyMergeEntry, applyShared, bindCall } from './apply.js';
import { report, type Frame } from './context.js';
import { instantiateModel } from './instantiate.js';
import { functionalLayers, type Target } from './resolve.js';
import { describeValue, unknownValue, type EvaluatedArgument, type LayerValue, type TensorValue, type Value } from './values.js';

/** How layers created by an expression are named: the statement's name for its last step. */
export interface Naming {
  readonly base: string;
  readonly final: boolean;
}

/** The naming of a step inside an expression; allocated only when it differs from `naming`. */
const inner = (naming: Naming): Naming => (naming.final ? { base: naming.base, final: false } : naming);

/** For expressions that compute constants (shapes, indexes): they create no layers. */
export const constantNaming: Naming = Object.freeze({ base: '', final: false });

export function evaluate(f: Frame, expr: ast.Expression | undefined, naming: Naming): Value {
  if (!expr) return unknownValue;
  const value = evaluateUntraced(f, expr, naming);
  f.session.trace(expr, value);
  return value;
}

function evaluateUntraced(f: Frame, expr: ast.Expression, naming: Naming): Value {
  switch (expr.kind) {
    case 'NumberLiteral':
      return { kind: 'number', value: expr.value, isInt: expr.isInteger };
    case 'StringLiteral':
      return { kind: 'string', value: expr.value };
    case 'BooleanLiteral':
      return { kind: 'bool', value: expr.value };
    case 'NoneLiteral':
      return { kind: 'none' };
    case 'NameRef':
      return evaluateName(f, expr);
    case 'ListLiteral':
      return { kind: 'list', items: evaluateItems(f, expr.items, naming) };
    case 'TupleLiteral': {
      const items = evaluateItems(f, expr.items, naming);
      // A tuple whose `)` is missing may have been meant as something else; do not pile errors on it.
      return expr.recovered ? unknownValue : { kind: 'tuple', items };
    }
    case 'Unary':
      return evaluateUnary(f, expr);
    case 'Binary':
      return evaluateBinary(f, expr);
    case 'Call':
      return evaluateCall(f, expr, naming);
    case 'Pipeline': {
      // Every stage but the last is named as an inner step; the last takes the statement's name.
      const steps = inner(naming);
      let value = evaluate(f, expr.source, steps);
      const last = expr.stages.length - 1;
      for (let i = 0; i <= last; i++) {
        const stage = expr.stages[i]!;
        value = applyStage(f, stage, value, i === last ? naming : steps);
        f.session.trace(stage, value);
      }
      return value;
    }
    case 'Index':
      return evaluateIndex(f, expr, naming);
    case 'Member':
      return evaluateMember(f, expr);
  }
}

/**
 * The items of a list or tuple. (A function of its own, not a closure in
 * `evaluateUntraced`: a closure there made every call allocate a context.)
 */
function evaluateItems(f: Frame, items: readonly ast.Expression[], naming: Naming): Value[] {
  const itemNaming = inner(naming);
  const values: Value[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) values[i] = evaluate(f, items[i], itemNaming);
  return values;
}

function evaluateName(f: Frame, ref: ast.NameRef): Value {
  const target = f.scope.refs.get(ref.name);
  if (!target) return { kind: 'symbol', name: ref.name.name, ident: ref.name };
  switch (target.kind) {
    case 'local':
      return f.env.get(target.decl) ?? unknownValue;
    case 'model':
      return { kind: 'layer', callee: { kind: 'model', template: target.template }, site: ref, args: [] };
    case 'entry':
      if (target.entry.kind === 'merge') {
        report(f, 'MBN205', ref.span, `\`${ref.name.name}\` is an operation on tensors; call it: ${ref.name.name}(${target.entry.inputsDoc})`);
        return unknownValue;
      }
      return { kind: 'layer', callee: { kind: 'entry', entry: target.entry }, site: ref, args: [] };
    case 'function':
      return bindFunction(f, target, ref.name.span, []);
  }
}

/** The arguments of a call without any (`Flatten()`, or a stage that is a bare name): one array for all of them. */
const noArguments: readonly EvaluatedArgument[] = Object.freeze([]);

export function evaluateArguments(f: Frame, args: readonly ast.Argument[], naming: Naming): readonly EvaluatedArgument[] {
  if (args.length === 0) return noArguments;
  const argNaming = inner(naming);
  const out: EvaluatedArgument[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    out[i] = { name: arg.name, value: evaluate(f, arg.value, argNaming), span: arg.span, valueSpan: arg.value?.span ?? arg.span };
  }
  return out;
}

function bindFunction(f: Frame, target: Extract<Target, { kind: 'function' }>, at: Span, args: readonly EvaluatedArgument[]): Value {
  const bound = bindCall(f, target.entry.params, args, target.entry.name, at);
  if (!bound.complete) return unknownValue;
  if (target.entry.kind === 'optimizer') return { kind: 'optimizer', entry: target.entry, args: bound.args };
  const l1 = (bound.args['l1'] as number | undefined) ?? 0;
  const l2 = (bound.args['l2'] as number | undefined) ?? 0;
  return { kind: 'regularizer', value: { kind: 'regularizer', l1, l2 } };
}

function evaluateCall(f: Frame, call: ast.Call, naming: Naming): Value {
  const target = f.scope.refs.get(call.callee);
  const args = evaluateArguments(f, call.args, naming);
  if (!target || target.kind === 'local') return unknownValue; // reported by the resolver
  if (target.kind === 'function') return bindFunction(f, target, call.callee.span, args);
  if (target.kind === 'entry' && target.entry.kind === 'merge') {
    return applyMerge(f, target.entry, call, [], args, naming);
  }
  const functional = functionalLayers.get(call.callee.name);
  if (target.kind === 'entry' && functional) {
    // `flatten(x)`, `reshape(x, [4, 8])`: the first argument is the tensor.
    const [first, ...rest] = args;
    if (!first || first.name) {
      report(f, 'MBN211', call.callee.span, `${call.callee.name}(…) needs the tensor as its first argument, e.g. ${call.callee.name}(x)`);
      return unknownValue;
    }
    const layer: LayerValue = { kind: 'layer', callee: { kind: 'entry', entry: target.entry as LayerEntry }, site: call, args: rest };
    return applyLayerValue(f, layer, first.value, first.span, naming);
  }
  const callee = target.kind === 'model' ? ({ kind: 'model', template: target.template } as const) : ({ kind: 'entry', entry: target.entry as LayerEntry } as const);
  return { kind: 'layer', callee, site: call, args };
}

/** `x -> Stage`: applies a layer, a sub-model, a shared layer or an operation to the value before it. */
export function applyStage(f: Frame, stage: ast.Stage, input: Value, naming: Naming): Value {
  const ident = stage.kind === 'NameRef' ? stage.name : stage.callee;
  const target = f.scope.refs.get(ident);
  const args = stage.kind === 'Call' ? evaluateArguments(f, stage.args, naming) : noArguments;
  if (!target) return unknownValue; // reported by the resolver
  switch (target.kind) {
    case 'local': {
      const value = f.env.get(target.decl);
      if (value?.kind !== 'shared') return unknownValue;
      if (stage.kind === 'Call') {
        report(f, 'MBN203', stage.argsSpan, `shared layer \`${ident.name}\` already has its arguments; apply it as \`-> ${ident.name}\``, {
          fix: { title: 'remove the parentheses', edits: [{ span: stage.argsSpan, newText: '' }] },
        });
      }
      return applyShared(f, value.instance, input, stage);
    }
    case 'function':
      report(f, 'MBN203', ident.span, `\`${ident.name}\` is ${target.entry.kind === 'optimizer' ? 'an optimizer' : 'a regularizer'}, not a layer`);
      return unknownValue;
    case 'model':
    case 'entry': {
      if (target.kind === 'entry' && target.entry.kind === 'merge') {
        return applyMerge(f, target.entry, stage, [{ name: undefined, value: input, span: stageSourceSpan(stage) }], args, naming);
      }
      if (target.kind === 'entry') return applyEntry(f, target.entry as LayerEntry, stage, args, input, stageSourceSpan(stage), naming);
      return applyLayerValue(f, { kind: 'layer', callee: { kind: 'model', template: target.template }, site: stage, args }, input, stageSourceSpan(stage), naming);
    }
  }
}

/** The span a stage's input is blamed at: the stage itself. */
function stageSourceSpan(stage: ast.Stage): Span {
  return stage.span;
}

/** Applies an unapplied layer or sub-model to an input value. */
export function applyLayerValue(f: Frame, layer: LayerValue, input: Value, inputSpan: Span, naming: Naming): Value {
  if (layer.callee.kind === 'model') return instantiateModel(f, layer.callee.template, layer, input, naming);
  return applyEntry(f, layer.callee.entry, layer.site, layer.args, input, inputSpan, naming);
}

/** Applies a catalogue layer called at `site` with `args` to an input value. */
function applyEntry(f: Frame, entry: LayerEntry, site: ast.Call | ast.NameRef, args: readonly EvaluatedArgument[], input: Value, inputSpan: Span, naming: Naming): Value {
  const bound = bindCall(f, entry.params, args, entry.name, calleeSpan(site), entry.validate);
  const tensor = expectTensor(f, input, entry.name, inputSpan);
  if (!tensor) return unknownValue;
  return applyLayerEntry(f, entry, bound, tensor, site, naming);
}

export function calleeSpan(site: ast.Call | ast.NameRef): Span {
  return site.kind === 'Call' ? site.callee.span : site.name.span;
}

/** A single tensor input, or a reported error. */
export function expectTensor(f: Frame, value: Value, what: string, at: Span): TensorValue | undefined {
  if (value.kind === 'tensor') return value;
  if (value.kind === 'unknown') return undefined;
  if (value.kind === 'tuple') {
    report(f, 'MBN205', at, `${what} takes one tensor, got ${describeValue(value)}`, {
      fix: { title: 'merge them first, e.g. concat(a, b) -> ' + what + '(…)' },
    });
    return undefined;
  }
  if (value.kind === 'record') {
    const names = [...value.fields.keys()];
    report(f, 'MBN205', at, `${what} takes one tensor, but \`${value.model}\` has ${names.length} outputs`, {
      fix: { title: `pick one output, e.g. \`.${names[0]}\`` },
    });
    return undefined;
  }
  if (value.kind === 'layer' || value.kind === 'shared') {
    report(f, 'MBN205', at, `${what} needs a tensor, got ${describeValue(value)}`, {
      notes: ['a layer is applied to a tensor with `->`: `x -> Dense(10)`'],
    });
    return undefined;
  }
  if (value.kind === 'symbol') {
    const suggestion = closest(value.name, f.scope.byName.keys());
    report(f, 'MBN200', value.ident.span, `undefined name \`${value.name}\``, {
      ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: value.ident.span, newText: suggestion }] } } : {}),
      notes: ['names must be declared above their use: `input x: […]` or `x = …`'],
    });
    return undefined;
  }
  report(f, 'MBN205', at, `${what} needs a tensor, got ${describeValue(value)}`);
  return undefined;
}

/**
 * A merge call: leading arguments that are tensors (or lists of tensors) are
 * its inputs, the rest are its parameters. In a pipeline the piped value comes first.
 */
function applyMerge(f: Frame, entry: MergeEntry, site: ast.Call | ast.NameRef, piped: readonly EvaluatedArgument[], args: readonly EvaluatedArgument[], naming: Naming): Value {
  const inputs: { value: TensorValue | undefined; span: Span }[] = [];
  let rest = args;
  const isTensorLike = (v: Value) => v.kind === 'tensor' || v.kind === 'tuple' || v.kind === 'record' || (v.kind === 'unknown');
  const take = (arg: EvaluatedArgument): boolean => {
    const v = arg.value;
    if (v.kind === 'list' && v.items.length > 0 && v.items.every((i) => i.kind === 'tensor' || i.kind === 'unknown')) {
      for (const item of v.items) inputs.push({ value: item.kind === 'tensor' ? item : undefined, span: arg.span });
      return true;
    }
    if (v.kind === 'symbol' && !f.scope.byName.has(v.name)) return false;
    if (!isTensorLike(v)) return false;
    if (v.kind === 'unknown' && inputs.length >= entry.minInputs) return false;
    inputs.push({ value: expectTensor(f, v, entry.name, arg.span), span: arg.span });
    return true;
  };
  for (const arg of piped) take(arg);
  while (rest.length > 0 && !rest[0]!.name && take(rest[0]!)) rest = rest.slice(1);
  // A bare name among the first arguments that is not a tensor is most likely a typo for one.
  if (inputs.length < entry.minInputs && rest[0] && !rest[0].name && rest[0].value.kind === 'symbol') {
    expectTensor(f, rest[0].value, entry.name, rest[0].span);
    return unknownValue;
  }
  const bound = bindCall(f, entry.params, rest, entry.name, calleeSpan(site), entry.validate);
  const callSpan = site.span;
  if (inputs.length < entry.minInputs) {
    report(f, 'MBN211', callSpan, `${entry.name} needs at least ${entry.minInputs} tensors (${entry.inputsDoc}), got ${inputs.length}`);
    return unknownValue;
  }
  if (inputs.length > entry.maxInputs) {
    report(f, 'MBN214', cover(inputs[entry.maxInputs]!.span, inputs[inputs.length - 1]!.span),
      `${entry.name} takes ${entry.maxInputs === 1 ? 'one tensor' : `${entry.maxInputs} tensors`} (${entry.inputsDoc}), got ${inputs.length}`);
    return unknownValue;
  }
  return applyMergeEntry(f, entry, bound, inputs, site, naming);
}

function evaluateIndex(f: Frame, expr: ast.Index, naming: Naming): Value {
  const target = evaluate(f, expr.target, inner(naming));
  if (target.kind === 'list' || target.kind === 'tuple') return indexList(f, target.items, expr);
  const tensor = expectTensor(f, target, 'indexing', expr.target.span);
  if (!tensor) return unknownValue;
  const items = expr.items.map((item) =>
    item.kind === 'Position'
      ? { kind: 'Position' as const, span: item.span, value: constInt(f, item.value) }
      : { kind: 'Range' as const, span: item.span, start: constInt(f, item.start), stop: constInt(f, item.stop), step: constInt(f, item.step) },
  );
  if (!tensor.shape) return { kind: 'tensor', shape: undefined, dtype: tensor.dtype, ref: undefined };
  const shape = tensor.shape;
  const indexSpan = span(expr.target.span.end, expr.span.end);
  if (items.length > shape.length) {
    const first = expr.items[0];
    const leadingBatch = first?.kind === 'Range' && !first.start && !first.stop && items.length === shape.length + 1;
    report(f, 'MBN305', indexSpan, `${items.length} indices for a tensor with ${shape.length} non-batch ${shape.length === 1 ? 'axis' : 'axes'} (shape ${fmt(shape)})`, {
      notes: ['indices count the axes after the batch axis: `p[0:1]` on [None, 2] takes the first column'],
      ...(leadingBatch && first ? { fix: { title: 'drop the leading `:` for the batch axis', edits: [{ span: span(first.span.start, expr.items[1]!.span.start), newText: '' }] } } : {}),
    });
    return unknownValue;
  }
  const begin: number[] = [];
  const end: number[] = [];
  const squeeze: number[] = [];
  for (let axis = 0; axis < items.length; axis++) {
    const item = items[axis]!;
    const size = shape[axis]!;
    const normalise = (n: number) => (n < 0 && size !== null ? size + n : n);
    const outOfRange = (message: string) => {
      report(f, 'MBN305', item.span, `${message} on axis ${axis + 1} of ${fmt(shape)}`);
      return unknownValue;
    };
    if (item.kind === 'Position') {
      if (item.value === 'unknown') return unknownValue;
      if (item.value === undefined) return outOfRange('an empty index');
      const i = normalise(item.value);
      if (i < 0 || (size !== null && i >= size)) return outOfRange(`index ${item.value} is out of range for size ${size}`);
      begin.push(i);
      end.push(i + 1);
      squeeze.push(axis);
      continue;
    }
    if (item.start === 'unknown' || item.stop === 'unknown' || item.step === 'unknown') return unknownValue;
    if (item.step !== undefined && item.step !== 1) return outOfRange(`slices with a step (${item.step}) are not supported`);
    const start = normalise(item.start ?? 0);
    if (item.stop === undefined && size === null) return outOfRange('a slice to the end of an axis of unknown size');
    const stop = normalise(item.stop ?? (size as number));
    if (start < 0 || (size !== null && (start > size || stop > size)) || stop <= start) {
      return outOfRange(`slice ${item.start ?? ''}:${item.stop ?? ''} is empty or out of range for size ${size}`);
    }
    begin.push(start);
    end.push(stop);
  }
  const args = { begin, end, squeeze };
  return applyMergeEntry(f, sliceOp, { args, complete: true, params: [], given: [] }, [{ value: tensor, span: expr.target.span }], expr, naming);
}

function indexList(f: Frame, items: readonly Value[], expr: ast.Index): Value {
  const first = expr.items[0];
  if (expr.items.length !== 1 || first?.kind !== 'Position') {
    report(f, 'MBN305', expr.span, 'a list takes one index, e.g. `shape[0]`');
    return unknownValue;
  }
  const i = constInt(f, first.value);
  if (i === 'unknown' || i === undefined) return unknownValue;
  const at = i < 0 ? items.length + i : i;
  if (at < 0 || at >= items.length) {
    report(f, 'MBN305', first.span, `index ${i} is out of range for a list of ${items.length}`);
    return unknownValue;
  }
  return items[at]!;
}

function evaluateMember(f: Frame, expr: ast.Member): Value {
  const target = evaluate(f, expr.target, constantNaming);
  if (!expr.name || target.kind === 'unknown') return unknownValue;
  if (target.kind === 'record') {
    const field = target.fields.get(expr.name.name);
    if (field) return field;
    const suggestion = closest(expr.name.name, target.fields.keys());
    report(f, 'MBN200', expr.name.span, `\`${target.model}\` has no output \`${expr.name.name}\``, {
      notes: [`its outputs: ${[...target.fields.keys()].join(', ')}`],
      ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: expr.name.span, newText: suggestion }] } } : {}),
    });
    return unknownValue;
  }
  if (target.kind === 'tensor' && target.shape && expr.name.name === 'shape') {
    return { kind: 'list', items: target.shape.map((d) => (d === null ? { kind: 'none' } : { kind: 'number', value: d, isInt: true })) };
  }
  report(f, 'MBN205', expr.name.span, `${describeValue(target)} has no member \`${expr.name.name}\``, {
    notes: ['`.name` picks one output of a sub-model with several outputs; `.shape` gives a tensor\'s shape'],
  });
  return unknownValue;
}

/** An int constant (an index), `undefined` when absent, 'unknown' when not known. */
function constInt(f: Frame, expr: ast.Expression | undefined): number | undefined | 'unknown' {
  if (!expr) return undefined;
  const value = evaluate(f, expr, constantNaming);
  if (value.kind === 'unknown') return 'unknown';
  if (value.kind === 'number' && Number.isInteger(value.value)) return value.value;
  report(f, 'MBN212', expr.span, `an index must be an int, got ${describeValue(value)}`);
  return 'unknown';
}

function fmt(shape: readonly (number | null)[]): string {
  return `[${['None', ...shape.map((d) => (d === null ? 'None' : String(d)))].join(', ')}]`;
}

// ------------------------------------------------------------------ constants

const tensorOps: Record<string, string> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'a Dense or a custom merge', '%': 'nothing in mbn' };

function evaluateUnary(f: Frame, expr: ast.Unary): Value {
  const operand = evaluate(f, expr.operand, constantNaming);
  if (operand.kind === 'unknown') return unknownValue;
  if (operand.kind === 'number') return { kind: 'number', value: -operand.value, isInt: operand.isInt };
  report(f, 'MBN206', expr.span, `cannot negate ${describeValue(operand)}`);
  return unknownValue;
}

function evaluateBinary(f: Frame, expr: ast.Binary): Value {
  const left = evaluate(f, expr.left, constantNaming);
  const right = evaluate(f, expr.right, constantNaming);
  if (left.kind === 'unknown' || right.kind === 'unknown') return unknownValue;
  if (left.kind === 'tensor' || right.kind === 'tensor') {
    const op = tensorOps[expr.operator]!;
    report(f, 'MBN206', expr.span, `arithmetic on tensors is written as a merge: use ${op === 'add' || op === 'subtract' || op === 'multiply' ? `\`${op}(a, b)\`` : op}`, {
      notes: ['`+ - * /` compute constants (shapes, sizes); tensors are combined by merges so that every step is a layer', 'for `alpha*a + (1-alpha)*b` use `weighted_sum(a, b, alpha: …)`'],
    });
    return unknownValue;
  }
  if (left.kind === 'string' && right.kind === 'string' && expr.operator === '+') return { kind: 'string', value: left.value + right.value };
  if (left.kind !== 'number' || right.kind !== 'number') {
    report(f, 'MBN206', expr.span, `\`${expr.operator}\` needs numbers, got ${describeValue(left)} and ${describeValue(right)}`);
    return unknownValue;
  }
  const a = left.value;
  const b = right.value;
  const ints = left.isInt && right.isInt;
  let value: number;
  switch (expr.operator) {
    case '+':
      value = a + b;
      break;
    case '-':
      value = a - b;
      break;
    case '*':
      value = a * b;
      break;
    case '/':
    case '%':
      if (b === 0) {
        report(f, 'MBN206', expr.right?.span ?? expr.span, 'division by zero');
        return unknownValue;
      }
      value = expr.operator === '/' ? a / b : a % b;
      break;
  }
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    report(f, 'MBN306', expr.span, `${expr.operator === '*' ? 'product' : 'result'} ${value} is too large`, { notes: ['sizes must stay below 2^31'] });
    return unknownValue;
  }
  return { kind: 'number', value, isInt: ints && expr.operator !== '/' };
}

export { inner };
