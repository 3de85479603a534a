/**
 * The .mbn parser: a Chevrotain parser with embedded actions that builds the
 * syntax tree (`ast.ts`) directly, with error recovery on.
 *
 * Chevrotain records the grammar by running every rule once in a "recording
 * phase" in which tokens and sub-rule results are placeholders; all tree
 * building is therefore wrapped in `ACTION`. Tokens the parser inserted while
 * recovering have no position (`isInsertedInRecovery`) and become holes.
 */
import { EmbeddedActionsParser, EOF, tokenMatcher, type IOrAlt, type IToken, type TokenType } from 'chevrotain';
import type * as ast from './ast.js';
import { span, type Span } from './source.js';
import * as t from './tokens.js';
import { errorMessages } from './parse-messages.js';

type Maybe<T> = T | undefined;

/**
 * What a rule returns while Chevrotain records the grammar (its results are
 * never used then). Rules test `RECORDING_PHASE` instead of wrapping their
 * tree building in `ACTION(() => …)`, which would allocate a closure per call.
 */
const recording = undefined as never;

interface ArgumentList {
  readonly args: ast.Argument[];
  readonly open: IToken;
  readonly close: IToken;
}

interface SliceRest {
  readonly colon: IToken;
  readonly stop: Maybe<ast.Expression>;
  readonly step: Maybe<ast.Expression>;
  readonly secondColon: Maybe<IToken>;
}

function present(token: IToken | undefined): token is IToken {
  return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset) && token.image !== undefined;
}

function tokenSpan(token: IToken): Span {
  return span(token.startOffset, token.startOffset + token.image.length);
}

/*
 * Where a token or node starts and ends; NaN when it is absent (a hole, or a
 * token invented by recovery), which every comparison in `join` skips.
 */
function tokenStart(token: IToken | undefined): number {
  return present(token) ? token.startOffset : NaN;
}

function tokenEnd(token: IToken | undefined): number {
  return present(token) ? token.startOffset + token.image.length : NaN;
}

function nodeStart(node: { readonly span: Span } | undefined): number {
  return node ? node.span.start : NaN;
}

function nodeEnd(node: { readonly span: Span } | undefined): number {
  return node ? node.span.end : NaN;
}

/** The span from the least start to the greatest end of the pieces that exist (as start, end pairs); [0, 0) if none. */
function join(s1: number, e1: number, s2: number, e2: number, s3 = NaN, e3 = NaN, s4 = NaN, e4 = NaN, s5 = NaN, e5 = NaN): Span {
  let start = Infinity;
  let end = -Infinity;
  if (s1 < start) start = s1;
  if (e1 > end) end = e1;
  if (s2 < start) start = s2;
  if (e2 > end) end = e2;
  if (s3 < start) start = s3;
  if (e3 > end) end = e3;
  if (s4 < start) start = s4;
  if (e4 > end) end = e4;
  if (s5 < start) start = s5;
  if (e5 > end) end = e5;
  return start !== Infinity ? { start, end: Math.max(start, end) } : { start: 0, end: 0 };
}

/*
 * The span of a node, from the first to the last of its pieces that exist.
 * The shapes most nodes have get functions of their own that test no
 * piece's type (a test on every kind of node and token was slow): these run
 * for almost every node.
 */
function tokenToNode(token: IToken | undefined, node: { readonly span: Span } | undefined): Span {
  return join(tokenStart(token), tokenEnd(token), nodeStart(node), nodeEnd(node));
}

function nodeToNode(first: { readonly span: Span } | undefined, last: { readonly span: Span } | undefined): Span {
  return join(nodeStart(first), nodeEnd(first), nodeStart(last), nodeEnd(last));
}

type Piece = IToken | { readonly span: Span } | undefined;

function pieceStart(part: Piece): number {
  if (part === undefined) return NaN;
  return (part as IToken).tokenType !== undefined ? tokenStart(part as IToken) : nodeStart(part as { span: Span });
}

function pieceEnd(part: Piece): number {
  if (part === undefined) return NaN;
  return (part as IToken).tokenType !== undefined ? tokenEnd(part as IToken) : nodeEnd(part as { span: Span });
}

/** The span of a node of up to five pieces, tokens or nodes, in any mix. */
function spanOf(a: Piece, b?: Piece, c?: Piece, d?: Piece, e?: Piece): Span {
  return join(pieceStart(a), pieceEnd(a), pieceStart(b), pieceEnd(b), pieceStart(c), pieceEnd(c), pieceStart(d), pieceEnd(d), pieceStart(e), pieceEnd(e));
}

