/**
 * `npm run docs`: writes docs/catalogue.md and docs/diagnostics.md from the
 * catalogue and the diagnostic codes (see src/docs/generate.ts). Each file is
 * written to a temporary file in the same folder, then renamed over the old one.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCatalogueDoc, renderDiagnosticsDoc } from '../src/docs/generate.js';
import { writeFileAtomic } from '../src/data/io.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docs = path.join(root, 'docs');

mkdirSync(docs, { recursive: true });
const outputs: [string, string][] = [
  ['catalogue.md', renderCatalogueDoc()],
  ['diagnostics.md', renderDiagnosticsDoc(root)],
];
for (const [name, text] of outputs) {
  writeFileAtomic(path.join(docs, name), text);
  console.log(`wrote docs/${name}`);
}
