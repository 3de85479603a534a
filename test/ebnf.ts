/**
 * A small reader for the W3C-style EBNF of grammar/mbn.ebnf, and random
 * sentence generators over it (used by grammar.test.ts).
 *
 * Supported notation: `name ::= expr`, `|`, juxtaposition, `?`, `*`, `+`,
 * `( )`, `A - B` (A but not B; binds tighter than juxtaposition), quoted
 * terminals ('…' or "…", no escapes), character classes `[a-z#x20]` and
 * `[^…]`, `#xN` characters, and `/* … *\/` comments.
 */

import { seededRandom } from '../src/util/random.js';

export type Expr =
  | { readonly k: 'alt'; readonly id: number; readonly alts: readonly Expr[] }
  | { readonly k: 'seq'; readonly items: readonly Expr[] }
  | { readonly k: 'rep'; readonly item: Expr; readonly min: number; readonly max: number }
  | { readonly k: 'ref'; readonly name: string }
  | { readonly k: 'lit'; readonly text: string }
  | { readonly k: 'cls'; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> }
  | { readonly k: 'diff'; readonly a: Expr; readonly b: Expr };

export interface Production {
  readonly name: string;
  readonly expr: Expr;
  readonly line: number;
}

export interface Grammar {
  readonly productions: ReadonlyMap<string, Production>;
  /** Number of `alt` nodes (ids are 0 … altCount-1). */
  readonly altCount: number;
}

