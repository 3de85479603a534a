/**
 * The .mbn parser: a Chevrotain parser with embedded actions that builds the
 * syntax tree (`ast.ts`) directly, with error recovery on.
 *
 * Chevrotain records the grammar by running every rule once in a "recording
 * phase" in which tokens and sub-rule results are placeholders; all tree
 * building is therefore wrapped in `ACTION`. Tokens the parser inserted while
 * recovering have no position (`isInsertedInRecovery`) and become holes.
 */
import { EmbeddedActionsParser, EOF, type IOrAlt, type IToken, type TokenType } from 'chevrotain';
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

type Piece = IToken | { span: Span } | Span | undefined;

/** Span from the first to the last of the given pieces that exist (no rest array: this is hot). */
function spanOf(a: Piece, b?: Piece, c?: Piece, d?: Piece, e?: Piece): Span {
  let start = Infinity;
  let end = -Infinity;
  const add = (part: Piece) => {
    if (part === undefined) return;
    let s: number;
    let t: number;
    if ('tokenType' in part) {
      if (!present(part)) return;
      s = part.startOffset;
      t = s + part.image.length;
    } else if ('span' in part) {
      s = part.span.start;
      t = part.span.end;
    } else {
      s = part.start;
      t = part.end;
    }
    if (!Number.isFinite(s)) return;
    if (s < start) start = s;
    if (t > end) end = t;
  };
  add(a);
  add(b);
  add(c);
  add(d);
  add(e);
  return Number.isFinite(start) ? { start, end: Math.max(start, end) } : { start: 0, end: 0 };
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
  return { kind: 'Argument', span: spanOf(name, value), name: identifier(name), value };
}

