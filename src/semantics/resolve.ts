/**
 * Name resolution for one model: declarations, what each name refers to,
 * duplicates, use before definition, unknown layers, and the liveness
 * warnings (branches that reach no output, unused inputs and parameters).
 *
 * It runs once per model declaration, independent of how the model is
 * instantiated; the elaborator then reads `refs` instead of looking names up.
 */
import { allEntryNames, lookupEntry } from '../catalogue/index.js';
import { functionEntries, type FunctionEntry } from '../catalogue/training.js';
import type { CatalogueEntry } from '../catalogue/types.js';
import type { DiagnosticSink } from '../diagnostics/diagnostic.js';
import type * as ast from '../syntax/ast.js';
import { keywords } from '../syntax/tokens.js';
import { closest } from '../util/suggest.js';
import type { ModelTemplate } from './program.js';

export type DeclKind = 'param' | 'input' | 'binding' | 'output' | 'shared';

export interface LocalDecl {
  readonly kind: DeclKind;
  readonly name: string;
  readonly ident: ast.Identifier;
  readonly node: ast.ParamDecl | ast.Statement;
  /** Statement index; parameters are -1 (visible everywhere). */
  readonly order: number;
  /** Position in a tuple binding `a, b = …`. */
  readonly index: number;
}

export type Target =
  | { readonly kind: 'local'; readonly decl: LocalDecl }
  | { readonly kind: 'model'; readonly template: ModelTemplate }
  | { readonly kind: 'entry'; readonly entry: CatalogueEntry }
  | { readonly kind: 'function'; readonly entry: FunctionEntry };

/** Lower-case functional forms of layers: `flatten(x)`, `reshape(x, [4, 8])`. */
export const functionalLayers: ReadonlyMap<string, string> = new Map([
  ['flatten', 'Flatten'],
  ['reshape', 'Reshape'],
  ['permute', 'Permute'],
]);

export interface ModelScope {
  readonly template: ModelTemplate;
  readonly decls: readonly LocalDecl[];
  readonly byName: ReadonlyMap<string, LocalDecl>;
  /** Every resolved name use (not declarations). */
  readonly refs: ReadonlyMap<ast.Identifier, Target>;
  readonly live: ReadonlySet<LocalDecl>;
}

function declaredNames(statement: ast.Statement): readonly ast.Identifier[] {
  switch (statement.kind) {
    case 'Binding':
      return statement.names;
    case 'TrainBlock':
      return [];
    default:
      return statement.name ? [statement.name] : [];
  }
}

const declKind: Record<Exclude<ast.Statement['kind'], 'TrainBlock'>, DeclKind> = {
  InputDecl: 'input',
  OutputDecl: 'output',
  SharedDecl: 'shared',
  Binding: 'binding',
};

/**
 * What catalogue names resolve to: one target per name, shared by every use
 * (targets are immutable, and a fresh one per use was garbage). Only names
 * the catalogue has are kept, so the map stays as small as the catalogue.
 */
const catalogueTargets = new Map<string, Target>();

function catalogueTarget(name: string): Target | undefined {
  let target = catalogueTargets.get(name);
  if (target === undefined) {
    const entry = lookupEntry(name) ?? lookupEntry(functionalLayers.get(name) ?? '');
    const fn = entry ? undefined : functionEntries.get(name);
    if (!entry && !fn) return undefined;
    target = entry ? { kind: 'entry', entry } : { kind: 'function', entry: fn! };
    catalogueTargets.set(name, target);
  }
  return target;
}

type LocalTarget = Extract<Target, { kind: 'local' }>;

/** What resolving a model tracks about one of its declarations (a field, not a set: uses are many). */
interface Local {
  /** The target of every use (one object, shared). */
  readonly target: LocalTarget;
  referenced: boolean;
}

