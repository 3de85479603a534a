/** Reads .mbn sources from disk for the CLI. */
import { readFileSync, statSync } from 'node:fs';
import type { SourceHost } from '../semantics/program.js';

export const fileHost: SourceHost = {
  readFile(uri: string): string | undefined {
    try {
      if (!statSync(uri).isFile()) return undefined;
      return readFileSync(uri, 'utf8');
    } catch {
      return undefined;
    }
  },
};
