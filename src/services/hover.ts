/**
 * Hover: markdown about what is under the cursor, with the shapes and
 * values the checker computed (one per use when a block is used several
 * times and they differ).
 */
import { activations, initializers } from '../catalogue/common.js';
import { trainingSettings, type FunctionEntry } from '../catalogue/training.js';
import type { Args, CatalogueEntry, ParamSpec } from '../catalogue/types.js';
import type { Analysis } from '../semantics/analyze.js';
import type { ModelTemplate } from '../semantics/program.js';
import { functionalLayers, type LocalDecl, type ModelScope } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';
import { applicationsOf, type Application } from './applications.js';
import { activationDocs, dtypeDocs, initializerDocs, keywordDocs, paramTypeDocs } from './docs.js';
import { formatArg, formatCount, formatShape, formatShapeOrUnknown, formatValue, modelParamLabel, plural, signatureOf, typeLabel } from './format.js';
import { calleeOf, locate, type Callee, type Located, type SymbolInfo } from './locate.js';
import { modelSummary, useSummary } from './model-summary.js';
import { importedUnit } from './navigation.js';
import { parentOf, usesOf } from './model-index.js';
import { describeRun, valuesOf, type RunValue } from './runs.js';
import type { Node } from './tree.js';

export interface Hover {
  readonly span: Span;
  readonly markdown: string;
}

const code = (text: string): string => '```mbn\n' + text + '\n```';

const kindWords: Record<LocalDecl['kind'], string> = { param: 'parameter', input: 'input', binding: 'branch', output: 'output', shared: 'shared' };

export function hover(analysis: Analysis, uri: string, offset: number): Hover | undefined {
  const loc = locate(analysis, uri, offset);
  if (!loc || loc.node.kind === 'Comment') return undefined;
  const keyword = clauseKeywordAt(loc) ?? statementKeywordAt(loc);
  if (keyword) return keyword;
  if (loc.identifier && loc.symbol) {
    const markdown = symbolMarkdown(analysis, loc, loc.symbol);
    return markdown ? { span: loc.identifier.span, markdown } : undefined;
  }
  return expressionHover(analysis, loc);
}

/** `loss`, `weight`, `metrics`, `aux` after an output: the keywords are not nodes, only spans. */
function clauseKeywordAt(loc: Located): Hover | undefined {
  const clause = [loc.node, ...loc.ancestors].find((n): n is ast.OutputClause => n.kind === 'OutputClause');
  if (!clause || loc.offset < clause.keyword.start || loc.offset > clause.keyword.end) return undefined;
  return { span: clause.keyword, markdown: `**${clause.clause}**: ${keywordDocs[clause.clause]}` };
}

/** `model`, `input`, `train`…: keywords are not nodes either; the word under the cursor tells. */
function statementKeywordAt(loc: Located): Hover | undefined {
  if (loc.identifier || loc.node.kind === 'StringLiteral') return undefined;
  const text = loc.unit.text;
  const isWord = (i: number) => /[A-Za-z0-9_]/.test(text.charAt(i));
  let start = loc.offset;
  while (start > 0 && isWord(start - 1)) start--;
  let end = loc.offset;
  while (end < text.length && isWord(end)) end++;
  const word = text.slice(start, end);
  const doc = Object.hasOwn(keywordDocs, word) ? keywordDocs[word] : undefined;
  return doc ? { span: { start, end }, markdown: `**${word}**: ${doc}` } : undefined;
}

