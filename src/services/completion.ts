/**
 * Completion: what may be written at the cursor, from the tokens before it
 * (cursor.ts) and the names the checker resolves (the model's scope, the
 * visible models, the catalogue). Every list is one the checker accepts
 * there: after `->` only what can be applied, in `loss` only losses, in
 * `train { }` only its settings.
 */
import { optimizers, regularizers, trainingSettings } from '../catalogue/training.js';
import type { ParamType } from '../catalogue/types.js';
import type { Analysis } from '../semantics/analyze.js';
import { resolveImportPath, type ModelTemplate, type SourceUnit } from '../semantics/program.js';
import { functionalLayers, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import type * as ast from '../syntax/ast.js';
import * as t from '../syntax/tokens.js';
import { functionalItems, keyword, layerItems, lossItems, mergeItems, metricItems, modelItem, typeItems, type CompletionItem } from './completion-items.js';
import { argumentTokens, cursorContext, enclosingCall, namedArgument, type CursorContext, type Frame, type Tok } from './cursor.js';
import { activationDocs, dtypeDocs, initializerDocs } from './docs.js';
import { formatArg, formatValue, modelParamLabel, signatureOf, symbolsOf, typeLabel } from './format.js';
import { modelOfExpression, resolveCallee, type Callee } from './locate.js';
import { callersOf, modelDeclAt, scopeOf, templateOf, unitOf } from './model-index.js';
import { commentAt } from './tree.js';

/** What the cursor is in: the model, its scope, and the declarations visible at the cursor. */
interface Place {
  readonly analysis: Analysis;
  readonly unit: SourceUnit;
  readonly ctx: CursorContext;
  readonly decl: ast.ModelDecl | undefined;
  readonly template: ModelTemplate | undefined;
  readonly scope: ModelScope | undefined;
  /** Parameters and the declarations of earlier statements (a name must be defined above its use). */
  readonly visible: readonly Visible[];
  /** The name of the model being written, as typed. */
  readonly modelName: string | undefined;
}

/** A name visible at the cursor: a resolved declaration, or one read from the tokens when the model did not parse. */
interface Visible {
  readonly name: string;
  readonly kind: LocalDecl['kind'];
  readonly decl: LocalDecl | undefined;
}

export type { CompletionItem, CompletionKind } from './completion-items.js';

export function complete(analysis: Analysis, uri: string, offset: number): CompletionItem[] {
  const unit = unitOf(analysis, uri);
  if (!unit || !Number.isFinite(offset) || offset < 0 || offset > unit.text.length) return [];
  if (commentAt(unit.syntax, offset)) return [];
  const ctx = cursorContext(unit, offset);
  if (ctx.quiet || /^[0-9]/.test(ctx.word)) return [];
  const place = placeOf(analysis, unit, ctx);
  return dedupe(itemsFor(place));
}

function placeOf(analysis: Analysis, unit: SourceUnit, ctx: CursorContext): Place {
  const inModel = ctx.frames[0]?.kind === 'model' || ctx.frames[0]?.kind === 'params';
  const decl = inModel ? modelDeclAt(unit, ctx.wordStart) : undefined;
  const template = decl ? templateOf(unit, decl) : undefined;
  const scope = template ? scopeOf(analysis, template) : undefined;
  let visible: Visible[] = [];
  if (decl && scope) {
    // The statement being written starts at the first token of the current statement (or at the cursor).
    const bodyFrame = ctx.frames.find((f) => f.kind === 'model');
    const statementStart = bodyFrame ? ctx.toks[bodyFrame.start]?.start ?? ctx.wordStart : ctx.wordStart;
    let before = 0;
    while (before < decl.body.length && decl.body[before]!.span.start < statementStart) before++;
    // A statement that contains the cursor is the one being written: its own names are not visible yet.
    if (before > 0 && decl.body[before - 1]!.span.end >= ctx.wordStart && decl.body[before - 1]!.span.start >= statementStart) before--;
    visible = scope.decls
      .filter((d) => d.kind === 'param' || (d.order >= 0 && d.order < before && !(d.node.span.start <= ctx.wordStart && ctx.wordStart <= d.node.span.end)))
      .map((d) => ({ name: d.name, kind: d.kind, decl: d }));
  } else if (inModel) {
    visible = declaredInTokens(ctx);
  }
  const modelKeyword = ctx.toks.findIndex((tok) => tok.type === t.Model);
  const modelName = decl?.name?.name ?? (modelKeyword >= 0 ? ctx.toks[modelKeyword + 1]?.text : undefined);
  return { analysis, unit, ctx, decl, template, scope, visible, modelName };
}

/**
 * The names a model declares before the cursor, read from its tokens: for a
 * model the parser could not make sense of yet (an unclosed last model, say).
 */
function declaredInTokens(ctx: CursorContext): Visible[] {
  const toks = ctx.toks;
  const body = ctx.frames.find((f) => f.kind === 'model');
  const out: Visible[] = [];
  const add = (tok: Tok | undefined, kind: LocalDecl['kind']) => {
    if (tok?.type === t.Identifier && !out.some((v) => v.name === tok.text)) out.push({ name: tok.text, kind, decl: undefined });
  };
  // Parameters: `name:` at depth 1 of the header's parentheses.
  const open = body ? body.open : toks.length;
  let depth = 0;
  for (let i = 0; i < open; i++) {
    const type = toks[i]!.type;
    if (type === t.LParen || type === t.LBracket) depth++;
    else if (type === t.RParen || type === t.RBracket) depth--;
    else if (depth === 1 && toks[i + 1]?.type === t.Colon && (toks[i - 1]?.type === t.LParen || toks[i - 1]?.type === t.Comma)) add(toks[i], 'param');
  }
  if (!body) return out;
  // Statements before the current one: each starts after `{` or a statement-ending line break.
  const end = body.start;
  for (let i = body.open + 1; i < end; i++) {
    if (toks[i - 1]!.type !== t.Newline && toks[i - 1]!.type !== t.LBrace) continue;
    const first = toks[i]!;
    if (first.type === t.Input) add(toks[i + 1], 'input');
    else if (first.type === t.Output) add(toks[i + 1], 'output');
    else if (first.type === t.Shared) add(toks[i + 1], 'shared');
    else if (first.type === t.Identifier) {
      let j = i;
      const names: Tok[] = [first];
      while (toks[j + 1]?.type === t.Comma && toks[j + 2]?.type === t.Identifier) {
        names.push(toks[j + 2]!);
        j += 2;
      }
      if (toks[j + 1]?.type === t.Equals) for (const name of names) add(name, 'binding');
    }
  }
  return out;
}

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}|${item.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function itemsFor(place: Place): CompletionItem[] {
  const { ctx } = place;
  const top = ctx.frames[ctx.frames.length - 1];
  if (!top) return fileLevel(ctx);
  switch (top.kind) {
    case 'model':
      return statementItems(place, ctx.current);
    case 'train':
      return trainItems(place, ctx.current);
    case 'braces':
      return [];
    case 'import':
      return importItems(place);
    case 'params': {
      const tokens = ctx.current;
      return tokens.length === 2 && tokens[1]!.type === t.Colon ? typeItems() : [];
    }
    case 'call':
      return callItems(place, top);
    case 'group':
      return expressionStart(place, 'binding');
    case 'index':
      return parameterItems(place);
    case 'list':
      return listItems(place, top);
  }
}

// ------------------------------------------------------------------ file and statements

function fileLevel(ctx: CursorContext): CompletionItem[] {
  // Only where a declaration can start: at the file level, after a complete line.
  return ctx.current.length === 0 || ctx.current[ctx.current.length - 1]!.type === t.RBrace ? [keyword('model'), keyword('import')] : [];
}

const statementKeywords = ['input', 'output', 'shared', 'train'];

function statementItems(place: Place, tokens: readonly Tok[]): CompletionItem[] {
  if (tokens.length === 0) {
    const hasTrain = place.decl?.body.some((s) => s.kind === 'TrainBlock' && !(s.span.start <= place.ctx.wordStart && place.ctx.wordStart <= s.span.end));
    return statementKeywords.filter((k) => k !== 'train' || !hasTrain).map((k) => keyword(k));
  }
  const first = tokens[0]!;
  const equals = tokens.findIndex((tok) => tok.type === t.Equals);
  if (first.type === t.Input) {
    const last = tokens[tokens.length - 1]!;
    if (tokens.length >= 4 && tokens[2]!.type === t.Colon && last.type === t.RBracket) {
      return Object.entries(dtypeDocs).map(([name, doc]) => ({ label: name, kind: 'type', detail: 'dtype', documentation: doc }));
    }
    return [];
  }
  if (equals < 0) return [];
  const role = first.type === t.Output ? 'output' : first.type === t.Shared ? 'shared' : 'binding';
  if (role === 'binding' && !(first.type === t.Identifier)) return [];
  return expressionItems(place, tokens.slice(equals + 1), role);
}

type Role = 'binding' | 'output' | 'shared';

const clauseKeywords = new Map<Tok['type'], string>([
  [t.Loss, 'loss'],
  [t.Weight, 'weight'],
  [t.Metrics, 'metrics'],
  [t.Aux, 'aux'],
]);

/** After `name =`: the tokens of the value so far. */
function expressionItems(place: Place, tokens: readonly Tok[], role: Role): CompletionItem[] {
  if (tokens.length === 0) return expressionStart(place, role);
  const last = tokens[tokens.length - 1]!;
  if (last.type === t.Arrow) return stageItems(place);
  if (last.type === t.Dot) return memberItems(place, tokens[tokens.length - 2]);
  if (role === 'output') {
    if (last.type === t.Loss) return lossItems();
    if (last.type === t.Metrics) return metricItems();
    if (last.type === t.Weight) return parameterItems(place);
  }
  if ([t.Plus, t.Minus, t.Star, t.Slash, t.Percent].includes(last.type)) return parameterItems(place);
  if (role === 'output' && (endsValueish(last) || clauseKeywords.has(last.type))) {
    const used = new Set(tokens.filter((tok) => clauseKeywords.has(tok.type)).map((tok) => clauseKeywords.get(tok.type)!));
    return [...clauseKeywords.values()].filter((k) => !used.has(k)).map((k) => keyword(k));
  }
  return [];
}

function endsValueish(tok: Tok): boolean {
  return [t.Identifier, t.RParen, t.RBracket, t.NumberLiteral, t.StringLiteral, t.None, t.True, t.False].includes(tok.type);
}

/** The start of a value: names in scope, merges and the functional forms; a layer or model for `shared`. */
function expressionStart(place: Place, role: Role): CompletionItem[] {
  if (role === 'shared') return [...modelItems(place, false), ...layerItems(false)];
  return [...nameItems(place), ...mergeItems(false), ...functionalItems()];
}

/** After `->`: what can be applied: layers, merges (the piped value is their first input), models and shared instances. */
function stageItems(place: Place): CompletionItem[] {
  const shared = place.visible.filter((d) => d.kind === 'shared').map((d) => localItem(place, d, '0'));
  return [...shared, ...modelItems(place, true), ...layerItems(true), ...mergeItems(true)];
}

function memberItems(place: Place, target: Tok | undefined): CompletionItem[] {
  if (!target || target.type !== t.Identifier || !place.scope) return [];
  const decl = place.scope.byName.get(target.text);
  const items: CompletionItem[] = [];
  if (decl) {
    const record = place.analysis.trace.get(decl.ident)?.find((v) => v.kind === 'record');
    const names = new Map<string, string>();
    if (record?.kind === 'record') for (const [name, v] of record.fields) names.set(name, formatValue(v));
    else if (decl.node.kind === 'Binding' && decl.node.names.length === 1) {
      const sub = modelOfExpression(place.analysis, place.scope, decl.node.value);
      if (sub) for (const s of sub.decl.body) if (s.kind === 'OutputDecl' && s.name) names.set(s.name.name, '');
    }
    for (const [name, shape] of names) items.push({ label: name, kind: 'variable', detail: `output${shape ? ` · ${shape}` : ''}`, documentation: `Output \`${name}\` of the sub-model.` });
  }
  items.push({ label: 'shape', kind: 'property', detail: 'list of dimensions', documentation: "The tensor's dimensions (without the batch axis) as a list: `x.shape[0]`." });
  return items;
}

// ------------------------------------------------------------------ calls

function callItems(place: Place, frame: Frame): CompletionItem[] {
  const callee = frame.callee ? resolveCallee(place.unit, frame.callee.text) : undefined;
  if (!callee) return nameItems(place);
  const tokens = argumentTokens(place.ctx, frame);
  const named = namedArgument(tokens);
  if (named !== undefined) {
    if (tokens.length > 2) {
      const last = tokens[tokens.length - 1]!;
      return [t.Plus, t.Minus, t.Star, t.Slash, t.Percent].includes(last.type) ? parameterItems(place) : [];
    }
    return valueItems(place, callee, named);
  }
  if (tokens.length > 0) {
    const last = tokens[tokens.length - 1]!;
    if (last.type === t.Arrow) return stageItems(place);
    if (last.type === t.Dot) return memberItems(place, tokens[tokens.length - 2]);
    return [t.Plus, t.Minus, t.Star, t.Slash, t.Percent].includes(last.type) ? parameterItems(place) : [];
  }
  // The start of an argument: a parameter name, or a positional value.
  const given = givenNames(place.ctx.toks, frame.open);
  const items = argumentNameItems(callee, given);
  if (callee.kind === 'entry' && callee.entry.kind === 'merge' && given.size === 0) items.push(...nameItems(place));
  else if (callee.kind === 'entry' && functionalLayers.has(callee.name) && frame.argIndex === 0) items.push(...nameItems(place));
  else {
    const position = frame.argIndex - (callee.kind === 'entry' && functionalLayers.has(callee.name) ? 1 : 0);
    const param = callee.kind === 'model' ? undefined : callee.entry.params[position];
    if (given.size === 0 && param) items.push(...valuesForType(place, param.type, param.name));
    else if (callee.kind === 'model') items.push(...parameterItems(place));
  }
  return items;
}

/** The names of the arguments given by name so far in the call opened at `open` (not those of calls nested in it). */
function givenNames(toks: readonly Tok[], open: number): Set<string> {
  const given = new Set<string>();
  let depth = 0;
  for (let i = open + 1; i + 1 < toks.length; i++) {
    const type = toks[i]!.type;
    if (type === t.LParen || type === t.LBracket) depth++;
    else if (type === t.RParen || type === t.RBracket) depth--;
    else if (depth === 0 && toks[i + 1]!.type === t.Colon && (i === open + 1 || toks[i - 1]!.type === t.Comma)) given.add(toks[i]!.text);
  }
  return given;
}

function argumentNameItems(callee: Callee, given: ReadonlySet<string>): CompletionItem[] {
  if (callee.kind === 'model') {
    const text = callee.template.unit.text;
    return callee.template.decl.params
      .filter((p) => p.name && !given.has(p.name.name))
      .map((p, i) => ({
        label: p.name!.name,
        kind: 'property' as const,
        detail: modelParamLabel(p, text),
        documentation: `Parameter of \`${callee.template.name}\`.`,
        insertText: `${p.name!.name}: `,
        sortText: `0${String(i).padStart(2, '0')}`,
      }));
  }
  return callee.entry.params
    .filter((p) => !given.has(p.name) && !(p.aliases ?? []).some((a) => given.has(a)))
    .map((p, i) => ({
      label: p.name,
      kind: 'property' as const,
      detail: p.default === undefined ? `${typeLabel(p.type)} (required)` : `${typeLabel(p.type)} = ${formatArg(p.default)}`,
      documentation: p.doc,
      insertText: `${p.name}: `,
      sortText: `0${String(i).padStart(2, '0')}`,
    }));
}

/** After `name:` in a call: the values that parameter takes. */
function valueItems(place: Place, callee: Callee, name: string): CompletionItem[] {
  if (callee.kind === 'model') return parameterItems(place);
  const param = callee.entry.params.find((p) => p.name === name || p.aliases?.includes(name));
  return param ? valuesForType(place, param.type, param.name) : [];
}

function valuesForType(place: Place, type: ParamType, paramName: string): CompletionItem[] {
  const inner = type.kind === 'optional' ? type.of : type;
  const items: CompletionItem[] = symbolsOf(type).map((value, i) => ({
    label: value,
    kind: 'value' as const,
    detail: paramName,
    documentation: (activationDocs as Record<string, string>)[value] ?? (initializerDocs as Record<string, string>)[value] ?? '',
    sortText: `0${String(i).padStart(2, '0')}`,
  }));
  if (inner.kind === 'regularizer') {
    for (const r of regularizers) items.push({ label: r.name, kind: 'value', detail: signatureOf({ kind: 'function', entry: r }, r.name).label, documentation: r.doc, snippet: `${r.name}(\${1:${formatArg(r.params[0]?.default ?? 0.01)}})` });
  }
  if (inner.kind === 'layer') items.push(...layerItems(false));
  if (['int', 'float', 'ints', 'intList', 'floatList', 'weight', 'padding2d', 'string', 'enum'].includes(inner.kind)) items.push(...parameterItems(place));
  return items;
}

// ------------------------------------------------------------------ lists, train, imports

function listItems(place: Place, frame: Frame): CompletionItem[] {
  const before = place.ctx.toks[frame.open - 1];
  const beforeThat = place.ctx.toks[frame.open - 2];
  if (before?.type === t.Metrics || (before?.type === t.Colon && beforeThat?.text === 'metrics')) return metricItems();
  const call = enclosingCall(place.ctx);
  if (call) {
    const callee = call.frame.callee ? resolveCallee(place.unit, call.frame.callee.text) : undefined;
    if (callee?.kind === 'entry' && callee.entry.kind === 'merge' && !namedArgument(argumentTokens(place.ctx, call.frame))) return nameItems(place);
    return parameterItems(place);
  }
  const statement = place.ctx.frames.find((f) => f.kind === 'model');
  const first = statement ? place.ctx.toks[statement.start] : undefined;
  if (first?.type === t.Input) return [...parameterItems(place), { label: 'None', kind: 'value', detail: 'dimension', documentation: 'A dimension known only at run time.' }];
  return [...nameItems(place), ...parameterItems(place)];
}

function trainItems(place: Place, tokens: readonly Tok[]): CompletionItem[] {
  if (tokens.length === 0) {
    const block = place.decl?.body.find((s): s is ast.TrainBlock => s.kind === 'TrainBlock' && s.span.start <= place.ctx.wordStart && place.ctx.wordStart <= s.span.end);
    const used = new Set(block?.settings.flatMap((s) => (s.key && !(s.key.span.start <= place.ctx.offset && place.ctx.offset <= s.key.span.end) ? [s.key.name] : [])) ?? []);
    return trainingSettings
      .filter((s) => !used.has(s.name))
      .map((s, i) => ({ label: s.name, kind: 'property', detail: `${typeLabel(s.type)} = ${formatArg(s.default)}`, documentation: s.doc, insertText: `${s.name}: `, sortText: String(i).padStart(2, '0') }));
  }
  const key = namedArgument(tokens);
  if (key === undefined || tokens.length > 2) return [];
  switch (key) {
    case 'optimizer':
      return optimizers.map((o) => ({
        label: o.name,
        kind: 'value' as const,
        detail: signatureOf({ kind: 'function', entry: o }, o.name).label,
        documentation: o.doc,
      }));
    case 'loss':
      return lossItems();
    case 'metrics':
      return metricItems().map((item: CompletionItem) => ({ ...item, insertText: `[${item.label}]` }));
    case 'shuffle':
      return ['true', 'false'].map((v) => ({ label: v, kind: 'value' as const, detail: 'shuffle', documentation: '' }));
    default:
      return parameterItems(place);
  }
}

function importItems(place: Place): CompletionItem[] {
  const decl = place.unit.syntax.imports.find((i) => i.span.start <= place.ctx.wordStart && place.ctx.wordStart <= i.span.end);
  if (!decl?.path) return [];
  const target = place.analysis.program.units.get(resolveImportPath(place.unit.uri, decl.path.value));
  if (!target) return [];
  return [...target.models.values()].map((m) => modelItem(m, false));
}

/** Models visible in this file, except the one being written and those that use it (a model cannot contain itself). */
function modelItems(place: Place, call: boolean): CompletionItem[] {
  const excluded = new Set<ModelTemplate>();
  const pending = place.template ? [place.template] : [];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (excluded.has(next)) continue;
    excluded.add(next);
    pending.push(...callersOf(place.analysis, next));
  }
  return [...place.unit.visible.values()].filter((m) => !excluded.has(m) && m.name !== place.modelName).map((m) => modelItem(m, call, place.unit));
}

