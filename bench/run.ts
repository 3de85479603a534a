/**
 * `npm run bench`: runs every benchmark, prints a table and writes
 * bench/RESULTS.md with the machine and the date. Targets are reported,
 * not asserted: timing never fails the test suite.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFrontend } from './frontend.js';
import { benchLsp } from './lsp.js';
import type { BenchResult } from './stats.js';
import { benchTraining } from './training.js';

/** The repository root, whether this runs from bench/ (tsx) or dist/bench/ (compiled). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function verdict(r: BenchResult): string {
  if (!r.target) return '';
  const ok = (r.target.max === undefined || r.value <= r.target.max) && (r.target.min === undefined || r.value >= r.target.min);
  return ok ? 'meets target' : 'MISSES target';
}

// `npm run bench -- frontend` (or `training`, `lsp`) runs one group only.
const only = process.argv[2];
const results: BenchResult[] = [];
if (!only || only === 'frontend') results.push(...benchFrontend());
if (!only || only === 'training') results.push(...(await benchTraining()));
if (!only || only === 'lsp') results.push(...(await benchLsp()));
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const date = new Date().toISOString().slice(0, 10);
const rows = results.map((r) => `| ${r.name} | ${r.value.toFixed(r.unit === 'x' ? 2 : 1)} ${r.unit} | ${r.detail} | ${verdict(r)} |`);
const report = [
  '# Benchmark results',
  '',
  `Measured by \`npm run bench\` on ${date}: ${machine}.`,
  '',
  '| Benchmark | Result | Detail | Target |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
console.log(report);
// Only a full run replaces RESULTS.md: its figures must come from one run.
if (!only) {
  const file = path.join(repoRoot(), 'bench', 'RESULTS.md');
  writeFileSync(`${file}.tmp`, report);
  renameSync(`${file}.tmp`, file);
}
