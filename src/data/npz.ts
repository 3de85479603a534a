/**
 * The NPZ format (numpy's `np.savez` / `np.savez_compressed`): a zip archive of `<name>.npy`
 * entries, stored or deflated (numpy writes zip64 extra fields; fflate reads them).
 * Entries whose names do not end in `.npy` are ignored, as are directories.
 * Errors inside an entry name it as `<archive>/<entry>.npy`.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { DataError, type NdArray } from './array.js';
import { readNpy, writeNpy, type ReadNpyOptions } from './npy.js';

/** Reads an .npz archive's bytes into arrays by name (the entry name without `.npy`), in archive order. */
export function readNpz(bytes: Uint8Array, file: string, options: ReadNpyOptions = {}): Map<string, NdArray> {
  if (bytes.length === 0) throw new DataError(file, 'the file is empty; expected a .npz archive saved with np.savez');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    const isNpy = bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY';
    const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw new DataError(
      file,
      isZip
        ? `the zip archive is damaged or truncated (${(e as Error).message})`
        : 'not a .npz file: expected a zip archive (it does not start with "PK")',
      isNpy ? 'this is a single .npy array; name it .npy' : isZip ? 'the file may be incomplete; save it again' : undefined,
    );
  }
  const arrays = new Map<string, NdArray>();
  for (const [entry, data] of Object.entries(entries)) {
    if (entry.endsWith('/') || !entry.endsWith('.npy')) continue;
    const name = entry.slice(0, -'.npy'.length);
    arrays.set(name, readNpy(data, `${file}/${entry}`, options));
  }
  if (arrays.size === 0) {
    const names = Object.keys(entries);
    throw new DataError(
      file,
      `the archive holds no .npy arrays${names.length > 0 ? `; it holds: ${names.join(', ')}` : ''}`,
      'save arrays with np.savez(path, name=x, …)',
    );
  }
  return arrays;
}

export interface WriteNpzOptions {
  /** Deflate the entries, like np.savez_compressed (default false: stored, like np.savez). */
  readonly compress?: boolean;
}

/** A fixed timestamp so the same arrays always give the same bytes. */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** Writes arrays as an .npz archive that np.load reads. */
export function writeNpz(arrays: ReadonlyMap<string, NdArray>, options: WriteNpzOptions = {}): Uint8Array {
  const files: Zippable = {};
  for (const [name, array] of arrays) {
    if (name === '') throw new Error('an array in an .npz archive needs a name');
    files[`${name}.npy`] = [writeNpy(array), { level: options.compress ? 6 : 0 }];
  }
  return zipSync(files, { mtime: ZIP_TIME });
}
