/**
 * The NPY format (numpy's `np.save`), versions 1.0, 2.0 and 3.0.
 *
 * Layout: the magic `\x93NUMPY`, a major and a minor version byte, the header length
 * (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), the header, then the raw data.
 * The header is a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with spaces and
 * ended by a newline; latin-1 in 1.0/2.0, UTF-8 in 3.0. It is parsed here as a literal,
 * never evaluated.
 *
 * Supported dtypes (little-endian only): '<f4' '<f8' '|i1' '<i2' '<i4' '<i8' '|u1' '<u2' '|b1'
 * (one-byte types are also accepted with '<', '>' or '='). C order only; a Fortran-ordered
 * array of rank ≥ 2 is rejected (rank 0 and 1 have the same layout either way).
 *
 * int64 arrays are returned as int64 (a BigInt64Array) unless `int64: 'int32'` is asked for,
 * which converts them to int32 when every value fits and is a DataError otherwise
 * (TensorFlow.js has no int64).
 */
import { DataError, checkArray, dtypes, narrowInt64, shapeText, type DType, type NdArray } from './array.js';

export interface ReadNpyOptions {
  /** What to do with int64 data: keep it (default) or narrow it to int32 (DataError if a value does not fit). */
  readonly int64?: 'keep' | 'int32';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy pads the header so the data starts at a multiple of this. */
const ARRAY_ALIGN = 64;
/** numpy ≥ 1.24 leaves room after the header so the first axis can grow to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const descrToDType: Readonly<Record<string, DType>> = {
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  b1: 'bool',
};

const dtypeToDescr: Readonly<Record<DType, string>> = {
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  bool: '|b1',
};

/** Reads an .npy file's bytes. `file` is only used in error messages. */
export function readNpy(bytes: Uint8Array, file: string, options: ReadNpyOptions = {}): NdArray {
  if (!hostLittleEndian) throw new Error('reading .npy files needs a little-endian host');
  if (bytes.length === 0) throw new DataError(file, 'the file is empty; expected a .npy array saved with np.save');
  if (!startsWith(bytes, MAGIC.slice(0, Math.min(bytes.length, MAGIC.length)))) {
    throw new DataError(file, 'not a .npy file: it does not start with the "\\x93NUMPY" magic', guessFormatHint(bytes));
  }
  if (bytes.length < 10) throw truncated(file, `the file ends inside the preamble (${bytes.length} bytes)`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw new DataError(
      file,
      `unsupported .npy format version ${major}.${minor}; expected 1.0, 2.0 or 3.0`,
      major > 3 ? 'save it with an older numpy, or a newer mbn may read it' : undefined,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else {
    if (bytes.length < 12) throw truncated(file, `the file ends inside the preamble (${bytes.length} bytes)`);
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw truncated(file, `the header says it is ${headerLength} bytes long but the file ends after ${bytes.length - headerStart}`);
  }

  const headerBytes = bytes.subarray(headerStart, dataStart);
  let headerText: string;
  if (major === 3) {
    try {
      headerText = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw new DataError(file, 'malformed header: it is not valid UTF-8 (required by format version 3.0)');
    }
  } else {
    headerText = latin1(headerBytes);
  }

  const header = parseHeader(headerText, file);
  const dtype = header.dtype;
  const shape = header.shape;
  const itemSize = dtypes[dtype].size;

  // Compare lengths without forming a possibly huge or imprecise product first.
  const available = bytes.length - dataStart;
  let count = 1;
  for (const d of shape) count *= d;
  const needed = count * itemSize;
  if (needed > available) {
    throw truncated(
      file,
      `the data is ${available} bytes but shape ${shapeText(shape)} of ${header.descr} needs ${needed}`,
    );
  }
  if (needed < available) {
    throw new DataError(
      file,
      `the data is ${available} bytes but shape ${shapeText(shape)} of ${header.descr} needs only ${needed}`,
      'several arrays may have been saved one after another into one file; use np.savez to store several arrays',
    );
  }

  // Copy into a buffer of our own: a Node Buffer's slice() is a view into a shared pool, whose .buffer is the whole pool.
  const copy = new Uint8Array(needed);
  copy.set(bytes.subarray(dataStart, dataStart + needed));
  const buffer = copy.buffer;
  const data = dtypes[dtype].create(buffer);
  if (dtype === 'bool') {
    const b = data as Uint8Array;
    for (let i = 0; i < b.length; i++) if (b[i]! > 1) b[i] = 1;
  }
  let array: NdArray = { dtype, shape, data };
  if (options.int64 === 'int32') array = narrowInt64(array, file);
  return array;
}

/** Writes an array as numpy would (`np.save`): format 1.0 (2.0 if the header is huge), data aligned to 64 bytes. */
export function writeNpy(array: NdArray): Uint8Array {
  if (!hostLittleEndian) throw new Error('writing .npy files needs a little-endian host');
  checkArray(array);
  const shape = array.shape;
  // numpy's header: keys sorted, Python reprs, a trailing ", " before "}".
  let header = `{'descr': '${dtypeToDescr[array.dtype]}', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Exactly numpy's _wrap_header: pad so magic + version + length + header + '\n' is a multiple of 64
  // (a full 64 bytes of padding when it already is).
  let major = 1;
  let prefix = 10;
  const hlen = header.length + 1;
  let padlen = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    major = 2;
    prefix = 12;
    padlen = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  }
  const headerBlock = header + ' '.repeat(padlen) + '\n';
  const src = array.data;
  const dataBytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8Array(prefix + headerBlock.length + dataBytes.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerBlock.length, true);
  else view.setUint32(8, headerBlock.length, true);
  for (let i = 0; i < headerBlock.length; i++) out[prefix + i] = headerBlock.charCodeAt(i); // ASCII only
  out.set(dataBytes, prefix + headerBlock.length);
  if (array.dtype === 'bool') {
    const start = prefix + headerBlock.length;
    for (let i = start; i < out.length; i++) if (out[i]! > 1) out[i] = 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Header

interface Header {
  readonly descr: string;
  readonly dtype: DType;
  readonly shape: number[];
}

function parseHeader(text: string, file: string): Header {
  const shown = text.trimEnd();
  const malformed = (what: string): DataError =>
    new DataError(file, `malformed header: ${what}; the header is: ${truncate(shown, 200)}`);

  let value: PyValue;
  try {
    value = new LiteralParser(text).parseAll();
  } catch (e) {
    if (e instanceof SyntaxIssue) throw malformed(e.message);
    throw e;
  }
  if (!(value instanceof Map)) throw malformed(`expected a dict, found ${describe(value)}`);
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!value.has(key)) throw malformed(`the key '${key}' is missing`);
  }

  const descrValue = value.get('descr')!;
  if (Array.isArray(descrValue)) {
    throw new DataError(
      file,
      'structured arrays (record dtypes) are not supported; expected a plain numeric array',
      'save each field as its own array, e.g. with np.savez',
    );
  }
  if (typeof descrValue !== 'string') throw malformed(`'descr' should be a string, found ${describe(descrValue)}`);
  const descr = descrValue;

  const fortran = value.get('fortran_order')!;
  if (typeof fortran !== 'boolean') throw malformed(`'fortran_order' should be True or False, found ${describe(fortran)}`);

  const shapeValue = value.get('shape')!;
  if (!(shapeValue instanceof PyTuple) && !Array.isArray(shapeValue)) {
    throw malformed(`'shape' should be a tuple, found ${describe(shapeValue)}`);
  }
  const items = shapeValue instanceof PyTuple ? shapeValue.items : shapeValue;
  const shape: number[] = [];
  for (const d of items) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw malformed(`'shape' should hold non-negative integers, found ${describe(d)}`);
    }
    shape.push(d);
  }

  const dtype = parseDescr(descr, file);
  if (fortran && shape.length >= 2) {
    throw new DataError(
      file,
      `Fortran-ordered arrays are not supported (shape ${shapeText(shape)}); expected C order`,
      'save with np.save(path, np.ascontiguousarray(x))',
    );
  }
  return { descr, dtype, shape };
}

function parseDescr(descr: string, file: string): DType {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const code = m ? `${m[2]}${m[3]}` : undefined;
  const dtype = code === undefined ? undefined : descrToDType[code];
  if (m === null || dtype === undefined) {
    throw new DataError(
      file,
      `unsupported dtype '${descr}'${dtypeName(descr)}; expected one of float32, float64, int8, int16, int32, int64, uint8, uint16, bool`,
      unsupportedHint(descr),
    );
  }
  const order = m[1];
  if (dtypes[dtype].size > 1 && order === '>') {
    throw new DataError(
      file,
      `big-endian data ('${descr}') is not supported; expected little-endian ('<${code}')`,
      `convert before saving: x.astype('<${code}')`,
    );
  }
  if (dtypes[dtype].size > 1 && order === '|') {
    throw new DataError(file, `malformed header: dtype '${descr}' has no byte order but its items are ${dtypes[dtype].size} bytes`);
  }
  return dtype;
}

function dtypeName(descr: string): string {
  const names: Record<string, string> = {
    c8: 'complex64',
    c16: 'complex128',
    f2: 'float16',
    f16: 'float128',
    u4: 'uint32',
    u8: 'uint64',
    O: 'object',
  };
  const code = descr.replace(/^[<>|=]/, '');
  if (names[code]) return ` (${names[code]})`;
  if (/^U\d+$/.test(code)) return ' (unicode strings)';
  if (/^S\d+$/.test(code)) return ' (byte strings)';
  if (/^[mM]8/.test(code)) return ' (dates/times)';
  return '';
}

function unsupportedHint(descr: string): string | undefined {
  const code = descr.replace(/^[<>|=]/, '');
  if (code === 'f2' || code === 'f16') return "convert before saving: x.astype('float32')";
  if (code === 'u4' || code === 'u8') return "convert before saving: x.astype('int32') if the values fit, else x.astype('float32')";
  if (code === 'O' || /^[US]\d+$/.test(code)) return 'encode strings as integer ids before saving (e.g. with np.unique(x, return_inverse=True))';
  if (/^c\d+$/.test(code)) return 'save the real and imaginary parts as separate float32 arrays';
  return undefined;
}

function guessFormatHint(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return 'this looks like a zip archive (.npz); name it .npz';
  }
  if (bytes[0] === 0x80) return 'this looks like a Python pickle; save arrays with np.save(path, x)';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'this looks gzip-compressed; decompress it first';
  const head = bytes.subarray(0, 256);
  if (head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) {
    return 'this looks like a text file (np.savetxt?); name it .csv, or save with np.save(path, x)';
  }
  return undefined;
}

function truncated(file: string, what: string): DataError {
  return new DataError(file, `the file is truncated: ${what}`, 'the file may be incomplete; save it again');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

// ---------------------------------------------------------------------------------------------
// A parser for the Python literals found in NPY headers: dicts, tuples, lists, strings,
// integers (with Python 2's `L` suffix), True, False and None.

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyTuple | PyValue[] | Map<string, PyValue>;

class SyntaxIssue extends Error {}

function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof PyTuple) return 'a tuple';
  if (Array.isArray(v)) return 'a list';
  return 'a dict';
}

class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): PyValue {
    const v = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('nothing');
    return v;
  }

  private fail(expected: string): never {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new SyntaxIssue(`expected ${expected}, found the end of the header`);
    const found = JSON.stringify(this.text.slice(this.pos, this.pos + 12).trimEnd());
    throw new SyntaxIssue(`expected ${expected} at character ${this.pos + 1}, found ${found}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private value(): PyValue {
    const c = this.peek();
    if (c === '{') return this.dict();
    if (c === '(') return this.sequence('(', ')');
    if (c === '[') return this.sequence('[', ']');
    if (c === "'" || c === '"') return this.string();
    if (c !== undefined && /[-+0-9]/.test(c)) return this.integer();
    if (c !== undefined && /[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))!;
      const word = m[0];
      if (word === 'True' || word === 'False' || word === 'None') {
        this.pos += word.length;
        return word === 'None' ? null : word === 'True';
      }
      this.fail('a value');
    }
    return this.fail('a value');
  }

  private dict(): Map<string, PyValue> {
    this.pos++; // {
    const map = new Map<string, PyValue>();
    while (!this.eat('}')) {
      const c = this.peek();
      if (c !== "'" && c !== '"') this.fail("a quoted key or '}'");
      const key = this.string();
      if (!this.eat(':')) this.fail("':'");
      map.set(key, this.value());
      if (!this.eat(',')) {
        if (!this.eat('}')) this.fail("',' or '}'");
        break;
      }
    }
    return map;
  }

  private sequence(open: string, close: string): PyValue {
    this.pos++; // ( or [
    const items: PyValue[] = [];
    let trailingComma = false;
    while (!this.eat(close)) {
      items.push(this.value());
      trailingComma = this.eat(',');
      if (!trailingComma) {
        if (!this.eat(close)) this.fail(`',' or '${close}'`);
        break;
      }
    }
    if (open === '[') return items;
    // `(x)` without a comma is just a parenthesised value in Python.
    if (items.length === 1 && !trailingComma) return items[0]!;
    return new PyTuple(items);
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) break;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        this.pos += 2;
        continue;
      }
      if (c === '\n') break;
      out += c;
      this.pos++;
    }
    throw new SyntaxIssue(`a string starting at character ${this.pos} is not closed`);
  }

  private integer(): number {
    const m = /^[-+]?\d+[lL]?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('a number');
    const digits = m[0].replace(/[lL]$/, '');
    this.pos += m[0].length;
    if (/^[.eEjJ]/.test(this.text.slice(this.pos))) this.fail('an integer');
    return Number(digits);
  }
}
