/**
 * Applying layers and merges: binds arguments, runs the catalogue's shape
 * rule, checks size limits, and adds the layer and its node to the graph
 * (reusing the layer when it is shared).
 */
import type { ParamCount, Shape, LayerEntry, MergeEntry, NestedLayer, ParamSpec, Args } from '../catalogue/types.js';
import { formatShape } from '../catalogue/shape.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { argumentSpan, bindArguments, type BindContext, type BoundArgs } from './bind.js';
import { cacheLayer, cachedLayer, report, snakeName, type Frame } from './context.js';
import { calleeSpan, expectTensor, type Naming } from './evaluate.js';
import type { DType, LayerInstance, LayerNode, Origin, TensorRef } from './graph.js';
import { instantiateModel } from './instantiate.js';
import { unknownValue, type EvaluatedArgument, type SharedInstance, type TensorValue, type Value } from './values.js';

export const sizeLimit = 2 ** 31 - 1;

const bindContexts = new WeakMap<Frame, BindContext>();

/** The frame's binding context, made once: binding runs for every layer call. */
function bindContextOf(f: Frame): BindContext {
  let ctx = bindContexts.get(f);
  if (!ctx) {
    ctx = {
      uri: f.uri,
      report: (code, span, message, options) => report(f, code, span, message, options),
      scopeNames: () => f.scope.byName.keys(),
      bindNested: (value, span) => bindNested(f, value, span),
    };
    bindContexts.set(f, ctx);
  }
  return ctx;
}

export function bindCall(
  f: Frame,
  params: readonly ParamSpec[],
  args: readonly EvaluatedArgument[],
  callee: string,
  at: Span,
  validate?: (args: Args) => { param: string; message: string } | undefined,
): BoundArgs {
  const bound = bindArguments(params, args, bindContextOf(f), callee, at);
  if (bound.complete && validate) {
    const problem = validate(bound.args);
    if (problem) {
      report(f, 'MBN213', argumentSpan(bound, problem.param) ?? at, `${callee}: ${problem.message}`);
      return { ...bound, complete: false };
    }
  }
  return bound;
}

function bindNested(f: Frame, value: Value, span: Span): NestedLayer | undefined {
  if (value.kind !== 'layer' || value.callee.kind !== 'entry' || value.callee.entry.kind !== 'layer') {
    report(f, 'MBN212', span, 'expected a layer such as `LSTM(32)` here');
    return undefined;
  }
  const entry = value.callee.entry;
  const bound = bindCall(f, entry.params, value.args, entry.name, calleeSpan(value.site), entry.validate);
  return bound.complete ? { kind: 'layer', entry, args: bound.args } : undefined;
}

function layerName(f: Frame, entryName: string, naming: Naming): string {
  const local = naming.base ? (naming.final ? naming.base : `${naming.base}_${snakeName(entryName)}`) : snakeName(entryName);
  return f.prefix + local;
}

const unknownTensor = (dtype: DType = 'float32'): TensorValue => ({ kind: 'tensor', shape: undefined, dtype, ref: undefined });

/** Reports shapes or parameter counts beyond what tfjs can hold; true when within limits. */
function withinLimits(f: Frame, at: Span, what: string, shapes: readonly Shape[], params: ParamCount): boolean {
  for (let s = 0; s < shapes.length; s++) if (!shapeWithinLimits(f, at, what, shapes[s]!)) return false;
  return paramsWithinLimits(f, at, what, params);
}

function shapeWithinLimits(f: Frame, at: Span, what: string, shape: Shape): boolean {
  let values = 1;
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k]!;
    if (d === null) continue;
    if (d > sizeLimit) {
      report(f, 'MBN306', at, `${what} gives a dimension of ${d.toLocaleString('en-US')}, over the 2^31 - 1 limit`);
      return false;
    }
    values *= d;
  }
  if (values > sizeLimit) {
    report(f, 'MBN306', at, `${what} output ${formatShape(shape)} has ${values.toLocaleString('en-US')} values per sample, over the 2^31 - 1 limit`);
    return false;
  }
  return true;
}