function symbolMarkdown(analysis: Analysis, loc: Located, symbol: SymbolInfo): string | undefined {
  switch (symbol.kind) {
    case 'local':
      return localMarkdown(analysis, loc, symbol.decl, symbol.template);
    case 'model':
      return modelMarkdown(analysis, loc, symbol.template, symbol.isDeclaration);
    case 'entry':
      return entryMarkdown(analysis, loc, symbol.entry, loc.identifier!.name);
    case 'function':
      return functionMarkdown(analysis, loc, symbol.entry);
    case 'argument':
      return argumentMarkdown(analysis, loc, symbol);
    case 'member': {
      const values = groupValues(valuesOf(analysis, loc.model?.template, symbol.member), describeTensor);
      const owner = symbol.template ? ` of \`${symbol.template.name}\`` : '';
      return [code(`(output) ${symbol.name}${values.length === 1 ? `: ${values[0]!.text}` : ''}`), `Output \`${symbol.name}\`${owner}.`, ...perUse(values, loc.model?.template)].join('\n\n');
    }
    case 'setting': {
      if (!symbol.spec) return `Unknown training setting \`${symbol.name}\`; settings: ${trainingSettings.map((s) => `\`${s.name}\``).join(', ')}.`;
      return [code(`${symbol.spec.name}: ${typeLabel(symbol.spec.type)} = ${formatArg(symbol.spec.default)}`), symbol.spec.doc].join('\n\n');
    }
    case 'loss':
    case 'metric':
      return symbol.entry ? `**${symbol.kind}** \`${symbol.entry.name}\`: ${symbol.entry.doc}` : `Unknown ${symbol.kind} \`${symbol.name}\`.`;
    case 'value':
      return valueMarkdown(symbol.name, symbol.param, symbol.callee);
    case 'type':
      return symbol.role === 'param'
        ? paramTypeDocs[symbol.name] ? `**type** \`${symbol.name}\`: ${paramTypeDocs[symbol.name]}` : `Unknown parameter type \`${symbol.name}\`; types: ${Object.keys(paramTypeDocs).join(', ')}.`
        : dtypeDocs[symbol.name] ? `**dtype** \`${symbol.name}\`: ${dtypeDocs[symbol.name]}` : `Unknown dtype \`${symbol.name}\`; use float32 or int32.`;
  }
}

// ------------------------------------------------------------------ values per use

interface Group {
  readonly text: string;
  readonly paths: (readonly string[] | undefined)[];
}

/** Values with the same text together, in first-seen order. */
function groupValues(values: readonly RunValue[], describe: (v: Value) => string): Group[] {
  const groups = new Map<string, Group>();
  for (const { value, path } of values) {
    const text = describe(value);
    const group = groups.get(text);
    if (group) group.paths.push(path);
    else groups.set(text, { text, paths: [path] });
  }
  return [...groups.values()];
}

/** One line per distinct value when they differ between uses; nothing when there is one. */
function perUse(groups: readonly Group[], template: ModelTemplate | undefined): string[] {
  if (groups.length <= 1) return [];
  const where = (g: Group) => [...new Set(g.paths.map((p) => describeRun(p, template)))].join('; ');
  return [[`Per use of \`${template?.name ?? 'this model'}\`:`, ...groups.map((g) => `- \`${g.text}\` — ${where(g)}`)].join('\n')];
}

function describeTensor(value: Value): string {
  if (value.kind === 'tensor') return `${formatShapeOrUnknown(value.shape)}${value.dtype === 'float32' ? '' : ` ${value.dtype}`}`;
  if (value.kind === 'record') return `{ ${[...value.fields].map(([name, v]) => `${name}: ${describeTensor(v)}`).join(', ')} }`;
  if (value.kind === 'unknown') return 'unknown (not checked: see the errors)';
  return formatValue(value);
}

// ------------------------------------------------------------------ locals

