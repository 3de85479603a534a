/**
 * A token stream as parallel arrays: each token's type, start and end
 * offset. The scanner and the layout rule work on this table, and the parser
 * gets Chevrotain tokens (`IToken` objects) for one declaration at a time
 * from a `TokenWindow`.
 *
 * Why: a 10,000-line spec has over 100,000 tokens, each a 100-byte object.
 * As objects, all of them stayed alive from scanning to the end of parsing,
 * so the garbage collector copied every one of them from the young
 * generation to the old one. The table itself is three typed arrays.
 */
import type { IToken, TokenType } from 'chevrotain';

/** Token types by their Chevrotain index (`tokenTypeIdx`, a small integer), filled as types are stored. */
const typeByIdx: TokenType[] = [];

export class TokenTable {
  /** Token types, as `tokenTypeIdx`. */
  private types: Uint16Array;
  private starts: Int32Array;
  /** Exclusive ends. */
  private ends: Int32Array;
  private size = 0;

  constructor(
    /** The text the offsets point into; images are sliced from it. */
    readonly text: string,
    capacity = 64,
  ) {
    this.types = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(type: TokenType, start: number, end: number): void {
    if (this.size === this.starts.length) this.grow();
    const i = this.size++;
    const idx = type.tokenTypeIdx!;
    typeByIdx[idx] ??= type;
    this.types[i] = idx;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  /** The type of token `i`, or undefined past either end (as indexing an array would give). */
  type(i: number): TokenType | undefined {
    return i >= 0 && i < this.size ? typeByIdx[this.types[i]!] : undefined;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** The Chevrotain token for entry `i`. */
  token(i: number): IToken {
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    const type = typeByIdx[this.types[i]!]!;
    // One-character slices come from V8's single-character string cache, so punctuation allocates nothing.
    return { image: this.text.slice(start, end), startOffset: start, endOffset: end - 1, tokenType: type, tokenTypeIdx: type.tokenTypeIdx! } as IToken;
  }

  /** Chevrotain tokens for entries `from` up to (not including) `to`. */
  tokens(from = 0, to = this.size): IToken[] {
    const out: IToken[] = [];
    for (let i = from; i < to; i++) out.push(this.token(i));
    return out;
  }

  private grow(): void {
    const capacity = Math.max(64, this.starts.length * 2);
    const types = new Uint16Array(capacity);
    types.set(this.types);
    this.types = types;
    const starts = new Int32Array(capacity);
    starts.set(this.starts);
    const ends = new Int32Array(capacity);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/**
 * A set of token types as flags indexed by `tokenTypeIdx`: the layout rule
 * asks "is this a …" several times per token, and this is an array read where
 * a `Set` was a hash lookup.
 */
export class TokenTypeSet {
  private readonly flags: boolean[] = [];

  constructor(types: readonly TokenType[]) {
    for (const type of types) this.flags[type.tokenTypeIdx!] = true;
  }

  has(type: TokenType | undefined): boolean {
    return type !== undefined && this.flags[type.tokenTypeIdx!] === true;
  }
}

/**
 * The Chevrotain tokens of one declaration, handed to the parser, and reused
 * for the next declaration. Reusing them is safe because nothing keeps a
 * token once its declaration is parsed: tree nodes copy the image and
 * offsets they need, and parse errors (which point at tokens) are reported
 * before the window moves on. One window serves one `parse` call.
 */
export class TokenWindow {
  /** Token objects made so far; the first `tokens.length` are in use. */
  private readonly pool: IToken[] = [];
  /**
   * One string per distinct name: every `h3` of the file is the same string
   * object. Names are kept in the tree and looked up in maps over and over
   * (scopes, environments); one string each is less memory, and a map
   * matches a string with itself at once.
   */
  private readonly names = new NameTable();
  /** The tokens of the current declaration (the array given to the parser). */
  readonly tokens: IToken[] = [];

  /** Fills the window with entries `from` up to (not including) `to` of `table`. */
  fill(table: TokenTable, from: number, to: number): IToken[] {
    const tokens = this.tokens;
    for (let i = from; i < to; i++) {
      const k = i - from;
      let token = this.pool[k];
      if (token === undefined) {
        token = table.token(i);
        token.image = this.image(table.text, table.start(i), table.end(i));
        this.pool.push(token);
      } else {
        const start = table.start(i);
        const end = table.end(i);
        const type = table.type(i)!;
        token.image = this.image(table.text, start, end);
        token.startOffset = start;
        token.endOffset = end - 1;
        token.tokenType = type;
        token.tokenTypeIdx = type.tokenTypeIdx!;
      }
      tokens[k] = token;
    }
    // Shortened last, not emptied first: emptying an array frees its storage, and refilling it allocated again.
    tokens.length = to - from;
    return tokens;
  }

  /** `text[start, end)`, the same string for every occurrence of a name or keyword. */
  private image(text: string, start: number, end: number): string {
    const c = text.charCodeAt(start);
    const name = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // [A-Za-z_]
    return name ? this.names.intern(text, start, end) : text.slice(start, end);
  }
}

/**
 * A set of strings looked up by a range of a text, so that a name seen
 * before costs no new string (slicing it out first, to look it up in a `Map`,
 * made one per occurrence). Open addressing over a power-of-two table.
 */
class NameTable {
  private slots: (string | undefined)[] = new Array<string | undefined>(256);
  private count = 0;

  intern(text: string, start: number, end: number): string {
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = hash(text, start, end) & mask;
    for (let name = this.slots[slot]; name !== undefined; name = this.slots[slot]) {
      if (name.length === length && text.startsWith(name, start)) return name;
      slot = (slot + 1) & mask;
    }
    const name = text.slice(start, end);
    this.slots[slot] = name;
    if (++this.count * 2 > this.slots.length) this.grow();
    return name;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<string | undefined>(old.length * 2);
    const mask = this.slots.length - 1;
    for (const name of old) {
      if (name === undefined) continue;
      let slot = hash(name, 0, name.length) & mask;
      while (this.slots[slot] !== undefined) slot = (slot + 1) & mask;
      this.slots[slot] = name;
    }
  }
}

function hash(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