type Tok =
  | { t: 'name'; v: string; line: number }
  | { t: 'lit'; v: string; line: number }
  | { t: 'cls'; v: Expr; line: number }
  | { t: 'punct'; v: string; line: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new Error(`mbn.ebnf:${line}: ${msg}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unclosed comment');
      line += (src.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (src.startsWith('::=', i)) {
      out.push({ t: 'punct', v: '::=', line });
      i += 3;
    } else if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0 || src.slice(i, end).includes('\n')) fail('unclosed quoted terminal');
      const v = src.slice(i + 1, end);
      if (v.length === 0) fail('empty terminal');
      out.push({ t: 'lit', v, line });
      i = end + 1;
    } else if (c === '[') {
      const end = src.indexOf(']', i + 1);
      if (end < 0) fail('unclosed character class');
      out.push({ t: 'cls', v: parseClass(src.slice(i + 1, end), fail), line });
      i = end + 1;
    } else if (src.startsWith('#x', i)) {
      const m = /^#x([0-9A-Fa-f]+)/.exec(src.slice(i))!;
      out.push({ t: 'lit', v: String.fromCodePoint(parseInt(m[1]!, 16)), line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: 'name', v: m[0], line });
      i += m[0].length;
    } else if ('()|?*+-'.includes(c)) {
      out.push({ t: 'punct', v: c, line });
      i++;
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  return out;
}

function parseClass(body: string, fail: (msg: string) => never): Expr {
  let i = 0;
  const negated = body.startsWith('^');
  if (negated) i++;
  const readChar = (): number => {
    const m = /^#x([0-9A-Fa-f]+)/.exec(body.slice(i));
    if (m) {
      i += m[0].length;
      return parseInt(m[1]!, 16);
    }
    const cp = body.codePointAt(i)!;
    i += String.fromCodePoint(cp).length;
    return cp;
  };
  const ranges: Array<[number, number]> = [];
  while (i < body.length) {
    const lo = readChar();
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      const hi = readChar();
      if (hi < lo) fail(`bad range in [${body}]`);
      ranges.push([lo, hi]);
    } else {
      ranges.push([lo, lo]);
    }
  }
  if (ranges.length === 0) fail('empty character class');
  return { k: 'cls', negated, ranges };
}

export function parseEbnf(src: string): Grammar {
  const toks = tokenize(src);
  let p = 0;
  let altId = 0;
  const peek = (o = 0): Tok | undefined => toks[p + o];
  const isPunct = (tok: Tok | undefined, v: string): boolean => tok?.t === 'punct' && tok.v === v;
  const fail = (msg: string): never => {
    throw new Error(`mbn.ebnf:${peek()?.line ?? 'end'}: ${msg}`);
  };
  const startsProduction = (): boolean => peek()?.t === 'name' && isPunct(peek(1), '::=');

  const parseAlt = (): Expr => {
    const alts = [parseSeq()];
    while (isPunct(peek(), '|')) {
      p++;
      alts.push(parseSeq());
    }
    return alts.length === 1 ? alts[0]! : { k: 'alt', id: altId++, alts };
  };
  const parseSeq = (): Expr => {
    const items: Expr[] = [];
    while (peek() && !isPunct(peek(), '|') && !isPunct(peek(), ')') && !startsProduction()) items.push(parseDiff());
    if (items.length === 0) fail('empty sequence');
    return items.length === 1 ? items[0]! : { k: 'seq', items };
  };
  const parseDiff = (): Expr => {
    const a = parsePostfix();
    if (!isPunct(peek(), '-')) return a;
    p++;
    return { k: 'diff', a, b: parsePostfix() };
  };
  const parsePostfix = (): Expr => {
    let e = parseAtom();
    for (;;) {
      const tok = peek();
      if (isPunct(tok, '?')) e = { k: 'rep', item: e, min: 0, max: 1 };
      else if (isPunct(tok, '*')) e = { k: 'rep', item: e, min: 0, max: Infinity };
      else if (isPunct(tok, '+')) e = { k: 'rep', item: e, min: 1, max: Infinity };
      else return e;
      p++;
    }
  };
  const parseAtom = (): Expr => {
    const tok = peek() ?? fail('unexpected end of grammar');
    p++;
    if (tok.t === 'name') return { k: 'ref', name: tok.v };
    if (tok.t === 'lit') return { k: 'lit', text: tok.v };
    if (tok.t === 'cls') return tok.v;
    if (tok.v === '(') {
      const e = parseAlt();
      if (!isPunct(peek(), ')')) fail('expected )');
      p++;
      return e;
    }
    return fail(`unexpected ${tok.v}`);
  };

  const productions = new Map<string, Production>();
  while (peek()) {
    const name = peek()!;
    if (!startsProduction() || name.t !== 'name') return fail('expected `name ::=`');
    p += 2;
    if (productions.has(name.v)) fail(`duplicate production ${name.v}`);
    productions.set(name.v, { name: name.v, expr: parseAlt(), line: name.line });
  }
  for (const prod of productions.values()) {
    for (const ref of refs(prod.expr)) {
      if (!productions.has(ref)) throw new Error(`mbn.ebnf:${prod.line}: ${prod.name} refers to undefined ${ref}`);
    }
  }
  return { productions, altCount: altId };
}

/** Names referred to by an expression. */
export function refs(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.k) {
    case 'ref':
      into.add(e.name);
      break;
    case 'alt':
      e.alts.forEach((a) => refs(a, into));
      break;
    case 'seq':
      e.items.forEach((a) => refs(a, into));
      break;
    case 'rep':
      refs(e.item, into);
      break;
    case 'diff':
      refs(e.a, into);
      refs(e.b, into);
      break;
    default:
      break;
  }
  return into;
}

/** Quoted terminals of an expression (character classes excluded). */
export function literals(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.k) {
    case 'lit':
      into.add(e.text);
      break;
    case 'alt':
      e.alts.forEach((a) => literals(a, into));
      break;
    case 'seq':
      e.items.forEach((a) => literals(a, into));
      break;
    case 'rep':
      literals(e.item, into);
      break;
    case 'diff':
      literals(e.a, into);
      literals(e.b, into);
      break;
    default:
      break;
  }
  return into;
}

/** Productions reachable from `start`, not looking inside the `stop` ones. */
export function reachable(g: Grammar, start: string, stop: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (stop.has(name)) continue;
    for (const r of refs(g.productions.get(name)!.expr)) todo.push(r);
  }
  return seen;
}

export const rng = seededRandom;

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

// ------------------------------------------------------------------ sentences

export interface GenToken {
  readonly text: string;
  /** `lit` for a quoted terminal, otherwise the token class (NAME, NUMBER, …). */
  readonly kind: string;
}

export interface SentenceOptions {
  /** Token classes generated by the caller instead of from their productions. */
  readonly terminals: Readonly<Record<string, () => string>>;
  readonly random: () => number;
  /** Past this nesting of productions, only the shortest derivations are taken. */
  readonly maxDepth: number;
  /** Past this many tokens, likewise. */
  readonly maxTokens: number;
}

/**
 * Generates token sentences from a production, choosing alternatives and
 * repetition counts at random, then only minimal ones once the depth or size
 * bound is hit (which always terminates). Records which productions,
 * alternatives and literals were used.
 */
export class SentenceGenerator {
  private readonly height = new Map<string, number>();
  readonly usedProductions = new Set<string>();
  readonly usedAlternatives = new Set<string>();
  readonly usedLiterals = new Set<string>();

  constructor(private readonly grammar: Grammar) {
    for (const name of grammar.productions.keys()) this.height.set(name, Infinity);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, prod] of grammar.productions) {
        const h = this.minHeight(prod.expr, new Set());
        if (h < this.height.get(name)!) {
          this.height.set(name, h);
          changed = true;
        }
      }
    }
  }

  private minHeight(e: Expr, terminals: ReadonlySet<string>): number {
    switch (e.k) {
      case 'lit':
      case 'cls':
        return 0;
      case 'ref':
        return terminals.has(e.name) ? 0 : this.height.get(e.name)! + 1;
      case 'alt':
        return Math.min(...e.alts.map((a) => this.minHeight(a, terminals)));
      case 'seq':
        return Math.max(0, ...e.items.map((a) => this.minHeight(a, terminals)));
      case 'rep':
        return e.min === 0 ? 0 : this.minHeight(e.item, terminals);
      case 'diff':
        return this.minHeight(e.a, terminals);
    }
  }

  generate(start: string, options: SentenceOptions): GenToken[] {
    const out: GenToken[] = [];
    const terminals = new Set(Object.keys(options.terminals));
    const { random } = options;
    const gen = (e: Expr, depth: number, owner: string): void => {
      const minimal = depth >= options.maxDepth || out.length >= options.maxTokens;
      switch (e.k) {
        case 'lit':
          this.usedLiterals.add(e.text);
          out.push({ text: e.text, kind: 'lit' });
          return;
        case 'ref': {
          const make = options.terminals[e.name];
          if (make) {
            out.push({ text: make(), kind: e.name });
            return;
          }
          this.usedProductions.add(e.name);
          gen(this.grammar.productions.get(e.name)!.expr, depth + 1, e.name);
          return;
        }
        case 'alt': {
          let choices = e.alts.map((_, i) => i);
          if (minimal) {
            const hs = e.alts.map((a) => this.minHeight(a, terminals));
            const best = Math.min(...hs);
            choices = choices.filter((i) => hs[i] === best);
          }
          const i = pick(random, choices);
          this.usedAlternatives.add(`${e.id}:${i}`);
          gen(e.alts[i]!, depth, owner);
          return;
        }
        case 'seq':
          for (const item of e.items) gen(item, depth, owner);
          return;
        case 'rep': {
          let n = e.min;
          if (!minimal) {
            if (e.max === 1) n = random() < 0.5 ? 1 : 0;
            else while (n < e.min + 4 && random() < (n === 0 ? 0.6 : 0.45)) n++;
          }
          for (let i = 0; i < n; i++) gen(e.item, depth, owner);
          return;
        }
        case 'cls':
        case 'diff':
          throw new Error(`${owner}: character-level notation in a token-level production; add ${owner} to the terminals`);
      }
    };
    this.usedProductions.add(start);
    gen(this.grammar.productions.get(start)!.expr, 0, start);
    return out;
  }
}

// ------------------------------------------------------------------ characters

/** Characters tried for negated classes: printable ASCII and a few awkward ones. */
const alphabet: readonly string[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  '\t', '\n', '\r', '\u000b', '\u000c', '\u00a0', '\u00e9', '\u2028', '\ufeff', '\u{1F600}',
];

function inClass(e: Extract<Expr, { k: 'cls' }>, ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return e.ranges.some(([lo, hi]) => cp >= lo && cp <= hi) !== e.negated;
}

/** A JavaScript regular expression (source) for a non-recursive character-level expression. */
export function toRegExpSource(g: Grammar, e: Expr): string {
  const esc = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const cp = (n: number) => `\\u{${n.toString(16)}}`;
  switch (e.k) {
    case 'lit':
      return `(?:${esc(e.text)})`;
    case 'cls':
      return `[${e.negated ? '^' : ''}${e.ranges.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('')}]`;
    case 'ref':
      return `(?:${toRegExpSource(g, g.productions.get(e.name)!.expr)})`;
    case 'alt':
      return `(?:${e.alts.map((a) => toRegExpSource(g, a)).join('|')})`;
    case 'seq':
      return `(?:${e.items.map((a) => toRegExpSource(g, a)).join('')})`;
    case 'rep':
      return `(?:${toRegExpSource(g, e.item)})${e.max === 1 ? '?' : e.min === 0 ? '*' : '+'}`;
    case 'diff': {
      const b = toRegExpSource(g, e.b);
      return `(?:(?!${b}$)${toRegExpSource(g, e.a)})`;
    }
  }
}

/** Random strings of a character-level production (lexical syntax). */
export function generateChars(g: Grammar, name: string, random: () => number): string {
  const gen = (e: Expr): string => {
    switch (e.k) {
      case 'lit':
        return e.text;
      case 'cls': {
        if (e.negated) return pick(random, alphabet.filter((ch) => inClass(e, ch)));
        const [lo, hi] = pick(random, e.ranges);
        return String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
      }
      case 'ref':
        return gen(g.productions.get(e.name)!.expr);
      case 'alt':
        return gen(pick(random, e.alts));
      case 'seq':
        return e.items.map(gen).join('');
      case 'rep': {
        let n = e.min;
        if (e.max === 1) n = random() < 0.5 ? 1 : 0;
        else while (n < e.min + 5 && random() < 0.6) n++;
        let s = '';
        for (let i = 0; i < n; i++) s += gen(e.item);
        return s;
      }
      case 'diff': {
        const not = new RegExp(`^(?:${toRegExpSource(g, e.b)})$`, 'u');
        for (let tries = 0; tries < 1000; tries++) {
          const s = gen(e.a);
          if (!not.test(s)) return s;
        }
        throw new Error(`${name}: could not generate A - B`);
      }
    }
  };
  return gen(g.productions.get(name)!.expr);
}
