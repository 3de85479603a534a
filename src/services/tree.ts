/**
 * Walking the syntax tree for editor services: every node's children in
 * source order, and the path from the file down to the node at an offset.
 *
 * The tree has no parent pointers, so services find parents by descending
 * from the root: a file has tens of declarations, a model tens or hundreds of
 * statements and an expression a handful of levels, so one descent costs
 * microseconds and needs no index kept per document.
 */
import type * as ast from '../syntax/ast.js';
import type { Span } from '../syntax/source.js';

/** Every kind of node in the tree (the AST module has no union of them all). */
export type Node =
  | ast.SourceFile
  | ast.Comment
  | ast.ImportDecl
  | ast.ModelDecl
  | ast.ParamDecl
  | ast.Statement
  | ast.OutputClause
  | ast.Setting
  | ast.Argument
  | ast.Expression
  | ast.SliceItem
  | ast.Identifier;

type Maybe = Node | undefined;

function push(out: Node[], ...nodes: readonly Maybe[]): void {
  for (const node of nodes) if (node) out.push(node);
}

/** The children of a node, in source order (holes left by parse errors skipped). */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  switch (node.kind) {
    case 'SourceFile':
      push(out, ...[...node.imports, ...node.models].sort((a, b) => a.span.start - b.span.start));
      break;
    case 'ImportDecl':
      push(out, ...(node.names ?? []), node.path);
      break;
    case 'ModelDecl':
      push(out, node.name, ...node.params, ...node.body);
      break;
    case 'ParamDecl':
      push(out, node.name, node.type, node.default);
      break;
    case 'InputDecl':
      push(out, node.name, node.shape, node.dtype);
      break;
    case 'OutputDecl':
      push(out, node.name, node.value, ...node.clauses);
      break;
    case 'OutputClause':
      push(out, node.value);
      break;
    case 'SharedDecl':
      push(out, node.name, node.value);
      break;
    case 'Binding':
      push(out, ...node.names, node.value);
      break;
    case 'TrainBlock':
      push(out, ...node.settings);
      break;
    case 'Setting':
      push(out, node.key, node.value);
      break;
    case 'NameRef':
      push(out, node.name);
      break;
    case 'Call':
      push(out, node.callee, ...node.args);
      break;
    case 'Argument':
      push(out, node.name, node.value);
      break;
    case 'ListLiteral':
    case 'TupleLiteral':
      push(out, ...node.items);
      break;
    case 'Unary':
      push(out, node.operand);
      break;
    case 'Binary':
      push(out, node.left, node.right);
      break;
    case 'Index':
      push(out, node.target, ...node.items);
      break;
    case 'Position':
      push(out, node.value);
      break;
    case 'Range':
      push(out, node.start, node.stop, node.step);
      break;
    case 'Member':
      push(out, node.target, node.name);
      break;
    case 'Pipeline':
      push(out, node.source, ...node.stages);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Whether `offset` is in `span` for the purpose of finding what the cursor
 * is on: inside it, or just after its end (a cursor right after `cnn|` is on `cnn`).
 */
export function touches(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/**
 * The nodes from `root` down to the innermost one containing `offset`
 * (root first). A child that strictly contains the offset wins over one that
 * merely ends there, so `a,|b` is on `b`'s side only once `b` starts.
 */
export function pathTo(root: Node, offset: number): Node[] {
  const path: Node[] = [root];
  let node: Node = root;
  for (;;) {
    let inside: Node | undefined;
    let endingHere: Node | undefined;
    for (const child of children(node)) {
      if (child.span.start <= offset && offset < child.span.end) {
        inside = child;
        break;
      }
      if (child.span.end === offset) endingHere = child;
    }
    const next = inside ?? endingHere;
    if (!next) return path;
    path.push(next);
    node = next;
  }
}

/** Calls `visit` on every node under `root` (root included), parents before children. */
export function walk(root: Node, visit: (node: Node, parent: Node | undefined) => void, parent?: Node): void {
  visit(root, parent);
  const kids = children(root);
  for (let i = 0; i < kids.length; i++) walk(kids[i]!, visit, root);
}

/**
 * Calls `visit` on every `NameRef` of a model (parameter defaults and
 * statements), without the child arrays `children` makes: rename looks at
 * every bare name of every model that can see a renamed model.
 */
export function forEachNameRef(decl: ast.ModelDecl, visit: (ref: ast.NameRef) => void): void {
  const expression = (e: ast.Expression | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'NameRef':
        visit(e);
        return;
      case 'Call':
        for (const arg of e.args) expression(arg.value);
        return;
      case 'ListLiteral':
      case 'TupleLiteral':
        for (const item of e.items) expression(item);
        return;
      case 'Unary':
        expression(e.operand);
        return;
      case 'Binary':
        expression(e.left);
        expression(e.right);
        return;
      case 'Index':
        expression(e.target);
        for (const item of e.items) {
          if (item.kind === 'Position') expression(item.value);
          else {
            expression(item.start);
            expression(item.stop);
            expression(item.step);
          }
        }
        return;
      case 'Member':
        expression(e.target);
        return;
      case 'Pipeline':
        expression(e.source);
        for (const stage of e.stages) expression(stage);
        return;
      default:
        return;
    }
  };
  for (const param of decl.params) expression(param.default);
  for (const statement of decl.body) {
    switch (statement.kind) {
      case 'InputDecl':
        expression(statement.shape);
        break;
      case 'OutputDecl':
        expression(statement.value);
        for (const clause of statement.clauses) expression(clause.value);
        break;
      case 'SharedDecl':
      case 'Binding':
        expression(statement.value);
        break;
      case 'TrainBlock':
        for (const setting of statement.settings) expression(setting.value);
        break;
    }
  }
}

/** The comment containing `offset`, if any (comments are kept beside the tree, sorted). */
export function commentAt(file: ast.SourceFile, offset: number): ast.Comment | undefined {
  const comments = file.comments;
  let lo = 0;
  let hi = comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid]!;
    if (offset < c.span.start) hi = mid - 1;
    else if (offset > c.span.end) lo = mid + 1;
    else {
      // Typing at the end of a line comment is inside it; just after a closed `*/` is not.
      const closed = c.text.startsWith('/*') && c.text.endsWith('*/') && c.text.length >= 4;
      return offset > c.span.start && (offset < c.span.end || !closed) ? c : undefined;
    }
  }
  return undefined;
}
