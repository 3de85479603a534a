/** `mbnc fmt`: stdout, --check, --write, syntax errors, usage errors (run in-process, on scratch copies). */
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { examplesDir } from './helpers.js';
import { mbnc } from './mbnc.js';


const formatted = readFileSync(path.join(examplesDir, 'aux_branches.mbn'), 'utf8');
/** The same spec, badly spaced (comment lines left as they are). */
const messy = formatted
  .split('\n')
  .map((line) => (line.startsWith('#') ? line : line.replace(/^ {2}/, '\t').replace(/ -> /g, '->').replace(/, /g, ' ,') + ' '))
  .join('\n');
const broken = 'model A {\n  input x: [4]\n  output y = x -> Dense(2\n}\n';

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mbn-fmt-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('mbnc fmt', () => {
  it('prints the formatted text of one file and changes nothing', async () => {
    const dir = scratch({ 'messy.mbn': messy });
    expect(messy).not.toBe(formatted);
    const r = await mbnc(['fmt', 'messy.mbn'], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: formatted, stderr: '' });
    expect(readFileSync(path.join(dir, 'messy.mbn'), 'utf8')).toBe(messy);
  });

  it('--check lists the files that would change and exits 1; 0 when all are formatted', async () => {
    const dir = scratch({ 'messy.mbn': messy, 'clean.mbn': formatted });
    const r = await mbnc(['fmt', '--check', 'messy.mbn', 'clean.mbn'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('messy.mbn\n');
    expect(r.stderr).toBe('1 file would be reformatted; run `mbnc fmt --write`\n');
    expect(readFileSync(path.join(dir, 'messy.mbn'), 'utf8')).toBe(messy);
    expect(await mbnc(['fmt', '--check', 'clean.mbn'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--write rewrites only the files that change, and lists them', async () => {
    const dir = scratch({ 'messy.mbn': messy, 'clean.mbn': formatted });
    const clean = path.join(dir, 'clean.mbn');
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(clean, past, past);
    const r = await mbnc(['fmt', '--write', 'messy.mbn', 'clean.mbn'], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: 'messy.mbn\n', stderr: '' });
    expect(readFileSync(path.join(dir, 'messy.mbn'), 'utf8')).toBe(formatted);
    expect(statSync(clean).mtime.getTime()).toBe(past.getTime());
    expect(await mbnc(['fmt', '--check', 'messy.mbn', 'clean.mbn'], { cwd: dir })).toMatchObject({ code: 0, stdout: '' });
  });

  it('prints the diagnostics of a file with syntax errors as `mbnc check` does, leaves it alone and exits 1', async () => {
    const dir = scratch({ 'broken.mbn': broken, 'messy.mbn': messy });
    const r = await mbnc(['fmt', '--write', 'broken.mbn', 'messy.mbn'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[MBN102]: expected `)`');
    expect(r.stderr).toMatch(/ --> \S*broken\.mbn:4:1\n/);
    expect(r.stderr).toContain('4 | }');
    expect(r.stderr).toContain('1 error in broken.mbn: not formatted');
    expect(readFileSync(path.join(dir, 'broken.mbn'), 'utf8')).toBe(broken);
    // The other files are still formatted.
    expect(r.stdout).toBe('messy.mbn\n');
    expect(readFileSync(path.join(dir, 'messy.mbn'), 'utf8')).toBe(formatted);
    const printed = await mbnc(['fmt', 'broken.mbn'], { cwd: dir });
    expect(printed).toMatchObject({ code: 1, stdout: '' });
  });

  it('exits 2 on wrong usage', async () => {
    const dir = scratch({ 'a.mbn': formatted, 'b.mbn': formatted });
    for (const [args, message] of [
      [['fmt'], 'fmt needs at least one .mbn file'],
      [['fmt', '--check', '--write', 'a.mbn'], 'fmt takes --check or --write, not both'],
      [['fmt', 'a.mbn', 'b.mbn'], 'fmt prints one file; use --write or --check for several'],
      [['fmt', 'missing.mbn'], 'cannot read missing.mbn: no such file'],
      [['fmt', '--in-place', 'a.mbn'], "Unknown option '--in-place'"],
    ] as const) {
      const r = await mbnc([...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stdout).toBe('');
    }
  });

  it('is listed in the usage text', async () => {
    const r = await mbnc(['--help'], { cwd: examplesDir });
    expect(r.stdout).toMatch(/^ {2}fmt FILE\.\.\. /m);
    expect(r.stdout).toContain('--check');
  });
});
