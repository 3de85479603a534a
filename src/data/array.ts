/**
 * Plain n-dimensional arrays as read from and written to data files (.npy, .npz, .csv, MNIST).
 *
 * An `NdArray` is a dtype, a shape and a C-ordered (row-major) typed array holding
 * exactly `product(shape)` elements. `bool` is stored as a `Uint8Array` of 0s and 1s.
 * Nothing here depends on TensorFlow.js.
 */
import { closest } from '../util/suggest.js';

export type DType = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'bool';

export type TypedData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array;

export interface NdArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedData;
}

interface DTypeInfo {
  /** Bytes per element. */
  readonly size: number;
  readonly create: (buffer: ArrayBuffer | number) => TypedData;
}

export const dtypes: Readonly<Record<DType, DTypeInfo>> = {
  float32: { size: 4, create: (b) => new Float32Array(b as ArrayBuffer) },
  float64: { size: 8, create: (b) => new Float64Array(b as ArrayBuffer) },
  int8: { size: 1, create: (b) => new Int8Array(b as ArrayBuffer) },
  int16: { size: 2, create: (b) => new Int16Array(b as ArrayBuffer) },
  int32: { size: 4, create: (b) => new Int32Array(b as ArrayBuffer) },
  int64: { size: 8, create: (b) => new BigInt64Array(b as ArrayBuffer) },
  uint8: { size: 1, create: (b) => new Uint8Array(b as ArrayBuffer) },
  uint16: { size: 2, create: (b) => new Uint16Array(b as ArrayBuffer) },
  bool: { size: 1, create: (b) => new Uint8Array(b as ArrayBuffer) },
};

const dataClass: Readonly<Record<DType, abstract new (...args: never[]) => TypedData>> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  bool: Uint8Array,
};

/**
 * Bad input data: a file that is missing, malformed, truncated or holds something unsupported.
 * Never thrown for programmer errors (those are plain `Error`s).
 *
 * `message` is `<file>: <detail>`; `hint`, when present, is an obvious fix, kept separate so a
 * caller can print it on its own line (`fullMessage` joins both).
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** The message without the leading file name. */
  readonly detail: string;

  constructor(
    readonly file: string,
    message: string,
    readonly hint?: string,
  ) {
    super(`${file}: ${message}`);
    this.detail = message;
  }

  /** The message followed by `; hint` when there is one. */
  get fullMessage(): string {
    return this.hint === undefined ? this.message : `${this.message}; ${this.hint}`;
  }
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A shape written as a Python tuple, as numpy users see it: `()`, `(3,)`, `(2, 3)`. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** An array of zeros, or one wrapping `data` (checked against dtype and shape: mismatches are programmer errors). */
export function createArray(dtype: DType, shape: readonly number[], data?: TypedData): NdArray {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`invalid shape ${shapeText(shape)}`);
  }
  const n = sizeOf(shape);
  if (data === undefined) return { dtype, shape: [...shape], data: dtypes[dtype].create(n) };
  checkArray({ dtype, shape, data });
  return { dtype, shape: [...shape], data };
}

/** Throws a plain Error if the array's data does not match its dtype and shape. */
export function checkArray(array: NdArray): void {
  const expected = dataClass[array.dtype];
  if (!(array.data instanceof expected)) {
    throw new Error(`an NdArray of dtype ${array.dtype} needs a ${expected.name}, got a ${array.data.constructor.name}`);
  }
  const n = sizeOf(array.shape);
  if (array.data.length !== n) {
    throw new Error(`an NdArray of shape ${shapeText(array.shape)} needs ${n} elements, got ${array.data.length}`);
  }
}

const int32Min = -(2n ** 31n);
const int32Max = 2n ** 31n - 1n;

/**
 * Converts an int64 array to int32 when every value fits (TensorFlow.js has no int64);
 * other dtypes are returned unchanged. A value out of range is a DataError naming it.
 */
export function narrowInt64(array: NdArray, file: string): NdArray {
  if (array.dtype !== 'int64') return array;
  const src = array.data as BigInt64Array;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < int32Min || v > int32Max) {
      throw new DataError(
        file,
        `int64 value ${v} at flat index ${i} does not fit in int32, and int64 is not supported`,
        'convert it before saving, e.g. x.astype(np.float32) or rescale the values',
      );
    }
    out[i] = Number(v);
  }
  return { dtype: 'int32', shape: array.shape, data: out };
}

/** The array called `name`, or a DataError listing the names the file holds (with a suggestion). */
export function pickArray(arrays: ReadonlyMap<string, NdArray>, name: string, file: string): NdArray {
  const found = arrays.get(name);
  if (found !== undefined) return found;
  const names = [...arrays.keys()];
  const suggestion = closest(name, names);
  throw new DataError(
    file,
    `no array named "${name}"; it holds: ${names.length === 0 ? '(nothing)' : names.join(', ')}`,
    suggestion === undefined ? undefined : `did you mean "${suggestion}"?`,
  );
}