/** `/^\d+$/` without a regular expression (it ran for every number). */
function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return text.length > 0;
}

/**
 * The nodes of a list that parsed (recovery can leave holes), in an array of
 * exactly their number. An array filled by `push` keeps room for 17 elements
 * or more, and a spec's tree holds tens of thousands of short lists
 * (arguments, stages): that room was a large part of the tree's memory.
 */
function kept<T extends { readonly kind: string }>(list: readonly (T | undefined)[]): T[] {
  let holes = 0;
  for (let i = 0; i < list.length; i++) if (!list[i]?.kind) holes++;
  if (holes === 0) return list.slice() as T[];
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) if (list[i]?.kind) out.push(list[i]!);
  return out.slice();
}

/**
 * Lists being built by nested rules (the arguments of `f(g(a, b), c)`), all
 * in one array: each list remembers where it starts and, when it ends, takes
 * its items out as an array of exactly their number. A fresh array per list,
 * grown by `push`, was garbage with room for 17.
 */
class ListStack<T> {
  private readonly items: T[] = [];
  private top = 0;

  /** Where a list that starts now begins. */
  mark(): number {
    return this.top;
  }

  push(item: T): void {
    this.items[this.top++] = item;
  }

  /** Whether nothing was pushed since `mark`. */
  isEmpty(mark: number): boolean {
    return this.top === mark;
  }

  /** The items pushed since `mark`, removed from the stack. */
  take(mark: number): T[] {
    const list = this.items.slice(mark, this.top);
    this.top = mark;
    return list;
  }

  /** Drops what was pushed since `mark` (after a rule failed; a no-op after `take`). */
  reset(mark: number): void {
    this.top = mark;
  }
}

function identifier(token: IToken | undefined): Maybe<ast.Identifier> {
  return present(token) ? { kind: 'Identifier', name: token.image, span: tokenSpan(token) } : undefined;
}

function unquote(raw: string): string {
  const quote = raw[0];
  const closed = raw.length >= 2 && raw[raw.length - 1] === quote;
  const body = raw.slice(1, closed ? -1 : undefined);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c as 'n'] ?? c);
}

const precedence: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2 };

/** Builds left-associative binary nodes from `a op b op c …` by operator precedence. */
function groupByPrecedence(first: ast.Expression, operators: readonly IToken[], operands: readonly ast.Expression[]): ast.Expression {
  const values: (ast.Expression | undefined)[] = [first];
  const pending: IToken[] = [];
  const reduce = () => {
    const op = pending.pop()!;
    const right = values.pop();
    const left = values.pop();
    values.push(left ? { kind: 'Binary', span: spanOf(left, op, right), operator: op.image as ast.Binary['operator'], left, right } : right);
  };
  operators.forEach((op, i) => {
    while (pending.length > 0 && precedence[pending[pending.length - 1]!.image]! >= precedence[op.image]!) reduce();
    pending.push(op);
    values.push(operands[i]);
  });
  while (pending.length > 0) reduce();
  return values[0]!;
}

function argument(name: IToken | undefined, value: ast.Expression | undefined): ast.Argument {
  // Without a name, the argument is its value, and shares its span.
  const span = name ? tokenToNode(name, value) : value ? value.span : join(NaN, NaN, NaN, NaN);
  return { kind: 'Argument', span, name: identifier(name), value };
}

