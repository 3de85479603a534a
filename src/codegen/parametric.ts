/**
 * Which values of a layer's tfjs config come from the model's parameters,
 * and how.
 *
 * The catalogue turns bound arguments into a tfjs config with ordinary code:
 * `kernel_size: k` becomes `kernelSize: [k, k]`, `alpha: a` becomes
 * `weights: [a, 1 - a]`, `hard_sigmoid` becomes `hardSigmoid`. Rather than
 * restate those rules for symbolic values, codegen runs the front end and the
 * catalogue again on the same call with the parameters changed, and watches
 * which config values move with which argument expressions. A value equal to
 * an expression in every run is that expression; one that moves linearly
 * with it is `k * expr + c`; one that follows a name or a flag is a lookup.
 * Anything else is reported rather than silently fixed to one value.
 */
import { lookupEntry } from '../catalogue/index.js';
import type { ParamSpec, ParamType, Shape, TfjsLayer } from '../catalogue/types.js';
import { DiagnosticSink } from '../diagnostics/diagnostic.js';
import type { Frame, Session } from '../semantics/context.js';
import { applyLayerValue, applyStage, constantNaming, evaluate } from '../semantics/evaluate.js';
import { GraphBuilder, shapeOf, type DType } from '../semantics/graph.js';
import type { ModelTemplate, Program } from '../semantics/program.js';
import { functionalLayers, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { CodegenError } from './errors.js';
import { referencedLocals, type Code } from './expressions.js';

/** A tensor (or tuple or record of them) the probe feeds in: only its shape and dtype matter. */
export type FakeValue =
  | { readonly kind: 'tensor'; readonly shape: Shape; readonly dtype: DType }
  | { readonly kind: 'tuple'; readonly items: readonly FakeValue[] }
  | { readonly kind: 'record'; readonly model: string; readonly fields: ReadonlyMap<string, FakeValue> };

/** The model instance a site is probed in. */
export interface ProbeScope {
  readonly program: Program;
  readonly scopeOf: (template: ModelTemplate) => ModelScope;
  readonly template: ModelTemplate;
  readonly scope: ModelScope;
  /** The parameter values the instance was elaborated with. */
  readonly params: ReadonlyMap<LocalDecl, Value>;
  /** Constant bindings (`n = units * 2`) in statement order, recomputed in every run. */
  readonly constants: readonly { readonly decl: LocalDecl; readonly expr: ast.Expression }[];
  /** The tensor-valued locals defined before the site. */
  readonly tensors: ReadonlyMap<LocalDecl, FakeValue>;
}

/** What makes the layer: a pipeline stage applied to the piped value, a merge/functional call or a slice, or a shared layer applied to a tensor. */
export type ProbeSite =
  | { readonly kind: 'stage'; readonly stage: ast.Stage; readonly input: FakeValue }
  | { readonly kind: 'expression'; readonly expr: ast.Call | ast.Index }
  | { readonly kind: 'shared'; readonly call: ast.Expression; readonly input: FakeValue };

export type LeafForm =
  /** The value is the expression itself (`copy`: an array, passed as a copy because tfjs may rewrite it). */
  | { readonly kind: 'same'; readonly atom: ast.Expression; readonly copy: boolean }
  | { readonly kind: 'affine'; readonly atom: ast.Expression; readonly k: number; readonly c: number }
  /** The value is looked up by the expression's value (a name): `{ hard_sigmoid: 'hardSigmoid', … }[activation]`. */
  | { readonly kind: 'table'; readonly atom: ast.Expression; readonly key: string; readonly table: Readonly<Record<string, unknown>> }
  | { readonly kind: 'flag'; readonly atom: ast.Expression; readonly whenTrue: unknown; readonly whenFalse: unknown }
  /** Computed by the emitter itself (an initializer seed). */
  | { readonly kind: 'code'; readonly code: Code };

export interface ParametricLeaf {
  /** Where in the descriptor (`['config', 'units']`). */
  readonly path: readonly (string | number)[];
  readonly form: LeafForm;
}

export interface ParametricConfig {
  readonly leaves: readonly ParametricLeaf[];
  /** Names a parameter takes where it is used as a name (its TypeScript type is their union). */
  readonly names: ReadonlyMap<LocalDecl, readonly string[]>;
}

const none: ParametricConfig = { leaves: [], names: new Map() };

/** The argument expressions of a site, where parameter uses are looked for. */
function argumentRegion(site: ProbeSite): ast.Expression[] {
  const values = (args: readonly ast.Argument[]) => args.flatMap((a) => (a.value ? [a.value] : []));
  switch (site.kind) {
    case 'stage':
      return site.stage.kind === 'Call' ? values(site.stage.args) : [];
    case 'shared':
      return [site.call];
    case 'expression':
      if (site.expr.kind === 'Call') return values(site.expr.args);
      return site.expr.items.flatMap((item) => (item.kind === 'Position' ? [item.value] : [item.start, item.stop, item.step]).filter((e): e is ast.Expression => e !== undefined));
  }
}

/**
 * The largest parameter-dependent pieces of the arguments that are single
 * values (`units`, `2 * units`, `dims`), not lists or calls, whose items are
 * looked at one by one.
 */
function collectAtoms(region: readonly ast.Expression[], probe: ProbeScope): ast.Expression[] {
  const constantLocals = new Set(probe.constants.map((c) => c.decl));
  const isConstant = (d: LocalDecl) => d.kind === 'param' || constantLocals.has(d);
  const atoms: ast.Expression[] = [];
  const visit = (expr: ast.Expression | undefined): void => {
    if (!expr) return;
    const refs = [...referencedLocals(expr, probe.scope)];
    if (!refs.some(isConstant)) return;
    const structural = expr.kind === 'ListLiteral' || expr.kind === 'TupleLiteral' || expr.kind === 'Call' || expr.kind === 'Pipeline';
    if (!structural && refs.every(isConstant)) {
      atoms.push(expr);
      return;
    }
    switch (expr.kind) {
      case 'ListLiteral':
      case 'TupleLiteral':
        expr.items.forEach(visit);
        return;
      case 'Call':
        for (const arg of expr.args) visit(arg.value);
        return;
      case 'Pipeline':
        visit(expr.source);
        for (const stage of expr.stages) if (stage.kind === 'Call') for (const arg of stage.args) visit(arg.value);
        return;
      case 'Index':
        visit(expr.target);
        for (const item of expr.items) (item.kind === 'Position' ? [item.value] : [item.start, item.stop, item.step]).forEach(visit);
        return;
      case 'Member':
        visit(expr.target);
        return;
      default:
        return;
    }
  };
  region.forEach(visit);
  return atoms;
}

/** The parameters behind some expressions, through constant bindings. */
function underlyingParams(exprs: readonly ast.Expression[], probe: ProbeScope): LocalDecl[] {
  const found = new Set<LocalDecl>();
  const pending = [...exprs];
  const seen = new Set<ast.Expression>();
  while (pending.length > 0) {
    const expr = pending.pop()!;
    if (seen.has(expr)) continue;
    seen.add(expr);
    for (const decl of referencedLocals(expr, probe.scope)) {
      if (decl.kind === 'param') found.add(decl);
      const constant = probe.constants.find((c) => c.decl === decl);
      if (constant) pending.push(constant.expr);
    }
  }
  // In declaration order, so that runs (and so the output) do not depend on traversal order.
  return probe.scope.decls.filter((d) => found.has(d));
}

/** The catalogue parameter an argument value is bound to, when the call says so plainly. */
function parameterOf(atom: ast.Expression, region: readonly ast.Expression[], site: ProbeSite): ParamSpec | undefined {
  const calls: { callee: string; args: readonly ast.Argument[]; skip: number }[] = [];
  if (site.kind === 'stage' && site.stage.kind === 'Call') calls.push({ callee: site.stage.callee.name, args: site.stage.args, skip: 0 });
  if (site.kind === 'expression' && site.expr.kind === 'Call') {
    calls.push({ callee: site.expr.callee.name, args: site.expr.args, skip: functionalLayers.has(site.expr.callee.name) ? 1 : 0 });
  }
  const collect = (expr: ast.Expression | undefined): void => {
    if (!expr) return;
    if (expr.kind === 'Call') {
      calls.push({ callee: expr.callee.name, args: expr.args, skip: 0 });
      for (const arg of expr.args) collect(arg.value);
    } else if (expr.kind === 'ListLiteral' || expr.kind === 'TupleLiteral') expr.items.forEach(collect);
  };
  region.forEach(collect);
  for (const { callee, args, skip } of calls) {
    const index = args.findIndex((a) => a.value === atom);
    if (index < 0) continue;
    const entry = lookupEntry(callee) ?? lookupEntry(functionalLayers.get(callee) ?? '');
    if (!entry) return undefined;
    const arg = args[index]!;
    if (arg.name) return entry.params.find((p) => p.name === arg.name!.name || p.aliases?.includes(arg.name!.name));
    // Positional: only where no tensors come first (a merge's inputs are positional too).
    return entry.kind === 'layer' ? entry.params[index - skip] : undefined;
  }
  return undefined;
}

function namesOf(type: ParamType): readonly string[] | undefined {
  if (type.kind === 'optional') return namesOf(type.of);
  return type.kind === 'enum' ? type.values : undefined;
}

/** Values to try for a parameter, other than its own. */
export function variantsOf(base: Value, names: readonly string[] | undefined): Value[] {
  switch (base.kind) {
    case 'number': {
      const v = base.value;
      const candidates = Number.isInteger(v) ? [v + 1, v + 2, v + 3, v - 1, 2 * v + 1] : [v / 2 + 1 / 16, v / 4 + 1 / 32, v + 0.25, 2 * v + 0.5];
      return [...new Set(candidates)].filter((c) => c !== v).map((value) => ({ kind: 'number', value, isInt: base.isInt }));
    }
    case 'bool':
      return [{ kind: 'bool', value: !base.value }];
    case 'symbol':
    case 'string': {
      const own = base.kind === 'symbol' ? base.name : base.value;
      const others = (names ?? ['mbn_probe_name']).filter((n) => n !== own);
      return others.map((name) => (base.kind === 'symbol' ? { kind: 'symbol', name, ident: base.ident } : { kind: 'string', value: name }));
    }
    case 'list':
      return [1, 2].map((d) => ({ kind: 'list', items: base.items.map((i) => (i.kind === 'number' ? { ...i, value: i.value + d } : i)) }));
    default:
      return [];
  }
}

/** How open the fake input shapes are: the real ones, unknown but the last axis, or all unknown. */
type Openness = 'real' | 'open' | 'unknown';

interface Run {
  readonly descriptor: unknown;
  readonly atoms: readonly unknown[];
}

/** A front-end value as plain data, comparable with config values. */
function plain(value: Value | undefined): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'bool':
      return value.value;
    case 'string':
      return value.value;
    case 'symbol':
      return value.name;
    case 'none':
      return null;
    case 'list':
    case 'tuple':
      return value.items.map(plain);
    default:
      return undefined;
  }
}