const localKinds: Record<LocalDecl['kind'], string> = { param: 'parameter', input: 'input', binding: 'branch', output: 'output', shared: 'shared' };

function localItem(place: Place, visible: Visible, sortText: string): CompletionItem {
  const decl = visible.decl;
  let detail = localKinds[visible.kind];
  let documentation = '';
  if (decl) {
    const value = place.analysis.trace.get(decl.ident)?.find((v) => v.kind !== 'unknown');
    if (decl.kind === 'param') detail = `parameter ${modelParamLabel(decl.node as ast.ParamDecl, place.unit.text)}`;
    else if (value) detail += ` · ${formatValue(value)}`;
    const span = decl.node.span;
    documentation = '```mbn\n' + place.unit.text.slice(span.start, Math.min(span.end, span.start + 200)) + '\n```';
  }
  return { label: visible.name, kind: visible.kind === 'param' ? 'parameter' : 'variable', detail, documentation, sortText };
}

/** Inputs, branches, outputs and parameters visible at the cursor (shared instances only follow `->`). */
function nameItems(place: Place): CompletionItem[] {
  return place.visible.filter((d) => d.kind !== 'shared').map((d) => localItem(place, d, d.kind === 'param' ? '1' : '0'));
}

/** Where a number is expected: the model's parameters. */
function parameterItems(place: Place): CompletionItem[] {
  return place.visible.filter((d) => d.kind === 'param').map((d) => localItem(place, d, '1'));
}