function localMarkdown(analysis: Analysis, loc: Located, decl: LocalDecl, template: ModelTemplate): string {
  const scope = loc.model?.scope;
  if (decl.kind === 'param') return paramMarkdown(analysis, decl, template, scope);
  if (decl.kind === 'shared') return sharedMarkdown(analysis, decl, template, scope);
  const values = valuesOf(analysis, template, decl.ident);
  const groups = groupValues(values, describeTensor);
  const word = kindWords[decl.kind];
  const head = groups.length === 1 ? `(${word}) ${decl.name}: ${groups[0]!.text}` : `(${word}) ${decl.name}`;
  const lines = [code(head)];
  const tensor = values.find((v) => v.value.kind === 'tensor')?.value;
  if (tensor?.kind === 'tensor') lines.push(`dtype \`${tensor.dtype}\` · ${word} of \`${template.name}\``);
  else lines.push(`${capital(word)} of \`${template.name}\`.`);
  lines.push(...perUse(groups, template));
  if (decl.node.kind === 'OutputDecl') lines.push(outputSettings(decl.node, template.unit.text));
  return lines.join('\n\n');
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function outputSettings(decl: ast.OutputDecl, text: string): string {
  const parts = decl.clauses.map((c) => (c.value ? `${c.clause} \`${text.slice(c.value.span.start, c.value.span.end)}\`` : `\`${c.clause}\``));
  if (!decl.clauses.some((c) => c.clause === 'weight')) parts.push('weight 1');
  return parts.join(' · ') + (decl.clauses.some((c) => c.clause === 'aux') ? ' — training only: the inference model leaves it out' : '');
}

function paramMarkdown(analysis: Analysis, decl: LocalDecl, template: ModelTemplate, scope: ModelScope | undefined): string {
  const node = decl.node as ast.ParamDecl;
  const lines = [code(`(parameter) ${modelParamLabel(node, template.unit.text)}`), `Parameter of \`${template.name}\`.`];
  const uses = scope ? usesOf(scope, decl) : [];
  let groups: Group[] = [];
  for (const use of uses) {
    const ref = parentOf(template.decl, use);
    if (!ref) continue;
    groups = groupValues(valuesOf(analysis, template, ref), formatValue);
    if (groups.length > 0) break;
  }
  if (uses.length === 0) lines.push('Never used.');
  else if (groups.length === 1) lines.push(`Value: \`${groups[0]!.text}\``);
  else lines.push(...perUse(groups, template));
  if (node.type && paramTypeDocs[node.type.name]) lines.push(`\`${node.type.name}\`: ${paramTypeDocs[node.type.name]}`);
  return lines.join('\n\n');
}

function sharedMarkdown(analysis: Analysis, decl: LocalDecl, template: ModelTemplate, scope: ModelScope | undefined): string {
  const node = decl.node as ast.SharedDecl;
  const text = template.unit.text;
  const value = node.value ? text.slice(node.value.span.start, node.value.span.end) : '…';
  const uses = scope ? usesOf(scope, decl).length : 0;
  const lines = [code(`(shared) ${decl.name} = ${value}`), `One instance with one set of weights, applied ${uses === 1 ? 'once' : `${uses} times`}.`];
  const call = node.value?.kind === 'Call' ? node.value : undefined;
  const callee = call && scope ? calleeOf(scope.refs.get(call.callee)) : undefined;
  if (call && callee?.kind === 'entry' && scope) {
    const apps = applicationsOf(analysis, template, scope, call, callee.entry);
    lines.push(...applicationLines(apps, template, callee.entry, call));
  } else if (callee?.kind === 'model') {
    lines.push(...modelSummary(analysis, callee.template).slice(1));
  }
  return lines.join('\n\n');
}

// ------------------------------------------------------------------ models

function modelMarkdown(analysis: Analysis, loc: Located, template: ModelTemplate, isDeclaration: boolean): string {
  const lines = modelSummary(analysis, template);
  // At a use `x -> Block(…)`: what this use gives, per run of the model it is in.
  const stage = loc.ancestors[loc.ancestors.length - 1];
  const pipeline = loc.ancestors[loc.ancestors.length - 2];
  if (!isDeclaration && stage && pipeline?.kind === 'Pipeline' && loc.model?.template) {
    lines.push(...useSummary(analysis, loc.model.template, pipeline, stage));
  }
  return lines.join('\n\n');
}

// ------------------------------------------------------------------ layers, merges, functions

/** The call (or a stage's bare name) whose callee is the identifier. */
function siteOf(loc: Located): ast.Call | ast.NameRef | undefined {
  const parent = loc.ancestors[loc.ancestors.length - 1];
  if (parent?.kind === 'Call' && parent.callee === loc.identifier) return parent;
  if (parent?.kind === 'NameRef') return parent;
  return undefined;
}

function entryMarkdown(analysis: Analysis, loc: Located, entry: CatalogueEntry, written: string): string {
  const callee: Callee = { kind: 'entry', entry, name: written };
  const lines = [code(signatureOf(callee, written).label)];
  const site = siteOf(loc);
  const template = loc.model?.template;
  const scope = loc.model?.scope;
  if (site && template && scope) {
    const apps = applicationsOf(analysis, template, scope, site, entry);
    lines.push(...applicationLines(apps, template, entry, site.kind === 'Call' ? site : undefined));
  }
  lines.push('---', entry.doc);
  return lines.join('\n\n');
}

/** The parameters given explicitly in a call, by name. */
function givenParams(call: ast.Call | undefined, params: readonly ParamSpec[], skipFirst: boolean): Set<string> {
  const given = new Set<string>();
  if (!call) return given;
  let position = skipFirst ? -1 : 0;
  for (const arg of call.args) {
    if (arg.name) {
      const p = params.find((q) => q.name === arg.name!.name || q.aliases?.includes(arg.name!.name));
      if (p) given.add(p.name);
    } else {
      if (position >= 0 && params[position]) given.add(params[position]!.name);
      position++;
    }
  }
  return given;
}

function argLines(entry: CatalogueEntry, args: Args, given: ReadonlySet<string>): string {
  return entry.params.map((p) => `- \`${p.name}: ${formatArg(args[p.name])}\`${given.has(p.name) ? '' : ' (default)'}`).join('\n');
}

function shapesLine(app: Application): string {
  const params = app.params ? ` · ${plural(app.params.trainable + app.params.nonTrainable, 'param')}${app.params.nonTrainable ? ` (${formatCount(app.params.nonTrainable)} non-trainable)` : ''}` : '';
  return `${app.inputs.map((s) => `\`${formatShape(s)}\``).join(', ')} → ${app.outputs.map((s) => `\`${formatShape(s)}\``).join(', ')}${params}`;
}

function applicationLines(apps: readonly Application[], template: ModelTemplate, entry: CatalogueEntry, call: ast.Call | undefined): string[] {
  // `reshape(x, [4, 8])`: the first argument is the tensor, not a parameter.
  const skipFirst = call !== undefined && functionalLayers.has(call.callee.name);
  const given = givenParams(entry.kind === 'merge' ? undefined : call, entry.params, skipFirst);
  if (entry.kind === 'merge' && call) for (const arg of call.args) if (arg.name) given.add(arg.name.name);
  if (apps.length === 0) {
    return ['Not applied to a tensor of known shape here (a block checked on its own, or an error above).'];
  }
  const lines: string[] = [];
  const shapeGroups = groupBy(apps, shapesLine);
  if (shapeGroups.size === 1) lines.push(`**${entry.name}** ${[...shapeGroups.keys()][0]}`);
  else lines.push([`**${entry.name}**, per use of \`${template.name}\`:`, ...[...shapeGroups].map(([text, group]) => `- ${text} — ${whereList(group, template)}`)].join('\n'));
  if (entry.params.length === 0) return lines;
  const argGroups = groupBy(apps, (app) => argLines(entry, app.args, given));
  if (argGroups.size === 1) lines.push([...argGroups.keys()][0]!);
  else for (const [text, group] of argGroups) lines.push(`${whereList(group, template)}:\n${text}`);
  return lines;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function whereList(apps: readonly Application[], template: ModelTemplate): string {
  return [...new Set(apps.map((a) => describeRun(a.path, template)))].join('; ');
}

