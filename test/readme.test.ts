/** Every complete model shown in README.md and docs/language.md checks without errors. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeText, diagnosticLines, repoRoot } from './helpers.js';

function codeBlocks(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)].filter((m) => m[1] === '').map((m) => m[2]!);
}

describe('models in the docs', () => {
  for (const file of ['README.md', 'docs/language.md']) {
    const models = codeBlocks(file).filter((b) => /^\s*model \w+/m.test(b) && !b.includes('error['));
    it(`${file} (${models.length} blocks)`, () => {
      expect(models.length).toBeGreaterThan(0);
      for (const block of models) {
        const analysis = analyzeText(block);
        const errors = diagnosticLines(analysis).filter((_, i) => analysis.diagnostics[i]!.severity === 'error');
        expect(errors, block).toEqual([]);
      }
    });
  }
});
