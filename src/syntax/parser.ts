/**
 * The .mbn parser: a Chevrotain parser with embedded actions that builds the
 * syntax tree (`ast.ts`) directly, with error recovery on.
 *
 * Chevrotain records the grammar by running every rule once in a "recording
 * phase" in which tokens and sub-rule results are placeholders; all tree
 * building is therefore wrapped in `ACTION`. Tokens the parser inserted while
 * recovering have no position (`isInsertedInRecovery`) and become holes.
 */
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from 'chevrotain';
import type * as ast from './ast.js';
import { span, type Span } from './source.js';
import * as t from './tokens.js';
import { errorMessages } from './parse-messages.js';

type Maybe<T> = T | undefined;

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

/** Span from the first to the last of the given pieces that exist. */
function spanOf(...parts: Array<IToken | { span: Span } | Span | undefined>): Span {
  let start = Infinity;
  let end = -Infinity;
  for (const part of parts) {
    if (part === undefined) continue;
    let s: Span | undefined;
    if ('tokenType' in part) s = present(part) ? tokenSpan(part) : undefined;
    else if ('span' in part) s = part.span;
    else s = part;
    if (!s || !Number.isFinite(s.start)) continue;
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
  }
  return Number.isFinite(start) ? span(start, end) : span(0, 0);
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
    return this.ACTION(() => ({
      kind: 'ImportDecl',
      span: spanOf(keyword, close, path),
      path: present(path) ? { kind: 'StringLiteral', value: unquote(path.image), span: tokenSpan(path) } : undefined,
      names: names?.map(identifier).filter((n): n is ast.Identifier => n !== undefined),
    }));
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
    const push = (s: Maybe<ast.Statement>) => this.ACTION(() => s && s.kind && body.push(s));
    this.OPTION2(() => push(this.SUBRULE(this.statement)));
    this.MANY(() => {
      this.CONSUME(t.Newline);
      this.OPTION3(() => push(this.SUBRULE2(this.statement)));
    });
    const close = this.CONSUME(t.RBrace);
    this.MANY2(() => this.CONSUME2(t.Newline));
    return this.ACTION(() => ({
      kind: 'ModelDecl',
      span: spanOf(keyword, name, open, ...body, close),
      name: identifier(name),
      params: (params ?? []).filter((p) => p && p.kind === 'ParamDecl'),
      body,
      bodySpan: present(open) ? spanOf(open, ...body, close) : undefined,
    }));
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
    return this.ACTION(() => params.filter((p) => p && p.kind === 'ParamDecl'));
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
    return this.ACTION(() => ({
      kind: 'ParamDecl',
      span: spanOf(name, type, value),
      name: identifier(name),
      type: identifier(type),
      default: value,
    }));
  });

  // ---------------------------------------------------------------- statements

  private statement = this.RULE('statement', (): ast.Statement =>
    this.OR([
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.outputDecl) },
      { ALT: () => this.SUBRULE(this.sharedDecl) },
      { ALT: () => this.SUBRULE(this.trainBlock) },
      { ALT: () => this.SUBRULE(this.binding) },
    ]),
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
    return this.ACTION(() => ({
      kind: 'InputDecl',
      span: spanOf(keyword, name, shape, dtype),
      name: identifier(name),
      shape,
      dtype: identifier(dtype),
    }));
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
    return this.ACTION(() => ({
      kind: 'OutputDecl',
      span: spanOf(keyword, name, value, ...clauses),
      name: identifier(name),
      value,
      clauses: clauses.filter((c) => c && c.kind === 'OutputClause'),
    }));
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
    return this.ACTION(() => ({
      kind: 'OutputClause',
      span: spanOf(keyword, value),
      clause: keyword.image as ast.OutputClause['clause'],
      keyword: tokenSpan(keyword),
      value,
    }));
  });

  private sharedDecl = this.RULE('sharedDecl', (): ast.SharedDecl => {
    const keyword = this.CONSUME(t.Shared);
    const name = this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => ({ kind: 'SharedDecl', span: spanOf(keyword, name, value), name: identifier(name), value }));
  });

  private binding = this.RULE('binding', (): ast.Binding => {
    const names = [this.CONSUME(t.Identifier)];
    this.MANY(() => {
      this.CONSUME(t.Comma);
      names.push(this.CONSUME2(t.Identifier));
    });
    this.CONSUME(t.Equals);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => ({
      kind: 'Binding',
      span: spanOf(...names, value),
      names: names.map(identifier).filter((n): n is ast.Identifier => n !== undefined),
      value,
    }));
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
    return this.ACTION(() => ({
      kind: 'TrainBlock',
      span: spanOf(keyword, close, ...settings),
      settings: settings.filter((s) => s && s.kind === 'Setting'),
    }));
  });

  private setting = this.RULE('setting', (): ast.Setting => {
    const key = this.CONSUME(t.AnyName);
    this.CONSUME(t.Colon);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => ({ kind: 'Setting', span: spanOf(key, value), key: identifier(key), value }));
  });

  // ---------------------------------------------------------------- expressions

  public expression = this.RULE('expression', (): ast.Expression => {
    const source = this.SUBRULE(this.additive);
    const stages: ast.Stage[] = [];
    this.MANY(() => {
      this.CONSUME(t.Arrow);
      stages.push(this.SUBRULE(this.stage));
    });
    return this.ACTION(() => {
      const kept = stages.filter((s) => s && s.kind);
      if (kept.length === 0 || !source) return source;
      return { kind: 'Pipeline', span: spanOf(source, ...kept), source, stages: kept };
    });
  });

  private stage = this.RULE('stage', (): ast.Stage => {
    const name = this.CONSUME(t.Identifier);
    let call: Maybe<{ args: ast.Argument[]; open: IToken; close: IToken }>;
    this.OPTION(() => {
      call = this.SUBRULE(this.argumentList);
    });
    // A name the parser had to invent while recovering is a hole, not a stage.
    return this.ACTION(() => (present(name) ? this.nameOrCall(name, call) : (undefined as unknown as ast.Stage)));
  });

  private nameOrCall(name: IToken, call: Maybe<{ args: ast.Argument[]; open: IToken; close: IToken }>): ast.Stage {
    const id = identifier(name) ?? { kind: 'Identifier', name: '', span: span(0, 0) };
    if (!call) return { kind: 'NameRef', span: id.span, name: id };
    return {
      kind: 'Call',
      span: spanOf(name, call.open, ...call.args, call.close),
      callee: id,
      args: call.args,
      argsSpan: spanOf(call.open, ...call.args, call.close),
    };
  }

  private argumentList = this.RULE('argumentList', () => {
    const args: ast.Argument[] = [];
    const open = this.CONSUME(t.LParen);
    this.OPTION(() => {
      args.push(this.SUBRULE(this.argument));
      this.MANY({
        GATE: () => this.LA(2).tokenType !== t.RParen,
        DEF: () => {
          this.CONSUME(t.Comma);
          args.push(this.SUBRULE2(this.argument));
        },
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    const close = this.CONSUME(t.RParen);
    return this.ACTION(() => ({ args: args.filter((a) => a && a.kind === 'Argument'), open, close }));
  });

  private argument = this.RULE('argument', (): ast.Argument => {
    let name: Maybe<IToken>;
    this.OPTION(() => {
      name = this.CONSUME(t.AnyName);
      this.CONSUME(t.Colon);
    });
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => ({ kind: 'Argument', span: spanOf(name, value), name: identifier(name), value }));
  });

  private additive = this.RULE('additive', (): ast.Expression => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(t.Plus) }, { ALT: () => this.CONSUME(t.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      this.ACTION(() => {
        left = left ? { kind: 'Binary', span: spanOf(left, op, right), operator: op.image as '+' | '-', left, right } : right;
      });
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): ast.Expression => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => this.CONSUME(t.Star) },
        { ALT: () => this.CONSUME(t.Slash) },
        { ALT: () => this.CONSUME(t.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      this.ACTION(() => {
        left = left ? { kind: 'Binary', span: spanOf(left, op, right), operator: op.image as '*' | '/' | '%', left, right } : right;
      });
    });
    return left;
  });

  private unary = this.RULE('unary', (): ast.Expression =>
    this.OR([
      {
        ALT: () => {
          const op = this.CONSUME(t.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION(() => ({ kind: 'Unary', span: spanOf(op, operand), operator: '-', operand }) as ast.Unary);
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  private postfix = this.RULE('postfix', (): ast.Expression => {
    let target = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.LBracket);
            const items: ast.SliceItem[] = [this.SUBRULE(this.sliceItem)];
            this.MANY2(() => {
              this.CONSUME(t.Comma);
              items.push(this.SUBRULE2(this.sliceItem));
            });
            const close = this.CONSUME(t.RBracket);
            this.ACTION(() => {
              const kept = items.filter((i) => i && i.kind);
              if (target) target = { kind: 'Index', span: spanOf(target, close, ...kept), target, items: kept };
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Dot);
            const name = this.CONSUME(t.Identifier);
            this.ACTION(() => {
              if (target) target = { kind: 'Member', span: spanOf(target, name), target, name: identifier(name) };
            });
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
    return this.ACTION(() => {
      if (!rest) return { kind: 'Position', span: spanOf(start), value: start };
      const s = spanOf(start, rest.colon, rest.stop, rest.secondColon, rest.step);
      return { kind: 'Range', span: s, start, stop: rest.stop, step: rest.step };
    });
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

  private primary = this.RULE('primary', (): ast.Expression =>
    this.OR([
      {
        ALT: () => {
          const tok = this.CONSUME(t.NumberLiteral);
          return this.ACTION(() => ({
            kind: 'NumberLiteral',
            span: tokenSpan(tok),
            value: Number(tok.image),
            isInteger: /^\d+$/.test(tok.image),
            text: tok.image,
          }));
        },
      },
      {
        ALT: () => {
          const tok = this.OR2([
            { ALT: () => this.CONSUME(t.StringLiteral) },
            { ALT: () => this.CONSUME(t.UnterminatedString) },
          ]);
          return this.ACTION(() => ({ kind: 'StringLiteral', span: tokenSpan(tok), value: unquote(tok.image) }));
        },
      },
      {
        ALT: () => {
          const tok = this.OR3([{ ALT: () => this.CONSUME(t.True) }, { ALT: () => this.CONSUME(t.False) }]);
          return this.ACTION(() => ({ kind: 'BooleanLiteral', span: tokenSpan(tok), value: /^[tT]/.test(tok.image) }));
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(t.None);
          return this.ACTION(() => ({ kind: 'NoneLiteral', span: tokenSpan(tok) }));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(t.Identifier);
          let call: Maybe<{ args: ast.Argument[]; open: IToken; close: IToken }>;
          this.OPTION(() => {
            call = this.SUBRULE(this.argumentList);
          });
          return this.ACTION(() => (present(name) ? this.nameOrCall(name, call) : (undefined as unknown as ast.Expression)));
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
          return this.ACTION(() => {
            const kept = items.filter((i) => i && i.kind);
            return { kind: 'ListLiteral', span: spanOf(open, ...kept, close), items: kept };
          });
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
          return this.ACTION(() => {
            const kept = items.filter((i) => i && i.kind);
            if (!comma && kept.length === 1) return kept[0]!;
            return { kind: 'TupleLiteral', span: spanOf(open, ...kept, close), items: kept, ...(present(close) ? {} : { recovered: true }) };
          });
        },
      },
    ]),
  );
}

/** Token types that start a top-level declaration; the file is split at these. */
export const declarationStarters: ReadonlySet<TokenType> = new Set([t.Model, t.Import]);
export { EOF };