/** Re-elaborates the site with the given parameter values and returns the tfjs descriptor it makes. */
function runSite(probe: ProbeScope, site: ProbeSite, params: ReadonlyMap<LocalDecl, Value>, openness: Openness, atoms: readonly ast.Expression[]): Run | undefined {
  const graph = new GraphBuilder();
  const traced = new Map<object, Value>();
  const session: Session = { program: probe.program, sink: new DiagnosticSink(), graph, scopeOf: probe.scopeOf, trace: (node, value) => traced.set(node, value), errors: 0 };
  const env = new Map<LocalDecl, Value>(params);
  const uri = probe.template.unit.uri;
  const frame: Frame = { session, template: probe.template, scope: probe.scope, uri, mode: 'instance', env, prefix: '', stack: [probe.template], instantiations: [], layerCache: undefined, cacheKeyPrefix: '' };
  for (const { decl, expr } of probe.constants) env.set(decl, evaluate(frame, expr, constantNaming));
  const origin = { uri, span: { start: 0, end: 0 } };
  const fake = (value: FakeValue): Value => {
    if (value.kind === 'tuple') return { kind: 'tuple', items: value.items.map(fake) };
    if (value.kind === 'record') return { kind: 'record', model: value.model, fields: new Map([...value.fields].map(([k, v]) => [k, fake(v)])) };
    const shape = openness === 'real' ? value.shape : value.shape.map((d, i) => (openness === 'open' && i === value.shape.length - 1 ? d : null));
    return { kind: 'tensor', shape, dtype: value.dtype, ref: { node: graph.addInput('probe', shape, value.dtype, origin), index: 0 } };
  };
  for (const [decl, value] of probe.tensors) env.set(decl, fake(value));
  const naming = { base: 'probe', final: true };
  let at: Span;
  switch (site.kind) {
    case 'stage':
      applyStage(frame, site.stage, fake(site.input), naming);
      at = site.stage.span;
      break;
    case 'expression':
      evaluate(frame, site.expr, naming);
      at = site.expr.span;
      break;
    case 'shared': {
      const layer = evaluate(frame, site.call, naming);
      if (layer.kind !== 'layer') return undefined;
      applyLayerValue(frame, layer, fake(site.input), site.call.span, naming);
      at = layer.site.span;
      break;
    }
  }
  const layer = graph.layers[graph.layers.length - 1];
  if (session.errors > 0 || !layer || layer.origin.span.start !== at.start || layer.origin.span.end !== at.end) return undefined;
  const inputs = layer.nodes[0]!.inputs.map(shapeOf);
  const descriptor = layer.entry.kind === 'layer' ? layer.entry.tfjs(layer.args) : layer.entry.tfjs(layer.args, inputs);
  return { descriptor: toPlainTree(descriptor), atoms: atoms.map((a) => plain(traced.get(a))) };
}

