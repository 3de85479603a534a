/** Reading array files by extension, and writing files atomically. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataError, type NdArray } from './array.js';
import { readCsv, type ReadCsvOptions } from './csv.js';
import { readNpy, type ReadNpyOptions } from './npy.js';
import { readNpz } from './npz.js';

export interface ReadArrayFileOptions extends ReadNpyOptions {
  /** For .csv files. */
  readonly csv?: ReadCsvOptions;
}

const extensions = ['.npy', '.npz', '.csv'];

/**
 * Reads `.npy` (one array named after the file stem), `.npz` (its entries) or `.csv`
 * (one float32 [rows, columns] array named after the file stem). The extension is matched
 * case-insensitively.
 */
export function readArrayFile(file: string, options: ReadArrayFileOptions = {}): Map<string, NdArray> {
  const ext = path.extname(file).toLowerCase();
  const stem = path.basename(file, path.extname(file));
  if (!extensions.includes(ext)) {
    throw new DataError(
      file,
      ext === '' ? 'the file has no extension; expected .npy, .npz or .csv' : `unsupported file type '${ext}'; expected .npy, .npz or .csv`,
      ext === '.txt' || ext === '.tsv'
        ? 'rename it to .csv if it holds comma-separated numbers'
        : ext === '.gz'
          ? 'decompress it first'
          : ext === '.pkl' || ext === '.pickle' || ext === '.h5' || ext === '.hdf5'
            ? 'save arrays with np.save (one array) or np.savez (several)'
            : undefined,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fileError(file, e, 'read');
  }
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (ext) {
    case '.npy':
      return new Map([[stem, readNpy(u8, file, options)]]);
    case '.npz':
      return readNpz(u8, file, options);
    default: {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(u8);
      } catch {
        throw new DataError(file, 'the file is not valid UTF-8 text; expected a CSV file', u8[0] === 0x93 ? 'this looks like a .npy file; name it .npy' : undefined);
      }
      return new Map([[stem, readCsv(text, file, options.csv).array]]);
    }
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a partial
 * write: the content goes to a temporary file in the same directory, is flushed to disk,
 * then renamed over the target. Parent directories are created.
 */
export function writeFileAtomic(file: string, content: Uint8Array | string): void {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError(dir, e, 'create the directory');
  }
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  try {
    const fd = openSync(temp, 'wx');
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw fileError(file, e, 'write');
  }
}

function fileError(file: string, e: unknown, action: string): DataError {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return new DataError(file, 'no such file');
    case 'EISDIR':
      return new DataError(file, `cannot ${action} it: it is a directory`);
    case 'ENOTDIR':
      return new DataError(file, `cannot ${action} it: a part of the path is not a directory`);
    case 'EACCES':
    case 'EPERM':
      return new DataError(file, `cannot ${action} it: permission denied`);
    case 'ENOSPC':
      return new DataError(file, `cannot ${action} it: no space left on the device`);
    default:
      return new DataError(file, `cannot ${action} it: ${err.message ?? String(e)}`);
  }
}
