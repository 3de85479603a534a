/**
 * docs/catalogue.md and docs/diagnostics.md are generated (src/docs/generate.ts);
 * the committed files must match a fresh render and cover every name.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerEntries, mergeEntries } from '../src/catalogue/index.js';
import { losses, metrics, optimizers, regularizers, trainingSettings } from '../src/catalogue/training.js';
import { diagnosticCodes } from '../src/diagnostics/codes.js';
import { errorExamples, formatValue, renderCatalogueDoc, renderDiagnosticsDoc, signature } from '../src/docs/generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stale = 'is out of date: run `npm run docs` and commit the result';

function committed(name: string): string {
  const file = path.join(root, 'docs', name);
  expect(existsSync(file), `docs/${name} is missing: run \`npm run docs\``).toBe(true);
  return readFileSync(file, 'utf8');
}

/** The text from a heading to the next `##`/`###` heading. */
function sectionOf(doc: string, heading: string): string {
  const start = doc.indexOf(`\n${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = /\n#{2,3} /g;
  next.lastIndex = start + 1;
  const end = next.exec(doc)?.index ?? doc.length;
  return doc.slice(start, end);
}

const catalogueDoc = renderCatalogueDoc();
const diagnosticsDoc = renderDiagnosticsDoc(root);

describe('generated docs', () => {
  it('docs/catalogue.md matches the catalogue', () => {
    expect(committed('catalogue.md') === catalogueDoc, `docs/catalogue.md ${stale}`).toBe(true);
  });

  it('docs/diagnostics.md matches the codes table and examples/errors', () => {
    expect(committed('diagnostics.md') === diagnosticsDoc, `docs/diagnostics.md ${stale}`).toBe(true);
  });

  it('is deterministic', () => {
    expect(renderCatalogueDoc()).toBe(catalogueDoc);
    expect(renderDiagnosticsDoc(root)).toBe(diagnosticsDoc);
    expect(catalogueDoc).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(catalogueDoc + diagnosticsDoc).not.toContain(root);
  });
});

describe('docs/catalogue.md', () => {
  it('has a section, a signature and every alias for each layer and merge', () => {
    for (const entry of [...layerEntries, ...mergeEntries]) {
      expect(catalogueDoc, entry.name).toContain(`\n### ${entry.name}\n`);
      expect(catalogueDoc, `${entry.name} signature`).toContain(`${entry.name}(`);
      for (const alias of entry.aliases ?? []) expect(catalogueDoc, `alias ${alias} of ${entry.name}`).toContain(`\`${alias}\``);
      for (const p of entry.params) {
        expect(catalogueDoc, `${entry.name}.${p.name}`).toContain(`| \`${p.name}\``);
        for (const alias of p.aliases ?? []) expect(catalogueDoc, `${entry.name}.${alias}`).toContain(`\`${alias}\``);
      }
    }
  });

  it('lists every loss, metric, optimizer, regularizer and training setting', () => {
    for (const named of [...losses, ...metrics]) {
      expect(catalogueDoc, named.name).toContain(`| \`${named.name}\` |`);
      for (const alias of named.aliases ?? []) expect(catalogueDoc, alias).toContain(`\`${alias}\``);
    }
    for (const f of [...optimizers, ...regularizers]) {
      expect(catalogueDoc, f.name).toContain(`\n### ${f.name}\n`);
      expect(catalogueDoc, f.name).toContain(signature(f.name, f.params));
    }
    for (const setting of trainingSettings) expect(catalogueDoc, setting.name).toContain(`| \`${setting.name}\``);
  });

  it('writes signatures with required parameters first and defaults in .mbn syntax', () => {
    expect(catalogueDoc).toContain('Dense(units, activation = None, use_bias = true,');
    expect(catalogueDoc).toContain('concat(a, b, …, axis = -1)');
    expect(catalogueDoc).toContain('UpSampling2D(size = [2, 2], interpolation = nearest)');
    expect(formatValue(null)).toBe('None');
    expect(formatValue(false)).toBe('false');
    expect(formatValue([[1, 1], [2, 2]])).toBe('[[1, 1], [2, 2]]');
    expect(formatValue('relu')).toBe('relu');
    expect(formatValue({ kind: 'regularizer', l1: 0, l2: 0.001 })).toBe('l2(0.001)');
  });

  it('marks training-only, int32 and custom layers', () => {
    const section = (name: string): string => sectionOf(catalogueDoc, `### ${name}\n`);
    expect(section('Dropout')).toContain('**Training only:**');
    expect(section('Dense')).not.toContain('**Training only:**');
    expect(section('Embedding')).toContain('**Input dtype:** `int32`');
    expect(section('SpatialDropout2D')).toContain('**Custom layer:**');
    expect(section('subtract')).toContain('**Custom layer:**');
    expect(section('Conv1D')).toContain('`padding: causal`');
    expect(section('Conv1D')).toContain('`CausalConv1D`');
    expect(section('Conv2D')).not.toContain('Custom layer');
  });
});

describe('docs/diagnostics.md', () => {
  it('documents every code with its severity and title', () => {
    for (const [code, info] of Object.entries(diagnosticCodes)) {
      expect(diagnosticsDoc, code).toContain(`\n### ${code}: ${info.title}\n`);
      const section = sectionOf(diagnosticsDoc, `### ${code}:`);
      expect(section, code).toContain(`**${info.severity.charAt(0).toUpperCase()}${info.severity.slice(1)}.** `);
      expect(section.split('**')[2]!.trim().length, `${code} needs an explanation`).toBeGreaterThan(40);
    }
  });

  it('points at the example files under examples/errors', () => {
    const examples = errorExamples(root);
    for (const [code, files] of examples) {
      if (!(code in diagnosticCodes)) continue;
      for (const file of files) {
        expect(existsSync(path.join(root, file)), file).toBe(true);
        expect(diagnosticsDoc, `${code} → ${file}`).toContain(`(../${file})`);
      }
    }
  });
});