export class MbnParser extends EmbeddedActionsParser {
  constructor() {
    super(t.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: errorMessages });
    this.performSelfAnalysis();
  }

  /*
   * Fast paths. Most optional parts of an expression are absent: no `(…)`
   * after a name, no `[…]`, no operator, no `->`, no `name:` before an
   * argument. Asking Chevrotain (`OPTION`, `MANY`) costs a lookup of its
   * lookahead function, a call to it and, for `MANY`, an array and a
   * repetition-recovery check, for every operand of a spec. So the hot rules
   * first test the next token themselves, and call the DSL only when it can
   * start the optional part (`may`); otherwise the call could only have
   * found that it does not apply:
   *  - a lookahead function accepts only token sequences that begin with a
   *    token that can start the part;
   *  - `OPTION` does nothing else; `MANY` also tries repetition recovery,
   *    which Chevrotain skips where no token of the rule follows the
   *    repetition (it ends the rule, which is not the top rule, or another
   *    repetition follows), as for each `MANY` given a fast path here, and
   *    where the next token is the one that follows (`binding`'s `=`).
   * While Chevrotain records the grammar the DSL is always called, so the
   * grammar is the same.
   */

  /**
   * `{`s still open when the declaration's tokens ran out, outermost last.
   * Chevrotain cannot insert a missing `}` before the end of the input (its
   * single-token insertion needs a following token), so the rule would fail
   * and the whole half-typed model, the one being edited, would vanish from
   * the tree. Instead the `}` is left out and `parse` reports it.
   */
  unclosed: IToken[] = [];

  /** At the end of the input where a `}` is due: note the open `{` and consume nothing. */
  private closeAtEndOfInput(open: IToken): boolean {
    if (this.RECORDING_PHASE || !this.next(EOF)) return false;
    if (present(open)) this.unclosed.push(open);
    return true;
  }

  /** Whether the next token is a `type` (never while recording the grammar). */
  private next(type: TokenType): boolean {
    return !this.RECORDING_PHASE && tokenMatcher(this.LA(1), type);
  }

  /** Whether the DSL call for an optional part must be made: the next token (or two) can start it. */
  private may(first: TokenType, second?: TokenType): boolean {
    if (this.RECORDING_PHASE) return true;
    return tokenMatcher(this.LA(1), first) && (second === undefined || tokenMatcher(this.LA(2), second));
  }

  // ---------------------------------------------------------------- top level

  public importDecl = this.RULE('importDecl', (): ast.ImportDecl => {
    const keyword = this.CONSUME(t.Import);
    let names: IToken[] | undefined;
    let close: IToken | undefined;
    this.OPTION(() => {
      names = [];
      this.CONSUME(t.LBrace);
      this.OPTION2(() => {
        names!.push(this.CONSUME(t.Identifier));
        this.MANY(() => {
          this.CONSUME(t.Comma);
          names!.push(this.CONSUME2(t.Identifier));
        });
      });
      close = this.CONSUME(t.RBrace);
      this.CONSUME(t.From);
    });
    const path = this.OR([
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.UnterminatedString) },
    ]);
    this.MANY2(() => this.CONSUME(t.Newline));
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'ImportDecl',
      span: spanOf(keyword, close, path),
      path: present(path) ? { kind: 'StringLiteral', value: unquote(path.image), span: tokenSpan(path) } : undefined,
      names: names?.map(identifier).filter((n): n is ast.Identifier => n !== undefined),
    };
  });

  public modelDecl = this.RULE('modelDecl', (): ast.ModelDecl => {
    const keyword = this.CONSUME(t.Model);
    const name = this.CONSUME(t.Identifier);
    let params: ast.ParamDecl[] = [];
    this.OPTION(() => {
      params = this.SUBRULE(this.paramList);
    });
    const open = this.CONSUME(t.LBrace);
    const body: ast.Statement[] = [];
    const push = (s: Maybe<ast.Statement>) => (this.RECORDING_PHASE ? undefined : s && s.kind && body.push(s));
    // The closures are made once per model, not once per statement.
    const nextStatement = () => push(this.SUBRULE2(this.statement));
    this.OPTION2(() => push(this.SUBRULE(this.statement)));
    this.MANY(() => {
      this.CONSUME(t.Newline);
      this.OPTION3(nextStatement);
    });
    const close = this.closeAtEndOfInput(open) ? undefined : this.CONSUME(t.RBrace);
    this.MANY2(() => this.CONSUME2(t.Newline));
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'ModelDecl',
      span: spanOf(keyword, name, open, body[body.length - 1], close),
      name: identifier(name),
      params: kept(params ?? []),
      body,
      bodySpan: present(open) ? spanOf(open, body[body.length - 1], close) : undefined,
    };
  });

  private paramList = this.RULE('paramList', (): ast.ParamDecl[] => {
    const params: ast.ParamDecl[] = [];
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      params.push(this.SUBRULE(this.param));
      // Trailing commas need no GATE here or in the lists below: Chevrotain's lookahead reads two
      // tokens and tells `, next` (another item) from `, )` (the end). A GATE cost a closure per list.
      this.MANY(() => {
        this.CONSUME(t.Comma);
        params.push(this.SUBRULE2(this.param));
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RParen);
    if (this.RECORDING_PHASE) return recording;
    return kept(params);
  });

  private param = this.RULE('param', (): ast.ParamDecl => {
    const name = this.CONSUME(t.Identifier);
    this.CONSUME(t.Colon);
    const type = this.CONSUME2(t.Identifier);
    let value: Maybe<ast.Expression>;
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      value = this.SUBRULE(this.expression);
    });
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'ParamDecl',
      span: spanOf(name, type, value),
      name: identifier(name),
      type: identifier(type),
      default: value,
    };
  });

  // ---------------------------------------------------------------- statements

  private statementAlternatives: IOrAlt<ast.Statement>[] | undefined;
  private statement = this.RULE('statement', (): ast.Statement =>
    this.OR((this.statementAlternatives ??= [
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.outputDecl) },
      { ALT: () => this.SUBRULE(this.sharedDecl) },
      { ALT: () => this.SUBRULE(this.trainBlock) },
      { ALT: () => this.SUBRULE(this.binding) },
    ])),
  );

  private inputDecl = this.RULE('inputDecl', (): ast.InputDecl => {
    const keyword = this.CONSUME(t.Input);
    const name = this.CONSUME(t.Identifier);
    let shape: Maybe<ast.Expression>;
    let dtype: Maybe<IToken>;
    this.OPTION(() => {
      this.CONSUME(t.Colon);
      shape = this.SUBRULE(this.expression);
    });
    this.OPTION2(() => {
      dtype = this.CONSUME2(t.Identifier);
    });
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'InputDecl',
      span: spanOf(keyword, name, shape, dtype),
      name: identifier(name),
      shape,
      dtype: identifier(dtype),
    };
  });

  private outputDecl = this.RULE('outputDecl', (): ast.OutputDecl => {
    const keyword = this.CONSUME(t.Output);
    const name = this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    const clauses: ast.OutputClause[] = [];
    this.MANY(() => {
      clauses.push(this.SUBRULE(this.outputClause));
    });
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'OutputDecl',
      span: spanOf(keyword, name, value, clauses[clauses.length - 1]),
      name: identifier(name),
      value,
      clauses: kept(clauses),
    };
  });

  private outputClause = this.RULE('outputClause', (): ast.OutputClause => {
    let value: Maybe<ast.Expression>;
    const keyword = this.OR([
      { ALT: () => this.CONSUME(t.Aux) },
      {
        ALT: () => {
          const k = this.OR2([
            { ALT: () => this.CONSUME(t.Loss) },
            { ALT: () => this.CONSUME(t.Weight) },
            { ALT: () => this.CONSUME(t.Metrics) },
          ]);
          value = this.SUBRULE(this.expression);
          return k;
        },
      },
    ]);
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'OutputClause',
      span: spanOf(keyword, value),
      clause: keyword.image as ast.OutputClause['clause'],
      keyword: tokenSpan(keyword),
      value,
    };
  });

  private sharedDecl = this.RULE('sharedDecl', (): ast.SharedDecl => {
    const keyword = this.CONSUME(t.Shared);
    const name = this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return recording;
    return { kind: 'SharedDecl', span: spanOf(keyword, name, value), name: identifier(name), value };
  });

  /** Names after the first of `a, b = …` (most bindings have one name, so no array is made for them). */
  private moreNames: IToken[] | undefined;

  private readonly nextName = (): void => {
    this.CONSUME(t.Comma);
    const name = this.CONSUME2(t.Identifier);
    if (!this.RECORDING_PHASE) (this.moreNames ??= []).push(name);
  };

  private binding = this.RULE('binding', (): ast.Binding => {
    const first = this.CONSUME(t.Identifier);
    this.moreNames = undefined;
    if (!this.next(t.Equals)) this.MANY(this.nextName);
    const more = this.moreNames as IToken[] | undefined;
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return recording;
    const id = identifier(first);
    let names: ast.Identifier[] = id ? [id] : [];
    if (more) names = kept([id, ...more.map(identifier)]);
    return { kind: 'Binding', span: tokenToNode(first, value), names, value };
  });

  private trainBlock = this.RULE('trainBlock', (): ast.TrainBlock => {
    const keyword = this.CONSUME(t.Train);
    const open = this.CONSUME(t.LBrace);
    const settings: ast.Setting[] = [];
    this.OPTION(() => settings.push(this.SUBRULE(this.setting)));
    this.MANY(() => {
      this.CONSUME(t.Newline);
      this.OPTION2(() => settings.push(this.SUBRULE2(this.setting)));
    });
    const close = this.closeAtEndOfInput(open) ? undefined : this.CONSUME(t.RBrace);
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'TrainBlock',
      span: spanOf(keyword, close, settings[settings.length - 1]),
      settings: kept(settings),
    };
  });

  private setting = this.RULE('setting', (): ast.Setting => {
    const key = this.CONSUME(t.AnyName);
    this.CONSUME(t.Colon);
    const value = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return recording;
    return { kind: 'Setting', span: tokenToNode(key, value), key: identifier(key), value };
  });

  // ---------------------------------------------------------------- expressions

  /*
   * What the expression being read has collected so far. Expressions nest
   * (`f(a + b) + c`), so `expression` saves these on entry and restores them
   * on exit. They live on the parser, rather than in locals captured by a
   * closure per `MANY`, because expressions are most of a spec and every
   * captured local cost an allocation.
   */
  private operators: IToken[] | undefined;
  private operands: ast.Expression[] | undefined;
  private readonly stages = new ListStack<ast.Stage>();

  private readonly binaryTail = (): void => {
    const op = this.CONSUME(t.BinaryOperator);
    const right = this.SUBRULE2(this.operand);
    if (this.RECORDING_PHASE) return;
    (this.operators ??= []).push(op);
    (this.operands ??= []).push(right);
  };

  private readonly stageTail = (): void => {
    this.CONSUME(t.Arrow);
    const name = this.CONSUME(t.Identifier);
    const call = this.may(t.LParen) ? this.OPTION(this.optionalArguments) : undefined;
    // A name the parser had to invent while recovering is a hole, not a stage.
    if (!this.RECORDING_PHASE && present(name)) this.stages.push(this.nameOrCall(name, call));
  };

  /**
   * `operand (op operand)* (-> stage)*`. Binary operators and pipeline stages
   * are read here rather than in rules of their own: every rule invocation
   * costs. Operators are grouped by precedence in the action; a stage is
   * `Name` or `Name(args)`.
   */
  public expression = this.RULE('expression', (): ast.Expression => {
    // Saved in locals, not an array: an array (and destructuring it back) per expression was garbage.
    const outerOperators = this.operators;
    const outerOperands = this.operands;
    const stagesMark = this.stages.mark();
    this.operators = this.operands = undefined;
    try {
      const first = this.SUBRULE(this.operand);
      if (this.may(t.BinaryOperator)) this.MANY(this.binaryTail);
      if (this.may(t.Arrow)) this.MANY2(this.stageTail);
      if (this.RECORDING_PHASE) return recording;
      // (Filled by binaryTail; TypeScript cannot see that through the call.)
      const operators = this.operators as IToken[] | undefined;
      const source = operators ? groupByPrecedence(first, operators, this.operands!) : first;
      if (this.stages.isEmpty(stagesMark) || !source) return source;
      const stages = this.stages.take(stagesMark);
      return { kind: 'Pipeline', span: nodeToNode(source, stages[stages.length - 1]), source, stages };
    } finally {
      this.operators = outerOperators;
      this.operands = outerOperands;
      this.stages.reset(stagesMark);
    }
  });

  private nameOrCall(name: IToken, call: Maybe<ArgumentList>): ast.Stage {
    const id = identifier(name) ?? { kind: 'Identifier', name: '', span: span(0, 0) };
    if (!call) return { kind: 'NameRef', span: id.span, name: id };
    const { open, args, close } = call;
    const last = args[args.length - 1];
    return {
      kind: 'Call',
      span: join(tokenStart(name), tokenEnd(name), tokenStart(open), tokenEnd(open), nodeStart(last), nodeEnd(last), tokenStart(close), tokenEnd(close)),
      callee: id,
      args,
      argsSpan: join(tokenStart(open), tokenEnd(open), nodeStart(last), nodeEnd(last), tokenStart(close), tokenEnd(close)),
    };
  }

  /** `Name(…)` after a name; one shared closure, since a fresh one per name was garbage. */
  private readonly optionalArguments = (): ArgumentList => this.SUBRULE(this.argumentList);

  /** The arguments of the argument lists being read. */
  private readonly arguments = new ListStack<ast.Argument>();

  private readonly firstArgumentName = (): IToken => {
    const name = this.CONSUME(t.AnyName);
    this.CONSUME(t.Colon);
    return name;
  };

  private readonly nextArgumentName = (): IToken => {
    const name = this.CONSUME2(t.AnyName);
    this.CONSUME2(t.Colon);
    return name;
  };

  private readonly nextArgument = (): void => {
    this.CONSUME(t.Comma);
    const name = this.may(t.AnyName, t.Colon) ? this.OPTION3(this.nextArgumentName) : undefined;
    const value = this.SUBRULE2(this.expression);
    if (!this.RECORDING_PHASE) this.arguments.push(argument(name, value));
  };

  private readonly trailingComma = () => this.CONSUME2(t.Comma);

  private readonly argumentsBody = (): void => {
    const name = this.may(t.AnyName, t.Colon) ? this.OPTION2(this.firstArgumentName) : undefined;
    const value = this.SUBRULE(this.expression);
    if (!this.RECORDING_PHASE) this.arguments.push(argument(name, value));
    if (this.may(t.Comma)) this.MANY(this.nextArgument);
    if (this.may(t.Comma)) this.OPTION4(this.trailingComma);
  };

  /** `( [name:] value, … )`, a trailing comma allowed; arguments are read inline (no rule of their own) for speed. */
  private argumentList = this.RULE('argumentList', (): ArgumentList => {
    const mark = this.arguments.mark();
    try {
      const open = this.CONSUME(t.LParen);
      if (!this.next(t.RParen)) this.OPTION(this.argumentsBody);
      const close = this.CONSUME(t.RParen);
      if (this.RECORDING_PHASE) return recording;
      return { args: this.arguments.take(mark), open, close };
    } finally {
      this.arguments.reset(mark);
    }
  });

  /**
   * The operand being read, which `[…]` and `.name` wrap (saved and restored
   * around nested operands, like `operators`): a closure per operand,
   * capturing it, was garbage for every name and number in a spec.
   */
  private target: Maybe<ast.Expression>;

  private readonly indexSuffix = (): void => {
    this.CONSUME(t.LBracket);
    const items: ast.SliceItem[] = [this.SUBRULE(this.sliceItem)];
    this.MANY3(() => {
      this.CONSUME(t.Comma);
      items.push(this.SUBRULE2(this.sliceItem));
    });
    const close = this.CONSUME(t.RBracket);
    const target = this.target;
    if (!this.RECORDING_PHASE && target) {
      const slices = kept(items);
      this.target = { kind: 'Index', span: spanOf(target, close, slices[slices.length - 1]), target, items: slices };
    }
  };

  private readonly memberSuffix = (): void => {
    this.CONSUME(t.Dot);
    const name = this.CONSUME(t.Identifier);
    const target = this.target;
    if (!this.RECORDING_PHASE && target) this.target = { kind: 'Member', span: spanOf(target, name), target, name: identifier(name) };
  };

  private readonly suffixAlternatives: IOrAlt<void>[] = [{ ALT: this.indexSuffix }, { ALT: this.memberSuffix }];
  private readonly suffix = (): void => this.OR(this.suffixAlternatives);

  /** `x[0:1]`, `enc.features`: a primary, then indexes and members. (Unary minus is a primary.) */
  private operand = this.RULE('operand', (): ast.Expression => {
    const outer = this.target;
    try {
      this.target = this.SUBRULE(this.primary);
      if (this.may(t.LBracket) || this.may(t.Dot)) this.MANY2(this.suffix);
      return this.target as ast.Expression;
    } finally {
      this.target = outer;
    }
  });

  /** `i`, `a:b`, `a:`, `:b`, `:`, `a:b:s`, …: at least an index or a colon. */
  private sliceItem = this.RULE('sliceItem', (): ast.SliceItem => {
    let start: Maybe<ast.Expression>;
    let rest: Maybe<SliceRest>;
    this.OR([
      {
        ALT: () => {
          start = this.SUBRULE(this.expression);
          this.OPTION(() => {
            rest = this.SUBRULE(this.sliceRange);
          });
        },
      },
      { ALT: () => (rest = this.SUBRULE2(this.sliceRange)) },
    ]);
    if (this.RECORDING_PHASE) return recording;
      if (!rest) return { kind: 'Position', span: spanOf(start), value: start };
      const s = spanOf(start, rest.colon, rest.stop, rest.secondColon, rest.step);
      return { kind: 'Range', span: s, start, stop: rest.stop, step: rest.step };
  });

  /** `: stop? (: step?)?`, the part of a slice after its start. */
  private sliceRange = this.RULE('sliceRange', (): SliceRest => {
    const colon = this.CONSUME(t.Colon);
    let stop: Maybe<ast.Expression>;
    let step: Maybe<ast.Expression>;
    let secondColon: Maybe<IToken>;
    this.OPTION(() => {
      stop = this.SUBRULE(this.expression);
    });
    this.OPTION2(() => {
      secondColon = this.CONSUME2(t.Colon);
      this.OPTION3(() => {
        step = this.SUBRULE2(this.expression);
      });
    });
    return { colon, stop, step, secondColon };
  });

  /**
   * The alternatives are built once and reused (Chevrotain's "OR caching"):
   * `primary` runs for every operand, and a fresh array of closures per call
   * was a measurable share of parse time.
   */
  private primaryAlternatives: IOrAlt<ast.Expression>[] | undefined;
  private primary = this.RULE('primary', (): ast.Expression =>
    this.OR((this.primaryAlternatives ??= [
      {
        // `-x[0]` is `-(x[0])`: the minus applies to a whole operand.
        ALT: () => {
          const minus = this.CONSUME(t.Minus);
          const operand = this.SUBRULE(this.operand);
          if (this.RECORDING_PHASE) return recording;
          return { kind: 'Unary', span: spanOf(minus, operand), operator: '-', operand };
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(t.NumberLiteral);
          if (this.RECORDING_PHASE) return recording;
          return {
            kind: 'NumberLiteral',
            span: tokenSpan(tok),
            value: Number(tok.image),
            isInteger: isDigits(tok.image),
            text: tok.image,
          };
        },
      },
      {
        ALT: () => {
          const tok = this.OR2([
            { ALT: () => this.CONSUME(t.StringLiteral) },
            { ALT: () => this.CONSUME(t.UnterminatedString) },
          ]);
          if (this.RECORDING_PHASE) return recording;
          return { kind: 'StringLiteral', span: tokenSpan(tok), value: unquote(tok.image) };
        },
      },
      {
        ALT: () => {
          const tok = this.OR3([{ ALT: () => this.CONSUME(t.True) }, { ALT: () => this.CONSUME(t.False) }]);
          if (this.RECORDING_PHASE) return recording;
          return { kind: 'BooleanLiteral', span: tokenSpan(tok), value: /^[tT]/.test(tok.image) };
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(t.None);
          if (this.RECORDING_PHASE) return recording;
          return { kind: 'NoneLiteral', span: tokenSpan(tok) };
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(t.Identifier);
          const call = this.may(t.LParen) ? this.OPTION(this.optionalArguments) : undefined;
          if (this.RECORDING_PHASE) return recording;
          return present(name) ? this.nameOrCall(name, call) : (undefined as unknown as ast.Expression);
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(t.LBracket);
          const items: ast.Expression[] = [];
          this.OPTION2(() => {
            items.push(this.SUBRULE(this.expression));
            this.MANY(() => {
              this.CONSUME(t.Comma);
              items.push(this.SUBRULE2(this.expression));
            });
            this.OPTION3(() => this.CONSUME2(t.Comma));
          });
          const close = this.CONSUME(t.RBracket);
          if (this.RECORDING_PHASE) return recording;
          const list = kept(items);
          return { kind: 'ListLiteral', span: spanOf(open, list[0], list[list.length - 1], close), items: list };
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(t.LParen);
          const items: ast.Expression[] = [this.SUBRULE3(this.expression)];
          let comma = false;
          this.MANY2(() => {
            this.CONSUME3(t.Comma);
            comma = true;
            items.push(this.SUBRULE4(this.expression));
          });
          this.OPTION4(() => {
            this.CONSUME4(t.Comma);
            comma = true;
          });
          const close = this.CONSUME(t.RParen);
          if (this.RECORDING_PHASE) return recording;
          const list = kept(items);
          if (!comma && list.length === 1) return list[0]!;
          return { kind: 'TupleLiteral', span: spanOf(open, list[0], list[list.length - 1], close), items: list, ...(present(close) ? {} : { recovered: true }) };
        },
      },
    ])),
  );
}

/** Token types that start a top-level declaration; the file is split at these. */
export const declarationStarters: ReadonlySet<TokenType> = new Set([t.Model, t.Import]);
export { EOF };
