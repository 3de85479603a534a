import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, createArray, pickArray, type DType, type NdArray, type TypedData } from '../src/data/array.js';
import { readCsv, writeCsv } from '../src/data/csv.js';
import { readArrayFile, writeFileAtomic } from '../src/data/io.js';
import { loadMnist } from '../src/data/mnist.js';
import { readNpy, writeNpy } from '../src/data/npy.js';
import { readNpz, writeNpz } from '../src/data/npz.js';
import { repoRoot } from './helpers.js';
import { seededRandom } from '../src/util/random.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const allDTypes: DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'bool'];
const shapes: number[][] = [[], [3], [2, 3], [2, 3, 4], [0], [2, 0, 3]];

const rng = seededRandom;

function sample(dtype: DType, shape: number[], seed = 1): NdArray {
  const a = createArray(dtype, shape);
  const r = rng(seed);
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    switch (dtype) {
      case 'float32':
      case 'float64':
        (d as Float64Array)[i] = (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
        break;
      case 'int64':
        (d as BigInt64Array)[i] = BigInt(Math.floor((r() - 0.5) * 2 ** 52)) * 1000n;
        break;
      case 'bool':
        (d as Uint8Array)[i] = r() < 0.5 ? 0 : 1;
        break;
      default:
        (d as Int32Array)[i] = Math.floor((r() - 0.5) * 2 ** 33); // wraps to the type's range
    }
  }
  return a;
}

const enc = new TextEncoder();

/** Builds an .npy file by hand, per the NPY spec: magic, version, header length, padded header, data. */
function npyFile(header: string, data: Uint8Array, version: 1 | 2 | 3 = 1, options: { pad?: boolean } = {}): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let headerBytes = version === 3 ? enc.encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  if (options.pad !== false) {
    const total = prefix + headerBytes.length + 1;
    const pad = (64 - (total % 64)) % 64;
    headerBytes = Uint8Array.from([...headerBytes, ...new Array<number>(pad).fill(0x20), 0x0a]);
  }
  const out = new Uint8Array(prefix + headerBytes.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  out.set(data, prefix + headerBytes.length);
  return out;
}

function f32bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Runs `fn`, expecting a DataError, and returns it. */
function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw new Error(`expected a DataError, got ${String(e)}`);
  }
  throw new Error('expected a DataError, nothing was thrown');
}

function sameData(a: TypedData, b: TypedData): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

const tmpDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mbn-data-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// NPY