export function resolveModel(template: ModelTemplate, sink: DiagnosticSink): ModelScope {
  const uri = template.unit.uri;
  const decls: LocalDecl[] = [];
  const byName = new Map<string, LocalDecl>();
  /** The same declarations by name, with what is tracked about them. */
  const locals = new Map<string, Local>();
  const refs = new Map<ast.Identifier, Target>();
  let current = -1;
  /**
   * The declarations each statement uses, for liveness: statement k's are
   * `uses[usesStart[k]]` up to `uses[usesStart[k + 1]]` (one array for the
   * model, not one per statement). Uses in parameter defaults come first and
   * belong to no statement.
   */
  const uses: LocalDecl[] = [];

  const declare = (kind: DeclKind, ident: ast.Identifier, node: LocalDecl['node'], order: number, index: number): LocalDecl | undefined => {
    if (keywords.has(ident.name)) return undefined; // already a syntax error
    const first = byName.get(ident.name);
    if (first) {
      sink.report('MBN201', uri, ident.span, `\`${ident.name}\` is already defined in \`${template.name}\``, {
        related: [{ uri, span: first.ident.span, message: `first defined here as ${articleFor(first.kind)}` }],
        notes: ['every input, branch, output, shared layer and parameter of a model needs its own name'],
      });
      return undefined;
    }
    const decl: LocalDecl = { kind, name: ident.name, ident, node, order, index };
    decls.push(decl);
    byName.set(ident.name, decl);
    locals.set(ident.name, { target: { kind: 'local', decl }, referenced: false });
    return decl;
  };

  /** Models visible here, then the catalogue; cached per name for this model. */
  const callables = new Map<string, Target | null>();
  const callable = (name: string): Target | undefined => {
    let target = callables.get(name);
    if (target === undefined) {
      const template_ = template.unit.visible.get(name);
      target = template_ ? { kind: 'model', template: template_ } : catalogueTarget(name) ?? null;
      callables.set(name, target);
    }
    return target ?? undefined;
  };

  const callableNames = (): string[] => [...template.unit.visible.keys(), ...allEntryNames(), ...functionEntries.keys(), ...functionalLayers.keys()];

  const useLocal = (ident: ast.Identifier, local: Local): void => {
    const decl = local.target.decl;
    refs.set(ident, local.target);
    local.referenced = true;
    uses.push(decl);
    if (decl.order >= current && decl.kind !== 'param') {
      const line = template.unit.lines.position(decl.ident.span.start).line + 1;
      sink.report('MBN202', uri, ident.span, `\`${ident.name}\` is used before its definition on line ${line}`, {
        related: [{ uri, span: decl.ident.span, message: 'defined here' }],
        notes: ['statements run top to bottom; move the definition above this line'],
      });
    }
  };

  const resolveCallee = (ident: ast.Identifier, asStage: boolean): void => {
    const local = locals.get(ident.name);
    if (local && asStage && local.target.decl.kind === 'shared') {
      useLocal(ident, local);
      return;
    }
    const target = callable(ident.name);
    if (target) {
      refs.set(ident, target);
      return;
    }
    if (local) {
      useLocal(ident, local);
      const kind = local.target.decl.kind;
      const what = kind === 'shared' ? 'a shared layer: apply it with `x -> ' + ident.name + '`' : `${articleFor(kind)}, not a layer`;
      sink.report('MBN203', uri, ident.span, `\`${ident.name}\` is ${what}`, {
        ...(kind !== 'shared' ? { notes: ['only layers, models, shared layers and operations can follow `->` or be called'] } : {}),
      });
      return;
    }
    const candidates = asStage ? [...callableNames(), ...decls.filter((d) => d.kind === 'shared').map((d) => d.name)] : callableNames();
    const suggestion = closest(ident.name, candidates);
    sink.report('MBN200', uri, ident.span, `unknown layer, model or operation \`${ident.name}\``, {
      ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: ident.span, newText: suggestion }] } } : {}),
      notes: suggestion ? [] : ['see docs/catalogue.md for the layers mbn knows; models must be declared in this file or imported'],
    });
  };

  const visit = (expr: ast.Expression | undefined): void => {
    if (!expr) return;
    switch (expr.kind) {
      case 'NameRef': {
        const local = locals.get(expr.name.name);
        if (local) useLocal(expr.name, local);
        else {
          const target = callable(expr.name.name);
          if (target) refs.set(expr.name, target);
          // Otherwise a symbol such as `relu`; the elaborator checks it where it is used.
        }
        return;
      }
      case 'Call':
        resolveCallee(expr.callee, false);
        for (let i = 0; i < expr.args.length; i++) visit(expr.args[i]!.value);
        return;
      case 'Pipeline':
        visit(expr.source);
        for (let i = 0; i < expr.stages.length; i++) {
          const stage = expr.stages[i]!;
          if (stage.kind === 'NameRef') resolveCallee(stage.name, true);
          else {
            resolveCallee(stage.callee, true);
            for (let j = 0; j < stage.args.length; j++) visit(stage.args[j]!.value);
          }
        }
        return;
      case 'ListLiteral':
      case 'TupleLiteral':
        for (let i = 0; i < expr.items.length; i++) visit(expr.items[i]);
        return;
      case 'Unary':
        visit(expr.operand);
        return;
      case 'Binary':
        visit(expr.left);
        visit(expr.right);
        return;
      case 'Index':
        visit(expr.target);
        for (const item of expr.items) {
          if (item.kind === 'Position') visit(item.value);
          else {
            visit(item.start);
            visit(item.stop);
            visit(item.step);
          }
        }
        return;
      case 'Member':
        visit(expr.target);
        return;
      default:
        return;
    }
  };

  const params = template.decl.params;
  for (const param of params) {
    if (param.name) declare('param', param.name, param, -1, 0);
  }
  for (const param of params) visit(param.default);

  // Declare everything first, so that a use above its definition is reported as such.
  const body = template.decl.body;
  for (let order = 0; order < body.length; order++) {
    const statement = body[order]!;
    if (statement.kind === 'TrainBlock') continue;
    const names = declaredNames(statement);
    for (let index = 0; index < names.length; index++) declare(declKind[statement.kind], names[index]!, statement, order, index);
  }

  const usesStart = new Int32Array(body.length + 1);
  for (let order = 0; order < body.length; order++) {
    const statement = body[order]!;
    current = order;
    usesStart[order] = uses.length;
    switch (statement.kind) {
      case 'InputDecl':
        visit(statement.shape);
        break;
      case 'OutputDecl':
        visit(statement.value);
        for (const clause of statement.clauses) visit(clause.value);
        break;
      case 'SharedDecl':
      case 'Binding':
        visit(statement.value);
        break;
      case 'TrainBlock':
        for (const setting of statement.settings) visit(setting.value);
        break;
    }
  }
  usesStart[body.length] = uses.length;

  // Liveness: everything an output depends on, transitively.
  const live = new Set<LocalDecl>();
  const stack = decls.filter((d) => d.kind === 'output');
  while (stack.length > 0) {
    const decl = stack.pop()!;
    if (live.has(decl)) continue;
    live.add(decl);
    if (decl.order >= 0) for (let i = usesStart[decl.order]!; i < usesStart[decl.order + 1]!; i++) stack.push(uses[i]!);
  }
  reportUnused(template, decls, live, (decl) => locals.get(decl.name)!.referenced, sink);
  return { template, decls, byName, refs, live };
}