function paramsWithinLimits(f: Frame, at: Span, what: string, params: ParamCount): boolean {
  const count = params.trainable + params.nonTrainable;
  if (count > sizeLimit) {
    report(f, 'MBN306', at, `${what} would have ${count.toLocaleString('en-US')} parameters, over the 2^31 - 1 limit of a tfjs weight`, {
      notes: ['reduce the layer width, or shrink the input first (pooling, a smaller Dense)'],
    });
    return false;
  }
  return true;
}

/** The dtype problems a layer can have with its input, or undefined. */
function dtypeProblem(entry: LayerEntry, input: TensorValue): string | undefined {
  if (entry.inputDtype === 'int32' && input.dtype !== 'int32') {
    return `${entry.name} takes integer ids, but its input is float32`;
  }
  if (!entry.inputDtype && input.dtype === 'int32' && entry.category !== 'reshaping') {
    return `${entry.name} needs float input, but its input holds int32 ids`;
  }
  return undefined;
}

/**
 * Finds or creates the layer instance for a call site inside a shared
 * instance, which reuses its layers on every application. (Elsewhere every
 * call creates its layer with `addLayer`.)
 */
function sharedLayer(
  f: Frame,
  key: string,
  name: string,
  entry: LayerEntry | MergeEntry,
  args: Args,
  params: ParamCount,
  origin: Origin,
  inputShape: () => string,
): LayerInstance | undefined {
  const site = origin.span;
  const existing = cachedLayer(f, key);
  if (existing) {
    const same = existing.params.trainable === params.trainable && existing.params.nonTrainable === params.nonTrainable;
    if (!same) {
      report(f, 'MBN300', site, `shared layer \`${existing.name}\` has weights for another input shape and cannot take ${inputShape()} here`, {
        related: [{ uri: existing.origin.uri, span: existing.origin.span, message: 'its weights were created here' }],
        notes: ['a shared layer keeps one set of weights, so every input must have the shape its weights were built for'],
      });
      return undefined;
    }
    return existing;
  }
  const layer = f.session.graph.addLayer(name, entry, args, params, origin);
  cacheLayer(f, key, layer);
  return layer;
}

export function applyLayerEntry(
  f: Frame,
  entry: LayerEntry,
  bound: BoundArgs,
  input: TensorValue,
  site: ast.Call | ast.NameRef,
  naming: Naming,
  sharedName?: string,
): Value {
  const at = site.span;
  if (!input.shape || !bound.complete) return unknownTensor();
  const badType = dtypeProblem(entry, input);
  if (badType) {
    report(f, 'MBN300', at, badType, {
      fix: { title: entry.inputDtype ? 'declare the input with `int32`, e.g. `input ids: [20] int32`' : 'turn ids into vectors with Embedding(vocabulary, size) first' },
    });
    return unknownTensor();
  }
  const result = entry.outputShape(input.shape, bound.args);
  if ('problem' in result) {
    const { problem } = result;
    report(f, problem.code ?? 'MBN300', at, problem.message, {
      notes: problem.notes ?? [],
      ...(problem.fix
        ? { fix: { title: problem.fix.title, edits: problem.fix.insertBefore ? [{ span: { start: at.start, end: at.start }, newText: `${problem.fix.insertBefore} -> ` }] : [] } }
        : {}),
    });
    return unknownTensor();
  }
  const params = entry.paramCount(input.shape, bound.args);
  if (!shapeWithinLimits(f, at, entry.name, result.shape) || !paramsWithinLimits(f, at, entry.name, params)) return unknownTensor();
  const dtype: DType = entry.category === 'reshaping' ? input.dtype : 'float32';
  if (f.mode === 'abstract' || !input.ref) return { kind: 'tensor', shape: result.shape, dtype, ref: undefined };
  const name = sharedName ?? layerName(f, entry.name, naming);
  const shape = input.shape;
  // One origin for the layer and its node: both are this call.
  const origin: Origin = { uri: f.uri, span: at };
  const layer = f.layerCache
    ? sharedLayer(f, sharedName ? 'shared' : `${at.start}:${entry.name}`, name, entry, bound.args, params, origin, describeShapes([shape]))
    : f.session.graph.addLayer(name, entry, bound.args, params, origin);
  if (!layer) return unknownTensor();
  const node = f.session.graph.apply(layer, [input.ref], [result.shape], dtype, origin);
  return { kind: 'tensor', shape: result.shape, dtype, ref: { node, index: 0 } };
}