describe('npy', () => {
  for (const dtype of allDTypes) {
    for (const shape of shapes) {
      it(`round-trips ${dtype} of shape (${shape.join(', ')})`, () => {
        const a = sample(dtype, shape);
        const b = readNpy(writeNpy(a), 'x.npy');
        expect(b.dtype).toBe(dtype);
        expect(b.shape).toEqual(shape);
        expect(sameData(a.data, b.data)).toBe(true);
      });
    }
  }

  it('round-trips special float values and extreme integers', () => {
    const f = createArray('float64', [6], new Float64Array([NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE]));
    expect(sameData(readNpy(writeNpy(f), 'f.npy').data, f.data)).toBe(true);
    const i = createArray('int64', [2], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(sameData(readNpy(writeNpy(i), 'i.npy').data, i.data)).toBe(true);
  });

  it('writes exactly the bytes numpy writes for np.arange(6, dtype="<f4").reshape(2, 3)', () => {
    // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) with numpy 1.x/2.x: format 1.0, a header
    // of 118 bytes (0x76) so that magic (6) + version (2) + length (2) + header = 128, a multiple of 64.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const expected = new Uint8Array(128 + 24);
    expected.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00]);
    for (let i = 0; i < 117; i++) expected[10 + i] = i < header.length ? header.charCodeAt(i) : 0x20;
    expected[127] = 0x0a;
    expected.set(f32bytes([0, 1, 2, 3, 4, 5]), 128);

    const written = writeNpy(createArray('float32', [2, 3], new Float32Array([0, 1, 2, 3, 4, 5])));
    expect(Buffer.from(written).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    const read = readNpy(expected, 'a.npy');
    expect(read.shape).toEqual([2, 3]);
    expect([...read.data]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('pads the header so the data starts at a multiple of 64 bytes, as numpy does', () => {
    for (const dtype of allDTypes) {
      for (const shape of [...shapes, [123456789, 0], [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]]) {
        const bytes = writeNpy(createArray(dtype, shape));
        const headerLength = bytes[8]! | (bytes[9]! << 8);
        expect((10 + headerLength) % 64).toBe(0);
        expect(bytes[10 + headerLength - 1]).toBe(0x0a);
        expect(bytes[6]).toBe(1);
      }
    }
  });

  it('reads header versions 1.0, 2.0 and 3.0', () => {
    const data = f32bytes([1.5, -2, 3]);
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    for (const version of [1, 2, 3] as const) {
      const a = readNpy(npyFile(header, data, version), `v${version}.npy`);
      expect(a.dtype).toBe('float32');
      expect(a.shape).toEqual([3]);
      expect([...a.data]).toEqual([1.5, -2, 3]);
    }
    // 3.0 headers are UTF-8.
    const utf8 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'note': 'ünïcødé ✓', }";
    expect(readNpy(npyFile(utf8, data, 3), 'v3.npy').shape).toEqual([3]);
  });

  it('parses header dicts robustly', () => {
    const data = f32bytes([1, 2, 3, 4, 5, 6]);
    const headers = [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
      '{"shape": (2, 3), "fortran_order": False, "descr": "<f4"}',
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", // Python 2
      "{ 'descr' : '<f4' ,\t'fortran_order' : False , 'shape' : [2, 3] }",
    ];
    for (const h of headers) {
      const a = readNpy(npyFile(h, data), 'h.npy');
      expect(a.shape).toEqual([2, 3]);
      expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
    }
    // Without padding, and a scalar; '<u1' and '|u1' both read as uint8; Fortran order is harmless in 1-D.
    expect(readNpy(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': ()}", new Uint8Array(new Float64Array([7]).buffer), 1, { pad: false }), 's.npy').data[0]).toBe(7);
    for (const d of ['<u1', '|u1']) {
      expect(readNpy(npyFile(`{'descr': '${d}', 'fortran_order': False, 'shape': (2,), }`, Uint8Array.of(3, 250)), 'u.npy').dtype).toBe('uint8');
    }
    expect(readNpy(npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", f32bytes([1, 2, 3])), 'f.npy').shape).toEqual([3]);
  });

  it('keeps int64, or narrows it to int32 on request when the values fit', () => {
    const a = createArray('int64', [3], new BigInt64Array([-3n, 0n, 2147483647n]));
    expect(readNpy(writeNpy(a), 'a.npy').dtype).toBe('int64');
    const n = readNpy(writeNpy(a), 'a.npy', { int64: 'int32' });
    expect(n.dtype).toBe('int32');
    expect([...n.data]).toEqual([-3, 0, 2147483647]);
    const big = createArray('int64', [2], new BigInt64Array([1n, 2147483648n]));
    const e = dataError(() => readNpy(writeNpy(big), 'data/big.npy', { int64: 'int32' }));
    expect(e.message).toMatch(/^data\/big\.npy: int64 value 2147483648 at flat index 1 does not fit in int32/);
  });

  describe('errors', () => {
    const good = writeNpy(createArray('float32', [2, 3], new Float32Array([0, 1, 2, 3, 4, 5])));

    it('a truncated file, cut anywhere, is a DataError naming the file', () => {
      for (let n = 0; n < good.length; n++) {
        const e = dataError(() => readNpy(good.subarray(0, n), 'data/x.npy'));
        expect(e.message.startsWith('data/x.npy: ')).toBe(true);
        expect(e.file).toBe('data/x.npy');
      }
      expect(dataError(() => readNpy(good.subarray(0, 140), 'data/x.npy')).message).toBe(
        'data/x.npy: the file is truncated: the data is 12 bytes but shape (2, 3) of <f4 needs 24',
      );
      expect(dataError(() => readNpy(good.subarray(0, 50), 'data/x.npy')).message).toMatch(/truncated: the header says it is 118 bytes long/);
    });

    it('bad magic', () => {
      const bad = good.slice();
      bad[1] = 0x4d;
      const e = dataError(() => readNpy(bad, 'data/x.npy'));
      expect(e.message).toBe('data/x.npy: not a .npy file: it does not start with the "\\x93NUMPY" magic');
      expect(dataError(() => readNpy(enc.encode('1.0,2.0\n3.0,4.0\n'), 'x.npy')).hint).toMatch(/text file/);
      expect(dataError(() => readNpy(zipSync({ 'a.npy': good }), 'x.npy')).hint).toMatch(/\.npz/);
    });

    it('unsupported format versions', () => {
      const bad = good.slice();
      bad[6] = 4;
      expect(dataError(() => readNpy(bad, 'x.npy')).message).toBe('x.npy: unsupported .npy format version 4.0; expected 1.0, 2.0 or 3.0');
    });

    it('Fortran order', () => {
      const f = npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f32bytes([0, 1, 2, 3, 4, 5]));
      const e = dataError(() => readNpy(f, 'data/x.npy'));
      expect(e.message).toBe('data/x.npy: Fortran-ordered arrays are not supported (shape (2, 3)); expected C order');
      expect(e.hint).toBe('save with np.save(path, np.ascontiguousarray(x))');
    });

    it('big-endian', () => {
      const f = npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(12));
      const e = dataError(() => readNpy(f, 'data/x.npy'));
      expect(e.message).toBe("data/x.npy: big-endian data ('>f4') is not supported; expected little-endian ('<f4')");
      expect(e.hint).toBe("convert before saving: x.astype('<f4')");
      // One-byte types have no byte order.
      expect(readNpy(npyFile("{'descr': '>u1', 'fortran_order': False, 'shape': (1,), }", Uint8Array.of(9)), 'u.npy').data[0]).toBe(9);
    });

    it('unsupported dtypes', () => {
      const c8 = npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(24));
      const e = dataError(() => readNpy(c8, 'data/x.npy'));
      expect(e.message).toMatch(/^data\/x\.npy: unsupported dtype '<c8' \(complex64\); expected one of float32, /);
      const u = npyFile("{'descr': '<U5', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(60));
      expect(dataError(() => readNpy(u, 'x.npy')).hint).toMatch(/integer ids/);
      const rec = npyFile("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }", new Uint8Array(24));
      expect(dataError(() => readNpy(rec, 'x.npy')).message).toMatch(/structured arrays/);
    });

    it('data shorter or longer than the shape says', () => {
      const short = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(24));
      expect(dataError(() => readNpy(short, 'data/x.npy')).message).toBe(
        'data/x.npy: the file is truncated: the data is 24 bytes but shape (2, 2) of <f8 needs 32',
      );
      const long = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(24));
      const e = dataError(() => readNpy(long, 'data/x.npy'));
      expect(e.message).toBe('data/x.npy: the data is 24 bytes but shape (2,) of <f8 needs only 16');
      expect(e.hint).toMatch(/np\.savez/);
      const huge = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", new Uint8Array(8));
      expect(dataError(() => readNpy(huge, 'x.npy')).message).toMatch(/truncated/);
    });

    it('malformed headers', () => {
      const cases: [string, RegExp][] = [
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}", /expected ',' or '\)' at character 56, found "}"; the header is: \{'descr'/],
        ["{'descr': '<f4', 'fortran_order': False}", /the key 'shape' is missing/],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }", /'shape' should hold non-negative integers, found -1/],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", /expected an integer/],
        ["{'descr': '<f4', 'fortran_order': 0, 'shape': (3,), }", /'fortran_order' should be True or False/],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': 3, }", /'shape' should be a tuple, found 3/],
        ["{'descr': '<f4, 'fortran_order': False, 'shape': (3,), }", /expected/],
        ["['descr', '<f4']", /expected a dict, found a list/],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,), } junk", /expected nothing/],
        ['', /malformed header: expected a value, found the end of the header; the header is: $/],
        ["{'descr': '|f4', 'fortran_order': False, 'shape': (3,), }", /has no byte order/],
        ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': np.float32(1)}", /expected/],
      ];
      for (const [header, pattern] of cases) {
        const e = dataError(() => readNpy(npyFile(header, new Uint8Array(12)), 'data/x.npy'));
        expect(e.message.startsWith('data/x.npy: ')).toBe(true);
        expect(e.message).toMatch(pattern);
      }
      const notUtf8 = npyFile('', new Uint8Array(0), 3);
      notUtf8.set([0xff, 0xfe], 12);
      expect(dataError(() => readNpy(notUtf8, 'x.npy')).message).toMatch(/not valid UTF-8/);
    });

    it('random corruption never escapes as anything but a DataError', () => {
      const r = rng(7);
      for (let trial = 0; trial < 2000; trial++) {
        const bad = good.slice();
        const flips = 1 + Math.floor(r() * 3);
        for (let k = 0; k < flips; k++) bad[Math.floor(r() * 128)] = Math.floor(r() * 256);
        try {
          readNpy(bad, 'x.npy');
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// NPZ

// Produced by numpy 2.x: np.savez(f, a=np.arange(3, dtype='<f4'), b=np.array([[1, 2]], dtype='<i8'))
// (stored entries with zip64 extra fields), and the same with np.savez_compressed.
const numpySavez =
  'UEsDBC0AAAAAAAAAIQC2jIZT//////////8FABQAYS5ucHkBABAAjAAAAAAAAACMAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAgD8AAABAUEsDBC0AAAAAAAAAIQDJvGjW//////////8FABQAYi5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAQAAAAAAAAACAAAAAAAAAFBLAQItAy0AAAAAAAAAIQC2jIZTjAAAAIwAAAAFAAAAAAAAAAAAAACAAQAAAABhLm5weVBLAQItAy0AAAAAAAAAIQDJvGjWkAAAAJAAAAAFAAAAAAAAAAAAAACAAcMAAABiLm5weVBLBQYAAAAAAgACAGYAAACKAQAAAAA=';
const numpySavezCompressed =
  'UEsDBC0AAAAIAAAAIQC2jIZT//////////8FABQAYS5ucHkBABAAjAAAAAAAAABLAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC4GMGiwBxIOAFBLAwQtAAAACAAAACEAybxo1v//////////BQAUAGIubnB5AQAQAJAAAAAAAAAATAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqGOgpGmjoKtQpkAy5GBghggtIAUEsBAi0DLQAAAAgAAAAhALaMhlNLAAAAjAAAAAUAAAAAAAAAAAAAAIABAAAAAGEubnB5UEsBAi0DLQAAAAgAAAAhAMm8aNZMAAAAkAAAAAUAAAAAAAAAAAAAAIABggAAAGIubnB5UEsFBgAAAAACAAIAZgAAAAUBAAAAAA==';

describe('npz', () => {
  const arrays = new Map<string, NdArray>([
    ['img1', sample('float32', [2, 3, 4])],
    ['seq', sample('int32', [5])],
    ['mask', sample('bool', [2, 2])],
    ['big', sample('int64', [])],
  ]);

  function expectSame(a: Map<string, NdArray>, b: Map<string, NdArray>): void {
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, x] of a) {
      const y = b.get(name)!;
      expect(y.dtype).toBe(x.dtype);
      expect(y.shape).toEqual(x.shape);
      expect(sameData(x.data, y.data)).toBe(true);
    }
  }

  it('round-trips stored and compressed archives, deterministically', () => {
    expectSame(arrays, readNpz(writeNpz(arrays), 'a.npz'));
    expectSame(arrays, readNpz(writeNpz(arrays, { compress: true }), 'a.npz'));
    expect(Buffer.from(writeNpz(arrays)).equals(Buffer.from(writeNpz(arrays)))).toBe(true);
  });

  it('reads deflated entries', () => {
    const zip = zipSync(
      { 'x.npy': writeNpy(arrays.get('img1')!), 'y.npy': writeNpy(arrays.get('seq')!) },
      { level: 6 },
    );
    const read = readNpz(zip, 'a.npz');
    expectSame(new Map([['x', arrays.get('img1')!], ['y', arrays.get('seq')!]]), read);
  });

  it('reads archives written by numpy (zip64 headers, stored and deflated)', () => {
    for (const b64 of [numpySavez, numpySavezCompressed]) {
      const read = readNpz(new Uint8Array(Buffer.from(b64, 'base64')), 'n.npz');
      expect([...read.keys()]).toEqual(['a', 'b']);
      expect(read.get('a')!.dtype).toBe('float32');
      expect([...read.get('a')!.data]).toEqual([0, 1, 2]);
      expect(read.get('b')!.shape).toEqual([1, 2]);
      expect([...read.get('b')!.data]).toEqual([1n, 2n]);
    }
  });

  it('a missing name lists the names the archive holds', () => {
    const read = readNpz(writeNpz(arrays), 'data/a.npz');
    expect(pickArray(read, 'seq', 'data/a.npz')).toBe(read.get('seq'));
    const e = dataError(() => pickArray(read, 'img', 'data/a.npz'));
    expect(e.message).toBe('data/a.npz: no array named "img"; it holds: img1, seq, mask, big');
    expect(e.hint).toBe('did you mean "img1"?');
  });

  it('bad archives and bad entries are DataErrors naming the file', () => {
    const good = writeNpz(arrays);
    for (const n of [0, 3, 30, 200, good.length - 10]) {
      const e = dataError(() => readNpz(good.subarray(0, n), 'data/a.npz'));
      expect(e.message.startsWith('data/a.npz: ')).toBe(true);
    }
    const npy = dataError(() => readNpz(writeNpy(arrays.get('seq')!), 'data/a.npz'));
    expect(npy.message).toBe('data/a.npz: not a .npz file: expected a zip archive (it does not start with "PK")');
    expect(npy.hint).toBe('this is a single .npy array; name it .npy');
    const badEntry = zipSync({ 'ok.npy': writeNpy(arrays.get('seq')!), 'x.npy': enc.encode('hello') });
    expect(dataError(() => readNpz(badEntry, 'data/a.npz')).message).toMatch(/^data\/a\.npz\/x\.npy: not a \.npy file/);
    expect(dataError(() => readNpz(zipSync({ 'readme.txt': enc.encode('hi') }), 'a.npz')).message).toBe(
      'a.npz: the archive holds no .npy arrays; it holds: readme.txt',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// CSV

describe('csv', () => {
  it('detects a header row', () => {
    const withHeader = readCsv('a,b,c\n1,2,3\n4,5,6\n', 'x.csv');
    expect(withHeader.columns).toEqual(['a', 'b', 'c']);
    expect(withHeader.array.dtype).toBe('float32');
    expect(withHeader.array.shape).toEqual([2, 3]);
    expect([...withHeader.array.data]).toEqual([1, 2, 3, 4, 5, 6]);

    const without = readCsv('1,2,3\n4,5,6', 'x.csv');
    expect(without.columns).toBeUndefined();
    expect(without.array.shape).toEqual([2, 3]);

    // pandas' to_csv with the index: an empty first header cell.
    expect(readCsv(',x,y\n0,1.5,2\n1,3,4\n', 'p.csv').columns).toEqual(['', 'x', 'y']);
    // A numeric first row is data, even with a missing value in it.
    expect(dataError(() => readCsv('1,,3\n4,5,6\n', 'x.csv')).message).toBe('x.csv: row 1, column 2 is empty; expected a number');
    // Explicit choices.
    expect(readCsv('1,2\n3,4\n', 'x.csv', { header: true })).toEqual({
      columns: ['1', '2'],
      array: { dtype: 'float32', shape: [1, 2], data: new Float32Array([3, 4]) },
    });
    const e = dataError(() => readCsv('a,b\n1,2\n', 'x.csv', { header: false }));
    expect(e.message).toBe('x.csv: row 1, column 1: expected a number, found "a"');
    expect(e.hint).toMatch(/header: true/);
  });

  it('handles quoted fields, blank lines, CRLF, a BOM, spaces and special values', () => {
    const text = '\ufeff"name, with comma","say ""hi""",c\r\n\r\n"1.5", 2 ,"-3e2"\r\n  \r\nnan,-inf,True\r\n';
    const t = readCsv(text, 'q.csv');
    expect(t.columns).toEqual(['name, with comma', 'say "hi"', 'c']);
    expect(t.array.shape).toEqual([2, 3]);
    expect([...t.array.data]).toEqual([1.5, 2, -300, NaN, -Infinity, 1]);
    expect(readCsv('1;2\n3;4\n', 's.csv', { delimiter: ';' }).array.shape).toEqual([2, 2]);
  });

  it('a bad cell gives its row (as an editor counts lines) and column', () => {
    const text = 'x,"y\n(cm)",z\n1,2,3\n\n8,abc,9\n';
    const e = dataError(() => readCsv(text, 'data/y.csv'));
    expect(e.message).toBe('data/y.csv: row 5, column 2 ("y\\n(cm)"): expected a number, found "abc"');
    expect(e.hint).toBe('encode text categories as numbers before saving');
    expect(e.file).toBe('data/y.csv');
    expect(dataError(() => readCsv('1,2\n3,4,\n', 'y.csv')).hint).toMatch(/stray delimiter/);
    expect(dataError(() => readCsv('a\n1;2\n', 'y.csv')).hint).toBe('the file seems to use \';\' as separator; pass delimiter: ";"');
    expect(dataError(() => readCsv('1,2\n"1,000",3\n', 'y.csv')).hint).toMatch(/thousands/);
    expect(dataError(() => readCsv('a,b\n1,\n', 'y.csv')).hint).toMatch(/fillna/);
  });

  it('ragged rows', () => {
    const rows = ['a,b,c,d,e,f,g,h,i,j'];
    for (let i = 0; i < 20; i++) rows.push(i === 16 ? '1,2,3,4,5,6,7,8,9' : '1,2,3,4,5,6,7,8,9,10');
    const e = dataError(() => readCsv(rows.join('\n'), 'data/y.csv'));
    expect(e.message).toBe('data/y.csv: row 18 has 9 columns, expected 10 (the header has 10)');
    expect(dataError(() => readCsv('1,2\n3\n', 'y.csv')).message).toBe('y.csv: row 2 has 1 column, expected 2 (row 1 has 2)');
  });

  it('malformed CSV and empty files', () => {
    const e = dataError(() => readCsv('a,b\n"1,2\n', 'data/q.csv'));
    expect(e.message).toMatch(/^data\/q\.csv: line \d+: cannot parse the CSV: Quote Not Closed/);
    expect(e.hint).toMatch(/never closed/);
    expect(dataError(() => readCsv('\n\n', 'e.csv')).message).toBe(
      'e.csv: the file has no rows; expected rows of numbers separated by commas',
    );
    expect(readCsv('a,b\n', 'h.csv').array.shape).toEqual([0, 2]);
  });

  it('writeCsv → readCsv round-trips random float32 values exactly', () => {
    const r = rng(3);
    const a = createArray('float32', [200, 7]);
    const d = a.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = (r() - 0.5) * 10 ** Math.floor(r() * 80 - 40);
    d.set([NaN, Infinity, -Infinity, -0, 0, 1e-45, 3.4028234663852886e38, 0.1, 1 / 3], 0);
    const text = writeCsv(a, ['a', 'b,c', 'd"e', ' f', 'g', 'h', 'i']);
    expect(text.split('\n')[0]).toBe('a,"b,c","d""e"," f",g,h,i');
    expect(text.split('\n')[1]).toBe('nan,inf,-inf,-0,0,1e-45,3.4028235e+38');
    expect(text.split('\n')[2]!.startsWith('0.1,0.33333334,')).toBe(true);
    const back = readCsv(text, 'r.csv');
    expect(back.columns).toEqual(['a', 'b,c', 'd"e', 'f', 'g', 'h', 'i']);
    expect(sameData(back.array.data, a.data)).toBe(true);
  });

  it('writeCsv writes float64 in full, 1-D as a column and higher ranks flattened per row', () => {
    const f64 = createArray('float64', [2], new Float64Array([0.1, 1 / 3]));
    expect(writeCsv(f64)).toBe('0.1\n0.3333333333333333\n');
    const i3 = createArray('int32', [2, 2, 2], new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(writeCsv(i3)).toBe('1,2,3,4\n5,6,7,8\n');
    expect(writeCsv(createArray('int64', [1, 2], new BigInt64Array([-(2n ** 63n), 5n])))).toBe('-9223372036854775808,5\n');
    expect(writeCsv(createArray('bool', [1, 2], new Uint8Array([1, 0])))).toBe('1,0\n');
    expect(writeCsv(createArray('float32', [0, 3]))).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// MNIST

describe('mnist', () => {
  it('loads test images and labels', () => {
    const { images, labels } = loadMnist({ split: 'test', limit: 10 });
    expect(images.dtype).toBe('float32');
    expect(images.shape).toEqual([10, 28, 28, 1]);
    expect(labels.dtype).toBe('int32');
    expect(labels.shape).toEqual([10]);
    let max = 0;
    for (const v of images.data as Float32Array) {
      expect(v >= 0 && v <= 1).toBe(true);
      max = Math.max(max, v);
    }
    expect(max).toBe(1);
    for (const l of labels.data as Int32Array) expect(l >= 0 && l <= 9).toBe(true);
    expect([...labels.data]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('honours offset and limit', () => {
    const train = loadMnist({ split: 'train', offset: 1, limit: 4 });
    expect([...train.labels.data]).toEqual([0, 4, 1, 9]); // the training set starts 5, 0, 4, 1, 9
    const whole = loadMnist({ split: 'test', limit: 3 });
    const shifted = loadMnist({ split: 'test', offset: 2, limit: 1 });
    expect(sameData(shifted.images.data, (whole.images.data as Float32Array).slice(2 * 784, 3 * 784))).toBe(true);
    expect(loadMnist({ split: 'test', offset: 9995 }).labels.shape).toEqual([5]);
    expect(dataError(() => loadMnist({ split: 'test', offset: 10001 })).message).toMatch(/offset 10001 is past the end of the test split \(10000 examples\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// Files

describe('readArrayFile', () => {
  it('dispatches on the extension', () => {
    const dir = tempDir();
    const a = sample('float32', [2, 3]);
    writeFileSync(path.join(dir, 'x.npy'), writeNpy(a));
    writeFileSync(path.join(dir, 'both.NPZ'), writeNpz(new Map([['p', a], ['q', a]])));
    writeFileSync(path.join(dir, 'y.csv'), 'a,b\n1,2\n');
    const x = readArrayFile(path.join(dir, 'x.npy'));
    expect([...x.keys()]).toEqual(['x']);
    expect(sameData(x.get('x')!.data, a.data)).toBe(true);
    expect([...readArrayFile(path.join(dir, 'both.NPZ')).keys()]).toEqual(['p', 'q']);
    expect(readArrayFile(path.join(dir, 'y.csv')).get('y')!.shape).toEqual([1, 2]);
    const n = readArrayFile(path.join(dir, 'x.npy'), { int64: 'int32' });
    expect(n.get('x')!.dtype).toBe('float32');
  });

  it('gives DataErrors for missing files, directories and unknown extensions', () => {
    const dir = tempDir();
    expect(dataError(() => readArrayFile(path.join(dir, 'nope.npy'))).message).toBe(`${path.join(dir, 'nope.npy')}: no such file`);
    mkdirSync(path.join(dir, 'd.npy'));
    expect(dataError(() => readArrayFile(path.join(dir, 'd.npy'))).message).toMatch(/it is a directory$/);
    const e = dataError(() => readArrayFile('data/x.h5'));
    expect(e.message).toBe("data/x.h5: unsupported file type '.h5'; expected .npy, .npz or .csv");
    expect(e.hint).toMatch(/np\.save/);
    expect(dataError(() => readArrayFile('data/x')).message).toMatch(/no extension/);
    writeFileSync(path.join(dir, 'bin.csv'), writeNpy(sample('float32', [3])));
    expect(dataError(() => readArrayFile(path.join(dir, 'bin.csv'))).hint).toMatch(/\.npy file/);
  });
});

describe('writeFileAtomic', () => {
  it('creates parent directories, replaces content and leaves no temporary file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'a', 'b', 'out.npy');
    writeFileAtomic(target, 'old');
    expect(readFileSync(target, 'utf8')).toBe('old');
    const bytes = writeNpy(sample('float64', [10]));
    writeFileAtomic(target, bytes);
    expect(Buffer.from(readFileSync(target)).equals(Buffer.from(bytes))).toBe(true);
    expect(readdirSync(path.dirname(target))).toEqual(['out.npy']);
  });

  it('a failed write leaves the target alone and no temporary file', () => {
    const dir = tempDir();
    const target = path.join(dir, 'out');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    const e = dataError(() => writeFileAtomic(target, 'new'));
    expect(e.file).toBe(target);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(path.join(target, 'keep'), 'utf8')).toBe('x');
    const blocked = path.join(dir, 'file');
    writeFileSync(blocked, 'x');
    expect(dataError(() => writeFileAtomic(path.join(blocked, 'sub', 'out.csv'), 'y')).message).toMatch(/not a directory/);
  });

  it('a concurrent reader sees the old or the new content, never a mix', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'shared.bin');
    const size = 1 << 20;
    writeFileAtomic(target, 'a'.repeat(size));
    const script = path.join(dir, 'writer.ts');
    const moduleUrl = pathToFileURL(path.join(repoRoot, 'src/data/io.ts')).href;
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(moduleUrl)};\n` +
        `for (let i = 0; i < 60; i++) writeFileAtomic(${JSON.stringify(target)}, (i % 2 ? 'a' : 'b').repeat(${size}));\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let finished = false;
    void done.then(() => (finished = true));
    let reads = 0;
    while (!finished) {
      const content = readFileSync(target, 'latin1');
      expect(content.length).toBe(size);
      const c = content[0]!;
      expect(c === 'a' || c === 'b').toBe(true);
      expect(content === c.repeat(size)).toBe(true);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    expect(await done, stderr).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(['shared.bin', 'writer.ts']);
    expect(existsSync(target)).toBe(true);
  });
});

describe('files read from disk', () => {
  it('readArrayFile gives arrays that own their data (Node pools small file buffers)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { readArrayFile } = await import('../src/data/io.js');
    const { writeNpy } = await import('../src/data/npy.js');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mbn-npy-')), 'x.npy');
    writeFileSync(file, writeNpy({ dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) }));
    const x = readArrayFile(file).get('x')!;
    expect(Array.from(x.data as Float32Array)).toEqual([1, 2, 3]);
    expect(x.data.buffer.byteLength).toBe(12);
  });
});