/** A descriptor as plain data (drops `undefined`s, which tfjs ignores and JSON cannot hold). */
export function toPlainTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlainTree);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlainTree(v);
    return out;
  }
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function at(tree: unknown, path: readonly (string | number)[]): unknown {
  let node = tree;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

/** Keys of a descriptor that choose what is built; a parameter may not change them. */
const structuralKeys = new Set(['factory', 'custom', 'composite']);

/**
 * The parametric leaves of a site's config. `base` is the descriptor the
 * compiled model has at this site (from the graph); the probe must
 * reproduce it before anything is read off the runs.
 */
export function parametricConfig(probe: ProbeScope, site: ProbeSite, base: TfjsLayer, siteSpan: Span): ParametricConfig {
  const region = argumentRegion(site);
  const atoms = collectAtoms(region, probe);
  if (atoms.length === 0) return none;
  const uri = probe.template.unit.uri;
  const params = underlyingParams(atoms, probe);
  const names = new Map<LocalDecl, string[]>();
  for (const atom of atoms) {
    if (atom.kind !== 'NameRef') continue;
    const target = probe.scope.refs.get(atom.name);
    const spec = parameterOf(atom, region, site);
    const values = spec ? namesOf(spec.type) : undefined;
    if (target?.kind === 'local' && values) names.set(target.decl, [...(names.get(target.decl) ?? []), ...values]);
  }
  const expected = toPlainTree(base);
  for (const openness of ['real', 'open', 'unknown'] as const) {
    const first = runSite(probe, site, probe.params, openness, atoms);
    if (!first || !deepEqual(first.descriptor, expected)) continue;
    const runs: Run[] = [first];
    const usedNames = new Map<LocalDecl, string[]>();
    let varied = true;
    for (const param of params) {
      const own = probe.params.get(param)!;
      const wanted = names.get(param);
      let succeeded = 0;
      for (const variant of variantsOf(own, wanted)) {
        const run = runSite(probe, site, new Map([...probe.params, [param, variant]]), openness, atoms);
        if (!run) continue;
        runs.push(run);
        succeeded++;
        if (variant.kind === 'symbol' || variant.kind === 'string') usedNames.set(param, [...(usedNames.get(param) ?? []), plain(variant) as string]);
        // Two other values besides the base pin down a line; names and flags need every value.
        if (variant.kind === 'number' && succeeded >= 2) break;
      }
      if (succeeded === 0) {
        varied = false;
        break;
      }
      if (own.kind === 'symbol' || own.kind === 'string') usedNames.set(param, [plain(own) as string, ...(usedNames.get(param) ?? [])]);
    }
    if (!varied) continue;
    const leaves: ParametricLeaf[] = [];
    explain(runs, atoms, [], leaves, uri, siteSpan);
    return { leaves, names: usedNames };
  }
  throw new CodegenError(uri, siteSpan, 'the emitted code cannot compute this layer\'s settings from the model\'s parameters', [
    'mbnc compile re-checks each layer with other parameter values to see how its settings follow them, and found no values that check here',
    'write these arguments as constants or plain parameters',
  ]);
}

/** Finds, for every config value that differs between runs, the form that explains it. */
function explain(runs: readonly Run[], atoms: readonly ast.Expression[], path: (string | number)[], leaves: ParametricLeaf[], uri: string, siteSpan: Span): void {
  const values = runs.map((r) => at(r.descriptor, path));
  if (values.every((v) => deepEqual(v, values[0]))) return;
  const key = path[path.length - 1];
  const fail = (why: string): never => {
    throw new CodegenError(uri, siteSpan, `the emitted code cannot compute this layer's settings from the model's parameters: ${why}`, [
      'write these arguments as constants or plain parameters',
    ]);
  };
  if (typeof key === 'string' && structuralKeys.has(key)) fail('a parameter changes which tfjs layer is built');
  const factoryOf = (v: unknown) => (v !== null && typeof v === 'object' && 'factory' in v ? JSON.stringify([...structuralKeys].map((k) => (v as Record<string, unknown>)[k])) : undefined);
  if (values.some((v) => factoryOf(v) !== factoryOf(values[0]))) fail('a parameter changes which tfjs layer is built');
  const matches = (i: number) => runs.every((r, j) => r.atoms[i] !== undefined && deepEqual(r.atoms[i], values[j]));
  const same = atoms.findIndex((_, i) => matches(i));
  if (same >= 0) {
    leaves.push({ path: [...path], form: { kind: 'same', atom: atoms[same]!, copy: Array.isArray(values[0]) } });
    return;
  }
  const first = values[0];
  if (first !== null && typeof first === 'object') {
    // The same structure in every run: explain its parts one by one.
    const keys = Array.isArray(first) ? first.map((_, i) => i) : Object.keys(first);
    const shapeOfValue = (v: unknown) => (Array.isArray(v) ? `a${v.length}` : v !== null && typeof v === 'object' ? `o${Object.keys(v).join(',')}` : typeof v);
    if (!values.every((v) => shapeOfValue(v) === shapeOfValue(first))) fail('a parameter changes the structure of its settings');
    for (const k of keys) explain(runs, atoms, [...path, k], leaves, uri, siteSpan);
    return;
  }
  if (values.every((v) => typeof v === 'number')) {
    for (let i = 0; i < atoms.length; i++) {
      const xs = runs.map((r) => r.atoms[i]);
      if (!xs.every((x) => typeof x === 'number')) continue;
      const line = fitLine(xs as number[], values as number[]);
      if (line) {
        leaves.push({ path: [...path], form: { kind: 'affine', atom: atoms[i]!, k: line.k, c: line.c } });
        return;
      }
    }
  }
  // A name or a flag that selects the value.
  for (let i = 0; i < atoms.length; i++) {
    const xs = runs.map((r) => r.atoms[i]);
    if (!xs.every((x) => typeof x === 'string') && !xs.every((x) => typeof x === 'boolean')) continue;
    const table = new Map<unknown, unknown>();
    const consistent = xs.every((x, j) => {
      if (table.has(x)) return deepEqual(table.get(x), values[j]);
      table.set(x, values[j]);
      return true;
    });
    if (!consistent) continue;
    if (typeof xs[0] === 'boolean') {
      if (table.size < 2) continue;
      leaves.push({ path: [...path], form: { kind: 'flag', atom: atoms[i]!, whenTrue: table.get(true), whenFalse: table.get(false) } });
    } else {
      const record = Object.fromEntries([...table].sort(([a], [b]) => String(a).localeCompare(String(b))));
      leaves.push({ path: [...path], form: { kind: 'table', atom: atoms[i]!, key: String(typeof key === 'string' ? key : path.filter((p) => typeof p === 'string').pop() ?? 'value'), table: record } });
    }
    return;
  }
  fail('its value follows the parameters in a way the emitted code cannot repeat');
}

/** `y = k * x + c` through every point, with k and c read off two of them; undefined when the points are not on one line. */
function fitLine(xs: readonly number[], ys: readonly number[]): { k: number; c: number } | undefined {
  const j = xs.findIndex((x) => x !== xs[0]);
  if (j < 0) return undefined;
  const k = (ys[j]! - ys[0]!) / (xs[j]! - xs[0]!);
  const c = ys[0]! - k * xs[0]!;
  // Rounded to what the catalogue computes (whole numbers and simple fractions), so the emitted text is `1 - alpha`.
  const round = (v: number) => Math.round(v * 1e9) / 1e9;
  const [kr, cr] = [round(k), round(c)];
  const fits = xs.every((x, i) => Math.abs(kr * x + cr - ys[i]!) <= 1e-9 * Math.max(1, Math.abs(ys[i]!)));
  return fits && kr !== 0 ? { k: kr, c: cr } : undefined;
}