/** What a merge gives: one tensor, or a tuple of them (`switch`). */
function mergeOutputs(shapes: readonly (Shape | undefined)[], refs: TensorRef[] | undefined, dtype: DType): Value {
  return shapes.length === 1
    ? { kind: 'tensor', shape: shapes[0], dtype, ref: refs?.[0] }
    : { kind: 'tuple', items: shapes.map((shape, i) => ({ kind: 'tensor', shape, dtype, ref: refs?.[i] })) };
}

function outputRefs(node: LayerNode, count: number): TensorRef[] {
  const refs: TensorRef[] = [];
  for (let index = 0; index < count; index++) refs.push({ node, index });
  return refs;
}

function unknownMergeOutputs(entry: MergeEntry, inputs: readonly unknown[]): Value {
  return entry.name === 'switch' ? { kind: 'tuple', items: inputs.slice(1).map(() => unknownTensor()) } : unknownTensor();
}

/**
 * Input shapes as a message reads them, made only if the message is. (A
 * function of its own: a closure made in the callers would have them
 * allocate on every call.)
 */
function describeShapes(shapes: readonly Shape[]): () => string {
  return () => shapes.map((s) => formatShape(s)).join(', ');
}

export function applyMergeEntry(
  f: Frame,
  entry: MergeEntry,
  bound: BoundArgs,
  inputs: readonly { value: TensorValue | undefined; span: Span }[],
  site: ast.Call | ast.NameRef | ast.Index,
  naming: Naming,
): Value {
  const at = site.span;
  if (!bound.complete || inputs.some((i) => !i.value?.shape)) return unknownMergeOutputs(entry, inputs);
  const shapes = inputs.map((i) => i.value!.shape!);
  const result = entry.outputShapes(shapes, bound.args);
  if ('problem' in result) {
    const { problem } = result;
    const where = (problem.param ? argumentSpan(bound, problem.param) : undefined) ?? (problem.input !== undefined ? inputs[problem.input]?.span ?? at : at);
    report(f, problem.code ?? 'MBN301', where, problem.message, {
      notes: problem.notes ?? [],
      ...(problem.fix ? { fix: { title: problem.fix.title, edits: [] } } : {}),
    });
    return unknownMergeOutputs(entry, inputs);
  }
  const params = entry.paramCount(shapes, bound.args);
  if (!withinLimits(f, at, entry.name, result.shapes, params)) return unknownMergeOutputs(entry, inputs);
  const dtype: DType = entry.name === 'slice' ? inputs[0]!.value!.dtype : 'float32';
  if (f.mode === 'abstract' || inputs.some((i) => !i.value!.ref)) return mergeOutputs(result.shapes, undefined, dtype);
  const name = layerName(f, entry.name, naming);
  const origin: Origin = { uri: f.uri, span: at };
  const layer = f.layerCache
    ? sharedLayer(f, `${at.start}:${entry.name}`, name, entry, bound.args, params, origin, describeShapes(shapes))
    : f.session.graph.addLayer(name, entry, bound.args, params, origin);
  if (!layer) return unknownMergeOutputs(entry, inputs);
  const node = f.session.graph.apply(layer, inputs.map((i) => i.value!.ref!), result.shapes, dtype, origin);
  return mergeOutputs(result.shapes, outputRefs(node, result.shapes.length), dtype);
}

/** `x -> enc` where `shared enc = …`: the same weights on every application. */
export function applyShared(f: Frame, instance: SharedInstance, input: Value, stage: ast.Stage): Value {
  instance.uses++;
  const layer = instance.layer;
  if (layer.callee.kind === 'model') {
    return instantiateModel(f, layer.callee.template, layer, input, { base: instance.name, final: true }, instance);
  }
  const entry = layer.callee.entry;
  let bound = instance.cache.get('args') as BoundArgs | undefined;
  if (!bound) {
    bound = bindCall(f, entry.params, layer.args, entry.name, calleeSpan(layer.site), entry.validate);
    instance.cache.set('args', bound);
  }
  const tensor = expectTensor(f, input, instance.name, stage.span);
  if (!tensor) return unknownValue;
  const sharedFrame: Frame = { ...f, layerCache: instance.cache, cacheKeyPrefix: '' };
  return applyLayerEntry(sharedFrame, entry, bound, tensor, stage, { base: instance.name, final: true }, f.prefix + instance.name);
}