function functionMarkdown(analysis: Analysis, loc: Located, entry: FunctionEntry): string {
  const lines = [code(signatureOf({ kind: 'function', entry }, entry.name).label), `**${entry.kind}** \`${entry.name}\`: ${entry.doc}`];
  const site = siteOf(loc);
  if (site) {
    const values = valuesOf(analysis, loc.model?.template, site);
    const first = values.find((v) => v.value.kind === 'optimizer' || v.value.kind === 'regularizer');
    if (first) lines.push(`Value: \`${formatValue(first.value)}\``);
  }
  return lines.join('\n\n');
}

function argumentMarkdown(analysis: Analysis, loc: Located, symbol: Extract<SymbolInfo, { kind: 'argument' }>): string {
  if (symbol.callee?.kind === 'model') {
    const decl = symbol.modelParam;
    if (!decl) return `\`${symbol.callee.template.name}\` has no parameter \`${symbol.name}\`.`;
    return [code(`(parameter) ${modelParamLabel(decl, symbol.callee.template.unit.text)}`), `Parameter of \`${symbol.callee.template.name}\`.`].join('\n\n');
  }
  const param = symbol.param;
  const calleeName = symbol.callee ? symbol.callee.entry.name : symbol.call.callee.name;
  if (!param) return `${calleeName} has no parameter \`${symbol.name}\`.`;
  const lines = [code(`${param.name}: ${typeLabel(param.type)}${param.default === undefined ? '' : ` = ${formatArg(param.default)}`}`), `Parameter of ${calleeName}: ${param.doc}`];
  const template = loc.model?.template;
  const scope = loc.model?.scope;
  if (symbol.callee?.kind === 'entry' && template && scope) {
    const apps = applicationsOf(analysis, template, scope, symbol.call, symbol.callee.entry);
    const values = [...new Set(apps.map((a) => formatArg(a.args[param.name])))];
    if (values.length > 0) lines.push(`Value: ${values.map((v) => `\`${v}\``).join(', ')}`);
  }
  return lines.join('\n\n');
}

function valueMarkdown(name: string, param: ParamSpec | undefined, callee: Callee | undefined): string | undefined {
  const doc = (activationDocs as Record<string, string>)[name];
  const init = (initializerDocs as Record<string, string>)[name];
  const accepts = param ? enumValues(param) : undefined;
  if (doc && (!accepts || accepts === activations)) return `**activation** \`${name}\`: ${doc}`;
  if (init && (!accepts || accepts === initializers)) return `**initializer** \`${name}\`: ${init}`;
  if (param && callee) {
    const owner = callee.kind === 'model' ? callee.template.name : callee.entry.name;
    return `\`${name}\`: a value of \`${param.name}\` of ${owner} (${typeLabel(param.type)}).\n\n${param.doc}`;
  }
  return undefined;
}