export class MbnParser extends EmbeddedActionsParser {
  constructor() {
    super(t.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: errorMessages });
    this.performSelfAnalysis();
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
    this.OPTION2(() => push(this.SUBRULE(this.statement)));
    this.MANY(() => {
      this.CONSUME(t.Newline);
      this.OPTION3(() => push(this.SUBRULE2(this.statement)));
    });
    const close = this.CONSUME(t.RBrace);
    this.MANY2(() => this.CONSUME2(t.Newline));
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'ModelDecl',
      span: spanOf(keyword, name, open, body[body.length - 1], close),
      name: identifier(name),
      params: (params ?? []).filter((p) => p && p.kind === 'ParamDecl'),
      body,
      bodySpan: present(open) ? spanOf(open, body[body.length - 1], close) : undefined,
    };
  });

  private paramList = this.RULE('paramList', (): ast.ParamDecl[] => {
    const params: ast.ParamDecl[] = [];
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      params.push(this.SUBRULE(this.param));
      this.MANY({
        GATE: () => this.LA(2).tokenType !== t.RParen,
        DEF: () => {
          this.CONSUME(t.Comma);
          params.push(this.SUBRULE2(this.param));
        },
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RParen);
    if (this.RECORDING_PHASE) return recording;
    return params.filter((p) => p && p.kind === 'ParamDecl');
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
      clauses: clauses.filter((c) => c && c.kind === 'OutputClause'),
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

  private binding = this.RULE('binding', (): ast.Binding => {
    const names = [this.CONSUME(t.Identifier)];
    this.MANY(() => {
      this.CONSUME(t.Comma);
      names.push(this.CONSUME2(t.Identifier));
    });
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'Binding',
      span: spanOf(names[0], value),
      names: names.map(identifier).filter((n): n is ast.Identifier => n !== undefined),
      value,
    };
  });

  private trainBlock = this.RULE('trainBlock', (): ast.TrainBlock => {
    const keyword = this.CONSUME(t.Train);
    this.CONSUME(t.LBrace);
    const settings: ast.Setting[] = [];
    this.OPTION(() => settings.push(this.SUBRULE(this.setting)));
    this.MANY(() => {
      this.CONSUME(t.Newline);
      this.OPTION2(() => settings.push(this.SUBRULE2(this.setting)));
    });
    const close = this.CONSUME(t.RBrace);
    if (this.RECORDING_PHASE) return recording;
    return {
      kind: 'TrainBlock',
      span: spanOf(keyword, close, settings[settings.length - 1]),
      settings: settings.filter((s) => s && s.kind === 'Setting'),
    };
  });

  private setting = this.RULE('setting', (): ast.Setting => {
    const key = this.CONSUME(t.AnyName);
    this.CONSUME(t.Colon);
    const value = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return recording;
    return { kind: 'Setting', span: spanOf(key, value), key: identifier(key), value };
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
  private stages: ast.Stage[] | undefined;

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
    const call = this.OPTION(this.optionalArguments);
    // A name the parser had to invent while recovering is a hole, not a stage.
    if (!this.RECORDING_PHASE && present(name)) (this.stages ??= []).push(this.nameOrCall(name, call));
  };

  /**
   * `operand (op operand)* (-> stage)*`. Binary operators and pipeline stages
   * are read here rather than in rules of their own: every rule invocation
   * costs. Operators are grouped by precedence in the action; a stage is
   * `Name` or `Name(args)`.
   */
  public expression = this.RULE('expression', (): ast.Expression => {
    const outer = [this.operators, this.operands, this.stages] as const;
    this.operators = this.operands = this.stages = undefined;
    try {
      const first = this.SUBRULE(this.operand);
      this.MANY(this.binaryTail);
      this.MANY2(this.stageTail);
      if (this.RECORDING_PHASE) return recording;
      // (Filled by binaryTail and stageTail; TypeScript cannot see that through the calls.)
      const operators = this.operators as IToken[] | undefined;
      const stages = this.stages as ast.Stage[] | undefined;
      const source = operators ? groupByPrecedence(first, operators, this.operands!) : first;
      if (!stages || !source) return source;
      return { kind: 'Pipeline', span: spanOf(source, stages[stages.length - 1]), source, stages };
    } finally {
      [this.operators, this.operands, this.stages] = outer;
    }
  });

  private nameOrCall(name: IToken, call: Maybe<ArgumentList>): ast.Stage {
    const id = identifier(name) ?? { kind: 'Identifier', name: '', span: span(0, 0) };
    if (!call) return { kind: 'NameRef', span: id.span, name: id };
    return {
      kind: 'Call',
      span: spanOf(name, call.open, call.args[call.args.length - 1], call.close),
      callee: id,
      args: call.args,
      argsSpan: spanOf(call.open, call.args[call.args.length - 1], call.close),
    };
  }

  /** `Name(…)` after a name; one shared closure, since a fresh one per name was garbage. */
  private readonly optionalArguments = (): ArgumentList => this.SUBRULE(this.argumentList);

  /** The arguments of the argument list being read (saved and restored around nested lists, like `operators`). */
  private arguments: ast.Argument[] | undefined;

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

  private readonly nextArgument = {
    GATE: () => this.LA(2).tokenType !== t.RParen,
    DEF: (): void => {
      this.CONSUME(t.Comma);
      const name = this.OPTION3(this.nextArgumentName);
      const value = this.SUBRULE2(this.expression);
      if (!this.RECORDING_PHASE) this.arguments!.push(argument(name, value));
    },
  };

  private readonly trailingComma = () => this.CONSUME2(t.Comma);

  private readonly argumentsBody = (): void => {
    const name = this.OPTION2(this.firstArgumentName);
    const value = this.SUBRULE(this.expression);
    if (!this.RECORDING_PHASE) this.arguments!.push(argument(name, value));
    this.MANY(this.nextArgument);
    this.OPTION4(this.trailingComma);
  };

  /** `( [name:] value, … )`, a trailing comma allowed; arguments are read inline (no rule of their own) for speed. */
  private argumentList = this.RULE('argumentList', (): ArgumentList => {
    const outer = this.arguments;
    const args: ast.Argument[] = [];
    this.arguments = args;
    try {
      const open = this.CONSUME(t.LParen);
      this.OPTION(this.argumentsBody);
      const close = this.CONSUME(t.RParen);
      if (this.RECORDING_PHASE) return recording;
      return { args, open, close };
    } finally {
      this.arguments = outer;
    }
  });

  /** `x[0:1]`, `enc.features`: a primary, then indexes and members. (Unary minus is a primary.) */
  private operand = this.RULE('operand', (): ast.Expression => {
    let target = this.SUBRULE(this.primary);
    this.MANY2(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.LBracket);
            const items: ast.SliceItem[] = [this.SUBRULE(this.sliceItem)];
            this.MANY3(() => {
              this.CONSUME(t.Comma);
              items.push(this.SUBRULE2(this.sliceItem));
            });
            const close = this.CONSUME(t.RBracket);
            if (!this.RECORDING_PHASE && target) {
              const kept = items.filter((i) => i && i.kind);
              target = { kind: 'Index', span: spanOf(target, close, kept[kept.length - 1]), target, items: kept };
            }
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Dot);
            const name = this.CONSUME(t.Identifier);
            if (!this.RECORDING_PHASE && target) target = { kind: 'Member', span: spanOf(target, name), target, name: identifier(name) };
          },
        },
      ]);
    });
    return target;
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
            isInteger: /^\d+$/.test(tok.image),
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
          const call = this.OPTION(this.optionalArguments);
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
            this.MANY({
              GATE: () => this.LA(2).tokenType !== t.RBracket,
              DEF: () => {
                this.CONSUME(t.Comma);
                items.push(this.SUBRULE2(this.expression));
              },
            });
            this.OPTION3(() => this.CONSUME2(t.Comma));
          });
          const close = this.CONSUME(t.RBracket);
          if (this.RECORDING_PHASE) return recording;
          const kept = items.filter((i) => i && i.kind);
          return { kind: 'ListLiteral', span: spanOf(open, kept[0], kept[kept.length - 1], close), items: kept };
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(t.LParen);
          const items: ast.Expression[] = [this.SUBRULE3(this.expression)];
          let comma = false;
          this.MANY2({
            GATE: () => this.LA(2).tokenType !== t.RParen,
            DEF: () => {
              this.CONSUME3(t.Comma);
              comma = true;
              items.push(this.SUBRULE4(this.expression));
            },
          });
          this.OPTION4(() => {
            this.CONSUME4(t.Comma);
            comma = true;
          });
          const close = this.CONSUME(t.RParen);
          if (this.RECORDING_PHASE) return recording;
          const kept = items.filter((i) => i && i.kind);
          if (!comma && kept.length === 1) return kept[0]!;
          return { kind: 'TupleLiteral', span: spanOf(open, kept[0], kept[kept.length - 1], close), items: kept, ...(present(close) ? {} : { recovered: true }) };
        },
      },
    ])),
  );
}

/** Token types that start a top-level declaration; the file is split at these. */
export const declarationStarters: ReadonlySet<TokenType> = new Set([t.Model, t.Import]);
export { EOF };