function articleFor(kind: DeclKind): string {
  return { param: 'a parameter', input: 'an input', binding: 'a branch', output: 'an output', shared: 'a shared layer' }[kind];
}

function reportUnused(template: ModelTemplate, decls: readonly LocalDecl[], live: ReadonlySet<LocalDecl>, referenced: (decl: LocalDecl) => boolean, sink: DiagnosticSink): void {
  const uri = template.unit.uri;
  const hasOutputs = decls.some((d) => d.kind === 'output');
  for (const decl of decls) {
    if (live.has(decl)) continue;
    switch (decl.kind) {
      case 'binding':
        if (!hasOutputs) break;
        sink.report('MBN400', uri, decl.ident.span, `branch \`${decl.name}\` reaches no output, so it is not part of the model`, {
          notes: [
            'Keras drops such a branch from the Model silently, with its weights; mbn warns instead',
            'use it in an output (an `aux` output if it only helps training), or remove it',
          ],
        });
        break;
      case 'input':
        if (!hasOutputs) break;
        sink.report('MBN401', uri, decl.ident.span,
          referenced(decl) ? `input \`${decl.name}\` feeds no output` : `input \`${decl.name}\` is never used`, {
            notes: ['an unused input still has to be fed when training and predicting'],
          });
        break;
      case 'param':
        if (!referenced(decl)) sink.report('MBN402', uri, decl.ident.span, `parameter \`${decl.name}\` is never used`);
        break;
      case 'shared':
        if (!referenced(decl)) sink.report('MBN408', uri, decl.ident.span, `shared layer \`${decl.name}\` is never applied`);
        break;
      case 'output':
        break;
    }
  }
}
