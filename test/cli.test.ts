/**
 * The mbnc command line: output for people and tools, exit statuses, and no
 * stack traces on bad input. Most tests run the CLI in-process; a few spawn
 * the real `bin/mbnc.js`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';
import { mbnc } from './mbnc.js';


function scratch(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mbn-cli-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('mbnc check', () => {
  it('exits 0 on a clean file and says so', async () => {
    const r = await mbnc(['check', 'examples/aux_branches.mbn']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe('no problems found in 1 file\n');
  });

  it('prints rustc-style diagnostics with a code frame and exits 1', async () => {
    const r = await mbnc(['check', 'examples/errors/dense_needs_flatten.mbn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        'error[MBN300]: Dense expects a vector [None, features] or a sequence [None, steps, features], got [None, 30, 30, 32]',
        ' --> examples/errors/dense_needs_flatten.mbn:6:26',
        '  |',
        '6 |   output y = features -> Dense(10, activation: softmax) loss categorical_crossentropy',
        '  |                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  = help: insert Flatten() before Dense (or GlobalAveragePooling2D() to keep fewer weights)',
        '',
        '1 error in 1 file',
        '',
      ].join('\n'),
    );
  });

  it('shows related locations and notes', async () => {
    const r = await mbnc(['check', 'examples/errors/duplicate.mbn']);
    expect(r.stderr).toContain(' ::: examples/errors/duplicate.mbn:4:3\n');
    expect(r.stderr).toContain('  |   - first defined here as a branch\n');
    expect(r.stderr).toContain('  = note: every input, branch, output, shared layer and parameter of a model needs its own name\n');
  });

  it('exits 0 when there are only warnings', async () => {
    const r = await mbnc(['check', 'examples/errors/dead_branch.mbn']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning[MBN400]');
    expect(r.stderr).toContain('1 warning in 1 file');
  });

  it('checks several files and reports shared imports once', async () => {
    const r = await mbnc(['check', '--format', 'json', 'examples/errors/import_cycle_a.mbn', 'examples/errors/import_cycle_b.mbn']);
    const json = JSON.parse(r.stdout);
    expect(json.diagnostics.map((d: { code: string; location: string }) => `${d.code} ${d.location}`)).toEqual([
      'MBN151 examples/errors/import_cycle_a.mbn:2:8',
      'MBN408 examples/errors/import_cycle_b.mbn:2:1',
      'MBN151 examples/errors/import_cycle_b.mbn:2:8',
    ]);
  });

  it('prints JSON for tools with LSP ranges, notes and fixes', async () => {
    const r = await mbnc(['check', '--format', 'json', 'examples/errors/unknown_argument.mbn']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.errors).toBe(1);
    expect(json.warnings).toBe(0);
    expect(json.diagnostics[0]).toEqual({
      file: 'examples/errors/unknown_argument.mbn',
      location: 'examples/errors/unknown_argument.mbn:4:30',
      code: 'MBN210',
      severity: 'error',
      message: 'LSTM has no parameter `return_sequence`',
      range: { start: { line: 3, character: 29 }, end: { line: 3, character: 44 } },
      notes: [expect.stringContaining('its parameters: units, activation')],
      related: [],
      fix: { title: 'did you mean `return_sequences`?', edits: [{ range: { start: { line: 3, character: 29 }, end: { line: 3, character: 44 } }, newText: 'return_sequences' }] },
    });
  });

  it('colours only on a terminal, and honours NO_COLOR and FORCE_COLOR', async () => {
    const esc = '\u001b[';
    expect((await mbnc(['check', 'examples/errors/duplicate.mbn'], { tty: true })).stderr).toContain(esc);
    expect((await mbnc(['check', 'examples/errors/duplicate.mbn'], { tty: false })).stderr).not.toContain(esc);
    expect((await mbnc(['check', 'examples/errors/duplicate.mbn'], { tty: true, env: { NO_COLOR: '1' } })).stderr).not.toContain(esc);
    expect((await mbnc(['check', 'examples/errors/duplicate.mbn'], { env: { FORCE_COLOR: '1' } })).stderr).toContain(esc);
  });

  it('exits 2 on usage errors, with one line and no stack trace', async () => {
    for (const args of [[], ['check'], ['check', 'no/such/file.mbn'], ['frobnicate'], ['check', '--nope', 'a.mbn'], ['check', '--format', 'xml', 'examples/aux_branches.mbn']]) {
      const r = await mbnc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
    }
    expect((await mbnc(['check', 'no/such/file.mbn'])).stderr).toMatch(/^mbnc: cannot read no\/such\/file.mbn: no such file\n/);
  });

  it('survives binary garbage and a directory given as a file', async () => {
    const garbage = scratch('garbage.mbn', Buffer.from([0, 255, 10, 123, 0x7f, 0xc3, 0x28]).toString('latin1') + '\u0000model {{{ ->');
    const r = await mbnc(['check', garbage]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await mbnc(['check', 'examples'])).code).toBe(2);
  });
});

describe('mbnc summary', () => {
  it('prints Keras-like tables for the training and the inference model', async () => {
    const r = await mbnc(['summary', 'examples/aux_branches.mbn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Training model: "AuxBranches"');
    expect(r.stdout).toMatch(/cnn_conv2d \(Conv2D\)\s+\(None, 30, 30, 32\)\s+896\s+img\[0\]\[0\]/);
    expect(r.stdout).toMatch(/main_concat \(Concatenate\)\s+\(None, 28832\)\s+0\s+cnn\[0\]\[0\], lstm\[0\]\[0\]/);
    expect(r.stdout).toContain('Total params: 960,547\nTrainable params: 960,547\nNon-trainable params: 0');
    expect(r.stdout).toContain('Inference model: "AuxBranches"');
    expect(r.stdout).toContain('Total params: 37,793');
    expect(r.stdout).toContain('Removed for inference: cnn_aux_dense, cnn_aux_dropout, cnn_aux, lstm_aux_dense, lstm_aux_dropout, lstm_aux');
  });

  it('prints JSON with training and inference totals and layers', async () => {
    const r = await mbnc(['summary', 'examples/aux_branches.mbn', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.training).toMatchObject({ totalParams: 960547, trainableParams: 960547, nonTrainableParams: 0 });
    expect(json.inference).toMatchObject({ totalParams: 37793, trainableParams: 37793 });
    expect(json.training.layers[2]).toEqual({
      name: 'cnn_conv2d', type: 'Conv2D', outputShapes: [[null, 30, 30, 32]], params: 896, trainableParams: 896, inputs: ['img[0][0]'], custom: false,
    });
    expect(json.customLayers).toEqual([]);
  });

  it('counts non-trainable parameters like Keras', async () => {
    const file = scratch('bn.mbn', 'model BN {\n  input x: [8, 8, 3]\n  output y = x -> Conv2D(4, 3) -> BatchNormalization() -> Flatten() -> Dense(1) loss mse\n}\n');
    const json = JSON.parse((await mbnc(['summary', file, '--json'])).stdout);
    // Conv2D 3*3*3*4+4 = 112; BatchNormalization 4 channels: 8 trainable, 8 moving statistics; Dense 6*6*4+1 = 145
    expect(json.training).toMatchObject({ totalParams: 112 + 16 + 145, trainableParams: 112 + 8 + 145, nonTrainableParams: 8 });
  });

  it('asks which model when a file has several, and explains what a block needs', async () => {
    const several = await mbnc(['summary', 'examples/ensemble.mbn']);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('declares several models (Ensemble, EnsembleTwoOutputs, EnsembleTwoInputs, EnsembleShared); choose one with --model NAME');
    const chosen = await mbnc(['summary', 'examples/ensemble.mbn', '--model', 'EnsembleShared', '--json']);
    expect(JSON.parse(chosen.stdout).training.totalParams).toBe(157412);
    const block = await mbnc(['summary', 'examples/errors/input_without_shape.mbn']);
    expect(block.code).toBe(1);
    expect(block.stderr).toContain('error[MBN406]: `Head` cannot be compiled on its own: input `features` has no shape');
    expect((await mbnc(['summary', 'examples/ensemble.mbn', '--model', 'Nope'])).stderr).toContain('no model "Nope"');
  });

  it('refuses to summarise a model with errors, showing them', async () => {
    const r = await mbnc(['summary', 'examples/errors/dense_needs_flatten.mbn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[MBN300]');
    expect(r.stderr).toContain('cannot summarise `NeedsFlatten`: it has 1 error');
  });

  it('refuses, like train and compile, a spec with a syntax error even when the model it recovered builds', async () => {
    const file = scratch('unclosed.mbn', 'model A {\n  input x: [4]\n  output y = x -> Dense(2) loss mse\n');
    for (const [command, verb] of [['summary', 'summarise'], ['graph', 'draw']] as const) {
      const r = await mbnc([command, file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('error[MBN102]: expected `}` but found end of file');
      expect(r.stderr).toContain(`cannot ${verb} \`A\`: the spec has 1 error`);
    }
  });
});

describe('the installed command', () => {
  const bin = path.join(repoRoot, 'bin/mbnc.js');
  it('runs check and summary as a real process', () => {
    const out = execFileSync(process.execPath, [bin, 'summary', 'examples/weighted_merge.mbn', '--model', 'WeightedSum', '--json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(JSON.parse(out).training.totalParams).toBe(2880);
    const failed = spawnSync(process.execPath, [bin, 'check', 'examples/errors/gate_width.mbn'], { cwd: repoRoot, encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('gate has width 3 but there are 4 experts');
  });

  it('prints help and its version', () => {
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })).toContain('usage: mbnc <command>');
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(/^mbnc \d+\.\d+\.\d+\n$/);
  });
});