function enumValues(param: ParamSpec): readonly string[] | undefined {
  const type = param.type.kind === 'optional' ? param.type.of : param.type;
  return type.kind === 'enum' ? type.values : undefined;
}

// ------------------------------------------------------------------ other expressions

/** On an expression that is not a name (`p[0:1]`, a call's parentheses): its value. */
function expressionHover(analysis: Analysis, loc: Located): Hover | undefined {
  const node: Node = loc.node;
  const parent = loc.ancestors[loc.ancestors.length - 1];
  if (node.kind === 'StringLiteral' && parent?.kind === 'ImportDecl') {
    const target = importedUnit(analysis, loc.uri, parent);
    const names = target ? [...target.models.keys()].map((n) => `\`${n}\``).join(', ') : '';
    return { span: node.span, markdown: target ? `\`${target.uri}\`\n\nModels: ${names || 'none'}` : `\`${node.value}\` is not loaded.` };
  }
  if (node.kind === 'Call') {
    const target = loc.model?.scope?.refs.get(node.callee);
    if (target?.kind === 'entry') {
      return { span: node.span, markdown: entryMarkdown(analysis, { ...loc, identifier: node.callee, ancestors: [...loc.ancestors, node] }, target.entry, node.callee.name) };
    }
  }
  if (node.kind !== 'Index' && node.kind !== 'Member' && node.kind !== 'TupleLiteral' && node.kind !== 'Call' && node.kind !== 'Pipeline') return undefined;
  const groups = groupValues(valuesOf(analysis, loc.model?.template, node), describeTensor);
  if (groups.length === 0) return undefined;
  const head = groups.length === 1 ? groups[0]!.text : 'several shapes';
  return { span: node.span, markdown: [code(head), ...perUse(groups, loc.model?.template)].join('\n\n') };
}
